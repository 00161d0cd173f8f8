"""Continuous readiness: `drctl doctor`'s checks as a scheduled Lambda in the DR region.

Every `schedule` (default rate(30 minutes), like AWS Region switch plan evaluation) the Lambda
`stfc-lambda-dev-readiness` runs failover/checks.py and puts one metric per check in
`MegaTicket/DR/Readiness`; an alarm on `Ready` (Minimum < 1) notifies the approval topic, so the
people who would approve a failover hear first that it would not work. Missing data is not a
failure (a new alarm has none, and must not page anyone at deploy), but a readiness Lambda that
stops running proves nothing: the move to INSUFFICIENT_DATA notifies the topic too.

The role can only read (describe/list/get) and put metrics into its own namespace
(`cloudwatch:namespace` condition). Calls that AWS cannot scope to a resource (EC2/ELB/ASG
Describe*, CloudWatch GetMetricStatistics/DescribeAlarms, Route53 ListHealthChecks) use "*";
every call that can be scoped names its resource.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from failover.check_core import CheckSettings
from failover.contract import (
    APPROVAL_PAGE_FUNCTION,
    REPORT_FUNCTION,
    approval_table_name,
    report_rule_name,
)
from failover.contract import schedule_rule_name as contract_schedule_rule_name
from failover.facts import FUNCTIONS, LAMBDA_MEMORY_MB, dlq_name, function_name, role_name
from failover.readiness import DEFAULT_NAMESPACE, to_env

_ROOT = Path(__file__).resolve().parent.parent
# The only modules the handler imports (the checks render the expected user data and state
# machine definitions with the program's own renderers): the package carries no step code.
PACKAGED = (
    "failover/__init__.py", "failover/readiness.py", "failover/checks.py", "failover/check_core.py",
    "failover/check_compute.py", "failover/check_data_dns.py", "failover/check_detection.py",
    "failover/check_event_path.py", "failover/check_pipeline.py", "failover/facts.py",
    "failover/iam_eval.py", "failover/asl.py", "userdata/__init__.py", "userdata/render.py",
    "userdata/web.sh.tpl", "userdata/app.sh.tpl", "failover/contract.py", "failover/errors.py",
    "failover/lock.py",
)
_RATE = re.compile(r"rate\(([0-9]+) (minute|minutes|hour|hours|day|days)\)")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}


@dataclass(frozen=True)
class ReadinessArgs:
    checks: CheckSettings
    approval_topic_arn: pulumi.Input[str]
    state_machine_arn: pulumi.Input[str]
    function_name: str = "stfc-lambda-dev-readiness"
    schedule: str = "rate(30 minutes)"
    timeout: int = 120
    memory_size: int = LAMBDA_MEMORY_MB
    namespace: str = DEFAULT_NAMESPACE
    health_check_id: Optional[pulumi.Input[str]] = None  # from the seoul stack, known after deploy
    golden_ami_id: Optional[pulumi.Input[str]] = None  # the Tokyo copy, known after deploy
    primary_ami_id: Optional[pulumi.Input[str]] = None  # the Seoul Golden AMI the copy came from
    expected_build: Optional[pulumi.Input[str]] = None  # its build (the copy's Build tag)
    log_retention_days: int = 30
    tags: Mapping[str, str] = field(default_factory=dict)

    # Schedule, timeout and function name come checked from stack_config (readiness.*,
    # failover.lambdaTimeouts.readiness, failover.lambdaPrefix); the component trusts them.

    @property
    def alarm_period(self) -> int:
        """Two schedule intervals, so one late run does not read as missing data."""
        match = _RATE.fullmatch(self.schedule)
        if not match:
            return 3600
        seconds = int(match[1]) * _UNIT_SECONDS[match[2].rstrip("s")]
        return min(max(2 * seconds, 60), 86400)


def schedule_rule_name(function_name: str) -> str:
    """`<function name>-schedule`, cut to EventBridge's rule-name limit (failover.contract)."""
    return contract_schedule_rule_name(function_name)


def _account(arn: str) -> str:
    return arn.split(":")[4] if arn.count(":") >= 5 else "*"


def _page_and_reports_statements(s: CheckSettings, account: str) -> list[dict[str, Any]]:
    """approval-page and reports (failover/check_pages.py): read what they compare, nothing else."""
    statements: list[dict[str, Any]] = []
    if s.approval_page_enabled:
        table = f"arn:aws:dynamodb:{s.dr_region}:{account}:table/{approval_table_name(s.lambda_prefix)}"
        statements += [
            {"Sid": "ReadApprovalApi", "Effect": "Allow", "Action": "apigateway:GET",
             "Resource": [f"arn:aws:apigateway:{s.dr_region}::/apis",
                          f"arn:aws:apigateway:{s.dr_region}::/apis/*"]},
            {"Sid": "ReadApprovalTable", "Effect": "Allow", "Action": "dynamodb:DescribeTimeToLive",
             "Resource": table},
        ]
        if s.approval_pin_required:  # the parameter's metadata: GetParameter without decryption
            statements.append({"Sid": "ReadPinParameter", "Effect": "Allow", "Action": "ssm:GetParameter",
                               "Resource": f"arn:aws:ssm:{s.dr_region}:{account}:parameter"
                                           f"{s.approval_pin_parameter}"})
    if s.reports_bucket:
        statements.append({"Sid": "ReadReportsBucket", "Effect": "Allow", "Action": [
            "s3:ListBucket", "s3:GetBucketVersioning", "s3:GetEncryptionConfiguration",
            "s3:GetBucketPublicAccessBlock", "s3:GetLifecycleConfiguration"],
            "Resource": f"arn:aws:s3:::{s.reports_bucket}"})
    return statements


