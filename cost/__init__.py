"""Standby cost: a price table kept as data, and a model over the resources a program declares.

`estimate(resources, settings)` is the function (settings and resources in, a `CostReport` out);
`from_recording(run, settings)` feeds it what the offline preview recorded.

The names load on first use (PEP 562): `cost.instances` and `cost.table` alone need nothing but
the standard library, and the report writer Lambda ships only those.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "CostReport": "cost.model", "LineItem": "cost.model", "ResourceView": "cost.model",
    "StackFacts": "cost.model", "Unpriced": "cost.model", "estimate": "cost.model",
    "from_recording": "cost.recorded", "render_text": "cost.report",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'cost' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
