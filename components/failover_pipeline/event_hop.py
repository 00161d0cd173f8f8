"""One hop of the event path, used for both: us-east-1 alarm rule -> Tokyo bus, Tokyo rule -> machine.

A rule on a bus (None: the default bus) whose target is reached through a role allowed one action on
that target only. Events the target still refuses after the retries go to a dead-letter queue
`<rule name>-dlq` in the rule's region (EventBridge requires that; `opts` carries the region's
provider); with `alarm_topic_arn` (which must be in that region too, alarm actions are regional) an
alarm reports any message in it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.failover_pipeline import iam
from components.failover_pipeline.approval_topic import child_options
from failover.contract import SQS_MAX_RETENTION_SECONDS, dlq_alarm_name, dlq_name, role_name


@dataclass(frozen=True)
class EventHopArgs:
    rule_name: str
    pattern: str
    description: str
    action: str  # the one IAM action the target role gets, on the target only
    target_id: str
    target_arn: pulumi.Input[str]
    rule_key: str  # child names: `<prefix>-<rule_key>-rule`, `-dlq`, `-target`
    role_key: str  # child names: `<prefix>-<role_key>-role`, `-policy`
    bus_name: Optional[pulumi.Input[str]] = None
    retry_policy: Optional[aws.cloudwatch.EventTargetRetryPolicyArgsDict] = None
    alarm_topic_arn: Optional[pulumi.Input[str]] = None
    prefix: str = "failover"
    moved_from: Optional[pulumi.Resource] = None  # see ApprovalTopicArgs.moved_from
    tags: Mapping[str, str] = field(default_factory=dict)


class EventHop(pulumi.ComponentResource):
    rule_arn: pulumi.Output[str]
    dead_letter_queue_arn: pulumi.Output[str]

    def __init__(self, name: str, args: EventHopArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("megaticket-dr:failover:EventHop", name, None, opts)
        child = child_options(self, args.moved_from)
        p, tags = args.prefix, dict(args.tags)
        rule = aws.cloudwatch.EventRule(
            f"{p}-{args.rule_key}-rule",
            name=args.rule_name,
            event_bus_name=args.bus_name,
            event_pattern=args.pattern,
            description=args.description,
            tags=tags,
            opts=child,
        )
        role = aws.iam.Role(
            f"{p}-{args.role_key}-role",
            name=role_name(args.rule_name),
            assume_role_policy=iam.assume("events.amazonaws.com"),
            tags=tags,
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{p}-{args.role_key}-policy",
            role=role.id,
            policy=pulumi.Output.from_input(args.target_arn).apply(lambda arn: iam.allow(args.action, arn)),
            opts=child,
        )
        queue_name = dlq_name(args.rule_name)
        dlq = aws.sqs.Queue(
            f"{p}-{args.rule_key}-dlq",
            name=queue_name,
            sqs_managed_sse_enabled=True,
            message_retention_seconds=SQS_MAX_RETENTION_SECONDS,
            tags=tags,
            opts=child,
        )
        aws.sqs.QueuePolicy(
            f"{p}-{args.rule_key}-dlq-policy",
            queue_url=dlq.id,
            policy=pulumi.Output.all(dlq.arn, rule.arn).apply(lambda a: iam.dlq_policy(a[0], a[1])),
            opts=child,
        )
        aws.cloudwatch.EventTarget(
            f"{p}-{args.rule_key}-target",
            rule=rule.name,
            event_bus_name=args.bus_name,
            target_id=args.target_id,
            arn=args.target_arn,
            role_arn=role.arn,
            retry_policy=args.retry_policy,
            dead_letter_config={"arn": dlq.arn},
            opts=child,
        )
        if args.alarm_topic_arn is not None:
            aws.cloudwatch.MetricAlarm(
                f"{p}-{args.rule_key}-dlq-alarm",
                name=dlq_alarm_name(queue_name),
                alarm_description=(
                    f"EventBridge rule {args.rule_name} could not deliver an event to its target after "
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
                alarm_actions=[args.alarm_topic_arn],
                tags=tags,
                opts=child,
            )
        self.rule_arn = rule.arn
        self.dead_letter_queue_arn = dlq.arn
        self.register_outputs(
            {"rule_arn": self.rule_arn, "dead_letter_queue_arn": self.dead_letter_queue_arn}
        )
