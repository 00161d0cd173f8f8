"""`drctl doctor` end to end: subprocess -> boto3 -> moto over HTTP, seeded from Pulumi.tokyo.yaml names."""

from __future__ import annotations

from tests.drctl import pilot_light
from tests.drctl.conftest import drctl, site_url
from tests.drctl.pilot_light import Broken


def _doctor(moto, site, names, *extra: str):
    pilot_light.seed(moto.endpoint, names.checks, Broken())
    return drctl(moto.endpoint, "doctor", "--stack", "tokyo", "--url", site_url(site), *extra)


def test_healthy_pilot_light_passes_every_check_and_exits_zero(moto, site, names):
    # GIVEN a healthy standby pilot light and a web tier answering 200 on /
    site.status = 200
    # WHEN an operator runs doctor
    run = _doctor(moto, site, names)
    # THEN every check is a ✓ line and the exit code is 0
    assert run.code == 0, run.stdout + run.stderr
    lines = [line for line in run.stdout.splitlines() if line[:1] in ("✓", "✗")]
    assert len(lines) == 15 and all(line.startswith("✓ ") for line in lines)
    assert "✓ launch-template-placeholder — MegaTicket-DR-Web-LT: PLACEHOLDER in versions [2], $Latest=v3" \
        in run.stdout
    assert "15/15 checks passed" in run.stdout
    assert run.stderr == ""  # no progress display when stderr is not a terminal
    # AND --json prints one object naming every check, for scripts
    as_json = drctl(moto.endpoint, "doctor", "--url", site_url(site), "--json")
    report = as_json.json()
    assert as_json.code == 0 and report["ok"] is True and report["failed"] == []
    assert [c["name"] for c in report["checks"]] == [
        "route53-health-check", "detection-alarm", "observation-rule", "failover-rule", "last-execution",
        "approval-subscriptions", "launch-template-placeholder", "internal-api-url",
        "asg-launch-template-version", "target-health", "dynamodb-replica", "replication-latency",
        "golden-ami", "failback-lock", "web-root"]
    assert all(c["ok"] and c["fix"] == "" for c in report["checks"])


def test_redirecting_root_fails_web_root_with_the_middleware_fix(moto, site, names):
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


def test_unknown_check_name_is_a_usage_error_in_one_line(moto, site, names):
    run = drctl(moto.endpoint, "doctor", "--only", "route53,web-root")
    assert run.code == 2
    assert run.stderr.startswith("drctl: error: --only must list check names from ")
    assert "Traceback" not in run.stderr and len(run.stderr.strip().splitlines()) == 1
