"""The VPC the tiers run in: an existing one, or two AZs of public and private subnets.

A new network has no NAT gateway by default (the documents' cost point: a pilot light idles, and
a NAT gateway bills by the hour). The app tier reaches DynamoDB through a gateway endpoint on
the private route table instead, which is free. The Golden AMI needs no package downloads at
boot. What a private subnet without NAT cannot reach are other AWS APIs over the internet (Bedrock,
SSM, STS): set `nat_gateway=True`, or list them in `interface_endpoints` (e.g. "bedrock-runtime",
"ssm", "ssmmessages", "ec2messages", "sts"), which cost per endpoint-hour too.

With `vpc_id` set nothing is created: the given subnets are used and the CIDR is looked up.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

AZ_COUNT = 2


@dataclass(frozen=True)
class NetworkArgs:
    name_prefix: str
    cidr: str
    vpc_id: Optional[str] = None
    public_subnet_ids: Sequence[str] = ()
    private_subnet_ids: Sequence[str] = ()
    nat_gateway: bool = False
    interface_endpoints: Sequence[str] = ()
    region: Optional[str] = None  # the provider's region; looked up when not given
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Ids, the CIDR and endpoint names come checked from stack_config; what is left are the
        # invariants a programmatic caller could break.
        if self.vpc_id is not None:
            for label, ids in (("public_subnet_ids", self.public_subnet_ids),
                               ("private_subnet_ids", self.private_subnet_ids)):
                if len(ids) < AZ_COUNT:
                    raise ValueError(f"{label} must be at least {AZ_COUNT} subnet ids when vpc_id is set "
                                     f"(got {list(ids)!r})")
        elif self.public_subnet_ids or self.private_subnet_ids:
            raise ValueError("public_subnet_ids and private_subnet_ids need vpc_id (got subnets "
                             "without a VPC)")

    def subnet_cidrs(self) -> tuple[list[str], list[str]]:
        """Public then private CIDRs: the first four /(prefix+2) blocks of `cidr`."""
        blocks = list(ipaddress.ip_network(self.cidr).subnets(prefixlen_diff=2))
        return [str(b) for b in blocks[:AZ_COUNT]], [str(b) for b in blocks[AZ_COUNT:2 * AZ_COUNT]]


class Network(pulumi.ComponentResource):
    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    public_subnet_ids: pulumi.Output[list[str]]
    private_subnet_ids: pulumi.Output[list[str]]

    def __init__(self, name: str, args: NetworkArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:network:Network", name, None, opts)
        if args.vpc_id is not None:
            self._existing(args)
        else:
            self._create(name, args)
        self.register_outputs({"vpc_id": self.vpc_id, "vpc_cidr": self.vpc_cidr,
                               "public_subnet_ids": self.public_subnet_ids,
                               "private_subnet_ids": self.private_subnet_ids})

    def _existing(self, args: NetworkArgs) -> None:
        vpc = aws.ec2.get_vpc_output(id=args.vpc_id, opts=pulumi.InvokeOutputOptions(parent=self))
        self.vpc_id = pulumi.Output.from_input(str(args.vpc_id))
        self.vpc_cidr = vpc.cidr_block
        self.public_subnet_ids = pulumi.Output.from_input(list(args.public_subnet_ids))
        self.private_subnet_ids = pulumi.Output.from_input(list(args.private_subnet_ids))

    def _create(self, name: str, args: NetworkArgs) -> None:
        child = pulumi.ResourceOptions(parent=self)
        prefix = args.name_prefix

        def tags(label: str) -> dict[str, str]:
            return {**dict(args.tags), "Name": f"{prefix}-{label}"}

        vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=args.cidr, enable_dns_support=True,
                          enable_dns_hostnames=True, tags=tags("VPC"), opts=child)
        # Regular AZs only: Local Zones and Wavelength Zones (opt-in, zone type other than
        # availability-zone) lack most services here (NLB, interface endpoints, some instance types).
        zones = aws.get_availability_zones_output(
            state="available",
            filters=[aws.GetAvailabilityZonesFilterArgs(name="opt-in-status", values=["opt-in-not-required"]),
                     aws.GetAvailabilityZonesFilterArgs(name="zone-type", values=["availability-zone"])],
            opts=pulumi.InvokeOutputOptions(parent=self))
        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=vpc.id, tags=tags("IGW"), opts=child)
        public_rt = aws.ec2.RouteTable(f"{name}-public-rt", vpc_id=vpc.id, tags=tags("Public-RT"),
                                       opts=child)
        aws.ec2.Route(f"{name}-public-default", route_table_id=public_rt.id,
                      destination_cidr_block="0.0.0.0/0", gateway_id=igw.id, opts=child)
        private_rt = aws.ec2.RouteTable(f"{name}-private-rt", vpc_id=vpc.id, tags=tags("Private-RT"),
                                        opts=child)
        public_cidrs, private_cidrs = args.subnet_cidrs()
        public: list[aws.ec2.Subnet] = []
        private: list[aws.ec2.Subnet] = []
        for index in range(AZ_COUNT):
            az = zones.names[index]
            letter = "ab"[index]
            public.append(aws.ec2.Subnet(
                f"{name}-public-{letter}", vpc_id=vpc.id, cidr_block=public_cidrs[index],
                availability_zone=az, map_public_ip_on_launch=False,  # only load balancers live here
                tags=tags(f"Public-{letter.upper()}"), opts=child))
            private.append(aws.ec2.Subnet(
                f"{name}-private-{letter}", vpc_id=vpc.id, cidr_block=private_cidrs[index],
                availability_zone=az, map_public_ip_on_launch=False,
                tags=tags(f"Private-{letter.upper()}"), opts=child))
            aws.ec2.RouteTableAssociation(f"{name}-public-{letter}-rt", subnet_id=public[-1].id,
                                          route_table_id=public_rt.id, opts=child)
            aws.ec2.RouteTableAssociation(f"{name}-private-{letter}-rt", subnet_id=private[-1].id,
                                          route_table_id=private_rt.id, opts=child)
        if args.nat_gateway:
            eip = aws.ec2.Eip(f"{name}-nat-eip", domain="vpc", tags=tags("NAT-EIP"), opts=child)
            nat = aws.ec2.NatGateway(f"{name}-nat", allocation_id=eip.id, subnet_id=public[0].id,
                                     tags=tags("NAT"), opts=pulumi.ResourceOptions(
                                         parent=self, depends_on=[igw]))
            aws.ec2.Route(f"{name}-private-default", route_table_id=private_rt.id,
                          destination_cidr_block="0.0.0.0/0", nat_gateway_id=nat.id, opts=child)
        region: pulumi.Input[str] = args.region or aws.get_region_output(
            opts=pulumi.InvokeOutputOptions(parent=self)).region
        aws.ec2.VpcEndpoint(
            f"{name}-dynamodb", vpc_id=vpc.id, vpc_endpoint_type="Gateway",
            service_name=pulumi.Output.concat("com.amazonaws.", region, ".dynamodb"),
            route_table_ids=[private_rt.id], tags=tags("DynamoDB-Endpoint"), opts=child)
        if args.interface_endpoints:
            endpoint_sg = aws.ec2.SecurityGroup(
                f"{name}-endpoints-sg", vpc_id=vpc.id,
                description="HTTPS from inside the VPC to interface endpoints",
                tags=tags("Endpoints-SG"), opts=child)
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-endpoints-https", security_group_id=endpoint_sg.id, ip_protocol="tcp",
                from_port=443, to_port=443, cidr_ipv4=vpc.cidr_block,
                description="HTTPS from the VPC", opts=child)
            for service in args.interface_endpoints:
                aws.ec2.VpcEndpoint(
                    f"{name}-{service}", vpc_id=vpc.id, vpc_endpoint_type="Interface",
                    service_name=pulumi.Output.concat("com.amazonaws.", region, ".", service),
                    private_dns_enabled=True, subnet_ids=[s.id for s in private],
                    security_group_ids=[endpoint_sg.id], tags=tags(f"{service}-Endpoint"), opts=child)
        self.vpc_id = vpc.id
        self.vpc_cidr = vpc.cidr_block
        self.public_subnet_ids = pulumi.Output.all(*[s.id for s in public]).apply(list)
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in private]).apply(list)
