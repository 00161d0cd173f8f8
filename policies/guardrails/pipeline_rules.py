"""Failover pipeline rules: approval reaches a human, waits a bounded time, steps do not time out
(001 §7.2, §7.3)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel, PolicyConfigSchema

from failover.contract import LAMBDA_DEFAULT_TIMEOUT, OTHER_STEP_TIMEOUT_MINIMUM, STEP_TIMEOUT_MINIMUMS

from .kit import Subject, first_messages, resource_policy, stack_policy
from .values import UNKNOWN_SENTINELS, is_unknown, state_machine_definition

TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"

# ---------------------------------------------------------------- approval topic subscriptions


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and not is_unknown(value) else None


def is_approval_topic(topic: Subject) -> bool:
    name = _text(topic.props.get("name")) or ""
    return "approval" in name.lower() or "approval" in topic.name.lower()


def _link(subscription: Subject, topic: Subject) -> bool | None:
    """True: subscribed to this topic; False: to another; None: cannot tell yet."""
    topic_dependencies = subscription.property_dependencies.get("topic", ())
    if topic.urn in subscription.dependencies or topic.urn in topic_dependencies:
        return True
    if subscription.parent_urn is not None and subscription.parent_urn == topic.urn:
        return True
    target = subscription.props.get("topic")
    if target is None:
        return False
    names = {topic.name}
    if _text(topic.props.get("name")):
        names.add(str(topic.props["name"]))
    if isinstance(target, str) and target in UNKNOWN_SENTINELS:
        return None
    arn = _text(topic.props.get("arn"))
    if isinstance(target, str):
        return target == arn or any(target.endswith(f":{n}") for n in names)
    return False


def _approval_findings(subjects: list[Subject], _: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    subscriptions = [s for s in subjects if s.type == SUBSCRIPTION]
    for topic in (s for s in subjects if s.type == TOPIC and is_approval_topic(s)):
        sure: list[Subject] = []
        maybe: list[Subject] = []
        for subscription in subscriptions:
            linked = _link(subscription, topic)
            if linked:
                sure.append(subscription)
            elif linked is None:
                maybe.append(subscription)
        protocols = {subscription.props.get("protocol") for subscription in sure}
        if (len(sure) >= 2 and len(protocols) >= 2) or any(is_unknown(p) for p in protocols):
            continue
        candidates = sure + maybe
        candidate_protocols = {s.props.get("protocol") for s in candidates}
        if maybe and len(candidates) >= 2 and (len(candidate_protocols) >= 2
                                               or any(is_unknown(p) for p in candidate_protocols)):
            continue  # cannot tell before deploy which topic those subscriptions belong to
        shown = ", ".join(sorted(str(p) for p in protocols if p is not None)) or "none"
        topic_name = _text(topic.props.get("name")) or topic.name
        yield (f"approval topic {topic_name} has {len(sure)} subscription(s) (protocols: {shown}). SNS "
               f"deletes an email subscription that is not confirmed within 3 days and drops one that "
               f"bounces, and then the Step0 approval request reaches nobody and the failover waits until "
               f"it times out. Subscribe at least two endpoints with different protocols (e.g. email and "
               f"sms, or email and an https/lambda chat hook).", topic.urn)


APPROVAL_TOPIC_POLICY = stack_policy(
    name="approval-topic-redundant-subscriptions",
    description=("The failover approval topic has at least two subscriptions of different protocols. "
                 "Mandatory: a single unconfirmed or bouncing email silently disables approval (001 §7.3)."),
    level=EnforcementLevel.MANDATORY,
    rule=_approval_findings,
)

# ---------------------------------------------------------------- approval task timeout

_TIMEOUT_FIELDS = ("TimeoutSeconds", "TimeoutSecondsPath", "HeartbeatSeconds", "HeartbeatSecondsPath")


def _states(definition: Any, prefix: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if not isinstance(definition, dict):
        return
    for name, state in (definition.get("States") or {}).items():
        if not isinstance(state, dict):
            continue
        yield f"{prefix}{name}", state
        for index, branch in enumerate(state.get("Branches") or []):
            yield from _states(branch, f"{prefix}{name}.Branches[{index}].")
        for key in ("Iterator", "ItemProcessor"):
            yield from _states(state.get(key), f"{prefix}{name}.{key}.")


def _approval_timeout_findings(subject: Subject) -> Iterator[str]:
    document = state_machine_definition(subject.props)
    if document is None:
        return
    for name, state in _states(document):
        resource = state.get("Resource")
        if state.get("Type") != "Task" or not isinstance(resource, str):
            continue
        if ".waitForTaskToken" in resource and not any(f in state for f in _TIMEOUT_FIELDS):
            yield (f"state {name} waits for a task token ({resource}) without TimeoutSeconds: if the "
                   f"approval message is lost the execution waits up to a year and holds the failover. "
                   f"Set TimeoutSeconds (e.g. 3600) and Catch States.Timeout to notify and stop.")


APPROVAL_TIMEOUT_POLICY = resource_policy(
    name="approval-task-has-timeout",
    description=("State machine tasks that wait for a task token (the human approval) have a timeout. "
                 "Mandatory: otherwise a lost approval stalls the failover indefinitely (001 §7.2.1)."),
    level=EnforcementLevel.MANDATORY,
    types=("aws:sfn/stateMachine:StateMachine",),
    rule=lambda s: first_messages(_approval_timeout_findings(s)),
)

# ---------------------------------------------------------------- failover Lambda timeouts

# Seconds each step needs at least: one table, shared with stack_config (failover/contract.py says
# why: the incident of 001 §7.2.2 was the 3 s default killing Step1 while it created the NLB).
DEFAULT_MINIMUM_TIMEOUTS = dict(STEP_TIMEOUT_MINIMUMS)
DEFAULT_OTHER_MINIMUM = OTHER_STEP_TIMEOUT_MINIMUM


def failover_step_of(subject: Subject) -> str | None:
    names = [n for n in (_text(subject.props.get("name")), subject.name) if n]
    for name in names:
        lowered = name.lower()
        match = re.search(r"step[-_]?(\d+)", lowered)
        if match:
            return f"step{int(match.group(1))}"
        if "stfc-lambda" in lowered or "failover" in lowered or "failback" in lowered:
            for key in ("failback", "readiness"):
                if key in lowered:
                    return key
            return "other"
    return None


def _lambda_timeout_findings(subject: Subject) -> Iterator[str]:
    step = failover_step_of(subject)
    if step is None:
        return
    configured = subject.config.get("minimumTimeouts")
    minimums = {**DEFAULT_MINIMUM_TIMEOUTS, **(configured if isinstance(configured, dict) else {})}
    minimum = int(minimums.get(step, minimums.get("other", DEFAULT_OTHER_MINIMUM)))
    timeout = subject.props.get("timeout")
    if is_unknown(timeout):
        return
    seconds = LAMBDA_DEFAULT_TIMEOUT if timeout is None else float(timeout)
    if seconds < minimum:
        shown = f"{seconds:g} s" + (" (not set: the AWS default)" if timeout is None else "")
        yield (f"failover Lambda ({step}) has timeout {shown}, below the {minimum} s its step needs: it "
               f"would fail with Lambda timeout / Lambda.Unknown in the middle of a failover. Set "
               f"timeout={minimum} or more.")


LAMBDA_TIMEOUT_POLICY = resource_policy(
    name="failover-lambda-timeout-fits-step",
    description=("Failover Lambdas have a timeout long enough for their step (step1 creating the NLB >= "
                 "120 s). Mandatory: the 3 s default kills the step mid-failover (001 §7.2.2)."),
    level=EnforcementLevel.MANDATORY,
    types=("aws:lambda/function:Function",),
    rule=_lambda_timeout_findings,
    config_schema=PolicyConfigSchema(properties={"minimumTimeouts": {"type": "object"}}),
)

