"""doctor in nlb.mode on-failover (no NLB until the pipeline runs), and its terminal progress display."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from tests.drctl import pilot_light
from tests.drctl.conftest import ROOT, drctl, site_url
from tests.drctl.pilot_light import Broken

ON_FAILOVER = ("--set", "nlb.mode=on-failover")


def test_on_failover_standby_passes_while_latest_waits_with_the_placeholder(moto, site, names):
    # GIVEN nlb.mode on-failover before any failover: no NLB, $Latest keeps NLB_DNS_PLACEHOLDER
    site.status = 200
    pilot_light.seed(moto.endpoint, names.checks, on_failover=True)
    # WHEN doctor runs with the same mode
    run = drctl(moto.endpoint, "doctor", *ON_FAILOVER, "--url", site_url(site))
    # THEN that is the ready state, not a fault
    assert run.code == 0, run.stdout
    assert "✓ internal-api-url — $Latest v3 waits for the NLB (NLB_DNS_PLACEHOLDER; nlb.mode on-failover)" \
        in run.stdout
    assert "✓ target-health — no targets; ASG desired total 0 (pilot light at 0)" in run.stdout


def test_on_failover_latest_without_placeholder_is_the_version_2_incident(moto, site, names):
    # GIVEN the 3.4 incident: a newer version with a hard-coded DNS became $Latest, no NLB yet
    site.status = 200
    pilot_light.seed(moto.endpoint, names.checks, Broken(latest_without_placeholder=True), on_failover=True)
    run = drctl(moto.endpoint, "doctor", *ON_FAILOVER, "--url", site_url(site), "--json")
    # THEN the placeholder scan reports which versions still have it and what $Latest holds
    report = run.json()
    assert run.code == 1 and set(report["failed"]) == {"launch-template-placeholder", "internal-api-url"}
    scan = next(c for c in report["checks"] if c["name"] == "launch-template-placeholder")
    assert "MegaTicket-DR-Web-LT $Latest v3 has no NLB_DNS_PLACEHOLDER but the NLB does not exist yet" \
        in scan["detail"]
    assert "PLACEHOLDER in versions [2], $Latest=v3 has no PLACEHOLDER" in scan["detail"]
    assert "keep NLB_DNS_PLACEHOLDER in the template the stack renders" in scan["fix"]


def test_progress_goes_to_a_terminal_stderr_only(moto, site):
    # GIVEN stderr is a terminal and stdout a pipe (doctor --json | jq)
    site.status = 200
    main, secondary = pty.openpty()
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ENDPOINT_URL": moto.endpoint, "AWS_ACCESS_KEY_ID": "testing",
                "AWS_SECRET_ACCESS_KEY": "testing", "DRCTL_PROJECT_DIR": str(ROOT), "PYTHONPATH": str(ROOT)})
    proc = subprocess.run([sys.executable, "-m", "drctl", "doctor", "--json", "--only", "web-root",
                           "--url", site_url(site)], stdout=subprocess.PIPE, stderr=secondary, env=env,
                          cwd=ROOT, timeout=60, check=False)
    os.close(secondary)
    progress = os.read(main, 4096).decode()
    os.close(main)
    # THEN the terminal shows progress and stdout stays pure JSON
    assert "[0/1] web-root…" in progress
    assert proc.returncode == 0 and proc.stdout.decode().lstrip().startswith("{")
