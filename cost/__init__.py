"""Standby cost: a price table kept as data, and a model over the resources a program declares.

`estimate(resources, settings)` is the function (settings and resources in, a `CostReport` out);
`from_recording(run, settings)` feeds it what the offline preview recorded.
"""

from cost.model import CostReport, LineItem, ResourceView, StackFacts, Unpriced, estimate
from cost.recorded import from_recording
from cost.report import render_text

__all__ = ["CostReport", "LineItem", "ResourceView", "StackFacts", "Unpriced", "estimate",
           "from_recording", "render_text"]