def policy_document(s: CheckSettings, namespace: str, account: str, state_machine_arn: str,
                    topic_arn: str, log_group_arn: str) -> str:
    """The read-only policy, as JSON (a pure function so tests can read it without Pulumi)."""
    events_rules = [
        f"arn:aws:events:{s.alarm_region}:{account}:rule/{s.observation_rule_name}",
        f"arn:aws:events:{s.dr_region}:{account}:rule/{s.event_bus_name}/{s.failover_rule_name}",
        *([f"arn:aws:events:{s.dr_region}:{account}:rule/{report_rule_name(s.state_machine_name)}"]
          if s.reports_bucket else []),
    ]
    tables = [f"arn:aws:dynamodb:{region}:{account}:table/{t}" for t in s.table_names
              for region in (s.dr_region, s.primary_region)]
    roles = [f"arn:aws:iam::{account}:role/{role_name(function_name(s.lambda_prefix, k))}"
             for k in FUNCTIONS] + [f"arn:aws:iam::{account}:role/{role_name(s.state_machine_name)}"]
    roles += [f"arn:aws:iam::{account}:role/{role_name(r)}"
              for r in (s.observation_rule_name, s.failover_rule_name)]
    queues = [f"arn:aws:sqs:{s.alarm_region}:{account}:{dlq_name(s.observation_rule_name)}",
              f"arn:aws:sqs:{s.dr_region}:{account}:{dlq_name(s.failover_rule_name)}"]
    machines = [state_machine_arn, state_machine_arn.rsplit(":", 1)[0] + f":{s.failback_state_machine_name}"]
    pages = [APPROVAL_PAGE_FUNCTION] if s.approval_page_enabled else []
    writers = [REPORT_FUNCTION] if s.reports_bucket else []
    functions = [f"arn:aws:lambda:{s.dr_region}:{account}:function:{f}" for f in (
        *s.function_names().values(), *(function_name(s.lambda_prefix, k) for k in (*pages, *writers)))]
    statements: list[dict[str, Any]] = [
        {"Sid": "Logs", "Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
         "Resource": [log_group_arn, f"{log_group_arn}:*"]},
        {"Sid": "PutReadinessMetrics", "Effect": "Allow", "Action": "cloudwatch:PutMetricData",
         "Resource": "*", "Condition": {"StringEquals": {"cloudwatch:namespace": namespace}}},
        {"Sid": "ReadRules", "Effect": "Allow",
         "Action": ["events:DescribeRule", "events:ListTargetsByRule"], "Resource": events_rules},
        {"Sid": "ReadMachines", "Effect": "Allow",
         "Action": ["states:ListExecutions", "states:DescribeStateMachine"], "Resource": machines},
        # last-drill / drill-recovery-time: the last drill's history (start to Step4_Verify)
        {"Sid": "ReadDrillHistory", "Effect": "Allow", "Action": "states:GetExecutionHistory",
         "Resource": state_machine_arn.replace(":stateMachine:", ":execution:", 1) + ":*"},
        {"Sid": "ReadApprovalSubscriptions", "Effect": "Allow", "Action": "sns:ListSubscriptionsByTopic",
         "Resource": topic_arn},
        {"Sid": "ReadReplicas", "Effect": "Allow",
         "Action": ["dynamodb:DescribeTable", "dynamodb:DescribeContinuousBackups"], "Resource": tables},
        {"Sid": "ReadHealthCheck", "Effect": "Allow",
         "Action": ["route53:GetHealthCheckStatus", "route53:GetHealthCheck"],
         "Resource": "arn:aws:route53:::healthcheck/*"},
        {"Sid": "ReadRecords", "Effect": "Allow", "Action": "route53:ListResourceRecordSets",
         "Resource": "arn:aws:route53:::hostedzone/*"},
        {"Sid": "ReadFunctions", "Effect": "Allow", "Action": "lambda:GetFunctionConfiguration",
         "Resource": functions},
        {"Sid": "ReadStepRoles", "Effect": "Allow", "Action": [
            "iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies"], "Resource": roles},
        {"Sid": "ReadAttachedPolicies", "Effect": "Allow",
         "Action": ["iam:GetPolicy", "iam:GetPolicyVersion"], "Resource": f"arn:aws:iam::{account}:policy/*"},
        {"Sid": "ReadDeadLetters", "Effect": "Allow",
         "Action": ["sqs:GetQueueUrl", "sqs:GetQueueAttributes"], "Resource": queues},
        *_page_and_reports_statements(s, account),
        {"Sid": "DescribeOnlyUnscopable", "Effect": "Allow", "Action": [
            "route53:ListHealthChecks", "route53:ListHostedZonesByName", "cloudwatch:DescribeAlarms",
            "cloudwatch:GetMetricStatistics", "ec2:DescribeLaunchTemplateVersions",
            "ec2:DescribeLaunchTemplates", "ec2:DescribeImages", "autoscaling:DescribeAutoScalingGroups",
            "autoscaling:DescribeWarmPool",
            "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeListeners",
            "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetHealth",
            "elasticloadbalancing:DescribeTags"],
         "Resource": "*"},
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class Readiness(pulumi.ComponentResource):
    """Scheduled readiness Lambda + metrics + alarm to the approval topic."""

    function_arn: pulumi.Output[str]
    function_name: pulumi.Output[str]
    alarm_arn: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ReadinessArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:readiness:Readiness", name, None, opts)
        s = args.checks
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs", name=f"/aws/lambda/{args.function_name}",
            retention_in_days=args.log_retention_days, tags=tags, opts=child)
        role = aws.iam.Role(
            f"{name}-role",
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Action": "sts:AssumeRole",
                "Principal": {"Service": "lambda.amazonaws.com"}}]}),
            tags=tags, opts=child)
        policy = pulumi.Output.all(
            pulumi.Output.from_input(args.state_machine_arn),
            pulumi.Output.from_input(args.approval_topic_arn),
            log_group.arn,
        ).apply(lambda v: policy_document(s, args.namespace, _account(str(v[1])), str(v[0]), str(v[1]),
                                          str(v[2])))
        role_policy = aws.iam.RolePolicy(f"{name}-policy", role=role.id, policy=policy, opts=child)

        env: dict[str, pulumi.Input[str]] = dict(to_env(s, args.namespace))
        if args.health_check_id is not None:
            env["HEALTH_CHECK_ID"] = args.health_check_id
        if args.golden_ami_id is not None:
            env["GOLDEN_AMI_ID"] = args.golden_ami_id
        if args.primary_ami_id is not None:
            env["PRIMARY_AMI_ID"] = args.primary_ami_id
        if args.expected_build is not None:
            env["EXPECTED_BUILD"] = args.expected_build
        code = pulumi.AssetArchive({f: pulumi.FileAsset(str(_ROOT / f)) for f in PACKAGED})
        function = aws.lambda_.Function(
            f"{name}-function", name=args.function_name, role=role.arn, runtime="python3.12",
            handler="failover.readiness.handler", code=code, timeout=args.timeout,
            memory_size=args.memory_size, environment={"variables": env}, tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group, role_policy]))
        schedule = aws.cloudwatch.EventRule(
            # EventBridge rule names stop at 64 characters; a function name may use all 64.
            f"{name}-schedule", name=schedule_rule_name(args.function_name),
            description="Run the DR readiness checks (drctl doctor) on a schedule",
            schedule_expression=args.schedule, tags=tags, opts=child)
        aws.lambda_.Permission(
            f"{name}-invoke", action="lambda:InvokeFunction", function=function.name,
            principal="events.amazonaws.com", source_arn=schedule.arn, opts=child)
        aws.cloudwatch.EventTarget(f"{name}-target", rule=schedule.name, arn=function.arn, opts=child)
        alarm = aws.cloudwatch.MetricAlarm(
            f"{name}-alarm", name="MegaTicket-DR-Readiness",
            alarm_description="A DR readiness check failed (run `drctl doctor --stack tokyo` for the "
                              "failing check and its fix), or the readiness Lambda stopped reporting.",
            namespace=args.namespace, metric_name="Ready", statistic="Minimum",
            period=args.alarm_period, evaluation_periods=1, threshold=1,
            comparison_operator="LessThanThreshold",
            # Missing data is not a failed check: a new alarm has no data until the first scheduled
            # run, and `breaching` paged the approvers the moment it was created. A Lambda that
            # stops reporting still notifies, through INSUFFICIENT_DATA (a transition from OK;
            # the creation state is no transition, so no message at deploy).
            treat_missing_data="missing",
            alarm_actions=[args.approval_topic_arn], ok_actions=[args.approval_topic_arn],
            insufficient_data_actions=[args.approval_topic_arn],
            tags=tags, opts=child)

        self.function_arn = function.arn
        self.function_name = function.name
        self.alarm_arn = alarm.arn
        self.role_arn = role.arn
        self.register_outputs({"function_arn": self.function_arn, "function_name": self.function_name,
                               "alarm_arn": self.alarm_arn, "role_arn": self.role_arn})
