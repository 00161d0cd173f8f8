"""The whole `drctl report` document: the step timeline, measured phases against the model, and
for drills the instance-minutes and their estimated cost. README's "Report JSON" lists its keys;
tests/drctl/test_report_keys.py keeps the two equal.

The pipeline's report writer (reports.bucket) and `drctl report` build the same document here.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Optional

from botocore.exceptions import BotoCoreError, ClientError

from cost.instances import TierCost
from drctl import executions, measure, rto

# `drctl rto`'s default operator time, used when a report compares a run with the model.
MODEL_APPROVAL_MINUTES = rto.DEFAULT_APPROVAL_MINUTES

REPORT_KEYS = ("execution", "name", "status", "started", "stopped", "error", "cause", "steps",
               "recovery", "kind", "phases", "total_seconds", "total_milliseconds", "detection_source",
               "model", "drill", "decision")
PHASE_KEYS = ("phase", "start", "end", "seconds", "milliseconds", "model", "verdict")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
DRILL_KEYS = ("hold_seconds", "instance_minutes", "estimated_cost_usd", "tiers", "until")


@dataclass(frozen=True)
class ReportBasis:
    """What a report needs from the stack's settings. drctl builds it from the stack file; the
    program computes the same one and hands it to the report writer Lambda as JSON (REPORT_BASIS),
    so both compare a run with one model."""

    stack: str
    alarm_name: str
    alarm_region: str
    dr_region: str
    model: tuple[rto.Phase, ...]
    drill_tiers: tuple[TierCost, ...]

    def to_json(self) -> str:
        return json.dumps({
            "stack": self.stack, "alarm": [self.alarm_name, self.alarm_region], "region": self.dr_region,
            "model": [[p.name, p.low, p.high, p.during_approval, p.branch] for p in self.model],
            "tiers": [[t.tier, t.instance_type, t.desired] for t in self.drill_tiers]}, separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> ReportBasis:
        data = json.loads(text)
        return cls(stack=data["stack"], alarm_name=data["alarm"][0], alarm_region=data["alarm"][1],
                   dr_region=data["region"],
                   model=tuple(rto.Phase(name, low, high, "", "", during, branch)
                               for name, low, high, during, branch in data["model"]),
                   drill_tiers=tuple(TierCost(*row) for row in data["tiers"]))


def basis_for(info: Any) -> ReportBasis:
    """`info`: drctl.config.StackInfo, or anything with its settings (rto.RtoInputs and more)."""
    return ReportBasis(stack=info.stack, alarm_name=info.checks.alarm_name,
                       alarm_region=info.checks.alarm_region, dr_region=info.checks.dr_region,
                       model=tuple(rto.model(info, MODEL_APPROVAL_MINUTES)),
                       drill_tiers=tuple(info.drill_tiers))


def alarm_history(cloudwatch: Any, alarm_name: str, alarm_at: datetime) -> list[dict[str, Any]]:
    """The detection alarm's state changes around one alarm (DescribeAlarmHistory)."""
    items: list[dict[str, Any]] = []
    for page in cloudwatch.get_paginator("describe_alarm_history").paginate(
            AlarmName=alarm_name, HistoryItemType="StateUpdate",
            StartDate=alarm_at - timedelta(hours=1), EndDate=alarm_at + timedelta(minutes=5)):
        items.extend(page.get("AlarmHistoryItems", []))
    return items


def report_for(t: executions.Timeline, basis: ReportBasis, cloudwatch: Any,
               now: Optional[datetime] = None) -> dict[str, Any]:
    """The report of one run; the alarm's history is read (in the alarm's region) only for runs an
    alarm started, and an unreadable history leaves detection unmeasured, with the reason."""
    history = None
    alarm_at = executions._alarm_time(t.input)
    if alarm_at is not None and measure.run_kind(t.input) != measure.DRILL_KIND:
        try:
            history = alarm_history(cloudwatch, basis.alarm_name, alarm_at)
        except (ClientError, BotoCoreError):
            history = None
    return build_report(t, basis, history, now)


