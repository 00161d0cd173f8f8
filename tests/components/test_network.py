"""Network: a new two-AZ VPC without NAT (DynamoDB through a gateway endpoint), or an existing one."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.network import Network, NetworkArgs
from offline_preview.engine import UNKNOWN, ProgramRun
from tests.conftest import run_component

SUBNET = "aws:ec2/subnet:Subnet"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ROUTE = "aws:ec2/route:Route"


def _run(preview: bool, **overrides: Any) -> ProgramRun:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        args = NetworkArgs(**{"name_prefix": "MegaTicket-DR", "cidr": "10.20.0.0/16",
                              "region": "ap-northeast-1", "tags": {"Project": "MegaTicket"},
                              **overrides})
        net = Network("network", args, pulumi.ResourceOptions(provider=tokyo))
        pulumi.export("vpc_id", net.vpc_id)
        pulumi.export("vpc_cidr", net.vpc_cidr)
        pulumi.export("public", net.public_subnet_ids)
        pulumi.export("private", net.private_subnet_ids)
    return run_component(body, preview)


def test_new_network_has_public_and_private_subnets_in_two_azs(preview: bool) -> None:
    run = _run(preview)
    component = run.one("megaticket-dr:network:Network", "network")
    vpc = run.one("aws:ec2/vpc:Vpc", "network-vpc")
    assert vpc.inputs["cidrBlock"] == "10.20.0.0/16"
    assert vpc.inputs["enableDnsHostnames"] is True and vpc.inputs["enableDnsSupport"] is True
    subnets = {r.name: r.inputs for r in run.by_type(SUBNET)}
    assert {n: s["cidrBlock"] for n, s in subnets.items()} == {
        "network-public-a": "10.20.0.0/18", "network-private-a": "10.20.128.0/18",
        "network-public-b": "10.20.64.0/18", "network-private-b": "10.20.192.0/18"}
    assert subnets["network-public-a"]["availabilityZone"] != subnets["network-public-b"]["availabilityZone"]
    assert subnets["network-private-a"]["availabilityZone"] == subnets["network-public-a"]["availabilityZone"]
    assert not any(s.get("mapPublicIpOnLaunch") for s in subnets.values())
    for resource in run.resources:
        if resource.custom and resource.type != "pulumi:providers:aws":
            assert resource.parent == component.urn
            assert run.region_of(resource) == "ap-northeast-1"


def test_no_nat_gateway_by_default_and_dynamodb_through_a_gateway_endpoint(preview: bool) -> None:
    run = _run(preview)
    assert run.by_type("aws:ec2/natGateway:NatGateway") == []
    assert run.by_type("aws:ec2/eip:Eip") == []
    endpoint = run.one(ENDPOINT, "network-dynamodb")
    assert endpoint.inputs["vpcEndpointType"] == "Gateway"
    assert endpoint.inputs["serviceName"] == "com.amazonaws.ap-northeast-1.dynamodb"
    private_rt = run.one("aws:ec2/routeTable:RouteTable", "network-private-rt")
    assert private_rt.urn in endpoint.options["dependencies"]
    # Only the public route table has a default route (to the internet gateway).
    routes = run.by_type(ROUTE)
    assert [r.name for r in routes] == ["network-public-default"]
    assert run.one("aws:ec2/internetGateway:InternetGateway").urn in routes[0].options["dependencies"]


def test_private_subnets_use_the_private_route_table(preview: bool) -> None:
    run = _run(preview)
    private_rt = run.one("aws:ec2/routeTable:RouteTable", "network-private-rt").urn
    for letter in "ab":
        association = run.one("aws:ec2/routeTableAssociation:RouteTableAssociation",
                              f"network-private-{letter}-rt")
        assert private_rt in association.options["dependencies"]


def test_nat_gateway_when_asked(preview: bool) -> None:
    run = _run(preview, nat_gateway=True)
    nat = run.one("aws:ec2/natGateway:NatGateway", "network-nat")
    assert run.one(SUBNET, "network-public-a").urn in nat.options["dependencies"]
    route = run.one(ROUTE, "network-private-default")
    assert route.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    assert nat.urn in route.options["dependencies"]


def test_interface_endpoints_when_asked(preview: bool) -> None:
    run = _run(preview, interface_endpoints=("bedrock-runtime", "ssm"))
    bedrock = run.one(ENDPOINT, "network-bedrock-runtime")
    assert bedrock.inputs["vpcEndpointType"] == "Interface"
    assert bedrock.inputs["serviceName"] == "com.amazonaws.ap-northeast-1.bedrock-runtime"
    assert bedrock.inputs["privateDnsEnabled"] is True
    rule = run.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "network-endpoints-https")
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (443, 443)


def test_outputs_of_a_new_network(preview: bool) -> None:
    run = _run(preview)
    if preview:
        assert run.outputs["vpc_id"] == UNKNOWN
        return
    assert run.outputs["vpc_cidr"] == "10.20.0.0/16"
    assert run.outputs["public"] == ["⟨network-public-a.id⟩", "⟨network-public-b.id⟩"]
    assert run.outputs["private"] == ["⟨network-private-a.id⟩", "⟨network-private-b.id⟩"]


def test_existing_vpc_creates_nothing_and_looks_up_its_cidr(preview: bool) -> None:
    run = _run(preview, vpc_id="vpc-0abc1234", public_subnet_ids=("subnet-0000000a", "subnet-0000000b"),
               private_subnet_ids=("subnet-0000000c", "subnet-0000000d"))
    assert [r.type for r in run.resources if r.custom and r.type != "pulumi:providers:aws"] == []
    assert ("aws:ec2/getVpc:getVpc", {"id": "vpc-0abc1234"}) in [
        (token, {k: v for k, v in args.items() if k == "id"}) for token, args in run.invokes]
    assert run.outputs["vpc_id"] == "vpc-0abc1234"
    assert run.outputs["private"] == ["subnet-0000000c", "subnet-0000000d"]
    assert run.outputs["vpc_cidr"] == "⟨vpc vpc-0abc1234.cidrBlock⟩"


def test_region_is_looked_up_when_not_given(preview: bool) -> None:
    run = _run(preview, region=None)
    assert any(token == "aws:index/getRegion:getRegion" for token, _ in run.invokes)
    assert run.one(ENDPOINT, "network-dynamodb").inputs["serviceName"].endswith(".dynamodb")


@pytest.mark.parametrize(("overrides", "message"), [
    ({"vpc_id": "vpc-0abc1234", "public_subnet_ids": ("subnet-0000000a",),
      "private_subnet_ids": ("subnet-0000000c", "subnet-0000000d")}, "public_subnet_ids must be at least 2"),
    ({"private_subnet_ids": ("subnet-0000000c", "subnet-0000000d")}, "need vpc_id"),
])
def test_bad_network_args_fail_with_one_line(overrides: dict[str, Any], message: str) -> None:
    values = {"name_prefix": "MegaTicket-DR", "cidr": "10.20.0.0/16", **overrides}
    with pytest.raises(ValueError, match=message) as error:
        NetworkArgs(**values)
    assert "\n" not in str(error.value)
