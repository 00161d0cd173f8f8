"""`drctl doctor` end to end: subprocess -> boto3 -> moto over HTTP, holding both stacks as the
program declares them (tests/deployer.py)."""

from __future__ import annotations

from failover.checks import CHECK_NAMES
from tests.drctl.conftest import drctl, site_url
from tests.drctl.generated import deploy_to_server


def test_generated_stacks_pass_every_check_and_exit_zero(moto, site):
    # GIVEN both stacks deployed as declared and a web tier answering 200 on /
    site.status = 200
    deploy_to_server(moto.endpoint)
    # WHEN an operator runs doctor
    run = drctl(moto.endpoint, "doctor", "--stack", "tokyo", "--url", site_url(site))
    # THEN every check is a ✓ line and the exit code is 0; with no drill run yet, the two drill
    # checks pass with a warning (!) and say how to run one
    assert run.code == 0, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if line[:1] in ("✓", "✗", "-", "!")]
    assert [line.split(" ")[1] for line in lines] == list(CHECK_NAMES)
    warned = {"last-drill", "drill-recovery-time"}
    assert all(line.startswith("! " if line.split(" ")[1] in warned else "✓ ") for line in lines), run.stdout
    assert "    fix: `drctl drill --stack tokyo --yes`" in run.stdout
    assert f"{len(CHECK_NAMES)}/{len(CHECK_NAMES)} checks passed" in run.stdout
    assert run.stderr == ""  # no progress display when stderr is not a terminal
    # AND --json prints one object naming every check, for scripts
    as_json = drctl(moto.endpoint, "doctor", "--url", site_url(site), "--json")
    report = as_json.json()
    assert as_json.code == 0 and report["ok"] is True and report["failed"] == [] and report["skipped"] == []
    assert [c["name"] for c in report["checks"]] == list(CHECK_NAMES)
    assert all(c["ok"] and c["status"] == "ok" and c["fix"] == "" for c in report["checks"]
               if c["name"] not in warned)
    assert [c["status"] for c in report["checks"] if c["name"] in warned] == ["warn", "warn"]


def test_redirecting_root_fails_web_root_with_the_middleware_fix(moto, site):
    # GIVEN the middleware incident: / answers 307 to /performances
    site.status = 307
    try:
        run = drctl(moto.endpoint, "doctor", "--url", site_url(site), "--only", "web-root")
    finally:
        site.status = 200
    # THEN only web-root ran, it failed, and the fix points at middleware.ts
    assert run.code == 1
    assert "✗ web-root — GET " in run.stdout and "-> 307" in run.stdout
    assert "apps/web/src/middleware.ts" in run.stdout
    assert "0/1 checks passed; failed: web-root" in run.stdout


def test_unknown_check_name_is_a_usage_error_in_one_line(moto):
    run = drctl(moto.endpoint, "doctor", "--only", "route53,web-root")
    assert run.code == 2
    assert run.stderr.startswith("drctl: error: --only must list check names from ")
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
