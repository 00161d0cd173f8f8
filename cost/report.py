"""The "Standby cost" section of `bin/preview`."""

from __future__ import annotations

from collections import Counter

from cost.model import CostReport


def render_text(report: CostReport) -> list[str]:
    lines = ["Standby cost (USD per month, list prices as of "
             f"{report.prices_as_of}, no free tiers):"]
    charged = sorted((i for i in report.items if not i.basis.startswith("free:")),
                     key=lambda i: (-round(i.monthly_usd, 2), i.resource, i.item))
    free = [i for i in report.items if i.basis.startswith("free:")]
    item_width = max([len(i.item) for i in charged] + [10]) + 2
    resource_width = max([len(i.resource) for i in charged] + [10]) + 2
    for i in charged:
        lines.append(f"    {i.monthly_usd:>9.2f}  {i.item.ljust(item_width)}"
                     f"{i.resource.ljust(resource_width)}{i.basis}")
    lines.append(f"    {report.monthly_usd:>9.2f}  total")
    if free:
        kinds = Counter(i.item for i in free)
        lines.append(f"    free: {len(free)} resources ("
                     + ", ".join(f"{kind} ×{n}" for kind, n in sorted(kinds.items())) + ")")
    for u in report.unpriced:
        lines.append(f"    ✗ unpriced: {u.resource} ({u.type}): {u.reason}")
    lines.append("    assumptions: " + ", ".join(f"{k}={v:g}" if isinstance(v, float) else f"{k}={v}"
                                                 for k, v in report.assumptions.items()))
    if report.unconfirmed:
        lines.append(f"    {len(report.unconfirmed)} figure(s) used are not confirmed against a "
                     "public copy (cost/prices.json says which and why)")
    return lines
