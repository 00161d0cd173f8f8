"""Data (tables), network and the Golden AMI."""

from __future__ import annotations

import ipaddress

from failover.contract import (
    AMI_COPY_NAME_MAX,
    AMI_NAME,
    ATTRIBUTE_NAME,
    ENDPOINT_SHORT_NAME,
    TABLE_NAME,
    TABLE_PREFIX_MAX,
    TABLE_SUFFIXES,
    VPC_MAX_PREFIX,
    VPC_MIN_PREFIX,
)
from stack_config import shapes
from stack_config.errors import fail
from stack_config.model import AmiSettings, DataSettings, NetworkSettings, TableSpec
from stack_config.reader import Section
from stack_config.regions import known_regions
from stack_config.traffic import region

DEFAULT_INTERFACE_ENDPOINTS = ("bedrock-runtime", "ssm", "ssmmessages", "ec2messages", "sts")
_AMI_EXPECTED = 'an AMI id such as "ami-0abc1234def567890"'


def read_data(root: Section) -> DataSettings:
    prefix = root.name("tablePrefix", "KDT-Msp4-PLDR", TABLE_NAME, max_len=TABLE_PREFIX_MAX,
                       why=" (tables are <prefix>-<suffix>)")
    section = root.section("tables").only(*TABLE_SUFFIXES)
    tables = []
    for suffix in TABLE_SUFFIXES:
        spec = section.section(suffix).only("hashKey", "rangeKey")
        hash_key = spec.name("hashKey", "id", ATTRIBUTE_NAME)
        range_key = spec.optional_name("rangeKey", ATTRIBUTE_NAME)
        if range_key == hash_key:
            raise fail(spec.key("rangeKey"), f"an attribute other than hashKey ({hash_key}): DynamoDB "
                       "refuses a key schema naming one attribute twice", range_key)
        tables.append(TableSpec(suffix, hash_key, range_key))
    return DataSettings(prefix, tuple(tables))


def _cidr(net: Section, default: str) -> str:
    expected = (f"an IPv4 network from /{VPC_MIN_PREFIX} to /{VPC_MAX_PREFIX} with no host bits set, "
                "such as 10.20.0.0/16")
    value = net.text("cidr", default, shapes.IPV4_CIDR, expected)
    try:
        network = ipaddress.IPv4Network(value, strict=True)
    except ValueError:
        raise fail(net.key("cidr"), expected, value) from None
    if not VPC_MIN_PREFIX <= network.prefixlen <= VPC_MAX_PREFIX:
        raise fail(net.key("cidr"), expected, value)
    return value


def _endpoints(net: Section, nat_gateway: bool) -> tuple[str, ...]:
    names = net.name_list("interfaceEndpoints", ENDPOINT_SHORT_NAME)
    if names is None:
        # Without NAT, private subnets reach only DynamoDB (gateway endpoint): the app's Bedrock
        # calls, SSM access without SSH and the documents' `aws sts get-caller-identity` check
        # (section 6.4, which otherwise hangs) need interface endpoints.
        return () if nat_gateway else DEFAULT_INTERFACE_ENDPOINTS
    regions = known_regions()
    for name in names:
        # The component builds com.amazonaws.<region>.<name>: a full service name or a region
        # inside the short name would name a service that does not exist.
        if any(part in regions for part in name.split(".")):
            raise fail(net.key("interfaceEndpoints"), "short service names without a region, such as "
                       '"ssm" (the stack adds com.amazonaws.<region>.)', name)
        if name in ("dynamodb", "s3"):
            raise fail(net.key("interfaceEndpoints"), "interface endpoint short names other than "
                       "dynamodb and s3 (the network reaches DynamoDB through its gateway endpoint)",
                       name)
    return names


def read_network(root: Section, is_dr: bool, nat_gateway_default: bool = False) -> NetworkSettings:
    net = root.section("network").only("vpcId", "publicSubnetIds", "privateSubnetIds", "cidr",
                                       "natGateway", "interfaceEndpoints")
    nat_gateway = net.boolean("natGateway", nat_gateway_default)
    subnets = 'subnet ids ("subnet-" and 8 or 17 hex digits)'
    network = NetworkSettings(
        vpc_id=net.optional_text("vpcId", shapes.VPC_ID, 'a VPC id such as "vpc-0abc1234"'),
        public_subnet_ids=net.text_list("publicSubnetIds", shapes.SUBNET_ID, subnets),
        private_subnet_ids=net.text_list("privateSubnetIds", shapes.SUBNET_ID, subnets),
        cidr=_cidr(net, "10.20.0.0/16" if is_dr else "10.10.0.0/16"),
        nat_gateway=nat_gateway,
        interface_endpoints=_endpoints(net, nat_gateway),
    )
    if network.vpc_id:
        for name, ids in (("publicSubnetIds", network.public_subnet_ids),
                          ("privateSubnetIds", network.private_subnet_ids)):
            if len(ids) < 2:
                raise fail(net.key(name), "at least two subnet ids (two AZs) when vpcId is set", list(ids))
        shared = set(network.public_subnet_ids) & set(network.private_subnet_ids)
        if shared:
            raise fail(net.key("privateSubnetIds"), "subnets other than publicSubnetIds (the app tier "
                       "must not sit in a public subnet)", sorted(shared))
    elif network.public_subnet_ids or network.private_subnet_ids:
        raise fail(net.key("vpcId"), "set when subnet ids are given", None)
    return network


def read_ami(root: Section, is_dr: bool, primary_region: str) -> AmiSettings:
    ami = root.section("ami").only("id", "sourceId", "sourceRegion", "build", "name")
    existing = ami.optional_text("id", shapes.AMI_ID, _AMI_EXPECTED)
    # The DR stack copies the Golden AMI as `<name>-<source id>` unless `id` names one in place.
    copies = is_dr and existing is None
    settings = AmiSettings(
        id=existing,
        source_id=ami.optional_text("sourceId", shapes.AMI_ID, _AMI_EXPECTED),
        source_region=region(ami, "sourceRegion", primary_region),
        build=ami.optional_text("build", shapes.BUILD_LABEL,
                                "a build label of 1-64 letters, digits, . _ : + -"),
        name=ami.name("name", "MegaTicket-Golden-AMI-DR" if is_dr else "MegaTicket-Golden-AMI", AMI_NAME,
                      max_len=AMI_COPY_NAME_MAX if copies else None,
                      why=" (the copy is named <name>-<source AMI id>)" if copies else ""),
    )
    if not is_dr and not (settings.id or settings.build):
        # "The newest image whose name matches" floats: a test build would roll Seoul's launch
        # templates and Tokyo's copy on the next routine `pulumi up` (docs/day-two.md).
        raise fail(ami.key("build"), "the exact Build tag of the Golden AMI, or ami.id, in the primary "
                   "stack (so a new image is never picked up by a routine pulumi up)", None)
    return settings
