"""Run the real Pulumi program under Pulumi's own mock engine and record what it declares.

The program sees the stack's config exactly as the CLI would pass it. Every resource
registration is recorded with its type, name, parent, provider, options and inputs (camelCase,
as the engine sees them). Values that exist only after deploy are returned by the mocks as
marked placeholders (`⟨MegaTicket-DR-NLB.dnsName⟩`) in update mode, and left unknown in
preview mode, like `pulumi preview` does.
"""

from __future__ import annotations

import logging
import re
import runpy
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc
from pulumi.runtime import settings as pulumi_settings
from pulumi.runtime.config import set_all_config
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

from offline_preview import lazy_aws
from offline_preview.placeholders import computed_state, invoke_result, label_of, placeholder

lazy_aws.install()  # before the program first imports pulumi_aws

PROJECT_DIR = Path(__file__).resolve().parent.parent
_STACK_TYPE = "pulumi:pulumi:Stack"
PROJECT = "megaticket-dr"
UNKNOWN = rpc.UNKNOWN


@dataclass(frozen=True)
class RecordedResource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str  # provider URN, "" when the default provider is used
    inputs: dict[str, Any]
    options: dict[str, Any]
    id: str = ""  # the engine's id for the resource ("" for components and in preview mode)


@dataclass
class ProgramRun:
    stack: str
    preview: bool
    resources: list[RecordedResource] = field(default_factory=list)
    outputs: dict[str, Any] = field(default_factory=dict)
    invokes: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # pulumi.log.warn, as the CLI shows them

    @property
    def creates(self) -> list[RecordedResource]:
        return [r for r in self.resources if not r.options.get("read")]

    @property
    def reads(self) -> list[RecordedResource]:
        return [r for r in self.resources if r.options.get("read")]

    def by_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def one(self, type_: str, name: Optional[str] = None) -> RecordedResource:
        found = [r for r in self.by_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = [r.name for r in self.by_type(type_)]
            raise LookupError(f"expected one {type_} named {name!r}, found {len(found)} among {names}")
        return found[0]

    def find(self, type_: str, name: str) -> Optional[RecordedResource]:
        return next((r for r in self.resources if r.type == type_ and r.name == name), None)

    def provider_of(self, resource: RecordedResource) -> Optional[RecordedResource]:
        return next((r for r in self.resources if r.urn == resource.provider), None)

    def region_of(self, resource: RecordedResource) -> Optional[str]:
        provider = self.provider_of(resource)
        return provider.inputs.get("region") if provider else None


def _plain(value: Any) -> Any:
    """Mock-deserialised values back to plain JSON-able data, unknowns as the engine's sentinel."""
    if isinstance(value, pulumi.output.Unknown):
        return UNKNOWN
    if rpc.is_rpc_secret(value):
        return _plain(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, pulumi.Asset | pulumi.Archive):
        return {"__asset": type(value).__name__,
                "path": getattr(value, "path", None),
                "assets": sorted(getattr(value, "assets", {}) or {})}
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the engine sends every number as a double
    return value


# A test's answers to data source calls: (token, args) -> result, or None for the default answer.
InvokeAnswers = Callable[[str, dict[str, Any]], Optional[dict[str, Any]]]
_GENERATION = re.compile(r"#(\d+)\.id⟩$")
ORGANIZATION = "organization"  # what a self-managed backend calls every stack's organization


def own_stack_name(stack: str) -> str:
    return f"{ORGANIZATION}/{PROJECT}/{stack}"


class _Mocks(pulumi.runtime.Mocks):
    """`previous` is the run of the deployment before this one: its outputs answer a
    StackReference to this very stack, and a resource keeps its id and computed values unless an
    input the provider's schema marks force-new changed (`day_two.FORCE_NEW`), in which case it
    gets new ones (`⟨name#2.id⟩`), as a replacement would."""

    def __init__(self, run: ProgramRun, stack_reference_outputs: dict[str, Any],
                 on_resource: Optional[Callable[[ProgramRun, RecordedResource], None]] = None,
                 invokes: Optional[InvokeAnswers] = None,
                 previous: Optional[ProgramRun] = None):
        self.run = run
        self.on_resource = on_resource
        self.stack_reference_outputs = stack_reference_outputs
        self.invokes = invokes
        self.previous = previous
        self.previous_by_name = {(r.type, r.name): r for r in previous.resources} if previous else {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[Optional[str], dict]:
        inputs = dict(args.inputs)
        if args.typ == "pulumi:pulumi:StackReference":
            own = inputs.get("name") == own_stack_name(self.run.stack)
            outputs = (self.previous.outputs if self.previous else {}) if own \
                else self.stack_reference_outputs
            return inputs.get("name"), {**inputs, "outputs": outputs, "secretOutputNames": []}
        label = label_of(args.name, inputs)
        if self.run.preview:
            # Like `pulumi preview`: computed values stay unknown.
            return None, inputs
        before = self.previous_by_name.get((args.typ, args.name))
        if before is not None and before.id:
            from day_two import force_new_properties

            found = _GENERATION.search(before.id)
            generation = int(found[1]) if found else 1
            if force_new_properties(args.typ, _plain(inputs)) != \
                    force_new_properties(args.typ, before.inputs):
                generation += 1  # replaced: a new physical resource, new id and computed values
            if generation > 1:
                label = f"{label}#{generation}"
        return placeholder(label, "id"), {**computed_state(args.typ, label, inputs), **inputs}

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict, Optional[list]]:
        self.run.invokes.append((args.token, _plain(dict(args.args))))
        answer = self.invokes(args.token, dict(args.args)) if self.invokes else None
        return (answer if answer is not None else invoke_result(args.token, dict(args.args))), []


class _RecordingMonitor(pulumi_mocks.MockMonitor):
    """The stock mock monitor, plus a record of parent, provider and options per resource."""

    def __init__(self, mocks: _Mocks):
        super().__init__(mocks)
        self.run = mocks.run
        self.on_resource = mocks.on_resource

    def make_urn(self, parent: str, type_: str, name: str) -> str:
        """Like the engine: the parent's whole qualified type, then this type (the stock mock keeps only
        the parent's last type, which is wrong for a component inside a component, and for the
        aliases that name the old parent of a moved child)."""
        if parent:
            parent_type = parent.split("::")[2]
            if parent_type != _STACK_TYPE:  # the stock mock's form for the stack's own children
                parent_type = parent_type.removeprefix(f"{_STACK_TYPE}$")
            type_ = f"{parent_type}${type_}"
        return "urn:pulumi:" + "::".join([pulumi.get_stack(), pulumi.get_project(), type_, name])

    def RegisterResource(self, request):  # noqa: N802 - gRPC method name
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            inputs = rpc.deserialize_properties(request.object, keep_unknowns=True)
            record = RecordedResource(
                urn=response.urn,
                type=request.type,
                name=request.name,
                custom=bool(request.custom),
                parent=request.parent,
                provider=request.provider.rsplit("::", 1)[0] if request.provider else "",
                inputs=_plain(inputs),
                id=response.id,
                options={
                    "protect": request.protect,
                    "ignoreChanges": list(request.ignoreChanges),
                    "deleteBeforeReplace": request.deleteBeforeReplace,
                    "dependencies": list(request.dependencies),
                    # Which input used which resource (the graph labels its edges with these).
                    "propertyDependencies": {key: list(deps.urns) for key, deps
                                             in request.propertyDependencies.items()},
                    # A component's providers map: where its children go unless told otherwise.
                    "providers": {pkg: ref.rsplit("::", 1)[0] for pkg, ref in request.providers.items()},
                    "aliases": [str(a) for a in request.aliases],
                    "additionalSecretOutputs": list(request.additionalSecretOutputs),
                    "retainOnDelete": request.retainOnDelete,
                },
            )
            self.run.resources.append(record)
            if self.on_resource is not None:
                self.on_resource(self.run, record)
        return response

    def ReadResource(self, request):  # noqa: N802 - gRPC method name
        response = super().ReadResource(request)
        # A read (StackReference, `.get()`): shown, analyzed, but not counted as a create.
        record = RecordedResource(
            urn=response.urn, type=request.type, name=request.name, custom=True,
            parent=request.parent,
            provider=request.provider.rsplit("::", 1)[0] if request.provider else "",
            inputs=_plain(rpc.deserialize_properties(request.properties, keep_unknowns=True)),
            options={"read": True, "id": request.id, "dependencies": list(request.dependencies)},
        )
        self.run.resources.append(record)
        if self.on_resource is not None:
            self.on_resource(self.run, record)
        return response


def primary_placeholders(stack: str = "seoul") -> dict[str, Any]:
    from stack_config import TABLE_SUFFIXES
    from stack_contract import PRIMARY_OUTPUTS

    values: dict[str, Any] = {k: f"⟨{stack}.{k}⟩" for k in PRIMARY_OUTPUTS}
    for key in ("tableNames", "tableArns"):
        values[key] = {s: f"⟨{stack}.{key}.{s}⟩" for s in TABLE_SUFFIXES}
    return values


def run_program(config: dict[str, str], stack: str, preview: bool = False,
                program: Path = PROJECT_DIR / "__main__.py",
                stack_reference_outputs: Optional[dict[str, Any]] = None,
                on_resource: Optional[Callable[[ProgramRun, RecordedResource], None]] = None,
                invokes: Optional[InvokeAnswers] = None,
                previous: Optional[ProgramRun] = None) -> ProgramRun:
    """Evaluate `program` for `stack` with the flat CLI config map; raise what the program raises.
    `previous`: the run of the deployment before (its state and outputs), for a day-two change."""
    program_dir = str(program.parent)
    if program_dir not in sys.path:
        sys.path.insert(0, program_dir)
    return run_function(lambda: runpy.run_path(str(program), run_name="__main__"), config, stack,
                        preview, stack_reference_outputs, on_resource, invokes, previous)


def run_function(body: Callable[[], Any], config: dict[str, str], stack: str,
                 preview: bool = False,
                 stack_reference_outputs: Optional[dict[str, Any]] = None,
                 on_resource: Optional[Callable[[ProgramRun, RecordedResource], None]] = None,
                 invokes: Optional[InvokeAnswers] = None,
                 previous: Optional[ProgramRun] = None) -> ProgramRun:
    """Evaluate `body` (a program or a few components) under the mocks and record it;
    `on_resource` sees each resource as it is registered; `invokes` answers data source calls
    (tests that let moto say what exists)."""
    run = ProgramRun(stack=stack, preview=preview)
    mocks = _Mocks(run, stack_reference_outputs if stack_reference_outputs is not None
                   else primary_placeholders(), on_resource, invokes, previous)
    pulumi_settings.reset_options(project=PROJECT, stack=stack, preview=preview)
    set_all_config(dict(config), [])
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack=stack, preview=preview,
                             monitor=_RecordingMonitor(mocks), logger=_warnings_logger(run),
                             organization=ORGANIZATION)
    root = pulumi_settings.get_root_resource()
    _sync_await(run_pulumi_func(body))
    if root is not None:
        run.outputs = {k: _resolve(v) for k, v in root.outputs.items()}  # type: ignore[attr-defined]
    return run


class _Recorder(logging.Handler):
    def __init__(self, run: ProgramRun):
        super().__init__(logging.WARNING)
        self.run = run

    def emit(self, record: logging.LogRecord) -> None:
        self.run.warnings.append(record.getMessage())


def _warnings_logger(run: ProgramRun) -> logging.Logger:
    """The mock engine's log: the program's warnings land in `run.warnings` (and nowhere else)."""
    logger = logging.getLogger(f"offline_preview.{id(run)}")
    logger.handlers = [_Recorder(run)]
    logger.propagate = False
    return logger


def _resolve(value: Any) -> Any:
    output = pulumi.Output.from_input(value)
    known = _sync_await(output.is_known())
    if not known:
        return UNKNOWN
    return _plain(_sync_await(output.future()))
