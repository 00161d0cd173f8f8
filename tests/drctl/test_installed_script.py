"""The `drctl` that bin/setup installs works where operators run it: outside the repository, with
no PYTHONPATH (the other CLI tests run `python -m drctl` from the repository, which would hide a
package missing from pyproject.toml)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

DRCTL = Path(sys.executable).parent / "drctl"


def test_installed_drctl_runs_outside_the_repository(tmp_path: Path) -> None:
    assert DRCTL.exists(), f"{DRCTL} is missing: run bin/setup"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH" and not k.startswith("AWS_")}
    run = subprocess.run([str(DRCTL), "rto", "--stack", "tokyo", "--json"], capture_output=True,
                         text=True, cwd=tmp_path, env=env, timeout=120, check=False)
    assert run.returncode == 0, run.stderr
    assert {"phases", "low_seconds", "high_seconds", "excluding_approval"} <= set(json.loads(run.stdout))
    # import-plan pulls in the offline preview engine and the cost-free program run: it must import
    # too (it stops at the missing credentials, with its one line and exit 2, not an ImportError).
    run = subprocess.run([str(DRCTL), "import-plan", "--stack", "tokyo", "--out", str(tmp_path / "p.json")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120, check=False,
                         env={**env, "AWS_CONFIG_FILE": os.devnull, "AWS_SHARED_CREDENTIALS_FILE": os.devnull})
    assert run.returncode == 2 and "Traceback" not in run.stderr, run.stderr
    assert len(run.stderr.strip().splitlines()) == 1
