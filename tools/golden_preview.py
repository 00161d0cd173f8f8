"""Golden copies of `bin/preview <stack> --json`, and the one list of intended differences.

    .venv/bin/python tools/golden_preview.py            # compare the preview with tests/fixtures/golden
    .venv/bin/python tools/golden_preview.py --update   # after reviewing a change: store the new output

The fixtures were taken before issue 10's consolidation; `normalized` maps both sides to the shape
that must not change, removing only what that change intended (the pipeline's new part components,
their aliases, the Lambda package contents). Any other difference is a
regression, or an intended change to review and then store with --update.
"""

from __future__ import annotations

import contextlib
import io
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "golden"
VARIANTS = {
    "tokyo": ["tokyo"],
    "seoul": ["seoul"],
    "tokyo-on-failover": ["tokyo", "--set", "nlb.mode=on-failover"],
}
# Intended by issue 10: the pipeline split into parts (components are free and deploy nothing; their
# children keep names and types and alias their old parent), the contract (and the lock rule, which
# needs the error types) in the readiness package.
PART_TYPES = {"megaticket-dr:failover:ApprovalTopic", "megaticket-dr:failover:EventHop",
              "megaticket-dr:failover:StepLambdas", "megaticket-dr:failover:StateMachines"}
PACKAGE_CHANGES = {"failover/contract.py", "failover/errors.py", "failover/lock.py"}


def preview(argv: list[str]) -> dict[str, Any]:
    """`bin/preview <argv> --json`, run in-process."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from offline_preview.__main__ import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main([*argv, "--json"])
    if code != 0:
        raise RuntimeError(f"preview {' '.join(argv)} exited {code}")
    return json.loads(out.getvalue())


def _package(assets: list[str]) -> list[str]:
    """The step Lambdas ship every failover/*.py (a new Lambda module is not a preview change);
    the readiness Lambda ships a list, compared without the files this change added or moved."""
    if "failover/handlers.py" in assets:
        return ["failover/*.py"]
    return [a for a in assets if a not in PACKAGE_CHANGES]


def _short(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if urn else ""


def normalized(document: dict[str, Any]) -> dict[str, Any]:
    parts = {_short(r["urn"]): _short(r["parent"]) for r in document["resources"] if r["type"] in PART_TYPES}
    resources = []
    for r in document["resources"]:
        if r["type"] in PART_TYPES:
            continue
        parent = _short(r["parent"])
        options = {k: v for k, v in r["options"].items() if k != "aliases"}
        options["dependencies"] = sorted(_short(d) for d in options.get("dependencies", []))
        if "propertyDependencies" in options:
            options["propertyDependencies"] = {
                k: sorted(_short(u) for u in v) for k, v in options["propertyDependencies"].items()}
        if "providers" in options:
            options["providers"] = {k: _short(v) for k, v in options["providers"].items()}
        inputs = json.loads(json.dumps(r["inputs"]))
        code = inputs.get("code")
        if isinstance(code, dict) and "assets" in code:
            code["assets"] = _package(code["assets"])
        resources.append({"type": r["type"], "name": r["name"], "parent": parts.get(parent, parent),
                          "provider": _short(r["provider"]), "inputs": inputs, "options": options})
    cost = dict(document.get("cost") or {})
    if cost.get("items"):
        cost["items"] = sorted((i for i in cost["items"] if i["resource"] not in parts),
                               key=lambda i: json.dumps(i, sort_keys=True))
    return {
        "stack": document["stack"],
        "creates": document["summary"]["create"] - len(parts),
        "reads": document["summary"].get("read"),
        "resources": sorted(resources, key=lambda r: (r["type"], r["name"])),
        "outputs": document["outputs"],
        "userData": document["userData"],
        "policies": document["policies"],
        "cost": cost,
    }


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    a, b = normalized(expected), normalized(actual)
    found = [f"{key} differs" for key in a if key != "resources" and a[key] != b[key]]
    old = {(r["type"], r["name"]): r for r in a["resources"]}
    new = {(r["type"], r["name"]): r for r in b["resources"]}
    found += [f"removed {k}" for k in old.keys() - new.keys()]
    found += [f"added {k}" for k in new.keys() - old.keys()]
    for key in old.keys() & new.keys():
        for field in old[key]:
            if old[key][field] != new[key][field]:
                found.append(f"{key} {field} differs")
    return sorted(found)


def main(argv: list[str]) -> int:
    update = "--update" in argv
    status = 0
    for variant, args in VARIANTS.items():
        document = preview(args)
        path = FIXTURES / f"{variant}.json"
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            continue
        found = differences(json.loads(path.read_text(encoding="utf-8")), document)
        print(f"{variant}: {'unchanged' if not found else '; '.join(found)}")
        status |= bool(found)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
