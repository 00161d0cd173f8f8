"""`failover.*`, `approvers.*` and `readiness.*`: the DR stack's failover pipeline."""

from __future__ import annotations

import re
from typing import Optional

from failover.contract import (
    ALARM_NAME,
    APPROVAL_MAX_SECONDS,
    EVENT_BUS_NAME,
    EVENT_RULE_NAME,
    FAILBACK_MACHINE_SUFFIX,
    LAMBDA_MAX_TIMEOUT,
    LAMBDA_NAME,
    LAMBDA_PREFIX_MAX,
    LONGEST_FUNCTION_SUFFIX,
    SNS_TOPIC_NAME,
    STATE_MACHINE_NAME,
    TIMEOUT_ACTIONS,
    TIMEOUT_FAIL,
    TIMEOUT_KEYS,
    step_timeout_minimum,
    topic_name_max,
)
from stack_config import shapes
from stack_config.errors import fail
from stack_config.model import Approvers, FailoverSettings, LambdaTimeouts, ReadinessSettings
from stack_config.reader import Section

# Seconds per Lambda when not configured (each at least its step's minimum in the contract).
_DEFAULT_TIMEOUTS = {"approval": 30, "nlb": 120, "launchTemplate": 60, "scale": 60, "verify": 60,
                     "failback": 120, "readiness": 120}
APPROVAL_MIN_SECONDS = 60


def read_lambda_timeouts(fo: Section) -> LambdaTimeouts:
    lt = fo.section("lambdaTimeouts").only(*TIMEOUT_KEYS)
    values = {}
    for key, suffix in TIMEOUT_KEYS.items():
        # The same minimums the policy pack enforces (failover-lambda-timeout-fits-step).
        values[key] = lt.integer(key, _DEFAULT_TIMEOUTS[key], step_timeout_minimum(suffix),
                                 LAMBDA_MAX_TIMEOUT, why=f" (what the {suffix} Lambda needs; Lambda "
                                 f"allows at most {LAMBDA_MAX_TIMEOUT})")
    return LambdaTimeouts(
        approval=values["approval"], nlb=values["nlb"], launch_template=values["launchTemplate"],
        scale=values["scale"], verify=values["verify"], failback=values["failback"],
        readiness=values["readiness"])


def _approval(fo: Section, timeouts: LambdaTimeouts) -> tuple[int, Optional[int]]:
    timeout = fo.integer("approvalTimeoutSeconds", 3600, APPROVAL_MIN_SECONDS, APPROVAL_MAX_SECONDS)
    if timeout <= timeouts.approval:
        # Step 0's Lambda publishes the request inside the wait; a shorter wait times out before the
        # request is even sent.
        raise fail(fo.key("approvalTimeoutSeconds"), f"more than lambdaTimeouts.approval "
                   f"({timeouts.approval} s)", timeout)
    # No heartbeat by default: nobody sends heartbeats for a human decision. When set, Step
    # Functions requires it to be strictly below the task timeout.
    heartbeat = None
    if fo.is_set("approvalHeartbeatSeconds"):
        heartbeat = fo.integer("approvalHeartbeatSeconds", None, APPROVAL_MIN_SECONDS,
                               APPROVAL_MAX_SECONDS)
        if heartbeat >= timeout:
            raise fail(fo.key("approvalHeartbeatSeconds"), f"less than approvalTimeoutSeconds ({timeout})",
                       heartbeat)
    return timeout, heartbeat


def read_approvers(root: Section, is_dr: bool) -> Approvers:
    ap = root.section("approvers").only("emails", "sms")
    approvers = Approvers(
        emails=ap.text_list("emails", shapes.EMAIL, 'email addresses such as "ops@example.com"'),
        sms=ap.text_list("sms", shapes.E164, 'E.164 phone numbers such as "+821012345678"'),
    )
    if is_dr and not (approvers.emails and approvers.sms):
        # The documents lost approvals to unconfirmed and bounced email subscriptions: keep two
        # independent channels.
        raise fail("approvers", "at least one email and one SMS number in the DR stack",
                   {"emails": list(approvers.emails), "sms": list(approvers.sms)})
    return approvers


