"""The approval topic: SNS topic under its own KMS key, with an email and an SMS channel.

Not alias/aws/sns: that AWS-managed key's policy cannot be changed and does not let CloudWatch
alarms use it, so the readiness alarm's notifications to this topic would fail (alarm history:
"CloudWatch Alarms does not have authorization to access the SNS topic encryption key"). A
customer-managed key keeps the topic encrypted and names who may use it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.failover_pipeline import iam
from failover.contract import topic_key_alias


@dataclass(frozen=True)
class ApprovalTopicArgs:
    topic_name: str
    region: str
    account: pulumi.Input[str]
    emails: Sequence[str] = ()
    sms: Sequence[str] = ()
    # Children keep the names they had as direct children of the pipeline (`<prefix>-approval-topic`),
    # so `moved_from` (that parent) lets Pulumi adopt the deployed ones instead of replacing them.
    prefix: str = "failover"
    moved_from: Optional[pulumi.Resource] = None
    tags: Mapping[str, str] = field(default_factory=dict)


class ApprovalTopic(pulumi.ComponentResource):
    topic_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ApprovalTopicArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("megaticket-dr:failover:ApprovalTopic", name, None, opts)
        child = child_options(self, args.moved_from)
        p, region = args.prefix, args.region
        topic_arn_by_name = pulumi.Output.from_input(args.account).apply(
            lambda a: f"arn:aws:sns:{region}:{a}:{args.topic_name}"
        )
        key = aws.kms.Key(
            f"{p}-approval-topic-key",
            description=f"SNS topic {args.topic_name}: approval requests and readiness alarms",
            enable_key_rotation=True,
            deletion_window_in_days=30,
            policy=pulumi.Output.all(args.account, topic_arn_by_name).apply(
                lambda a: iam.topic_key_policy(account=a[0], region=region, topic_arn=a[1])
            ),
            tags=dict(args.tags),
            # Protected: deleting it makes every message encrypted under it unreadable.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=True)),
        )
        aws.kms.Alias(
            f"{p}-approval-topic-key-alias",
            name=topic_key_alias(args.topic_name),
            target_key_id=key.key_id,
            opts=child,
        )
        topic = aws.sns.Topic(
            f"{p}-approval-topic",
            name=args.topic_name,
            kms_master_key_id=key.arn,
            tags=dict(args.tags),
            opts=child,
        )
        for i, email in enumerate(args.emails):
            aws.sns.TopicSubscription(
                f"{p}-approver-email-{i}", topic=topic.arn, protocol="email", endpoint=email, opts=child
            )
        for i, number in enumerate(args.sms):
            aws.sns.TopicSubscription(
                f"{p}-approver-sms-{i}", topic=topic.arn, protocol="sms", endpoint=number, opts=child
            )
        self.topic_arn = topic.arn
        self.key_arn = key.arn
        self.register_outputs({"topic_arn": self.topic_arn, "key_arn": self.key_arn})


def child_options(
    parent: pulumi.Resource, moved_from: Optional[pulumi.Resource], **extra: object
) -> pulumi.ResourceOptions:
    """Options of a child that used to be parented to `moved_from` (same name and type)."""
    aliases = [pulumi.Alias(parent=moved_from)] if moved_from is not None else None
    return pulumi.ResourceOptions(parent=parent, aliases=aliases, **extra)  # type: ignore[arg-type]
