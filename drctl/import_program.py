"""What the program declares, named the way the engine names it, for `drctl import-plan`.

The program runs in-process under Pulumi's mock engine (as the offline preview does), so the
types, logical names, parents and providers come from the program itself, never from a list kept
by hand. The mock monitor's URNs put `pulumi:pulumi:Stack$` in front of every top-level type; the
engine does not (`Deployment.generateURN` skips the root stack), so URNs are rebuilt here the
engine's way: `urn:pulumi:<stack>::<project>::<parent types $-joined>$<type>::<name>`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

STACK_TYPE = "pulumi:pulumi:Stack"
PROVIDER_PREFIX = "pulumi:providers:"


@dataclass(frozen=True)
class Declared:
    urn: str  # as the engine names it
    type: str
    name: str  # logical name
    custom: bool
    parent: str  # parent URN ("" for the stack)
    provider: str  # explicit provider URN ("" for the default provider)
    inputs: dict[str, Any]
    label: str  # what its placeholders are called: ⟨label.prop⟩
    region: str

    @property
    def is_provider(self) -> bool:
        return self.type.startswith(PROVIDER_PREFIX)


@dataclass
class Program:
    stack: str
    project: str
    settings: Any  # stack_config.Settings
    resources: list[Declared] = field(default_factory=list)
    recorded: list[Any] = field(default_factory=list)  # the mock engine's own records, unchanged

    def by_urn(self, urn: str) -> Declared | None:
        return next((r for r in self.resources if r.urn == urn), None)

    @property
    def components(self) -> list[Declared]:
        return [r for r in self.resources if not r.custom]

    @property
    def providers(self) -> list[Declared]:
        return [r for r in self.resources if r.is_provider]

    @property
    def cloud_resources(self) -> list[Declared]:
        """What `pulumi up` would create in AWS, in registration (dependency) order."""
        return [r for r in self.resources if r.custom and not r.is_provider]

    def of_type(self, type_: str) -> list[Declared]:
        return [r for r in self.resources if r.type == type_]


def project_name(root: Path) -> str:
    document = yaml.safe_load((root / "Pulumi.yaml").read_text(encoding="utf-8")) or {}
    return str(document.get("name") or "megaticket-dr")


def engine_urn(stack: str, project: str, qualified_type: str, name: str) -> str:
    return f"urn:pulumi:{stack}::{project}::{qualified_type}::{name}"


def declared_program(root: Path, stack: str, overrides: list[str]) -> Program:
    """Run the program for `stack` (with `--set` overrides) and return what it declares.

    Raises `stack_config.ConfigError` for a bad stack name or setting, like the preview."""
    from offline_preview.engine import run_program
    from offline_preview.placeholders import label_of
    from stack_config import apply_overrides, load_settings, stack_file_values

    config = apply_overrides(stack_file_values(root, stack), overrides)
    settings = load_settings(config, stack)
    run = run_program(config, stack, program=root / "__main__.py")
    project = project_name(root)

    qualified: dict[str, str] = {}  # mock URN -> engine qualified type
    engine_urns: dict[str, str] = {}  # mock URN -> engine URN
    program = Program(stack=stack, project=project, settings=settings, recorded=run.resources)
    regions = {
        r.urn: str(r.inputs.get("region") or "") for r in run.resources if r.type.startswith(PROVIDER_PREFIX)
    }
    for r in run.resources:
        if r.options.get("read") or r.type == STACK_TYPE:
            continue  # reads (the seoul StackReference) are never created, so never imported
        parent_type = qualified.get(r.parent, "")
        qualified[r.urn] = f"{parent_type}${r.type}" if parent_type else r.type
        engine_urns[r.urn] = engine_urn(stack, project, qualified[r.urn], r.name)
    for r in run.resources:
        if r.urn not in engine_urns:
            continue
        program.resources.append(
            Declared(
                urn=engine_urns[r.urn],
                type=r.type,
                name=r.name,
                custom=r.custom,
                parent=engine_urns.get(r.parent, ""),
                provider=engine_urns.get(r.provider, ""),
                inputs=r.inputs,
                label=label_of(r.name, r.inputs),
                region=regions.get(r.provider) or str(r.inputs.get("region") or settings.region),
            )
        )
    return program
