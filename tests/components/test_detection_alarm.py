"""HealthCheckAlarm: MegaTicket-Primary-HealthCheck-Alarm on AWS/Route53 HealthCheckStatus in us-east-1."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.detection_alarm import HealthCheckAlarm, HealthCheckAlarmArgs
from offline_preview.engine import UNKNOWN, ProgramRun
from tests.conftest import run_component

ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
NAME = "MegaTicket-Primary-HealthCheck-Alarm"


def _run(preview: bool, health_check_id: Any = "⟨seoul.healthCheckId⟩", **overrides: Any) -> ProgramRun:
    def body() -> None:
        aws.Provider("ap-northeast-1", region="ap-northeast-1")
        virginia = aws.Provider("us-east-1", region="us-east-1")
        args = HealthCheckAlarmArgs(**{"alarm_name": NAME, "health_check_id": health_check_id,
                                       "tags": {"Project": "MegaTicket"}, **overrides})
        alarm = HealthCheckAlarm("detection-alarm", args, pulumi.ResourceOptions(provider=virginia))
        pulumi.export("alarmName", alarm.alarm_name)
        pulumi.export("alarmArn", alarm.alarm_arn)
    return run_component(body, preview)


def test_alarm_is_created_in_us_east_1_through_the_callers_provider(preview: bool) -> None:
    run = _run(preview)
    alarm = run.one(ALARM, "detection-alarm-alarm")
    assert alarm.parent == run.one("megaticket-dr:detection:HealthCheckAlarm", "detection-alarm").urn
    assert run.region_of(alarm) == "us-east-1"
    assert alarm.inputs["region"] == "us-east-1"


def test_alarm_fires_when_the_route53_health_check_status_drops_below_one(preview: bool) -> None:
    run = _run(preview)
    inputs = run.one(ALARM, "detection-alarm-alarm").inputs
    assert inputs["name"] == NAME
    assert (inputs["namespace"], inputs["metricName"]) == ("AWS/Route53", "HealthCheckStatus")
    assert inputs["dimensions"] == {"HealthCheckId": "⟨seoul.healthCheckId⟩"}
    assert (inputs["statistic"], inputs["comparisonOperator"], inputs["threshold"]) == (
        "Minimum", "LessThanThreshold", 1)
    assert (inputs["period"], inputs["evaluationPeriods"], inputs["datapointsToAlarm"]) == (60, 1, 1)
    # Late or absent data goes to INSUFFICIENT_DATA, never to ALARM (which starts the pipeline).
    assert inputs["treatMissingData"] == "missing"
    assert inputs["tags"] == {"Project": "MegaTicket", "Name": NAME}


def test_alarm_watches_a_health_check_id_known_only_after_deploy(preview: bool) -> None:
    # GIVEN the id arrives from the seoul stack as an Output WHEN the alarm is declared
    run = _run(preview, health_check_id=pulumi.Output.from_input("⟨seoul.healthCheckId⟩"))
    # THEN it is passed straight into the dimension
    assert run.one(ALARM, "detection-alarm-alarm").inputs["dimensions"]["HealthCheckId"] == \
        "⟨seoul.healthCheckId⟩"


def test_period_evaluation_and_actions_are_configurable(preview: bool) -> None:
    run = _run(preview, period=120, evaluation_periods=3, alarm_actions=("arn:topic-alarm",),
               insufficient_data_actions=("arn:topic-ops",))
    inputs = run.one(ALARM, "detection-alarm-alarm").inputs
    assert (inputs["period"], inputs["evaluationPeriods"], inputs["datapointsToAlarm"]) == (120, 3, 3)
    assert inputs["alarmActions"] == ["arn:topic-alarm"]
    assert inputs["insufficientDataActions"] == ["arn:topic-ops"]


def test_outputs_are_the_alarm_name_and_arn(preview: bool) -> None:
    run = _run(preview)
    assert run.outputs["alarmName"] == NAME
    assert run.outputs["alarmArn"] == (UNKNOWN if preview else f"⟨{NAME}.arn⟩")


def test_alarm_refuses_to_be_declared_without_an_explicit_provider() -> None:
    def body() -> None:
        HealthCheckAlarm("detection-alarm", HealthCheckAlarmArgs(alarm_name=NAME, health_check_id="hc"))
    with pytest.raises(Exception, match="opts.provider must be the us-east-1 provider"):
        run_component(body)


@pytest.mark.parametrize(("overrides", "message"), [
    ({"region": "ap-northeast-1"}, "region must be us-east-1: Route53 publishes health-check metrics only"),
    ({"health_check_id": ""}, "health_check_id must be the primary endpoint health check id"),
    ({"health_check_id": None}, "health_check_id must be"),
    ({"period": 30}, "period must be a multiple of 60"),
    ({"period": 90}, "period must be a multiple of 60"),
    ({"evaluation_periods": 0}, "evaluation_periods must be an integer from 1 to 10"),
])
def test_bad_arguments_fail_with_one_line_naming_the_field(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        HealthCheckAlarmArgs(**{"alarm_name": NAME, "health_check_id": "hc", **overrides})
    assert "\n" not in str(error.value)
