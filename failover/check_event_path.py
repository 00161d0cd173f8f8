"""The event path: us-east-1 rule -> Tokyo bus -> Tokyo rule -> state machine, each hop with its
role and dead-letter queue (components/failover_pipeline.py, names from failover/facts.py)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from failover import facts, iam_eval
from failover.check_core import (
    CheckResult,
    CheckSettings,
    ClientFactory,
    account,
    code,
    stack_hint,
    state_machine_arn,
)


@dataclass(frozen=True)
class Hop:
    check: str
    rule: str
    bus: str  # "" for the default bus
    region: str
    target_arn: str
    target_label: str
    action: str  # what the target role must be allowed on the target


def hops(clients: ClientFactory, s: CheckSettings) -> tuple[Hop, Hop]:
    acct = account(clients, s)
    bus_arn = f"arn:aws:events:{s.dr_region}:{acct}:event-bus/{s.event_bus_name}"
    return (
        Hop("observation-rule", s.observation_rule_name, "", s.alarm_region, bus_arn,
            f"the {s.dr_region} bus {s.event_bus_name}", "events:PutEvents"),
        Hop("failover-rule", s.failover_rule_name, s.event_bus_name, s.dr_region,
            state_machine_arn(clients, s), s.state_machine_name, "states:StartExecution"),
    )


def _pattern_problems(text: str | None, alarm_name: str) -> list[str]:
    expected = facts.event_pattern(alarm_name)
    try:
        pattern = json.loads(text or "")
    except ValueError:
        return [f"pattern is not JSON ({text!r})"]
    if not isinstance(pattern, dict):
        return [f"pattern is not an object ({text!r})"]
    problems = []
    raw_detail = pattern.get("detail")
    detail: dict[str, Any] = raw_detail if isinstance(raw_detail, dict) else {}
    raw_state = detail.get("state")
    state: dict[str, Any] = raw_state if isinstance(raw_state, dict) else {}
    if detail.get("alarmName") != expected["detail"]["alarmName"]:
        problems.append(f"alarmName {json.dumps(detail.get('alarmName'))} (expected [\"{alarm_name}\"])")
    if state.get("value") != expected["detail"]["state"]["value"]:
        problems.append(f"state.value {json.dumps(state.get('value'))} (expected [\"ALARM\"])")
    for key in ("source", "detail-type"):
        if pattern.get(key) != expected[key]:
            problems.append(f"{key} {json.dumps(pattern.get(key))} (expected {json.dumps(expected[key])})")
    if not problems and pattern != expected:
        problems.append(f"pattern {json.dumps(pattern)} (expected {json.dumps(expected)})")
    return problems


def _role_problem(clients: ClientFactory, role_arn: str, expected_role: str, action: str,
                  resource: str) -> str:
    name = role_arn.rsplit("/", 1)[-1] if role_arn else ""
    if name != expected_role:
        return f"role {role_arn or 'none'} (expected {expected_role})"
    try:
        statements = iam_eval.role_statements(clients("iam", "us-east-1"), name)
    except ClientError as err:
        if code(err) == "NoSuchEntity":
            return f"role {name} does not exist"
        raise
    decision = iam_eval.decide(statements, action, resource)
    if decision != "allowed":
        return f"role {name} may not {action} on {resource} ({decision})"
    return ""


def check_hop(clients: ClientFactory, s: CheckSettings, hop: Hop) -> CheckResult:
    name = hop.check
    events = clients("events", hop.region)
    on_bus = {"EventBusName": hop.bus} if hop.bus else {}
    where = f"on {hop.bus} in {hop.region}" if hop.bus else f"in {hop.region}"
    restore = f"`pulumi up --stack {stack_hint(s)}` restores it"
    try:
        rule = events.describe_rule(Name=hop.rule, **on_bus)
    except ClientError as err:
        if code(err) != "ResourceNotFoundException":
            raise
        return CheckResult(name, False, f"{hop.rule} not found {where}",
                           fix=f"7.1: `pulumi up --stack {stack_hint(s)}` (it owns the rule)")
    if rule.get("State") != "ENABLED":
        bus_flag = f" --event-bus-name {hop.bus}" if hop.bus else ""
        return CheckResult(name, False, f"{hop.rule} is {rule.get('State')} {where}", fix=(
            f"`aws events enable-rule --name {hop.rule}{bus_flag} --region {hop.region}`"))
    problems = _pattern_problems(rule.get("EventPattern"), s.alarm_name)
    if problems:
        return CheckResult(name, False, f"{hop.rule} event pattern: " + "; ".join(problems), fix=(
            f"7.1: the pattern must match source aws.cloudwatch, detail-type CloudWatch Alarm State "
            f"Change, alarmName exactly {s.alarm_name} and state ALARM; {restore}"))
    targets = events.list_targets_by_rule(Rule=hop.rule, **on_bus).get("Targets", [])
    acct = account(clients, s)
    role = facts.role_name(hop.rule)
    dlq_arn = f"arn:aws:sqs:{hop.region}:{acct}:{facts.dlq_name(hop.rule)}"
    if len(targets) != 1 or targets[0].get("Arn") != hop.target_arn:
        found = ", ".join(t.get("Arn", "?") for t in targets) or "no targets"
        return CheckResult(name, False, f"{hop.rule} targets {found} (expected only {hop.target_arn}, "
                           f"{hop.target_label})", fix=f"7.1: {restore}")
    target = targets[0]
    problem = _role_problem(clients, str(target.get("RoleArn") or ""), role, hop.action, hop.target_arn)
    dlq = str((target.get("DeadLetterConfig") or {}).get("Arn") or "")
    if not problem and dlq != dlq_arn:
        problem = f"dead-letter queue {dlq or 'none'} (expected {dlq_arn})"
    if problem:
        return CheckResult(name, False, f"{hop.rule} target {hop.target_label}: {problem}",
                           fix=f"7.1: {restore}")
    return CheckResult(name, True, f"{hop.rule} ENABLED {where} -> {hop.target_label} (role {role}, "
                       f"dead letters to {facts.dlq_name(hop.rule)})")


def check_observation_rule(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    return check_hop(clients, s, hops(clients, s)[0])


def check_failover_rule(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    return check_hop(clients, s, hops(clients, s)[1])


def _depth(sqs: Any, url: str) -> int:
    attrs = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=[
        "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed"]).get("Attributes", {})
    return sum(int(v) for v in attrs.values())


def check_event_dlq(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Both hops' dead-letter queues exist and are empty: a message there is a failover event
    EventBridge could not deliver (the us-east-1 one has no alarm: alarm actions are region-local)."""
    name = "event-dlq"
    lines, problems, fixes = [], [], []
    for rule, region in ((s.observation_rule_name, s.alarm_region), (s.failover_rule_name, s.dr_region)):
        queue = facts.dlq_name(rule)
        sqs = clients("sqs", region)
        try:
            url = sqs.get_queue_url(QueueName=queue)["QueueUrl"]
        except ClientError as err:
            if "NonExistentQueue" not in code(err) and "NotFound" not in code(err):
                raise
            problems.append(f"{queue} not found in {region}")
            fixes.append(f"`pulumi up --stack {stack_hint(s)}` recreates it")
            continue
        depth = _depth(sqs, url)
        lines.append(f"{queue} ({region}) {depth}")
        if depth:
            problems.append(f"{queue} in {region} holds {depth} undelivered event(s) of rule {rule}")
            fixes.append(
                f"read them with `aws sqs receive-message --queue-url {url} --max-number-of-messages 10 "
                f"--attribute-names All --region {region}` (the ERROR_CODE attribute says why delivery "
                f"failed), fix the cause, start the failover by hand if the alarm still stands "
                f"(`drctl failover --reason \"undelivered alarm event\"`), then "
                f"`aws sqs purge-queue --queue-url {url} --region {region}`")
    if problems:
        return CheckResult(name, False, "; ".join(problems), fix="; ".join(dict.fromkeys(fixes)))
    return CheckResult(name, True, "empty: " + ", ".join(lines))