def build_report(t: executions.Timeline, basis: ReportBasis, history: Optional[list[dict[str, Any]]],
                 now: Optional[datetime] = None) -> dict[str, Any]:
    """`history`: the detection alarm's history (None when unreadable)."""
    kind = measure.run_kind(t.input)
    alarm_at = executions._alarm_time(t.input) if kind == measure.FAILOVER_KIND else None
    detected = measure.detection_start(history or [], alarm_at) if alarm_at else None
    if alarm_at is None:
        source = "no alarm: the run was started by hand" if kind == measure.FAILOVER_KIND \
            else "no alarm: a drill"
    elif history is None:
        source = f"alarm history of {basis.alarm_name} unreadable: detection not measured"
    elif detected is None:
        source = f"no ALARM transition of {basis.alarm_name} found near {executions.iso(alarm_at)}"
    else:
        source = f"alarm history of {basis.alarm_name}"
    measured = measure.measured_phases(t, detected)
    model = list(basis.model)
    measure.compare_with_model(measured["phases"], model)
    total = rto.summary(model)
    drill = None
    if kind == measure.DRILL_KIND:
        usage = measure.drill_usage(t, basis.drill_tiers, basis.dr_region, now or datetime.now(UTC))
        hold = t.input.get("hold_seconds") if isinstance(t.input, dict) else None
        drill = {"hold_seconds": hold, **usage}
    return {
        **executions.timeline_dict(t),
        "recovery": executions.recovery(t),
        "kind": kind,
        "phases": measured["phases"],
        "total_seconds": measured["total_seconds"],
        "total_milliseconds": measured["total_milliseconds"],
        "detection_source": source,
        "model": {"stack": basis.stack, "approval_minutes": MODEL_APPROVAL_MINUTES,
                  "low_seconds": total["low_seconds"], "high_seconds": total["high_seconds"]},
        "drill": drill,
        "decision": t.decision,
    }


def render_phases(report: dict[str, Any]) -> list[str]:
    """The phase table as text lines (drctl report without --json)."""
    lines = [f"measured phases ({report['kind']}):"]
    for p in report["phases"]:
        modeled = p["model"]
        span = "-" if modeled is None else _range(modeled["low_seconds"], modeled["high_seconds"])
        lines.append(f"  {p['phase']:<19} {executions.duration(p['seconds']):>8}   model {span:<15} "
                     f"{p['verdict']}")
    lines.append(f"  {'total':<19} {executions.duration(report['total_seconds']):>8}   model "
                 f"{_range(report['model']['low_seconds'], report['model']['high_seconds'])}")
    lines.append(f"  detection: {report['detection_source']}")
    lines.append(f"  approval: {decision_line(report['decision'])}")
    if report["drill"]:
        d = report["drill"]
        cost = "unpriced" if d["estimated_cost_usd"] is None else f"~{d['estimated_cost_usd']:.4f} USD"
        lines.append(f"  drill: {d['instance_minutes']:g} instance-minutes, {cost}")
    return lines


def decision_line(decision: dict[str, Any]) -> str:
    """One line: the outcome and, when known, who, from where, how, when and why."""
    parts = [str(decision["decision"])]
    if decision["by"]:
        parts.append(f"by {decision['by']}")
    if decision["via"]:
        parts.append(f"via {decision['via']}")
    if decision["source_ip"]:
        parts.append(f"from {decision['source_ip']}")
    if decision["at"]:
        parts.append(f"at {decision['at']}")
    line = " ".join(parts)
    if decision["user_agent"]:
        line += f" ({decision['user_agent']})"
    if decision["reason"]:
        line += f": {decision['reason']}"
    # typed on a page: no terminal escape sequence or line break reaches the operator's screen
    return _CONTROL.sub("?", line)


def _range(low: int, high: int) -> str:
    d = executions.duration
    return d(low) if low == high else f"{d(low)}..{d(high)}"
