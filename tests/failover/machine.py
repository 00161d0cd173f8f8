"""Helpers to run the generated ASL under moto's interpreter and wait for it without sleeping."""

from __future__ import annotations

import json
from typing import Any

from moto.stepfunctions.parser.utils import TMP_THREADS

from failover.asl import failback_definition, failover_definition
from tests.failover.conftest import ACCOUNT, REGION, function_arn

TOPIC = f"arn:aws:sns:{REGION}:{ACCOUNT}:stfc-topic-dev-an1-approval"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/stfc-stepfunction-role"
FAILOVER_MACHINE_ARN = f"arn:aws:states:{REGION}:{ACCOUNT}:stateMachine:stfc-stepfunction-dev-an1"


def failover_asl(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "step0_arn": function_arn("stfc-lambda-dev-step0"),
        "step1_arn": function_arn("stfc-lambda-dev-step1"),
        "step2_arn": function_arn("stfc-lambda-dev-step2"),
        "step3_arn": function_arn("stfc-lambda-dev-step3"),
        "step4_arn": function_arn("stfc-lambda-dev-step4"),
        "topic_arn": TOPIC,
        "approval_timeout_seconds": 600,
        "timeout_action": "fail",
        "poll_seconds": 1,
        "max_polls": 3,
        "retry_interval_seconds": 1,
        "retry_max_attempts": 2,
        "verify_interval_seconds": 1,
        "verify_max_attempts": 1,
        # the drill path, as the program deploys it (snapshot and cleanup run in the failback Lambda)
        "drill_arn": function_arn("stfc-lambda-dev-failback"),
    }
    args.update(overrides)
    return failover_definition(**args)


def failback_asl(**overrides: Any) -> dict[str, Any]:
    args: dict[str, Any] = {
        "failback_arn": function_arn("stfc-lambda-dev-failback"),
        "failover_state_machine_arn": FAILOVER_MACHINE_ARN,
        "topic_arn": TOPIC,
        "poll_seconds": 1,
        "max_polls": 3,
        "retry_interval_seconds": 1,
        "retry_max_attempts": 2,
    }
    args.update(overrides)
    return failback_definition(**args)


class Run:
    """One execution: start it, then join the interpreter's thread (no polling, no sleeps)."""

    def __init__(self, sfn: Any, definition: dict[str, Any], name: str = "stfc-stepfunction-dev-an1") -> None:
        self.sfn = sfn
        self.machine_arn = sfn.create_state_machine(
            name=name, definition=json.dumps(definition), roleArn=ROLE
        )["stateMachineArn"]
        self.arn = ""
        self._thread: Any = None

    def start(self, payload: dict[str, Any] | None = None, name: str | None = None) -> str:
        before = len(TMP_THREADS)
        kwargs: dict[str, Any] = {"stateMachineArn": self.machine_arn, "input": json.dumps(payload or {})}
        if name:
            kwargs["name"] = name
        self.arn = self.sfn.start_execution(**kwargs)["executionArn"]
        # ExecutionWorker.start() appends its thread synchronously before starting it.
        self._thread = TMP_THREADS[before]
        return self.arn

    def track(self, start: Any) -> str:
        """Run `start()` (something that starts one execution of this machine) and follow that execution."""
        before = len(TMP_THREADS)
        self.arn = start()
        self._thread = TMP_THREADS[before]
        return self.arn

    def finish(self, timeout: float = 30) -> dict[str, Any]:
        self._thread.join(timeout)
        assert not self._thread.is_alive(), "execution did not finish"
        return dict(self.sfn.describe_execution(executionArn=self.arn))

    def output(self) -> dict[str, Any]:
        return json.loads(self.sfn.describe_execution(executionArn=self.arn)["output"])

    def states_entered(self) -> list[str]:
        events = self.sfn.get_execution_history(executionArn=self.arn, maxResults=1000)["events"]
        return [e["stateEnteredEventDetails"]["name"] for e in events if e["type"].endswith("StateEntered")]


ALARM_EVENT: dict[str, Any] = {
    "source": "aws.cloudwatch",
    "detail-type": "CloudWatch Alarm State Change",
    "detail": {"alarmName": "MegaTicket-Primary-HealthCheck-Alarm", "state": {"value": "ALARM"}},
}
ONCALL = "arn:aws:iam::123456789012:user/oncall"


def started_and_waiting(tokyo: Any, router: Any, **asl: Any) -> Run:
    run = Run(tokyo.client("stepfunctions"), failover_asl(**asl))
    run.start(ALARM_EVENT, name="alarm-1")
    assert router.event("stfc-lambda-dev-step0").wait(10), "step 0 never asked for approval"
    return run


def nlbs(tokyo: Any) -> list[str]:
    return [lb["LoadBalancerName"] for lb in tokyo.elbv2.describe_load_balancers()["LoadBalancers"]]
