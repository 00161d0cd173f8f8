"""The automated failover pipeline: alarm -> EventBridge (us-east-1 -> Tokyo bus) -> Step Functions.

Event path (names from the 001 document, section 7):
  us-east-1 rule `ssw-dr-failover-observation-alarm-rule` matches the detection alarm entering ALARM
  and forwards it to the Tokyo bus `ssw-dr-failover-dr-event-bus` (role: events:PutEvents on that bus
  only); Tokyo rule `pldr-dr-failover-rule` starts `stfc-stepfunction-dev-an1` (role:
  states:StartExecution on that machine only). Each target has a dead-letter queue `<rule name>-dlq`
  in its rule's region; the Tokyo one alarms to the approval topic (the us-east-1 one cannot: alarm
  actions must be in the alarm's region).

The state machines come from `failover/asl.py` (built in Python inside `Output.all(...).apply`); the
Lambdas are packaged from `failover/` and configured through the environment contract of
`failover/settings.py`. Every Lambda has its own role scoped to the resources its step touches.

Caller passes the DR-region provider in `opts.provider` and the us-east-1 provider in
`args.alarm_provider`; this component never creates providers.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from components.web_alb import check_lb_args
from failover.asl import TIMEOUT_ACTIONS, failback_definition, failover_definition
from failover.facts import (
    EVENT_TARGET_RETRY_AGE_SECONDS,
    FUNCTIONS,
    LAMBDA_MEMORY_MB,
    READINESS_SUFFIX,
    dlq_name,
    event_pattern,
    function_name,
    polled_task_timeout,
    role_name,
    target_group_name,
)
from stack_config import Capacity

FAILOVER_DIR = Path(__file__).resolve().parent.parent / "failover"
RUNTIME = "python3.12"
_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
NLB_MODES = ("standby", "on-failover")
_RETENTION_DAYS = frozenset(
    (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653)
)

# stacks.py names the readiness Lambda `<lambda_prefix>-readiness`, the longest suffix of all.
_LONGEST_SUFFIX = max([*FUNCTIONS, READINESS_SUFFIX], key=len)
_LAMBDA_PREFIX_MAX = 64 - 1 - len(_LONGEST_SUFFIX)
_LAMBDA_PREFIX = re.compile(rf"^[A-Za-z0-9_-]{{1,{_LAMBDA_PREFIX_MAX}}}$")
_TOPIC = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
DLQ_RETENTION_SECONDS = 14 * 24 * 3600  # SQS's maximum: time to notice and replay a lost alarm event


@dataclass(frozen=True)
class StepTimeouts:
    """Lambda timeouts in seconds (stack config `failover.lambdaTimeouts`)."""

    approval: int = 30
    nlb: int = 120
    launch_template: int = 60
    scale: int = 60
    verify: int = 60
    failback: int = 120

    def __post_init__(self) -> None:
        for key, value in vars(self).items():
            if isinstance(value, bool) or not isinstance(value, int) or not 3 <= value <= 900:
                raise ValueError(f"lambda timeout {key} must be 3-900 seconds (got {value!r})")


@dataclass(frozen=True)
class FailoverPipelineArgs:
    """Names and settings come from `stack_config` (stacks.py passes them all); the only defaults
    left are the safe choices (abandon on approval timeout, keep logs 90 days) and tuning knobs."""

    alarm_provider: pulumi.ProviderResource  # us-east-1, where the detection alarm lives
    vpc_id: pulumi.Input[str]
    app_subnet_ids: pulumi.Input[Sequence[str]]
    alb_dns_name: pulumi.Input[str]
    app_capacity: Capacity
    web_capacity: Capacity
    state_machine_name: str
    failback_state_machine_name: str
    approval_topic_name: str
    event_bus_name: str
    observation_rule_name: str
    failover_rule_name: str
    alarm_name: str
    lambda_prefix: str
    nlb_name: str
    nlb_mode: str
    app_port: int
    health_path: str
    web_launch_template_name: str
    app_asg_name: str
    web_asg_name: str
    expected_region: str
    lock_namespace: str
    lock_metric: str
    lock_alarm_name: str
    lock_region: str
    approval_timeout_seconds: int
    approver_emails: tuple[str, ...] = ()
    approver_sms: tuple[str, ...] = ()
    web_launch_template_id: Optional[pulumi.Input[str]] = None  # scopes step 2's IAM to that template
    approval_heartbeat_seconds: Optional[int] = None
    approval_timeout_action: str = "fail"
    lambda_timeouts: StepTimeouts = field(default_factory=StepTimeouts)
    poll_seconds: int = 15
    max_polls: int = 40
    health_scheme: str = "http"
    log_retention_days: int = 90
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for key in (
            "state_machine_name",
            "failback_state_machine_name",
            "approval_topic_name",
            "event_bus_name",
            "observation_rule_name",
            "failover_rule_name",
            "lambda_prefix",
            "nlb_name",
            "web_launch_template_name",
            "app_asg_name",
            "web_asg_name",
            "lock_alarm_name",
        ):
            value = getattr(self, key)
            if not isinstance(value, str) or not _NAME.match(value):
                raise ValueError(f"{key} must be 1-64 letters, digits, '.', '_' or '-' (got {value!r})")
        # Stricter AWS rules, checked here so they fail at preview, not at deploy or mid-failover.
        if not _LAMBDA_PREFIX.match(self.lambda_prefix):
            raise ValueError(
                f"lambda_prefix must be 1-{_LAMBDA_PREFIX_MAX} letters, digits, '_' or '-': Lambda names "
                f"allow no '.' and at most 64 characters with the longest suffix "
                f"'-{_LONGEST_SUFFIX}' (got {self.lambda_prefix!r})"
            )
        if not _TOPIC.match(self.approval_topic_name):
            raise ValueError(
                f"approval_topic_name must be letters, digits, '_' or '-' (SNS allows no '.') "
                f"(got {self.approval_topic_name!r})"
            )
        # Step 1 creates the NLB and its target group by these names in mode on-failover.
        check_lb_args(self.nlb_name, self.app_port, self.health_path)
        for key in ("app_capacity", "web_capacity"):
            c = getattr(self, key)
            if not isinstance(c, Capacity) or not all(
                isinstance(v, int) and not isinstance(v, bool) for v in (c.min, c.desired, c.max)
            ) or not 0 <= c.min <= c.desired <= c.max:
                raise ValueError(f"{key} must satisfy 0 <= min <= desired <= max (got {c})")
        if self.approval_timeout_action not in TIMEOUT_ACTIONS:
            raise ValueError(
                f"approval_timeout_action must be one of {', '.join(TIMEOUT_ACTIONS)} "
                f"(got {self.approval_timeout_action!r})"
            )
        if self.nlb_mode not in NLB_MODES:
            raise ValueError(f"nlb_mode must be one of {', '.join(NLB_MODES)} (got {self.nlb_mode!r})")
        if not 60 <= self.approval_timeout_seconds <= 7 * 24 * 3600:
            raise ValueError(
                f"approval_timeout_seconds must be 60-604800 (got {self.approval_timeout_seconds})"
            )
        for email in self.approver_emails:
            if not _EMAIL.match(email):
                raise ValueError(f"approver_emails: {email!r} is not an email address")
        for number in self.approver_sms:
            if not _E164.match(number):
                raise ValueError(f"approver_sms: {number!r} is not an E.164 number such as +821012345678")
        if not 1 <= self.app_port <= 65535:
            raise ValueError(f"app_port must be 1-65535 (got {self.app_port})")
        if not self.health_path.startswith("/"):
            raise ValueError(f"health_path must start with '/' (got {self.health_path!r})")
        if self.health_scheme not in ("http", "https"):
            raise ValueError(f"health_scheme must be http or https (got {self.health_scheme!r})")
        if self.log_retention_days not in _RETENTION_DAYS:
            raise ValueError(
                f"log_retention_days must be a CloudWatch retention value (got {self.log_retention_days})"
            )

    @property
    def heartbeat(self) -> Optional[int]:
        """Step Functions needs HeartbeatSeconds < TimeoutSeconds; equal (the config default) means none."""
        hb = self.approval_heartbeat_seconds
        return hb if hb is not None and hb < self.approval_timeout_seconds else None


def _policy(statements: list[dict[str, Any]]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _merged(*docs: pulumi.Output[str]) -> pulumi.Output[str]:
    """One policy document holding every statement of `docs`."""
    return pulumi.Output.all(*docs).apply(
        lambda texts: _policy([s for d in texts for s in json.loads(d)["Statement"]])
    )


def topic_key_policy(account: str, region: str, topic_arn: str) -> str:
    """Key policy of the approval topic's KMS key.

    The account statement delegates to IAM (the step roles get use of the key through their own
    policies, and the deployer keeps managing it). CloudWatch alarms (the readiness alarm) may
    encrypt for this topic only: data keys for its ARN (the encryption context SNS sets), on behalf
    of alarms in this account and region.
    """
    return _policy(
        [
            {
                "Sid": "AccountManagesKeyThroughIam",
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
                "Action": "kms:*",
                "Resource": "*",
            },
            {
                "Sid": "CloudWatchAlarmsPublishToApprovalTopic",
                "Effect": "Allow",
                "Principal": {"Service": "cloudwatch.amazonaws.com"},
                "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
                "Resource": "*",
                "Condition": {
                    "StringEquals": {
                        "aws:SourceAccount": account,
                        "kms:EncryptionContext:aws:sns:topicArn": topic_arn,
                    },
                    "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:*"},
                },
            },
        ]
    )


def topic_key_use_statement(key_arn: str, region: str) -> dict[str, Any]:
    """What a publisher to the encrypted topic needs on its key, and only through SNS."""
    return {
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": f"sns.{region}.amazonaws.com"}},
    }


def dlq_policy(queue_arn: str, rule_arn: str) -> str:
    """Only EventBridge may send, and only on behalf of the one rule whose target this queue backs."""
    return _policy(
        [
            {
                "Sid": "EventBridgeRuleDeadLetters",
                "Effect": "Allow",
                "Principal": {"Service": "events.amazonaws.com"},
                "Action": "sqs:SendMessage",
                "Resource": queue_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": rule_arn}},
            }
        ]
    )


def _assume(service: str) -> str:
    return _policy([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])


class FailoverPipeline(pulumi.ComponentResource):
    """Approval topic, event path, six Lambdas, failover and failback state machines."""

    state_machine_arn: pulumi.Output[str]
    failback_state_machine_arn: pulumi.Output[str]
    approval_topic_arn: pulumi.Output[str]
    approval_topic_key_arn: pulumi.Output[str]
    event_bus_arn: pulumi.Output[str]
    observation_rule_arn: pulumi.Output[str]
    dead_letter_queue_arns: pulumi.Output[dict[str, str]]  # rule key (observation, failover) -> ARN
    function_names: pulumi.Output[dict[str, str]]

    def __init__(
        self, name: str, args: FailoverPipelineArgs, opts: Optional[pulumi.ResourceOptions] = None
    ) -> None:
        if opts is None or opts.provider is None:
            raise ValueError(f"{name}: opts.provider must be the DR-region provider")
        if args.alarm_provider is None:
            raise ValueError(f"{name}: args.alarm_provider must be the us-east-1 provider")
        super().__init__("megaticket-dr:failover:Pipeline", name, None, opts)
        dr = pulumi.ResourceOptions(parent=self, provider=opts.provider)
        east = pulumi.ResourceOptions(parent=self, provider=args.alarm_provider)
        tags = {**dict(args.tags), "Component": "failover-pipeline"}
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=opts.provider))
        region = args.expected_region
        account = identity.account_id
        arn = _Arns(region, account, args)

        # --- approval topic (its own KMS key) and its two channels -----------------------------------
        # Not alias/aws/sns: that AWS-managed key's policy cannot be changed and does not let
        # CloudWatch alarms use it, so the readiness alarm's notifications to this topic would fail
        # (alarm history: "CloudWatch Alarms does not have authorization to access the SNS topic
        # encryption key"). A customer-managed key keeps the topic encrypted and names who may use it.
        topic_arn_by_name = account.apply(lambda a: f"arn:aws:sns:{region}:{a}:{args.approval_topic_name}")
        topic_key = aws.kms.Key(
            f"{name}-approval-topic-key",
            description=f"SNS topic {args.approval_topic_name}: approval requests and readiness alarms",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(account, topic_arn_by_name).apply(
                lambda a: topic_key_policy(account=a[0], region=region, topic_arn=a[1])
            ),
            tags=tags,
            opts=dr,
        )
        aws.kms.Alias(
            f"{name}-approval-topic-key-alias",
            name=f"alias/{args.approval_topic_name}",
            target_key_id=topic_key.key_id,
            opts=dr,
        )
        topic = aws.sns.Topic(
            f"{name}-approval-topic",
            name=args.approval_topic_name,
            kms_master_key_id=topic_key.arn,
            tags=tags,
            opts=dr,
        )
        for i, email in enumerate(args.approver_emails):
            aws.sns.TopicSubscription(
                f"{name}-approver-email-{i}", topic=topic.arn, protocol="email", endpoint=email, opts=dr
            )
        for i, number in enumerate(args.approver_sms):
            aws.sns.TopicSubscription(
                f"{name}-approver-sms-{i}", topic=topic.arn, protocol="sms", endpoint=number, opts=dr
            )

        # --- Lambdas ------------------------------------------------------------------------------------
        env = self._environment(args, topic.arn)
        # Only the package's sources: a FileArchive of the folder would pick up __pycache__, whose
        # bytes differ per machine and Python version, and redeploy every Lambda on each `pulumi up`.
        code = pulumi.AssetArchive({f"failover/{source.name}": pulumi.FileAsset(str(source))
                                    for source in sorted(FAILOVER_DIR.glob("*.py"))})
        functions: dict[str, aws.lambda_.Function] = {}
        roles: dict[str, aws.iam.Role] = {}
        for key, (handler, timeout_field) in FUNCTIONS.items():
            fn_name = function_name(args.lambda_prefix, key)
            log_group = aws.cloudwatch.LogGroup(
                f"{name}-{key}-logs",
                name=f"/aws/lambda/{fn_name}",
                retention_in_days=args.log_retention_days,
                tags=tags,
                opts=dr,
            )
            role = aws.iam.Role(
                f"{name}-{key}-role",
                name=role_name(fn_name),
                assume_role_policy=_assume("lambda.amazonaws.com"),
                tags=tags,
                opts=dr,
            )
            aws.iam.RolePolicy(
                f"{name}-{key}-logs-policy",
                role=role.id,
                policy=log_group.arn.apply(
                    lambda lg: _policy(
                        [
                            {
                                "Effect": "Allow",
                                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                                "Resource": [f"{lg}:*"],
                            }
                        ]
                    )
                ),
                opts=dr,
            )
            roles[key] = role
            functions[key] = aws.lambda_.Function(
                f"{name}-{key}",
                name=fn_name,
                runtime=RUNTIME,
                handler=handler,
                code=code,
                role=role.arn,
                timeout=getattr(args.lambda_timeouts, timeout_field),
                memory_size=LAMBDA_MEMORY_MB,
                environment={"variables": env},
                tags=tags,
                opts=pulumi.ResourceOptions(parent=self, provider=opts.provider, depends_on=[log_group]),
            )

        # --- state machines -------------------------------------------------------------------------
        sfn_role = aws.iam.Role(
            f"{name}-sfn-role",
            name=role_name(args.state_machine_name),
            assume_role_policy=_assume("states.amazonaws.com"),
            tags=tags,
            opts=dr,
        )
        fn_arns = [f.arn for f in functions.values()]
        sfn_policy = aws.iam.RolePolicy(
            f"{name}-sfn-policy",
            role=sfn_role.id,
            policy=pulumi.Output.all(topic.arn, topic_key.arn, *fn_arns).apply(
                lambda a: _policy(
                    [
                        {
                            "Effect": "Allow",
                            "Action": "lambda:InvokeFunction",
                            "Resource": [*a[2:], *[f"{x}:*" for x in a[2:]]],
                        },
                        {"Effect": "Allow", "Action": "sns:Publish", "Resource": a[0]},
                        topic_key_use_statement(a[1], region),
                        # Log delivery and X-Ray do not support resource-level permissions.
                        {
                            "Effect": "Allow",
                            "Action": [
                                "logs:CreateLogDelivery",
                                "logs:GetLogDelivery",
                                "logs:UpdateLogDelivery",
                                "logs:DeleteLogDelivery",
                                "logs:ListLogDeliveries",
                                "logs:PutResourcePolicy",
                                "logs:DescribeResourcePolicies",
                                "logs:DescribeLogGroups",
                                "xray:PutTraceSegments",
                                "xray:PutTelemetryRecords",
                                "xray:GetSamplingRules",
                                "xray:GetSamplingTargets",
                            ],
                            "Resource": "*",
                        },
                    ]
                )
            ),
            opts=dr,
        )
        timeout_sum = args.lambda_timeouts
        fo = functions
        failover_json = pulumi.Output.all(
            fo["step0"].arn,
            fo["step1"].arn,
            fo["step2"].arn,
            fo["step3"].arn,
            fo["step4"].arn,
            topic.arn,
        ).apply(
            lambda a: json.dumps(
                failover_definition(
                    step0_arn=a[0],
                    step1_arn=a[1],
                    step2_arn=a[2],
                    step3_arn=a[3],
                    step4_arn=a[4],
                    topic_arn=a[5],
                    approval_timeout_seconds=args.approval_timeout_seconds,
                    approval_heartbeat_seconds=args.heartbeat,
                    timeout_action=args.approval_timeout_action,
                    poll_seconds=args.poll_seconds,
                    max_polls=args.max_polls,
                    task_timeout_seconds=polled_task_timeout(
                        [timeout_sum.nlb, timeout_sum.launch_template, timeout_sum.scale, timeout_sum.verify]
                    ),
                )
            )
        )

        def state_machine(key: str, sm_name: str, definition: pulumi.Output[str]) -> aws.sfn.StateMachine:
            log_group = aws.cloudwatch.LogGroup(
                f"{name}-{key}-sfn-logs",
                name=f"/aws/vendedlogs/states/{sm_name}",
                retention_in_days=args.log_retention_days,
                tags=tags,
                opts=dr,
            )
            return aws.sfn.StateMachine(
                f"{name}-{key}-state-machine",
                name=sm_name,
                role_arn=sfn_role.arn,
                definition=definition,
                # Execution data stays out of the logs: the approval payload carries the task token.
                logging_configuration={
                    "log_destination": log_group.arn.apply(lambda a: f"{a}:*"),
                    "include_execution_data": False,
                    "level": "ALL",
                },
                tracing_configuration={"enabled": True},
                tags=tags,
                # CreateStateMachine checks that the role may deliver logs (else AccessDenied: "not
                # authorized to access the Log Destination"): the role's policy must exist first.
                opts=pulumi.ResourceOptions(parent=self, provider=opts.provider, depends_on=[sfn_policy]),
            )

        machines = {"failover": state_machine("failover", args.state_machine_name, failover_json)}
        # Failback's first state refuses while a failover execution runs, so it names that machine.
        failback_json = pulumi.Output.all(fo["failback"].arn, topic.arn, machines["failover"].arn).apply(
            lambda a: json.dumps(
                failback_definition(
                    failback_arn=a[0],
                    topic_arn=a[1],
                    failover_state_machine_arn=a[2],
                    poll_seconds=args.poll_seconds,
                    max_polls=args.max_polls,
                    task_timeout_seconds=polled_task_timeout([timeout_sum.failback]),
                )
            )
        )
        machines["failback"] = state_machine("failback", args.failback_state_machine_name, failback_json)

        # --- least-privilege policies per step (after the machines: step0 reads its own machine) -----
        policies = {
            "step0": pulumi.Output.all(topic.arn, machines["failover"].arn, topic_key.arn).apply(
                lambda a: _policy(
                    [
                        {"Effect": "Allow", "Action": "sns:Publish", "Resource": a[0]},
                        {"Effect": "Allow", "Action": "states:ListExecutions", "Resource": a[1]},
                        topic_key_use_statement(a[2], region),
                    ]
                )
            ),
            "step1": arn.elb_policy(create=True),
            "step2": arn.launch_template_policy(),
            # Step 3 puts the failback lock before it scales the app tier (step 4 re-asserts it).
            "step3": _merged(arn.scale_policy(detach=False), arn.lock_policy(write=True)),
            "step4": arn.lock_policy(write=True),
            "failback": _merged(
                machines["failover"].arn.apply(
                    lambda m: _policy([{"Effect": "Allow", "Action": "states:ListExecutions", "Resource": m}])
                ),
                arn.elb_policy(create=False),
                arn.scale_policy(detach=True),
                arn.launch_template_policy(),
                arn.lock_policy(write=False),
            ),
        }
        for key, doc in policies.items():
            aws.iam.RolePolicy(f"{name}-{key}-policy", role=roles[key].id, policy=doc, opts=dr)

        # --- event path -----------------------------------------------------------------------------
        bus = aws.cloudwatch.EventBus(f"{name}-bus", name=args.event_bus_name, tags=tags, opts=dr)
        pattern = json.dumps(event_pattern(args.alarm_name))
        # Each hop's undeliverable events land in a DLQ in its rule's region (EventBridge requires
        # that). Only the Tokyo DLQ gets an alarm: alarm actions must be in the alarm's region, and
        # the approval topic is in Tokyo, so the us-east-1 DLQ is left to a depth check (readiness
        # Lambda / `drctl doctor`), not built yet.
        observation, observation_dlq = self._rule_to_target(
            name,
            "observation",
            "forward",
            rule_name=args.observation_rule_name,
            pattern=pattern,
            description=f"{args.alarm_name} in ALARM -> {args.event_bus_name} ({region})",
            action="events:PutEvents",
            target_id="TokyoEventBus",
            target_arn=bus.arn,
            tags=tags,
            opts=east,
        )
        _, failover_dlq = self._rule_to_target(
            name,
            "failover",
            "start",
            rule_name=args.failover_rule_name,
            pattern=pattern,
            description=f"start {args.state_machine_name} when Seoul's health check alarm fires",
            action="states:StartExecution",
            target_id="FailoverStateMachine",
            target_arn=machines["failover"].arn,
            tags=tags,
            opts=dr,
            bus_name=bus.name,
            retry_policy={"maximum_event_age_in_seconds": EVENT_TARGET_RETRY_AGE_SECONDS,
                          "maximum_retry_attempts": 10},
            alarm_topic_arn=topic.arn,
        )

        self.state_machine_arn = machines["failover"].arn
        self.failback_state_machine_arn = machines["failback"].arn
        self.approval_topic_arn = topic.arn
        self.approval_topic_key_arn = topic_key.arn
        self.event_bus_arn = bus.arn
        self.observation_rule_arn = observation.arn
        self.dead_letter_queue_arns = pulumi.Output.all(observation_dlq.arn, failover_dlq.arn).apply(
            lambda a: {"observation": a[0], "failover": a[1]}
        )
        self.function_names = pulumi.Output.all(*[f.name for f in functions.values()]).apply(
            lambda names: dict(zip(FUNCTIONS, names, strict=True))
        )
        self.register_outputs(
            {
                "state_machine_arn": self.state_machine_arn,
                "failback_state_machine_arn": self.failback_state_machine_arn,
                "approval_topic_arn": self.approval_topic_arn,
                "approval_topic_key_arn": self.approval_topic_key_arn,
                "event_bus_arn": self.event_bus_arn,
                "observation_rule_arn": self.observation_rule_arn,
                "dead_letter_queue_arns": self.dead_letter_queue_arns,
                "function_names": self.function_names,
            }
        )

    @staticmethod
    def _rule_to_target(
        name: str,
        rule_key: str,
        role_key: str,
        *,
        rule_name: str,
        pattern: str,
        description: str,
        action: str,
        target_id: str,
        target_arn: pulumi.Output[str],
        tags: Mapping[str, str],
        opts: pulumi.ResourceOptions,
        bus_name: Optional[pulumi.Input[str]] = None,
        retry_policy: Optional[aws.cloudwatch.EventTargetRetryPolicyArgsDict] = None,
        alarm_topic_arn: Optional[pulumi.Input[str]] = None,
    ) -> tuple[aws.cloudwatch.EventRule, aws.sqs.Queue]:
        """One hop of the event path: a rule on `bus_name` (None: the default bus) whose target is
        reached through a role allowed `action` on that target only. Events the target still refuses
        after the retries go to a dead-letter queue in the rule's region (`opts` carries the
        provider); with `alarm_topic_arn` (which must be in that region too) an alarm reports them."""
        rule = aws.cloudwatch.EventRule(
            f"{name}-{rule_key}-rule",
            name=rule_name,
            event_bus_name=bus_name,
            event_pattern=pattern,
            description=description,
            tags=tags,
            opts=opts,
        )
        role = aws.iam.Role(
            f"{name}-{role_key}-role",
            name=role_name(rule_name),
            assume_role_policy=_assume("events.amazonaws.com"),
            tags=tags,
            opts=opts,
        )
        aws.iam.RolePolicy(
            f"{name}-{role_key}-policy",
            role=role.id,
            policy=target_arn.apply(
                lambda arn: _policy([{"Effect": "Allow", "Action": action, "Resource": arn}])
            ),
            opts=opts,
        )
        queue_name = dlq_name(rule_name)
        dlq = aws.sqs.Queue(
            f"{name}-{rule_key}-dlq",
            name=queue_name,
            sqs_managed_sse_enabled=True,
            message_retention_seconds=DLQ_RETENTION_SECONDS,
            tags=tags,
            opts=opts,
        )
        aws.sqs.QueuePolicy(
            f"{name}-{rule_key}-dlq-policy",
            queue_url=dlq.id,
            policy=pulumi.Output.all(dlq.arn, rule.arn).apply(lambda a: dlq_policy(a[0], a[1])),
            opts=opts,
        )
        aws.cloudwatch.EventTarget(
            f"{name}-{rule_key}-target",
            rule=rule.name,
            event_bus_name=bus_name,
            target_id=target_id,
            arn=target_arn,
            role_arn=role.arn,
            retry_policy=retry_policy,
            dead_letter_config={"arn": dlq.arn},
            opts=opts,
        )
        if alarm_topic_arn is not None:
            aws.cloudwatch.MetricAlarm(
                f"{name}-{rule_key}-dlq-alarm",
                name=f"{queue_name}-not-empty",
                alarm_description=(
                    f"EventBridge rule {rule_name} could not deliver an event to its target after "
                    f"retries; the event is in SQS queue {queue_name} (read it, fix the cause, then "
                    f"start the target by hand if the event still matters)."
                ),
                namespace="AWS/SQS",
                metric_name="ApproximateNumberOfMessagesVisible",
                dimensions={"QueueName": queue_name},
                statistic="Maximum",
                period=300,
                evaluation_periods=1,
                threshold=0,
                comparison_operator="GreaterThanThreshold",
                # SQS stops sending metrics for an idle queue: no data means no messages.
                treat_missing_data="notBreaching",
                alarm_actions=[alarm_topic_arn],
                tags=tags,
                opts=opts,
            )
        return rule, dlq

    @staticmethod
    def _environment(
        args: FailoverPipelineArgs, topic_arn: pulumi.Output[str]
    ) -> dict[str, pulumi.Input[str]]:
        """Exactly the variables `failover.settings.Settings.from_env` reads."""
        return {
            "NLB_NAME": args.nlb_name,
            "NLB_MODE": args.nlb_mode,
            "VPC_ID": args.vpc_id,
            "APP_SUBNET_IDS": pulumi.Output.from_input(args.app_subnet_ids).apply(lambda s: ",".join(s)),
            "APP_PORT": str(args.app_port),
            "HEALTH_PATH": args.health_path,
            "WEB_LAUNCH_TEMPLATE_NAME": args.web_launch_template_name,
            "APP_ASG_NAME": args.app_asg_name,
            "WEB_ASG_NAME": args.web_asg_name,
            "APP_MIN": str(args.app_capacity.min),
            "APP_DESIRED": str(args.app_capacity.desired),
            "APP_MAX": str(args.app_capacity.max),
            "WEB_MIN": str(args.web_capacity.min),
            "WEB_DESIRED": str(args.web_capacity.desired),
            "WEB_MAX": str(args.web_capacity.max),
            "ALB_DNS_NAME": args.alb_dns_name,
            "EXPECTED_REGION": args.expected_region,
            "APPROVAL_TOPIC_ARN": topic_arn,
            "LOCK_NAMESPACE": args.lock_namespace,
            "LOCK_METRIC": args.lock_metric,
            "LOCK_REGION": args.lock_region,
            "LOCK_ALARM_NAME": args.lock_alarm_name,
            # The same name AppNlb gives its target group in mode standby.
            "NLB_TARGET_GROUP_NAME": target_group_name(args.nlb_name),
            "HEALTH_SCHEME": args.health_scheme,
            "HTTP_TIMEOUT_SECONDS": "5",
        }


class _Arns:
    """IAM statements scoped to the named resources of one region and account."""

    def __init__(self, region: str, account: pulumi.Output[str], args: FailoverPipelineArgs) -> None:
        self.region = region
        self.account = account
        self.args = args

    def elb_policy(self, create: bool) -> pulumi.Output[str]:
        a = self.args
        tg = target_group_name(a.nlb_name)

        def doc(acct: str) -> str:
            base = f"arn:aws:elasticloadbalancing:{self.region}:{acct}"
            lb, tgs, listeners = (
                f"{base}:loadbalancer/net/{a.nlb_name}/*",
                f"{base}:targetgroup/{tg}/*",
                f"{base}:listener/net/{a.nlb_name}/*/*",
            )
            write = (
                [
                    "elasticloadbalancing:CreateLoadBalancer",
                    "elasticloadbalancing:CreateTargetGroup",
                    "elasticloadbalancing:CreateListener",
                    "elasticloadbalancing:AddTags",
                    "elasticloadbalancing:ModifyLoadBalancerAttributes",
                ]
                if create
                else [
                    "elasticloadbalancing:DeleteLoadBalancer",
                    "elasticloadbalancing:DeleteTargetGroup",
                    "elasticloadbalancing:DeleteListener",
                ]
            )
            return _policy(
                [
                    # Describe* calls do not support resource-level permissions.
                    {
                        "Effect": "Allow",
                        "Resource": "*",
                        "Action": [
                            "elasticloadbalancing:DescribeLoadBalancers",
                            "elasticloadbalancing:DescribeTargetGroups",
                            "elasticloadbalancing:DescribeListeners",
                            "elasticloadbalancing:DescribeTags",
                            "elasticloadbalancing:DescribeTargetHealth",
                        ],
                    },
                    {"Effect": "Allow", "Action": write, "Resource": [lb, tgs, listeners]},
                ]
            )

        return self.account.apply(doc)

    def launch_template_policy(self) -> pulumi.Output[str]:
        a = self.args

        def doc(values: list[Any]) -> str:
            acct, lt_id = values
            resource = f"arn:aws:ec2:{self.region}:{acct}:launch-template/{lt_id or '*'}"
            return _policy(
                [
                    {"Effect": "Allow", "Action": "ec2:DescribeLaunchTemplateVersions", "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Resource": resource,
                        "Action": ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"],
                    },
                ]
            )

        return pulumi.Output.all(self.account, a.web_launch_template_id).apply(doc)

    def scale_policy(self, detach: bool) -> pulumi.Output[str]:
        a = self.args

        def doc(acct: str) -> str:
            groups = [
                f"arn:aws:autoscaling:{self.region}:{acct}:autoScalingGroup:*:autoScalingGroupName/{n}"
                for n in (a.app_asg_name, a.web_asg_name)
            ]
            attach = (
                "autoscaling:DetachLoadBalancerTargetGroups"
                if detach
                else "autoscaling:AttachLoadBalancerTargetGroups"
            )
            return _policy(
                [
                    {
                        "Effect": "Allow",
                        "Resource": "*",
                        "Action": [
                            "autoscaling:DescribeAutoScalingGroups",
                            "elasticloadbalancing:DescribeTargetHealth",
                        ],
                    },
                    {
                        "Effect": "Allow",
                        "Resource": groups,
                        "Action": ["autoscaling:UpdateAutoScalingGroup", attach],
                    },
                ]
            )

        return self.account.apply(doc)

    def lock_policy(self, write: bool) -> pulumi.Output[str]:
        a = self.args

        def doc(acct: str) -> str:
            if write:
                return _policy(
                    [
                        {
                            "Effect": "Allow",
                            "Action": "cloudwatch:PutMetricData",
                            "Resource": "*",
                            "Condition": {"StringEquals": {"cloudwatch:namespace": a.lock_namespace}},
                        }
                    ]
                )
            return _policy(
                [
                    {"Effect": "Allow", "Action": "cloudwatch:GetMetricStatistics", "Resource": "*"},
                    {
                        "Effect": "Allow",
                        "Action": "cloudwatch:DescribeAlarms",
                        "Resource": f"arn:aws:cloudwatch:{a.lock_region}:{acct}:alarm:{a.lock_alarm_name}",
                    },
                ]
            )

        return self.account.apply(doc)
