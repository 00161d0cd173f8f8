"""`drctl report EXECUTION --markdown`: the run as a page for a post-incident review or a PR.

The step table and the gantt chart come from the same execution-history timeline as the text
report; every value read from AWS (names, errors, causes) is escaped before it reaches the page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from drctl.executions import Step, Timeline, duration, iso
from drctl.gantt import gantt_chart, markdown_text
from drctl.report_data import decision_line

RECOVERY_PHASE = "recovery (start to verified)"


def step_phases(t: Timeline) -> list[tuple[str, Any, Any]]:
    """The run's per-step times as gantt phases, in the order the steps were entered."""
    return [(s.name, s.entered, s.exited) for s in t.steps]


def _tag(step: Step) -> str:
    return {"succeeded": "done", "failed": "crit"}.get(step.status, "active")


def _from_iso(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def render_markdown(t: Timeline, measured: dict[str, Any], report: dict[str, Any] | None = None) -> str:
    lines = [f"## Failover run {markdown_text(t.name)}", "",
             f"- status: **{markdown_text(t.status)}**",
             f"- started: {iso(t.started)}" + (f", stopped: {iso(t.stopped)}" if t.stopped else "")]
    if t.error:
        lines.append(f"- error: {markdown_text(t.error)}: {markdown_text(t.cause or '')}")
    lines.append(f"- recovery: {duration(measured['seconds'])} "
                 f"({markdown_text(measured['start_from'])} -> {markdown_text(measured['end_from'])})")
    if measured["seconds"] is not None:
        lines.append(f"- of which waiting for approval: {duration(measured['approval_wait_seconds'])}; "
                     f"without approval: {duration(measured['seconds_excluding_approval'])}")
    lines += ["", "| step | status | entered | exited | time | attempts |", "|---|---|---|---|---|---|"]
    for s in t.steps:
        lines.append(f"| {markdown_text(s.name)} | {s.status} | {iso(s.entered)} | "
                     f"{iso(s.exited) or 'running'} | {duration(s.seconds)} | {s.attempts} |")

    if report is not None:
        lines += ["", *phase_table(report)]
    phases = step_phases(t)
    tags = {s.name: _tag(s) for s in t.steps}
    if measured["start"] and measured["end"]:  # iso() strings: recovered runs only
        phases.insert(0, (RECOVERY_PHASE, _from_iso(measured["start"]), _from_iso(measured["end"])))
    lines += ["", "```mermaid", *gantt_chart(f"{t.name} ({t.status})", phases, tags), "```", ""]
    return "\n".join(lines)


def phase_table(report: dict[str, Any]) -> list[str]:
    """Measured phases against `drctl rto`'s model, and a drill's instance-minutes and cost."""
    lines = [f"### Measured phases ({markdown_text(report['kind'])})", "",
             "| phase | measured | model | verdict |", "|---|---|---|---|"]
    for p in report["phases"]:
        model = p["model"]
        span = "-" if model is None else (
            f"{duration(model['low_seconds'])}..{duration(model['high_seconds'])}")
        lines.append(f"| {p['phase']} | {duration(p['seconds'])} | {span} | {markdown_text(p['verdict'])} |")
    model_total = report["model"]
    lines.append(f"| **total** | **{duration(report['total_seconds'])}** | "
                 f"{duration(model_total['low_seconds'])}..{duration(model_total['high_seconds'])} | |")
    lines += ["", f"- detection: {markdown_text(report['detection_source'])}"]
    decision = report.get("decision")
    if decision:  # a name typed on a page and a user agent: untrusted, escaped like every AWS value
        lines.append(f"- approval: {markdown_text(decision_line(decision))}")
    drill = report.get("drill")
    if drill:
        cost = drill["estimated_cost_usd"]
        lines.append(f"- drill: {drill['instance_minutes']:g} instance-minutes, estimated "
                     + ("cost unpriced" if cost is None else f"{cost:.4f} USD"))
    return lines
