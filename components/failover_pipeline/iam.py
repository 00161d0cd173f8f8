"""IAM documents of the failover pipeline, as pure functions: names and ARNs in, JSON text out.

Every statement is scoped to the named resources of one region and account, except the few actions
AWS does not support resource-level permissions for (each says so).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

Statement = dict[str, Any]


def policy(statements: list[Statement]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def merged(docs: Sequence[str]) -> str:
    """One policy document holding every statement of `docs`."""
    return policy([s for d in docs for s in json.loads(d)["Statement"]])


def assume(service: str) -> str:
    return policy([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])


def allow(action: str | list[str], resource: str | list[str]) -> str:
    return policy([{"Effect": "Allow", "Action": action, "Resource": resource}])


def topic_key_policy(account: str, region: str, topic_arn: str) -> str:
    """Key policy of the approval topic's KMS key.

    The account statement delegates to IAM (the step roles get use of the key through their own
    policies, and the deployer keeps managing it). CloudWatch alarms (the readiness alarm) may
    encrypt for this topic only: data keys for its ARN (the encryption context SNS sets), on behalf
    of alarms in this account and region.
    """
    return policy(
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


def topic_key_use_statement(key_arn: str, region: str) -> Statement:
    """What a publisher to the encrypted topic needs on its key, and only through SNS."""
    return {
        "Effect": "Allow",
        "Action": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "Resource": key_arn,
        "Condition": {"StringEquals": {"kms:ViaService": f"sns.{region}.amazonaws.com"}},
    }


def dlq_policy(queue_arn: str, rule_arn: str) -> str:
    """Only EventBridge may send, and only on behalf of the one rule whose target this queue backs."""
    return policy(
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


def log_writer(log_group_arn: str) -> str:
    return policy(
        [
            {
                "Effect": "Allow",
                "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                "Resource": [f"{log_group_arn}:*"],
            }
        ]
    )


def state_machine_role(topic_arn: str, key_arn: str, function_arns: Sequence[str], region: str) -> str:
    """Invoke the pipeline's Lambdas (any version), publish to the topic, deliver logs and traces."""
    return policy(
        [
            {
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": [*function_arns, *[f"{x}:*" for x in function_arns]],
            },
            {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn},
            topic_key_use_statement(key_arn, region),
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


def approval_step(topic_arn: str, machine_arn: str, key_arn: str, region: str) -> str:
    """Step 0: publish the request, and list its own machine's executions (duplicate runs)."""
    return policy(
        [
            {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic_arn},
            {"Effect": "Allow", "Action": "states:ListExecutions", "Resource": machine_arn},
            topic_key_use_statement(key_arn, region),
        ]
    )


def executions_of(machine_arn: str) -> str:
    """The ARN pattern of a state machine's executions."""
    return machine_arn.replace(":stateMachine:", ":execution:", 1) + ":*"


def drill_stopper(machine_arn: str) -> str:
    """Step 0 of a real run stops running drills of its machine (it reads their input first)."""
    return policy(
        [{"Effect": "Allow", "Action": ["states:DescribeExecution", "states:StopExecution"],
          "Resource": executions_of(machine_arn)}]
    )


def drill_runner(region: str, account: str, machine_arn: str, template_id: str | None) -> str:
    """The failback Lambda's drill actions: snapshot the web template and put its versions back,
    and read a stopped drill's history (the snapshot) and other runs' inputs (a real run?)."""
    resource = f"arn:aws:ec2:{region}:{account}:launch-template/{template_id or '*'}"
    return policy(
        [
            {"Effect": "Allow", "Action": "ec2:DescribeLaunchTemplates", "Resource": "*"},
            {"Effect": "Allow", "Action": "ec2:DeleteLaunchTemplateVersions", "Resource": resource},
            {"Effect": "Allow", "Action": ["states:DescribeExecution", "states:GetExecutionHistory"],
             "Resource": executions_of(machine_arn)},
        ]
    )


def elb(region: str, account: str, nlb_name: str, target_group: str, create: bool) -> str:
    """Step 1 creates the NLB, its target group and listener (on-failover); failback deletes them."""
    base = f"arn:aws:elasticloadbalancing:{region}:{account}"
    resources = [
        f"{base}:loadbalancer/net/{nlb_name}/*",
        f"{base}:targetgroup/{target_group}/*",
        f"{base}:listener/net/{nlb_name}/*/*",
    ]
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
    return policy(
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
            {"Effect": "Allow", "Action": write, "Resource": resources},
        ]
    )


def launch_template(region: str, account: str, template_id: str | None) -> str:
    """Step 2 writes a new version of the web template (any template until its id is known)."""
    resource = f"arn:aws:ec2:{region}:{account}:launch-template/{template_id or '*'}"
    return policy(
        [
            {"Effect": "Allow", "Action": "ec2:DescribeLaunchTemplateVersions", "Resource": "*"},
            {
                "Effect": "Allow",
                "Resource": resource,
                "Action": ["ec2:CreateLaunchTemplateVersion", "ec2:ModifyLaunchTemplate"],
            },
        ]
    )


def scale(region: str, account: str, asg_names: Sequence[str], detach: bool) -> str:
    """Step 3 scales the two ASGs and attaches the NLB target group; failback detaches it."""
    groups = [
        f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/{n}"
        for n in asg_names
    ]
    attach = (
        "autoscaling:DetachLoadBalancerTargetGroups"
        if detach
        else "autoscaling:AttachLoadBalancerTargetGroups"
    )
    return policy(
        [
            {
                "Effect": "Allow",
                "Resource": "*",
                "Action": [
                    "autoscaling:DescribeAutoScalingGroups",
                    "elasticloadbalancing:DescribeTargetHealth",
                ],
            },
            {"Effect": "Allow", "Resource": groups, "Action": ["autoscaling:UpdateAutoScalingGroup", attach]},
        ]
    )


def lock_writer(namespace: str) -> str:
    """Put the failback lock metric, in the lock namespace only."""
    return policy(
        [
            {
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": namespace}},
            }
        ]
    )


def gate_writer(namespace: str, region: str, account: str, alarm_name: str) -> str:
    """Write the approval gate (fast profile): its metric, in the lock namespace only, and the
    state of its alarm alone (failover/gate.py sets the state when it writes the value)."""
    return policy(
        [
            {
                "Effect": "Allow",
                "Action": "cloudwatch:PutMetricData",
                "Resource": "*",
                "Condition": {"StringEquals": {"cloudwatch:namespace": namespace}},
            },
            {
                "Effect": "Allow",
                "Action": "cloudwatch:SetAlarmState",
                "Resource": f"arn:aws:cloudwatch:{region}:{account}:alarm:{alarm_name}",
            },
        ]
    )


def lock_reader(region: str, account: str, alarm_name: str) -> str:
    """Read the lock metric (no resource-level permissions) and its alarm."""
    return policy(
        [
            {"Effect": "Allow", "Action": "cloudwatch:GetMetricStatistics", "Resource": "*"},
            {
                "Effect": "Allow",
                "Action": "cloudwatch:DescribeAlarms",
                "Resource": f"arn:aws:cloudwatch:{region}:{account}:alarm:{alarm_name}",
            },
        ]
    )


def report_writer(machine_arn: str, alarm_region: str, account: str, alarm_name: str, bucket: str,
                  machine_name: str, prefix: str) -> str:
    """The report writer: read its machine's executions and the detection alarm's history, and put
    objects under that machine's prefix of the reports bucket (nothing else: no read, no delete)."""
    return policy(
        [
            {"Effect": "Allow", "Action": ["states:DescribeExecution", "states:GetExecutionHistory"],
             "Resource": executions_of(machine_arn)},
            {"Effect": "Allow", "Action": "cloudwatch:DescribeAlarmHistory",
             "Resource": f"arn:aws:cloudwatch:{alarm_region}:{account}:alarm:{alarm_name}"},
            {"Effect": "Allow", "Action": "s3:PutObject",
             "Resource": f"arn:aws:s3:::{bucket}/{prefix}{machine_name}/*"},
        ]
    )


def tls_only_bucket(bucket_arn: str) -> str:
    """Refuse every request to the bucket that does not use TLS."""
    return policy([{"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                    "Resource": [bucket_arn, f"{bucket_arn}/*"],
                    "Condition": {"Bool": {"aws:SecureTransport": "false"}}}])

