"""Failover pipeline rules through the protocol: approval subscriptions, approval timeout, Lambda timeouts."""

from __future__ import annotations

import json

import pytest

from policies.analyzer_harness import UNKNOWN
from tests.policies.resources import (
    LAMBDA,
    STATE_MACHINE,
    SUBSCRIPTION,
    TOPIC,
    resource,
    stack_violations_of,
    urn,
    violations_of,
)

SUBSCRIPTIONS = "approval-topic-redundant-subscriptions"
APPROVAL_TIMEOUT = "approval-task-has-timeout"
LAMBDA_TIMEOUT = "failover-lambda-timeout-fits-step"
TOPIC_NAME = "stfc-topic-dev-an1-approval"
TOPIC_URN = urn("tokyo", TOPIC, "approval-topic")


def topic(arn: object = "arn:aws:sns:ap-northeast-1:123456789012:stfc-topic-dev-an1-approval") -> object:
    props = {"name": TOPIC_NAME, **({"arn": arn} if arn is not None else {})}
    return resource(TOPIC, "approval-topic", props)


def subscription(
    index: int,
    protocol: object,
    *,
    target: object = "arn:aws:sns:ap-northeast-1:123456789012:stfc-topic-dev-an1-approval",
    linked_by_dependency: bool = False,
) -> object:
    props = {"protocol": protocol, "endpoint": f"endpoint-{index}", **({"topic": target} if target else {})}
    return resource(
        SUBSCRIPTION, f"approval-sub-{index}", props, dependencies=[TOPIC_URN] if linked_by_dependency else ()
    )


def test_email_and_sms_subscriptions_pass(any_pack):
    resources = [topic(), subscription(1, "email"), subscription(2, "sms")]
    assert stack_violations_of(any_pack, SUBSCRIPTIONS, resources) == []


def test_subscriptions_linked_by_arn_or_dependency_count(pack):
    arn = "arn:aws:sns:ap-northeast-1:123456789012:stfc-topic-dev-an1-approval"
    resources = [
        topic(arn),
        subscription(1, "email", target=arn),
        subscription(2, "https", target=UNKNOWN, linked_by_dependency=True),
    ]
    assert stack_violations_of(pack, SUBSCRIPTIONS, resources) == []


@pytest.mark.parametrize(
    "subscriptions",
    [
        [],
        [("email",)],
        [("email",), ("email",)],
    ],
    ids=["none", "one-email", "two-emails"],
)
def test_single_channel_approval_topic_is_mandatory_violation(pack, subscriptions):
    resources = [topic(), *[subscription(i, p) for i, (p,) in enumerate(subscriptions)]]
    violations = stack_violations_of(pack, SUBSCRIPTIONS, resources)
    assert len(violations) == 1
    violation = violations[0]
    assert violation.level == "mandatory"
    assert violation.urn == TOPIC_URN and violation.resource_name == "approval-topic"
    assert "3 days" in violation.message and "different protocols" in violation.message


def test_subscriptions_of_another_topic_do_not_count(pack):
    other = "arn:aws:sns:ap-northeast-1:123456789012:alerts"
    resources = [topic(), subscription(1, "email", target=other), subscription(2, "sms", target=other)]
    assert len(stack_violations_of(pack, SUBSCRIPTIONS, resources)) == 1


def test_preview_subscriptions_whose_topic_is_unknown_are_given_the_benefit_of_doubt(preview_pack):
    # GIVEN preview: the topic ARN is unknown and the recorder gave no dependencies
    resources = [
        topic(arn=UNKNOWN),
        subscription(1, "email", target=UNKNOWN),
        subscription(2, "sms", target=UNKNOWN),
    ]
    assert stack_violations_of(preview_pack, SUBSCRIPTIONS, resources) == []


def test_stack_without_approval_topic_has_nothing_to_check(any_pack):
    alerts = resource(TOPIC, "alerts", {"name": "alerts"})
    assert stack_violations_of(any_pack, SUBSCRIPTIONS, [alerts]) == []


def machine(approval_state: dict | None) -> object:
    states: dict = {"Done": {"Type": "Succeed"}}
    if approval_state is not None:
        states = {
            "WaitForApproval": {
                "Type": "Task",
                "Next": "Done",
                "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                **approval_state,
            },
            **states,
        }
    definition = {"StartAt": next(iter(states)), "States": states}
    return resource(STATE_MACHINE, "stfc-stepfunction-dev-an1", {"definition": json.dumps(definition)})


@pytest.mark.parametrize(
    "timeout", [{"TimeoutSeconds": 3600}, {"TimeoutSecondsPath": "$.timeout"}, {"HeartbeatSeconds": 600}]
)
def test_approval_with_timeout_passes(any_pack, timeout):
    assert violations_of(any_pack, APPROVAL_TIMEOUT, machine(timeout)) == []


def test_approval_without_timeout_is_mandatory_violation(pack):
    violations = violations_of(pack, APPROVAL_TIMEOUT, machine({}))
    assert len(violations) == 1 and "WaitForApproval" in violations[0].message
    assert "TimeoutSeconds" in violations[0].message


def test_approval_inside_a_parallel_branch_is_found(pack):
    inner = {
        "StartAt": "Approve",
        "States": {
            "Approve": {
                "Type": "Task",
                "Resource": "arn:aws:states:::sns:publish.waitForTaskToken",
                "End": True,
            }
        },
    }
    definition = {"StartAt": "P", "States": {"P": {"Type": "Parallel", "Branches": [inner], "End": True}}}
    nested = resource(STATE_MACHINE, "m", {"definition": json.dumps(definition)})
    violations = violations_of(pack, APPROVAL_TIMEOUT, nested)
    assert len(violations) == 1 and "P.Branches[0].Approve" in violations[0].message


def test_machine_without_approval_or_with_unknown_definition_passes(any_pack):
    unknown = resource(STATE_MACHINE, "m", {"definition": UNKNOWN})
    missing = resource(STATE_MACHINE, "m", {})
    assert violations_of(any_pack, APPROVAL_TIMEOUT, machine(None), unknown, missing) == []


def failover_lambda(name: str, timeout: object) -> object:
    props = {"name": name, "runtime": "python3.12", **({"timeout": timeout} if timeout is not None else {})}
    return resource(LAMBDA, name, props)


@pytest.mark.parametrize(
    ("name", "timeout"),
    [
        ("stfc-lambda-dev-step1", 120),
        ("stfc-lambda-dev-step2", 60),
        ("stfc-lambda-dev-step0", 30),
        ("stfc-lambda-dev-failback", 900),
        ("unrelated-function", None),
    ],
)
def test_failover_lambdas_with_enough_time_pass(any_pack, name, timeout):
    assert violations_of(any_pack, LAMBDA_TIMEOUT, failover_lambda(name, timeout)) == []


@pytest.mark.parametrize(
    ("name", "timeout", "needed"),
    [
        ("stfc-lambda-dev-step1", 60, 120),
        ("stfc-lambda-dev-step3", None, 30),
        ("stfc-lambda-dev-readiness", 3, 30),
    ],
    ids=["step1-creates-nlb", "default-3s", "readiness"],
)
def test_failover_lambda_timeouts_below_their_step_are_mandatory_violations(pack, name, timeout, needed):
    violations = violations_of(pack, LAMBDA_TIMEOUT, failover_lambda(name, timeout))
    assert len(violations) == 1 and f"timeout={needed}" in violations[0].message


def test_unknown_timeout_in_preview_passes(preview_pack):
    assert (
        violations_of(preview_pack, LAMBDA_TIMEOUT, failover_lambda("stfc-lambda-dev-step1", UNKNOWN)) == []
    )
