"""The internal Network Load Balancer the web tier reaches the app tier through (INTERNAL_API_URL).

Declared by Pulumi in NLB mode `standby`; in mode `on-failover` the failover pipeline's step 1
creates the same shape (failover/nlb.py), so the two stay alike: TCP listener on the app port,
target group `<nlb name>-TG` (TCP, instance targets) with an HTTP health check on `/api/health`,
no security group (the app tier's group admits the port from the VPC CIDR). Cross-zone load
balancing is on: a pilot light scales to one app instance, and without cross-zone the NLB node in
the other AZ would answer with no healthy target for half of the DNS answers.

Day two (as for the ALB): the declared target group is named from a prefix (Name tag
`<nlb name>-TG`), so a new app port or VPC replaces it without a name collision; its real name is
an output, which the pipeline's step 1 looks up (`NLB_TARGET_GROUP_NAME`). The NLB keeps its
documented name, which the pipeline and doctor look up, and is replaced delete-first (new
subnets, e.g. another VPC, force a new NLB).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from failover.contract import TARGET_GROUP_PREFIX, target_group_name


@dataclass(frozen=True)
class AppNlbArgs:
    """Name, port and path come checked from stack_config (the component trusts them)."""

    nlb_name: str
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    port: int = 3001
    health_path: str = "/api/health"
    tags: Mapping[str, str] = field(default_factory=dict)


class AppNlb(pulumi.ComponentResource):
    dns_name: pulumi.Output[str]
    arn: pulumi.Output[str]
    target_group_arn: pulumi.Output[str]
    target_group_name: pulumi.Output[str]

    def __init__(self, name: str, args: AppNlbArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:traffic:AppNlb", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        nlb = aws.lb.LoadBalancer(
            f"{name}-nlb", name=args.nlb_name, load_balancer_type="network", internal=True,
            subnets=args.subnet_ids, enable_cross_zone_load_balancing=True,
            tags={**tags, "Name": args.nlb_name},
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True))
        tg_name = target_group_name(args.nlb_name)
        tg = aws.lb.TargetGroup(
            f"{name}-tg", name_prefix=TARGET_GROUP_PREFIX["app"], port=args.port, protocol="TCP",
            target_type="instance",
            vpc_id=args.vpc_id, deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, protocol="HTTP", path=args.health_path, port="traffic-port",
                matcher="200", interval=10, healthy_threshold=2, unhealthy_threshold=2),
            tags={**tags, "Name": tg_name}, opts=child)
        aws.lb.Listener(
            f"{name}-tcp", load_balancer_arn=nlb.arn, port=args.port, protocol="TCP",
            default_actions=[aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=tg.arn)],
            tags=tags, opts=child)
        self.dns_name = nlb.dns_name
        self.arn = nlb.arn
        self.target_group_arn = tg.arn
        self.target_group_name = tg.name
        self.register_outputs({"dns_name": self.dns_name, "arn": self.arn,
                               "target_group_arn": self.target_group_arn,
                               "target_group_name": self.target_group_name})
