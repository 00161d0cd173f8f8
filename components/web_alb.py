"""The public Application Load Balancer in front of the web tier (the site users reach).

HTTP 80 forwards to the web target group, or redirects to HTTPS 443 when a certificate is
configured. The target group health check is `/api/health` expecting exactly 200, so the 307
redirect failure of 001 section 6.1 shows up as unhealthy instead of passing. The security group
admits 80 from anywhere, and 443 only when a certificate gives it a listener: users and Route53's
health checkers (which have no fixed small range) must reach it.

Day two: the target group is named by AWS from a short prefix (`TARGET_GROUP_PREFIX`; the
documents' `<lb name>-TG` stays its Name tag). Its port, protocol and VPC force a replacement,
which creates the new group before deleting the old one: a fixed name would collide ("already
exists"). The load balancer keeps its documented name and is replaced create-first: only a new
`alb.name` replaces it (`internal` and the type are fixed here), so the names never collide, and
Seoul keeps serving until the new ALB and the records pointing at it exist; delete-first would
leave the PRIMARY record aliasing a deleted ALB for minutes. With deletion protection on, the
day-two guard (day_two.py) refuses the rename, since the old ALB could not be deleted. An ALB
cannot move to another VPC in place (docs/day-two.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from failover.contract import TARGET_GROUP_PREFIX, target_group_name
from failover.facts import public_listeners

TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


@dataclass(frozen=True)
class WebAlbArgs:
    """Names, port, path and certificate come checked from stack_config (the component trusts them)."""

    alb_name: str
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    port: int = 3000
    health_path: str = "/api/health"
    certificate_arn: Optional[str] = None
    deletion_protection: bool = True
    target_health_interval: int = 15  # seconds between target health checks (recovery profile)
    tags: Mapping[str, str] = field(default_factory=dict)


class WebAlb(pulumi.ComponentResource):
    dns_name: pulumi.Output[str]
    zone_id: pulumi.Output[str]
    arn: pulumi.Output[str]
    arn_suffix: pulumi.Output[str]
    target_group_arn: pulumi.Output[str]
    target_group_name: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: WebAlbArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:traffic:WebAlb", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        # Auto-named (Name tag for people): a replacement must not collide with the group it replaces.
        sg = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.vpc_id,
            description=f"{args.alb_name}: HTTP/HTTPS from the internet and Route53 health checkers",
            tags={**tags, "Name": f"{args.alb_name}-SG"}, opts=child)
        # 443 only with the HTTPS listener: an open port nothing listens on is just exposure.
        for port in (80, 443) if args.certificate_arn else (80,):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-in-{port}", security_group_id=sg.id, ip_protocol="tcp", from_port=port,
                to_port=port, cidr_ipv4="0.0.0.0/0", description=f"port {port} from anywhere",
                opts=child)
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-out-targets", security_group_id=sg.id, ip_protocol="tcp", from_port=args.port,
            to_port=args.port, cidr_ipv4="0.0.0.0/0",
            description=f"to the web targets on {args.port} (their own group admits only this ALB)",
            opts=child)
        alb = aws.lb.LoadBalancer(
            f"{name}-alb", name=args.alb_name, load_balancer_type="application", internal=False,
            security_groups=[sg.id], subnets=args.subnet_ids, drop_invalid_header_fields=True,
            enable_deletion_protection=args.deletion_protection, tags={**tags, "Name": args.alb_name},
            opts=child)
        tg_name = target_group_name(args.alb_name)
        tg = aws.lb.TargetGroup(
            f"{name}-tg", name_prefix=TARGET_GROUP_PREFIX["web"], port=args.port, protocol="HTTP",
            target_type="instance",
            vpc_id=args.vpc_id, deregistration_delay=30,
            health_check=aws.lb.TargetGroupHealthCheckArgs(
                enabled=True, path=args.health_path, protocol="HTTP", port="traffic-port",
                matcher="200", interval=args.target_health_interval, timeout=5, healthy_threshold=2,
                unhealthy_threshold=3),
            tags={**tags, "Name": tg_name}, opts=child)
        # The layout is failover/facts.py's, which the doctor checks the deployed listeners against.
        for listener in public_listeners(args.certificate_arn is not None):
            if listener.action == "redirect":
                action = aws.lb.ListenerDefaultActionArgs(
                    type="redirect", redirect=aws.lb.ListenerDefaultActionRedirectArgs(
                        port=listener.redirect_port, protocol=listener.redirect_protocol,
                        status_code="HTTP_301"))
            else:
                action = aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=tg.arn)
            https = listener.protocol == "HTTPS"
            aws.lb.Listener(
                f"{name}-{listener.protocol.lower()}", load_balancer_arn=alb.arn, port=listener.port,
                protocol=listener.protocol, certificate_arn=args.certificate_arn if https else None,
                ssl_policy=TLS_POLICY if https else None, default_actions=[action], tags=tags,
                opts=child)
        self.dns_name = alb.dns_name
        self.zone_id = alb.zone_id
        self.arn = alb.arn
        self.arn_suffix = alb.arn_suffix
        self.target_group_arn = tg.arn
        self.target_group_name = tg.name
        self.security_group_id = sg.id
        self.register_outputs({"dns_name": self.dns_name, "zone_id": self.zone_id, "arn": self.arn,
                               "arn_suffix": self.arn_suffix, "target_group_arn": self.target_group_arn,
                               "target_group_name": self.target_group_name,
                               "security_group_id": self.security_group_id})
