"""doctor's terminal progress display (nlb.mode on-failover is in test_doctor_deletions.py)."""

from __future__ import annotations

import os
import pty
import subprocess
import sys

from tests.drctl.conftest import ROOT, site_url


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
