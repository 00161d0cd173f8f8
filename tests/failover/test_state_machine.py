"""The whole failover machine under moto's interpreter, Lambda tasks routed to the real handlers."""

from __future__ import annotations

from typing import Any

from failover.approval import approve_execution
from tests.failover.machine import Run, failover_asl

ALARM_EVENT = {
    "source": "aws.cloudwatch",
    "detail-type": "CloudWatch Alarm State Change",
    "detail": {"alarmName": "MegaTicket-Primary-HealthCheck-Alarm", "state": {"value": "ALARM"}},
}


def test_approved_failover_ends_with_healthy_tokyo(
    tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any
) -> None:
    run = Run(tokyo.client("stepfunctions"), failover_asl())
    run.start(ALARM_EVENT)
    assert route_lambdas.event("stfc-lambda-dev-step0").wait(10)
    approve_execution(tokyo.client("stepfunctions"), run.arn, "arn:aws:iam::123456789012:user/oncall")
    result = run.finish()
    print(run.sfn.get_execution_history(executionArn=run.arn)["events"][-4:])
    print(run.states_entered())
    assert result["status"] == "SUCCEEDED"
