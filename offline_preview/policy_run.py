"""Run the megaticket-dr-guardrails pack over a recorded program, the way the CLI does (gRPC)."""

from __future__ import annotations

from typing import Any, Optional

from offline_preview.engine import ProgramRun, RecordedResource
from offline_preview.report import PolicyFinding, PolicyReport

PACK = "megaticket-dr-guardrails"


def start_pack(stack: str, config: dict[str, str], preview: bool) -> Any:
    """Spawn the pack now so its start-up overlaps the program's evaluation."""
    from policies.analyzer_harness import PolicyPackProcess

    pack = PolicyPackProcess(stack=stack, preview=preview, config=config)
    pack.start()
    return pack


def _analyzed(run: ProgramRun, resource: RecordedResource) -> Any:
    from policies.analyzer_harness import AnalyzedResource, ProviderRef

    provider: Optional[ProviderRef] = None
    record = run.provider_of(resource)
    if record is not None:
        provider = ProviderRef(type=record.type, name=record.name, urn=record.urn,
                               properties=dict(record.inputs))
    return AnalyzedResource(urn=resource.urn, type=resource.type, name=resource.name,
                            properties=resource.inputs, provider=provider,
                            parent_urn=resource.parent, options=resource.options,
                            dependencies=tuple(resource.options.get("dependencies", ())))


def check(pack: Any, run: ProgramRun) -> PolicyReport:
    report = PolicyReport(pack=PACK)
    try:
        resources = [_analyzed(run, r) for r in run.resources]
        violations = pack.analyze_many(resources)
        violations += pack.analyze_stack(resources)
    except Exception as error:  # noqa: BLE001 - a broken pack is reported, not a crash
        report.error = f"{type(error).__name__}: {error}"
        return report
    report.findings = [PolicyFinding(policy=v.policy_name, level=v.level, message=v.message,
                                     resource=v.resource_name or "", urn=v.urn or "")
                       for v in violations]
    return report
