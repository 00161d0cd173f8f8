"""Readiness names AWS accepts: the schedule rule fits EventBridge's 64-character limit."""

from __future__ import annotations

import re

import pulumi
import pulumi_aws as aws

from components.readiness import Readiness, ReadinessArgs
from failover.checks import CheckSettings
from tests.conftest import run_component

_RULE_NAME = re.compile(r"^[.\-_A-Za-z0-9]{1,64}$")  # EventBridge PutRule Name


def _schedule_rule_name(function_name: str) -> str:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        Readiness("readiness", ReadinessArgs(
            checks=CheckSettings(), function_name=function_name,
            approval_topic_arn="arn:aws:sns:ap-northeast-1:111122223333:stfc-topic-dev-an1-approval",
            state_machine_arn="arn:aws:states:ap-northeast-1:111122223333:stateMachine:sm"),
            pulumi.ResourceOptions(provider=tokyo))

    run = run_component(body, False)
    return str(run.one("aws:cloudwatch/eventRule:EventRule", "readiness-schedule").inputs["name"])


def test_default_schedule_rule_is_named_after_the_function() -> None:
    assert _schedule_rule_name("stfc-lambda-dev-readiness") == "stfc-lambda-dev-readiness-schedule"


def test_a_64_character_function_name_still_gets_a_rule_name_eventbridge_accepts() -> None:
    """GIVEN the longest function name Lambda (and ReadinessArgs) accept
    THEN the schedule rule name is cut to 64 characters instead of failing PutRule at deploy."""
    function_name = "p" * 54 + "-readiness"
    name = _schedule_rule_name(function_name)
    assert _RULE_NAME.match(name) and len(name) == 64
    assert name.startswith(function_name)
