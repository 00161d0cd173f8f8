"""failover/asl.py: the generated definitions lint clean and keep their retry/catch/wait contract."""

from __future__ import annotations

import json
from typing import Any

import pytest
from statelint.linter import Linter

from failover.asl import failback_definition, failover_definition
from tests.failover.machine import failback_asl, failover_asl


@pytest.mark.parametrize("action", ["fail", "proceed"])
@pytest.mark.parametrize("heartbeat", [None, 60])
def test_generated_asl_passes_statelint(action: str, heartbeat: Any) -> None:
    definition = failover_asl(timeout_action=action, approval_heartbeat_seconds=heartbeat)
    assert Linter.validate(definition) == []
    assert Linter.validate(failback_asl()) == []


def test_statelint_would_catch_a_broken_transition() -> None:
    definition = failover_asl()
    definition["States"]["Step2_PointLaunchTemplate"]["Next"] = "Step3_Typo"
    assert any("Step3_Typo" in p for p in Linter.validate(definition))


def test_every_task_retries_throttling_with_backoff_and_catches_into_a_notification() -> None:
    for definition in (failover_asl(), failback_asl()):
        for name, state in definition["States"].items():
            if state["Type"] != "Task":
                continue
            assert state["Retry"] and all(r["BackoffRate"] >= 1 for r in state["Retry"]), name
            assert state["Catch"][-1]["ErrorEquals"] == ["States.ALL"], name
            if "sns:publish" not in state["Resource"]:
                assert "ThrottledError" in state["Retry"][0]["ErrorEquals"], name


def test_waiting_is_done_by_wait_states_with_the_configured_interval() -> None:
    waits = {n: s for n, s in failover_asl(poll_seconds=20)["States"].items() if s["Type"] == "Wait"}
    assert set(waits) == {"Step1_WaitForNlb", "Step3_WaitForApp", "Step3_WaitForWeb", "Drill_Hold"}
    assert {s["Seconds"] for n, s in waits.items() if n != "Drill_Hold"} == {20}
    # a drill holds as long as its input says (drctl drill --hold-minutes)
    assert waits["Drill_Hold"]["SecondsPath"] == "$.steps.drill.hold_seconds"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"timeout_action": "retry"}, "timeout_action must be one of fail, proceed"),
        (
            {"approval_timeout_seconds": 60, "approval_heartbeat_seconds": 60},
            "heartbeat_seconds must be smaller",
        ),
        ({"poll_seconds": 0}, "poll_seconds must be an integer >= 1"),
        ({"step1_arn": "stfc-lambda-dev-step1"}, "step1_arn must be an arn:...:lambda:... ARN"),
    ],
)
def test_bad_definition_inputs_fail_with_a_clear_message(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message.replace("...", r"\.\.\.")):
        failover_asl(**change)


def test_definition_functions_are_pure_and_json_serialisable() -> None:
    a = failover_definition(
        step0_arn="arn:aws:lambda:r:1:function:a",
        step1_arn="arn:aws:lambda:r:1:function:b",
        step2_arn="arn:aws:lambda:r:1:function:c",
        step3_arn="arn:aws:lambda:r:1:function:d",
        step4_arn="arn:aws:lambda:r:1:function:e",
        topic_arn="arn:aws:sns:r:1:t",
        approval_timeout_seconds=3600,
    )
    assert json.loads(json.dumps(a)) == a
    assert failback_definition(
        failback_arn="arn:aws:lambda:r:1:function:f",
        failover_state_machine_arn="arn:aws:states:r:1:stateMachine:m",
        topic_arn="arn:aws:sns:r:1:t",
    )


def test_failback_refuses_a_failover_machine_that_is_not_a_state_machine_arn() -> None:
    with pytest.raises(ValueError, match=r"failover_state_machine_arn must be an arn:\.\.\.:states:"):
        failback_asl(failover_state_machine_arn="stfc-stepfunction-dev-an1")