def read_failover(root: Section, is_dr: bool, alarm_region: str) -> FailoverSettings:
    fo = root.section("failover").only(
        "stateMachineName", "failbackStateMachineName", "approvalTopicName", "eventBusName",
        "observationRuleName", "failoverRuleName", "alarmName", "lambdaPrefix", "approvalTimeoutSeconds",
        "approvalHeartbeatSeconds", "approvalTimeoutAction", "lambdaTimeouts")
    failback_set = fo.is_set("failbackStateMachineName")
    derived_max = STATE_MACHINE_NAME.max_len - len(FAILBACK_MACHINE_SUFFIX)
    machine = fo.name("stateMachineName", "stfc-stepfunction-dev-an1", STATE_MACHINE_NAME,
                      max_len=None if failback_set else derived_max,
                      why="" if failback_set else f" (failover.failbackStateMachineName defaults to "
                      f"<stateMachineName>{FAILBACK_MACHINE_SUFFIX})")
    timeouts = read_lambda_timeouts(fo)
    approval_timeout, heartbeat = _approval(fo, timeouts)
    return FailoverSettings(
        state_machine_name=machine,
        failback_state_machine_name=fo.name("failbackStateMachineName", machine + FAILBACK_MACHINE_SUFFIX,
                                            STATE_MACHINE_NAME),
        approval_topic_name=fo.name("approvalTopicName", "stfc-topic-dev-an1-approval", SNS_TOPIC_NAME,
                                    max_len=topic_name_max(), why=" (its KMS key alias is alias/<name>)"),
        event_bus_name=fo.name("eventBusName", "ssw-dr-failover-dr-event-bus", EVENT_BUS_NAME),
        observation_rule_name=fo.name("observationRuleName", "ssw-dr-failover-observation-alarm-rule",
                                      EVENT_RULE_NAME),
        failover_rule_name=fo.name("failoverRuleName", "pldr-dr-failover-rule", EVENT_RULE_NAME),
        alarm_name=fo.name("alarmName", "MegaTicket-Primary-HealthCheck-Alarm", ALARM_NAME),
        lambda_prefix=fo.name("lambdaPrefix", "stfc-lambda-dev", LAMBDA_NAME, max_len=LAMBDA_PREFIX_MAX,
                              why=f" (functions are <prefix>-{LONGEST_FUNCTION_SUFFIX} and shorter)"),
        approval_timeout_seconds=approval_timeout,
        approval_heartbeat_seconds=heartbeat,
        approval_timeout_action=fo.choice("approvalTimeoutAction", TIMEOUT_FAIL, TIMEOUT_ACTIONS),
        lambda_timeouts=timeouts,
        approvers=read_approvers(root, is_dr),
        alarm_region=alarm_region,
    )


# --- EventBridge schedule expressions -----------------------------------------------------------
# https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
# rate(value unit): a positive whole number; the unit singular for 1 and plural otherwise.
# cron(fields): six fields (minutes hours day-of-month month day-of-week year), and one of
# day-of-month / day-of-week must be '?'.
_RATE = re.compile(r"rate\(([0-9]{1,6}) (minute|minutes|hour|hours|day|days)\)")
_CRON = re.compile(r"cron\(([^()]*)\)")
_CRON_FIELD = re.compile(r"[0-9A-Za-z*?,/#-]{1,64}")
SCHEDULE_EXPECTED = ('an EventBridge schedule such as "rate(30 minutes)" (rate above zero, "minute" '
                     'only for 1) or "cron(0/30 * * * ? *)" (six fields, "?" in day-of-month or '
                     "day-of-week)")


def schedule_problem(expression: str) -> bool:
    rate = _RATE.fullmatch(expression)
    if rate:
        value, unit = int(rate[1]), rate[2]
        return value < 1 or (value == 1) != (not unit.endswith("s"))
    cron = _CRON.fullmatch(expression)
    if not cron:
        return True
    fields = cron[1].split(" ")
    if len(fields) != 6 or not all(_CRON_FIELD.fullmatch(f) for f in fields):
        return True
    return "?" not in (fields[2], fields[4])


def read_readiness(root: Section) -> ReadinessSettings:
    rd = root.section("readiness").only("enabled", "schedule")
    schedule = rd.text("schedule", "rate(30 minutes)", re.compile(r"(?:rate|cron)\([^()\n]{1,200}\)"),
                       SCHEDULE_EXPECTED)
    if schedule_problem(schedule):
        raise fail(rd.key("schedule"), SCHEDULE_EXPECTED, schedule)
    return ReadinessSettings(enabled=rd.boolean("enabled", True), schedule=schedule)
