"""`drctl report --markdown`: the gantt generator, and the page for a recorded history."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from drctl.executions import Step, Timeline, recovery
from drctl.gantt import gantt_chart, gantt_text, markdown_text
from drctl.report_markdown import RECOVERY_PHASE, render_markdown
from tests.mermaid_check import MermaidError, mermaid_blocks, parse_gantt

T0 = datetime(2026, 11, 28, 3, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_gantt_draws_each_phase_in_order_with_utc_millisecond_times():
    lines = gantt_chart("drill", [("detect", at(0), at(90)), ("approve", at(90), at(90.25)),
                                  ("scale", at(90.25), None)])
    tasks = parse_gantt("\n".join(lines))
    assert [(t.name, t.tag) for t in tasks] == [("detect", "done"), ("approve", "done"), ("scale", "active")]
    assert tasks[1].start == datetime(2026, 11, 28, 3, 1, 30) and tasks[1].end.microsecond == 250000
    # a phase still running is drawn to the latest time the chart knows
    assert tasks[2].end == tasks[1].end


def test_gantt_times_are_utc_whatever_zone_they_come_in():
    seoul = at(0).astimezone(__import__("zoneinfo").ZoneInfo("Asia/Seoul"))
    tasks = parse_gantt("\n".join(gantt_chart("t", [("x", seoul, seoul + timedelta(seconds=1))])))
    assert tasks[0].start == datetime(2026, 11, 28, 3, 0, 0)


def test_gantt_refuses_a_phase_ending_before_it_starts_and_unknown_tags():
    with pytest.raises(ValueError, match="phase 'x' ends .* before it starts"):
        gantt_chart("t", [("x", at(10), at(5))])
    with pytest.raises(ValueError, match="tag for 'x' must be one of done, active, crit, milestone"):
        gantt_chart("t", [("x", at(0), at(1))], tags={"x": "late"})


@pytest.mark.parametrize("hostile", ["a: b", "x;y", "#35;", "two\nlines", "   ", "<img src=x>&"])
def test_gantt_text_cannot_break_a_task_line(hostile):
    lines = gantt_chart(hostile, [(hostile, at(0), at(1))], section=hostile)
    tasks = parse_gantt("\n".join(lines))
    assert tasks[0].name == gantt_text(hostile)
    shown = [lines[1].removeprefix("  title "), lines[4].removeprefix("  section "),
             lines[5].split(" :")[0]]
    assert all(text.strip() and not set(":;#<>&\n") & set(text) for text in shown)


def test_structural_gantt_check_rejects_undated_tasks():
    with pytest.raises(MermaidError):
        parse_gantt("gantt\n  dateFormat YYYY-MM-DDTHH:mm:ss.SSS\n  x :done, p1, soon, later")


def test_markdown_text_renders_inert():
    assert markdown_text("<script>|x|</script> *b* [l](u)") == \
        r"&lt;script&gt;\|x\|&lt;/script&gt; \*b\* \[l\]\(u\)"


def _history(status: str = "SUCCEEDED") -> Timeline:
    names = [("Init", 0, 0.05), ("Step0_WaitForApproval", 0.05, 120), ("Step0_CheckDecision", 120, 120.1),
             ("Step1_EnsureNlb", 120.1, 125), ("Step2_PointLaunchTemplate", 125, 127),
             ("Step3_ScaleApp", 127, 300), ("Step4_Verify", 300, 330)]
    steps = [Step(n, at(a), at(b), status="succeeded") for n, a, b in names]
    return Timeline("arn:aws:states:ap-northeast-1:123456789012:execution:m:<b>run</b>", "<b>run</b>",
                    status, at(0), at(331), {"source": "manual"}, steps)


def test_markdown_page_has_step_table_recovery_and_gantt_of_step_times():
    t = _history()
    page = render_markdown(t, recovery(t))
    assert "<b>" not in page and "&lt;b&gt;run&lt;/b&gt;" in page
    assert "| Step3\\_ScaleApp | succeeded | 2026-11-28T03:02:07Z | 2026-11-28T03:05:00Z | 2m53s | 1 |" in page
    assert "- recovery: 5m30s (execution start \\(manual run\\) -> Step4\\_Verify succeeded)" in page
    [chart] = mermaid_blocks(page)
    tasks = parse_gantt(chart)
    assert [task.name for task in tasks] == [RECOVERY_PHASE, *(s.name for s in t.steps)]
    assert tasks[0].end - tasks[0].start == timedelta(seconds=330)
    assert all(task.end - task.start == (s.exited - s.entered) for task, s in zip(tasks[1:], t.steps, strict=True))


def test_failed_step_is_critical_and_an_unrecovered_run_has_no_recovery_bar():
    t = _history("FAILED")
    t.steps = t.steps[:-1]
    t.steps[-1].status = "failed"
    tasks = parse_gantt(mermaid_blocks(render_markdown(t, recovery(t)))[0])
    assert RECOVERY_PHASE not in [task.name for task in tasks]
    assert tasks[-1].tag == "crit" and tasks[0].tag == "done"
