"""The preview's recording as `ResourceView`s: every resource the program registered or read."""

from __future__ import annotations

from typing import Any, Protocol

from cost.model import ResourceView
from stack_config import Settings


class Recording(Protocol):  # offline_preview.engine.ProgramRun, without importing the preview
    resources: list[Any]

    def region_of(self, resource: Any) -> Any: ...


def from_recording(run: Recording, settings: Settings) -> list[ResourceView]:
    """Resources without an explicit provider live in the stack's own region (`aws:region`)."""
    return [ResourceView(type=r.type, name=r.name, region=run.region_of(r) or settings.region,
                         inputs=r.inputs, read=bool(r.options.get("read")))
            for r in run.resources]
