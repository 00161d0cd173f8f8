"""Run the megaticket-dr-guardrails pack over a recorded program, the way the CLI does (gRPC).

Resources are analyzed as the program registers them, like the engine does during a preview,
so the pack works on its own core while the program is still being evaluated.
"""

from __future__ import annotations

import queue
import threading
from typing import Any, Optional

from offline_preview.engine import ProgramRun, RecordedResource
from offline_preview.placeholders import for_engine
from offline_preview.report import PolicyFinding, PolicyReport

PACK = "megaticket-dr-guardrails"
_DONE = None


def start_pack(stack: str, config: dict[str, str], preview: bool) -> Any:
    """Spawn the pack now so its start-up overlaps the program's evaluation."""
    from policies.analyzer_harness import PolicyPackProcess

    pack = PolicyPackProcess(stack=stack, preview=preview, config=config)
    pack.start()
    return pack


def _analyzed(run: ProgramRun, resource: RecordedResource) -> Any:
    """The resource as the engine would send it: ⟨markers⟩ become the engine's unknown."""
    from policies.analyzer_harness import AnalyzedResource, ProviderRef

    provider: Optional[ProviderRef] = None
    record = run.provider_of(resource)
    if record is not None:
        provider = ProviderRef(type=record.type, name=record.name, urn=record.urn,
                               properties=for_engine(dict(record.inputs)))
    return AnalyzedResource(urn=resource.urn, type=resource.type, name=resource.name,
                            properties=for_engine(resource.inputs), provider=provider,
                            parent_urn=resource.parent, options=resource.options,
                            dependencies=tuple(resource.options.get("dependencies", ())))


class StreamingCheck:
    """Feed resources as they are registered; `finish` adds the stack analysis and the report."""

    def __init__(self, pack: Any):
        self.pack = pack
        self._queue: queue.Queue[Any] = queue.Queue()
        self._violations: list[Any] = []
        self._error: Optional[BaseException] = None
        self._worker = threading.Thread(target=self._analyze, name="policy-pack", daemon=True)
        self._worker.start()

    def add(self, run: ProgramRun, resource: RecordedResource) -> None:
        self._queue.put(_analyzed(run, resource))

    def _analyze(self) -> None:
        try:
            # analyze_many sends each request as the generator yields it and waits at the end.
            self._violations = self.pack.analyze_many(iter(self._queue.get, _DONE))
        except Exception as error:  # noqa: BLE001 - reported by finish()
            self._error = error
            while self._queue.get() is not _DONE:  # drain, so the producer never blocks
                pass

    def finish(self, run: ProgramRun) -> PolicyReport:
        self._queue.put(_DONE)
        self._worker.join()
        report = PolicyReport(pack=PACK)
        try:
            if self._error is not None:
                raise self._error
            resources = [_analyzed(run, r) for r in run.resources]
            violations = self._violations + self.pack.analyze_stack(resources)
        except Exception as error:  # noqa: BLE001 - a broken pack is reported, not a crash
            report.error = f"{type(error).__name__}: {error}"
            return report
        report.findings = [PolicyFinding(policy=v.policy_name, level=v.level, message=v.message,
                                         resource=v.resource_name or "", urn=v.urn or "")
                           for v in violations]
        return report


def check(pack: Any, run: ProgramRun) -> PolicyReport:
    """Analyze an already recorded run."""
    streaming = StreamingCheck(pack)
    for resource in run.resources:
        streaming.add(run, resource)
    return streaming.finish(run)
