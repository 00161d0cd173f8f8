"""The CI workflows do what the policy issue asks, and tools/actionlint.sh really lints them.

(The workflows themselves pass tools/actionlint.sh in bin/test; here we prove the linter bites.)
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = ROOT / ".github" / "workflows"


def _load(name: str) -> dict:
    loaded = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the `on:` key as True.
    loaded["on"] = loaded.pop(True, loaded.get("on"))
    return loaded


def _steps(job: dict) -> list[dict]:
    return job.get("steps") or []


def test_pull_requests_run_the_offline_preview_with_policies_for_both_stacks():
    workflow = _load("preview.yml")
    assert "pull_request" in workflow["on"]
    job = workflow["jobs"]["offline-preview"]
    assert job["strategy"]["matrix"]["stack"] == ["seoul", "tokyo"]
    runs = [s.get("run", "") for s in _steps(job)]
    assert any('python -m offline_preview "$STACK"' in r and "--json" not in r for r in runs)
    assert any("--json" in r for r in runs)  # the policy-only JSON result, kept as an artifact


def test_pull_requests_run_pulumi_preview_with_the_pack_only_where_credentials_exist():
    job = _load("preview.yml")["jobs"]["pulumi-preview"]
    assert "AWS_ROLE_ARN" in job["if"] and "head.repo.full_name == github.repository" in job["if"]
    assert job["permissions"]["id-token"] == "write"
    [pulumi] = [s for s in _steps(job) if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert pulumi["uses"] == "pulumi/actions@v6"
    assert pulumi["with"]["command"] == "preview" and pulumi["with"]["policyPacks"] == "policies"
    assert {m["stack"] for m in job["strategy"]["matrix"]["include"]} == {"seoul", "tokyo"}


def test_main_deploys_seoul_before_tokyo_with_the_pack():
    deploy = _load("deploy.yml")
    assert deploy["on"]["push"]["branches"] == ["main"]
    jobs = deploy["jobs"]
    assert jobs["up-seoul"]["needs"] == "checks" and jobs["up-tokyo"]["needs"] == "up-seoul"
    assert (jobs["up-seoul"]["with"]["stack"], jobs["up-tokyo"]["with"]["stack"]) == ("seoul", "tokyo")
    assert deploy["concurrency"]["cancel-in-progress"] is False
    up = _load("pulumi-up.yml")["jobs"]["up"]
    [pulumi] = [s for s in _steps(up) if str(s.get("uses", "")).startswith("pulumi/actions@")]
    assert pulumi["with"]["command"] == "up" and pulumi["with"]["policyPacks"] == "policies"


needs_actionlint = pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "@tktco" / "node-actionlint").is_dir(),
    reason="actionlint not installed (bin/setup runs npm install)")


@needs_actionlint
def test_actionlint_rejects_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n"
                      "      - uses: actions/checkout@v4\n        with: {not-an-input: 1}\n"
                      "      - run: echo ${{ github.no_such_property }}\n"
                      "      - run: for f in $(ls); do echo $f; done\n")
    result = subprocess.run([str(ROOT / "tools" / "actionlint.sh"), str(broken)], capture_output=True,
                            text=True, cwd=ROOT, check=False, timeout=120)
    assert result.returncode == 1
    assert "not-an-input" in result.stdout and "no_such_property" in result.stdout
    assert "SC2045" in result.stdout  # shellcheck of the run: script
