"""The deployment before this one, for previewing a day-two change (`--previous FILE`).

FILE is either what `pulumi stack output --json` prints for the stack (its outputs: enough for
the program's day-two guard, which compares `statefulIdentity`), or an earlier
`python -m offline_preview <stack> --json` document (outputs, and every resource with its id and
inputs: the preview then also lists what the change would replace, by the provider's force-new
inputs in `day_two.FORCE_NEW`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from day_two import STATEFUL_TYPES, force_new_properties
from offline_preview.engine import ProgramRun, RecordedResource
from stack_config import ConfigError


def load_previous(path: Path, stack: str) -> ProgramRun:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ConfigError(f"--previous must be a JSON file from `pulumi stack output --json` or an "
                          f"offline preview's --json ({path}: {error})") from None
    if not isinstance(document, dict):
        raise ConfigError(f"--previous must hold a JSON object of stack outputs "
                          f"(got {type(document).__name__})")
    if "resources" in document and isinstance(document.get("outputs"), dict):
        resources = [RecordedResource(urn=r["urn"], type=r["type"], name=r["name"], custom=True,
                                      parent=r.get("parent", ""), provider=r.get("provider", ""),
                                      inputs=r.get("inputs", {}), options=r.get("options", {}),
                                      id=r.get("id", ""))
                     for r in document["resources"] if isinstance(r, dict)]
        return ProgramRun(stack=stack, preview=False, resources=resources, outputs=document["outputs"])
    return ProgramRun(stack=stack, preview=False, outputs=document)


@dataclass(frozen=True)
class Replacement:
    resource: RecordedResource
    properties: tuple[str, ...]  # the force-new inputs that changed

    @property
    def stateful(self) -> bool:
        return self.resource.type in STATEFUL_TYPES


def replacements(before: ProgramRun, after: ProgramRun) -> list[Replacement]:
    """Resources of `after` that replace one of `before` (same type and name, force-new input changed)."""
    old = {(r.type, r.name): r for r in before.resources if r.id}
    found = []
    for resource in after.resources:
        previous = old.get((resource.type, resource.name))
        if previous is None or not resource.id:
            continue
        was = force_new_properties(previous.type, previous.inputs)
        now = force_new_properties(resource.type, resource.inputs)
        changed = tuple(k for k in sorted(set(was) | set(now)) if was.get(k) != now.get(k))
        if changed or previous.id != resource.id:
            found.append(Replacement(resource, changed))
    return found


def replacement_lines(found: list[Replacement]) -> list[str]:
    lines = [f"Replaced against the previous deployment ({len(found)}):"]
    for r in found:
        options = r.resource.options
        how = "delete first" if options.get("deleteBeforeReplace") else "create first"
        mark = " PROTECTED: the engine refuses (docs/day-two.md)" if options.get("protect") else ""
        lines.append(f"    +- {r.resource.type} {r.resource.name}: {', '.join(r.properties) or 'id'} "
                     f"({how}){mark}")
    return lines if found else ["Replaced against the previous deployment: nothing"]


def as_json(found: list[Replacement]) -> list[dict[str, Any]]:
    return [{"urn": r.resource.urn, "type": r.resource.type, "name": r.resource.name,
             "properties": list(r.properties), "stateful": r.stateful,
             "protect": bool(r.resource.options.get("protect")),
             "deleteBeforeReplace": bool(r.resource.options.get("deleteBeforeReplace"))}
            for r in found]
