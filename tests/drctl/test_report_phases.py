"""`drctl report`'s measured phases: boundaries from the execution history and the alarm's history,
phases that add up to the total, the model comparison and a drill's instance-minutes and cost."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cost.instances import TierCost, instance_hour_key
from cost.table import load_table
from drctl import decision, report_data
from drctl.config import load_stack
from drctl.executions import Step, Timeline
from drctl.measure import PHASES, detection_start, measured_phases

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 11, 28, 3, 0, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def _steps(offset: float, verify_tries: tuple[float, ...] = (0.0,)) -> list[Step]:
    names = [("Init", 0, 0.05), ("Step0_WaitForApproval", 0.05, 120), ("Step0_CheckDecision", 120, 120.1),
             ("Step0_Approved", 120.1, 120.2), ("Step1_EnsureNlb", 120.2, 125.5),
             ("Step2_PointLaunchTemplate", 125.5, 127), ("Step3_ScaleApp", 127, 128),
             ("Step3_ScaleWeb", 200, 201), ("Step4_Verify", 300, 331.25)]
    steps = [Step(n, at(offset + a), at(offset + b), status="succeeded") for n, a, b in names]
    steps[-1].scheduled = [at(offset + 300 + t) for t in verify_tries]
    return steps


def _alarm_run(**kwargs) -> Timeline:
    alarm = {"source": "aws.cloudwatch", "time": "2026-11-28T03:00:00Z",
             "detail": {"alarmName": "MegaTicket-Primary-HealthCheck-Alarm",
                        "state": {"value": "ALARM", "timestamp": "2026-11-28T03:00:00.000+0000"}}}
    return Timeline("arn:aws:states:ap-northeast-1:123456789012:execution:m:alarm-1", "alarm-1", "SUCCEEDED",
                    at(4.5), at(340), alarm, _steps(4.5, **kwargs))


def _history_item(changed: float, start: float, state: str = "ALARM") -> dict:
    data = {"newState": {"stateValue": state, "stateReasonData": {
        "startDate": at(start).isoformat(), "evaluatedDatapoints": [
            {"timestamp": at(start + 30).isoformat(), "value": 0.0}]}}}
    return {"Timestamp": at(changed), "HistoryItemType": "StateUpdate", "HistoryData": json.dumps(data)}


@pytest.fixture(scope="module")
def info():
    return load_stack("tokyo")


def _by_name(report: dict) -> dict:
    return {p["phase"]: p for p in report["phases"]}


def test_alarm_run_measures_every_phase_and_they_add_up_to_the_total(info):
    t = _alarm_run(verify_tries=(0.0, 15.0, 30.0))
    history = [_history_item(-600, -700, "OK"), _history_item(0, -90), _history_item(0, -90, "OK")]
    report = report_data.build_report(t, report_data.basis_for(info), history)
    phases = _by_name(report)
    assert [p["phase"] for p in report["phases"]] == list(PHASES)
    assert phases["detection"]["seconds"] == 90.0  # first breaching window -> ALARM
    assert phases["event_delivery"]["seconds"] == 4.5
    assert phases["approval_wait"]["seconds"] == 120.2
    assert phases["nlb"]["seconds"] == 5.3 and phases["template"]["seconds"] == 1.5
    assert phases["boot_to_in_service"]["seconds"] == 173.0
    assert phases["targets_healthy"]["seconds"] == 30.0  # step 4 retried while ALB targets warmed up
    assert phases["verification"]["seconds"] == 1.25
    assert sum(p["milliseconds"] for p in report["phases"]) == report["total_milliseconds"] == 425_750
    assert sum(p["seconds"] for p in report["phases"]) == pytest.approx(report["total_seconds"])
    assert report["detection_source"] == f"alarm history of {info.checks.alarm_name}"
    assert report["kind"] == "failover" and report["drill"] is None


def test_each_phase_is_compared_with_the_rto_model_for_the_same_settings(info):
    report = report_data.build_report(_alarm_run(), report_data.basis_for(info), [_history_item(0, -90)])
    phases = _by_name(report)
    interval = info.health_check_interval * info.health_check_failure_threshold
    assert phases["detection"]["model"] == {"phases": ["detection", "alarm"],
                                            "low_seconds": interval + 60, "high_seconds": interval + 60}
    assert phases["nlb"]["model"]["phases"] == ["nlb"]
    assert phases["verification"]["model"] is None and phases["verification"]["verdict"] == "not modeled"
    assert phases["event_delivery"]["verdict"] == "within model"  # 4.5 s in the 1-10 s assumption
    assert phases["boot_to_in_service"]["verdict"] == "within model"  # 173 s in 60..180 s
    assert phases["detection"]["verdict"] == "faster than modeled"  # 90 s < one interval x threshold + alarm
    slow = report_data.build_report(_alarm_run(), report_data.basis_for(info), [_history_item(0, -3600)])
    assert _by_name(slow)["detection"]["verdict"] == "slower than modeled"
    assert report["model"]["approval_minutes"] == report_data.MODEL_APPROVAL_MINUTES


def test_unreadable_alarm_history_leaves_detection_unmeasured_and_says_why(info):
    report = report_data.build_report(_alarm_run(), report_data.basis_for(info), None)
    assert _by_name(report)["detection"]["seconds"] is None
    assert "unreadable" in report["detection_source"]
    assert sum(p["milliseconds"] or 0 for p in report["phases"]) == report["total_milliseconds"]


def test_manual_run_starts_at_the_execution_and_a_failed_run_measures_what_it_reached(info):
    t = _alarm_run()
    t.input = {"source": "manual", "reason": "test"}
    t.steps = t.steps[:7]  # failed in step 3
    t.steps[-1].status = "failed"
    report = report_data.build_report(t, report_data.basis_for(info), None)
    phases = _by_name(report)
    assert phases["detection"]["seconds"] is None and phases["event_delivery"]["seconds"] is None
    assert phases["boot_to_in_service"]["seconds"] is None and phases["verification"]["seconds"] is None
    assert report["total_milliseconds"] == sum(p["milliseconds"] or 0 for p in report["phases"]) == 127_000


def test_clock_skew_never_counts_a_moment_twice():
    t = _alarm_run()
    t.started = at(-3)  # EventBridge's clock says the run started before the alarm did
    measured = measured_phases(t, at(-90))
    assert all((p["milliseconds"] or 0) >= 0 for p in measured["phases"])
    assert sum(p["milliseconds"] or 0 for p in measured["phases"]) == measured["total_milliseconds"]


def test_detection_ignores_transitions_to_other_states_and_later_alarms():
    history = [_history_item(0, -90, "OK"), _history_item(3600, 3500), _history_item(-5, -65)]
    assert detection_start(history, at(0)) == at(-65)
    assert detection_start([{"HistoryData": "not json"}], at(0)) is None


def test_drill_report_has_no_alarm_phases_and_prices_its_instance_minutes(info):
    t = _alarm_run()
    t.input = {"drill": True, "hold_seconds": 600, "source": "drill"}
    t.steps.append(Step("Drill_Hold", at(336), at(936), status="succeeded"))
    t.steps.append(Step("Drill_Cleanup", at(936), at(946.5), status="succeeded"))
    report = report_data.build_report(t, report_data.basis_for(info), None)
    assert report["kind"] == "drill" and report["detection_source"] == "no alarm: a drill"
    assert _by_name(report)["detection"]["seconds"] is None
    drill = report["drill"]
    assert drill["hold_seconds"] == 600
    tiers = {row["tier"]: row for row in drill["tiers"]}
    # app runs from its scale step (131.5 s) to the end of cleanup (946.5 s), web from 204.5 s
    app_minutes = (946.5 - 131.5) / 60 * tiers["app"]["instances"]
    web_minutes = (946.5 - 204.5) / 60 * tiers["web"]["instances"]
    assert tiers["app"]["instance_minutes"] == pytest.approx(app_minutes, abs=1e-3)
    assert drill["instance_minutes"] == pytest.approx(app_minutes + web_minutes, abs=1e-3)
    table = load_table()
    expected = sum(table.price(instance_hour_key(row["instance_type"]), info.checks.dr_region).usd
                   * row["instance_minutes"] / 60 for row in drill["tiers"])
    assert drill["estimated_cost_usd"] == pytest.approx(expected, rel=1e-4)


def test_an_instance_type_without_a_price_is_unpriced_never_guessed(info):
    from dataclasses import replace

    t = _alarm_run()
    t.input = {"drill": True, "hold_seconds": 0}
    odd = replace(info, drill_tiers=(TierCost("web", "x9.nano", 1),))
    drill = report_data.build_report(t, report_data.basis_for(odd), None, now=at(400))["drill"]
    assert drill["estimated_cost_usd"] is None and "no price for" in drill["tiers"][0]["price_basis"]


def test_readme_documents_exactly_the_report_json_keys(info):
    """README's "Report JSON" tables list the keys `drctl report --json` prints, no more, no less."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Report JSON", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    documented: dict[str, list[str]] = {}
    current = None
    for line in section.splitlines():
        if line.startswith("#### "):
            current = line[5:].strip()
            documented[current] = []
        elif current and line.startswith("| `"):
            documented[current].append(line.split("`")[1])
    t = _alarm_run()
    t.input = {"drill": True, "hold_seconds": 60}
    report = report_data.build_report(t, report_data.basis_for(info), None, now=at(400))
    assert documented["top level"] == list(report) == list(report_data.REPORT_KEYS)
    assert documented["phases[]"] == list(report["phases"][0]) == list(report_data.PHASE_KEYS)
    assert documented["drill"] == list(report["drill"]) == list(report_data.DRILL_KEYS)
    assert documented["decision"] == list(report["decision"]) == list(decision.DECISION_KEYS)
