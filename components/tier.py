"""One tier (web or app): its security group, launch template and Auto Scaling group.

- The launch template requires IMDSv2 with a hop limit of 1 (PM2 runs node on the host, no
  containers need a second hop, and a forwarded request cannot reach the credentials), encrypts
  the root volume (gp3), attaches the instance profile, tags instances and volumes, and makes
  every new version the default.
- The group always launches `$Latest`, never a number: the 001 section 3.4 incident was a Lambda
  pinned to version 2 while the placeholder lived in version 7.
- In the pilot light (`pilot_light`), the group idles at min 0 / desired 0 and Pulumi ignores
  later changes to desiredCapacity: the failover pipeline owns it, so a `pulumi up` after a
  failover never scales the serving fleet back to zero. A pilot-light tier without target groups
  (the app tier when the pipeline creates the NLB) also ignores targetGroupArns, which the
  pipeline attaches.
- `nlb_mode_marker` tags the launch template `megaticket-dr:nlbMode=<mode>`; the policy pack reads
  it to accept NLB_DNS_PLACEHOLDER in the user data of an on-failover web template.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from failover import facts
from failover.contract import (
    NLB_DNS_PLACEHOLDER,
    NLB_MODE_TAG,
    NLB_MODES,
    NLB_ON_FAILOVER,
    RECOVERY_PROFILE_TAG,
)
from failover.contract import TIER_ROLES as ROLES
from stack_config import Capacity

_DEVICE = re.compile(r"/dev/[a-z0-9]+")
METADATA_HOP_LIMIT = 1


@dataclass(frozen=True)
class TierArgs:
    role: str
    launch_template_name: str
    asg_name: str
    image_id: pulumi.Input[str]
    instance_type: str
    user_data: pulumi.Input[str]  # plain text; the component base64-encodes it
    instance_profile_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    port: int
    capacity: Capacity
    ingress_security_group_id: Optional[pulumi.Input[str]] = None
    ingress_cidr: Optional[pulumi.Input[str]] = None
    target_group_arns: Sequence[pulumi.Input[str]] = ()
    pilot_light: bool = False
    health_check_grace_seconds: int = 300
    nlb_mode_marker: Optional[str] = None
    # A stopped warm pool of this many instances (the tier's failoverCapacity max), or none.
    warm_pool_size: Optional[int] = None
    recovery_profile: Optional[str] = None  # tagged on the ASG for the policy pack
    root_device_name: str = "/dev/xvda"  # Amazon Linux, which the Golden AMI (ec2-user, nvm) is
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Names, ports and sizes come checked from stack_config; these are the invariants a
        # programmatic caller could still break.
        if self.role not in ROLES:
            raise ValueError(f'role must be "web" or "app" (got {self.role!r})')
        if (self.ingress_security_group_id is None) == (self.ingress_cidr is None):
            raise ValueError("exactly one of ingress_security_group_id (web: the ALB's group) and "
                             "ingress_cidr (app: the VPC CIDR) must be set")
        c = self.capacity
        if not isinstance(c, Capacity) or not 0 <= c.min <= c.desired <= c.max or c.max < 1:
            raise ValueError(f"capacity must satisfy 0 <= min <= desired <= max, max >= 1 (got {c!r})")
        if self.pilot_light and (c.min or c.desired):
            raise ValueError(f"capacity of a pilot-light tier must idle at min 0 and desired 0 "
                             f"(got min {c.min}, desired {c.desired})")
        if self.nlb_mode_marker is not None and self.nlb_mode_marker not in NLB_MODES:
            raise ValueError(f'nlb_mode_marker must be "standby", "on-failover" or None '
                             f"(got {self.nlb_mode_marker!r})")
        if isinstance(self.user_data, str) and NLB_DNS_PLACEHOLDER in self.user_data \
                and self.nlb_mode_marker != NLB_ON_FAILOVER:
            raise ValueError(f"user_data holds {NLB_DNS_PLACEHOLDER} but nlb_mode_marker is not "
                             f'"on-failover": nothing would ever replace it')
        if self.warm_pool_size is not None and not (
                isinstance(self.warm_pool_size, int) and 1 <= self.warm_pool_size):
            raise ValueError(f"warm_pool_size must be an integer >= 1 or None (got {self.warm_pool_size!r})")
        if not isinstance(self.root_device_name, str) or not _DEVICE.fullmatch(self.root_device_name):
            raise ValueError(f"root_device_name must be a device such as /dev/xvda "
                             f"(got {self.root_device_name!r})")


def warm_pool_configuration(size: int) -> dict[str, Any]:
    """The warm pool of a DR tier (failover/facts.py WarmPoolShape, which the doctor checks): `size`
    instances kept Stopped (only their volumes bill). The prepared capacity is explicit, so the pool
    stays when failback sets the group's max to 0; no minimum, so a failover draws the pool down
    instead of launching replacements into it; scale-in returns instances to the pool
    (reuseOnScaleIn) rather than terminating them."""
    shape = facts.warm_pool_shape(size)
    return {"pool_state": shape.pool_state,
            "max_group_prepared_capacity": shape.max_group_prepared_capacity,
            "min_size": shape.min_size,
            "instance_reuse_policy": {"reuse_on_scale_in": shape.reuse_on_scale_in}}


def encode_user_data(text: str) -> str:
    """Launch templates take base64 user data (EC2 requires it)."""
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


class Tier(pulumi.ComponentResource):
    launch_template_id: pulumi.Output[str]
    launch_template_name: pulumi.Output[str]
    asg_name: pulumi.Output[str]
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: TierArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:compute:Tier", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        label = args.asg_name.removesuffix("-ASG")
        sg_name = f"{label}-SG"
        # Auto-named (Name tag for people): a replacement must not collide with the group it replaces.
        sg = aws.ec2.SecurityGroup(
            f"{name}-sg", vpc_id=args.vpc_id,
            description=f"{args.role} instances: port {args.port} from "
                        f"{'the ALB only' if args.ingress_security_group_id is not None else 'the VPC'}",
            tags={**tags, "Name": sg_name}, opts=child)
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-in", security_group_id=sg.id, ip_protocol="tcp", from_port=args.port,
            to_port=args.port, referenced_security_group_id=args.ingress_security_group_id,
            cidr_ipv4=args.ingress_cidr,
            description=f"{args.role} port {args.port}", opts=child)
        # Outbound is open: instances sit in private subnets (no NAT by default), so routing, not
        # this rule, bounds what they reach; the web tier must reach the NLB, the app AWS APIs.
        aws.vpc.SecurityGroupEgressRule(
            f"{name}-out", security_group_id=sg.id, ip_protocol="-1", cidr_ipv4="0.0.0.0/0",
            description="outbound", opts=child)
        instance_tags = {**tags, "Name": label, "Tier": args.role}
        template_tags = {**tags, "Name": args.launch_template_name, "Tier": args.role}
        if args.nlb_mode_marker is not None:
            template_tags[NLB_MODE_TAG] = args.nlb_mode_marker
        template = aws.ec2.LaunchTemplate(
            f"{name}-lt", name=args.launch_template_name, image_id=args.image_id,
            instance_type=args.instance_type,
            user_data=pulumi.Output.from_input(args.user_data).apply(encode_user_data),
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(
                arn=args.instance_profile_arn),
            vpc_security_group_ids=[sg.id],
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required",
                http_put_response_hop_limit=METADATA_HOP_LIMIT, instance_metadata_tags="disabled"),
            block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name=args.root_device_name,
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    encrypted="true", volume_type="gp3", delete_on_termination="true"))],
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(resource_type=kind, tags=instance_tags)
                for kind in ("instance", "volume")],
            update_default_version=True,
            tags=template_tags, opts=child)
        # A pilot light's sizes belong to the pipeline once created: step 3 raises min, desired
        # and max to the failover capacity and failback sets them back, so an up during a
        # failover (min 0) or after failback (max) must not reset them.
        ignore = ["minSize", "maxSize", "desiredCapacity"] if args.pilot_light else []
        if args.pilot_light and not args.target_group_arns:
            ignore.append("targetGroupArns")
        group = aws.autoscaling.Group(
            f"{name}-asg", name=args.asg_name,
            min_size=args.capacity.min, max_size=args.capacity.max,
            desired_capacity=args.capacity.desired,
            vpc_zone_identifiers=args.subnet_ids,
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(id=template.id, version="$Latest"),
            health_check_type="ELB", health_check_grace_period=args.health_check_grace_seconds,
            target_group_arns=list(args.target_group_arns) or None,
            warm_pool=None if args.warm_pool_size is None else aws.autoscaling.GroupWarmPoolArgs(
                **warm_pool_configuration(args.warm_pool_size)),
            tags=[aws.autoscaling.GroupTagArgs(key=k, value=v, propagate_at_launch=False)
                  for k, v in {**tags, "Name": args.asg_name, "Tier": args.role,
                               **({RECOVERY_PROFILE_TAG: args.recovery_profile}
                                  if args.recovery_profile else {})}.items()],
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=ignore or None))
        self.launch_template_id = template.id
        self.launch_template_name = template.name
        self.asg_name = group.name
        self.security_group_id = sg.id
        self.register_outputs({"launch_template_id": self.launch_template_id,
                               "launch_template_name": self.launch_template_name,
                               "asg_name": self.asg_name, "security_group_id": self.security_group_id})
