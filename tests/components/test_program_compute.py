"""The compute and traffic bullets through the whole program, for both stacks, update and preview.

tokyo (dr, ap-northeast-1) and seoul (primary, ap-northeast-2) model the same tiers; tokyo copies
the Golden AMI, idles at zero and runs DR_RECOVERY_MODE=true.
"""

from __future__ import annotations

import base64
import json
from functools import cache

import pytest

from offline_preview.engine import UNKNOWN, ProgramRun
from tests.conftest import run_program
from userdata.render import NLB_DNS_PLACEHOLDER, TABLE_SUFFIXES, parse_env_assignments

LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
NLB_TYPE = "network"
STACKS = {
    "tokyo": {"region": "ap-northeast-1", "prefix": "MegaTicket-DR", "recovery": "true"},
    "seoul": {"region": "ap-northeast-2", "prefix": "MegaTicket", "recovery": "false"},
}


@cache
def _run(stack: str, preview: bool, overrides: tuple[str, ...] = ()) -> ProgramRun:
    return run_program(stack, preview, list(overrides))


def _user_data(run: ProgramRun, role: str) -> str:
    prefix = STACKS[run.stack]["prefix"]
    encoded = run.one(LT, f"{role}-tier-lt").inputs["userData"]
    assert run.one(LT, f"{role}-tier-lt").inputs["name"] == f"{prefix}-{role.capitalize()}-LT"
    return encoded if encoded == UNKNOWN else base64.b64decode(encoded, validate=True).decode()


def _load_balancers(run: ProgramRun, kind: str) -> list:
    return [r for r in run.by_type("aws:lb/loadBalancer:LoadBalancer")
            if r.inputs["loadBalancerType"] == kind]


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_app_user_data_has_region_tables_and_recovery_mode_of_the_stack(stack: str, preview: bool) -> None:
    env = parse_env_assignments(_user_data(_run(stack, preview), "app"))
    expected = STACKS[stack]
    assert env["AWS_REGION"] == expected["region"]
    assert env["DR_RECOVERY_MODE"] == expected["recovery"]
    assert env["PORT"] == "3001"
    if stack == "seoul":
        tables = {s: f"KDT-Msp4-PLDR-{s}" for s in TABLE_SUFFIXES}
    else:  # read from the seoul stack's outputs
        tables = {s: f"⟨seoul.tableNames.{s}⟩" for s in TABLE_SUFFIXES}
    assert {s: env[f"DYNAMODB_{s.upper()}_TABLE"] for s in TABLE_SUFFIXES} == tables


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_web_user_data_points_at_this_stacks_nlb(stack: str, preview: bool) -> None:
    script = _user_data(_run(stack, preview), "web")
    if preview:
        assert script == UNKNOWN  # the NLB's DNS name exists only after deploy
        return
    env = parse_env_assignments(script)
    assert env == {"AWS_REGION": STACKS[stack]["region"],
                   "INTERNAL_API_URL": f"http://⟨{STACKS[stack]['prefix']}-NLB.dnsName⟩:3001"}


def test_on_failover_mode_creates_no_nlb_and_web_user_data_carries_the_placeholder(preview: bool) -> None:
    run = _run("tokyo", preview, ("nlb.mode=on-failover",))
    assert _load_balancers(run, NLB_TYPE) == []
    env = parse_env_assignments(_user_data(run, "web"))  # known even in preview: nothing to wait for
    assert env["INTERNAL_API_URL"] == f"http://{NLB_DNS_PLACEHOLDER}:3001"
    web_lt = run.one(LT, "web-tier-lt")
    assert web_lt.inputs["tags"]["megaticket-dr:nlbMode"] == "on-failover"
    app_asg = run.one(ASG, "app-tier-asg")
    assert "targetGroupArns" not in app_asg.inputs
    assert "targetGroupArns" in app_asg.options["ignoreChanges"]


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_standby_mode_declares_the_internal_nlb_on_3001(stack: str, preview: bool) -> None:
    run = _run(stack, preview)
    (nlb,) = _load_balancers(run, NLB_TYPE)
    assert nlb.inputs["name"] == f"{STACKS[stack]['prefix']}-NLB" and nlb.inputs["internal"] is True
    assert run.one("aws:lb/listener:Listener", "app-nlb-tcp").inputs["port"] == 3001
    assert "megaticket-dr:nlbMode" not in run.one(LT, "web-tier-lt").inputs["tags"]
    assert run.one(ASG, "app-tier-asg").inputs["targetGroupArns"] == (
        [UNKNOWN] if preview else ["⟨app-nlb-tg.arn⟩"])


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_asgs_launch_latest_only_dr_idles_and_ignores_desired(stack: str, preview: bool) -> None:
    run = _run(stack, preview)
    for role in ("web", "app"):
        asg = run.one(ASG, f"{role}-tier-asg")
        assert asg.inputs["name"] == f"{STACKS[stack]['prefix']}-{role.capitalize()}-ASG"
        assert asg.inputs["launchTemplate"]["version"] == "$Latest"
        assert asg.inputs["healthCheckType"] == "ELB"
        assert run.region_of(asg) == STACKS[stack]["region"]
        if stack == "tokyo":
            assert (asg.inputs["minSize"], asg.inputs["desiredCapacity"]) == (0, 0)
            assert {"minSize", "maxSize", "desiredCapacity"} <= set(asg.options["ignoreChanges"])
        else:
            assert (asg.inputs["minSize"], asg.inputs["desiredCapacity"]) == (1, 1)
            assert asg.options["ignoreChanges"] == []


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_launch_templates_require_imdsv2_and_encrypt_ebs(stack: str, preview: bool) -> None:
    run = _run(stack, preview)
    for role in ("web", "app"):
        lt = run.one(LT, f"{role}-tier-lt").inputs
        assert lt["metadataOptions"]["httpTokens"] == "required"
        assert lt["blockDeviceMappings"][0]["ebs"]["encrypted"] == "true"
        assert lt["updateDefaultVersion"] is True


def test_tokyo_copies_the_seoul_golden_ami_and_exports_its_id(preview: bool) -> None:
    run = _run("tokyo", preview)
    copy = run.one("aws:ec2/amiCopy:AmiCopy", "golden-ami-copy")
    assert copy.inputs["sourceAmiId"] == "⟨seoul.goldenAmiId⟩"
    assert copy.inputs["sourceAmiRegion"] == "ap-northeast-2"
    assert copy.inputs["encrypted"] is True
    assert copy.inputs["tags"]["Build"] == "⟨seoul.goldenAmiBuild⟩"
    assert run.region_of(copy) == "ap-northeast-1"
    assert run.outputs["goldenAmiId"] == (UNKNOWN if preview else copy_id(copy.inputs["name"]))


def copy_id(name: str) -> str:
    return f"⟨{name}.id⟩"


def test_tokyo_uses_a_configured_ami_without_copying(preview: bool) -> None:
    run = _run("tokyo", preview, ("ami.id=ami-0fedcba9876543210",))
    assert run.by_type("aws:ec2/amiCopy:AmiCopy") == []
    assert run.outputs["goldenAmiId"] == "ami-0fedcba9876543210"
    assert run.one(LT, "web-tier-lt").inputs["imageId"] == "ami-0fedcba9876543210"


def test_seoul_looks_up_its_own_newest_golden_ami(preview: bool) -> None:
    run = _run("seoul", preview)
    assert run.by_type("aws:ec2/amiCopy:AmiCopy") == []
    lookups = [args for token, args in run.invokes if token == "aws:ec2/getAmi:getAmi"]
    assert lookups and lookups[0]["owners"] == ["self"]


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_instance_role_is_scoped_to_the_stacks_region(stack: str, preview: bool) -> None:
    run = _run(stack, preview)
    policy = run.one("aws:iam/rolePolicy:RolePolicy", "instance-role-app-access").inputs["policy"]
    region = STACKS[stack]["region"]
    if policy == UNKNOWN:  # cannot be wrong when unknown
        assert preview
        return
    statements = {s["Sid"]: s for s in json.loads(policy)["Statement"]}
    assert all(f":dynamodb:{region}:" in r for r in statements["MegaTicketTables"]["Resource"])
    assert statements["BedrockInvoke"]["Resource"] == f"arn:aws:bedrock:{region}::foundation-model/*"


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_network_has_no_nat_and_a_dynamodb_endpoint_in_the_stacks_region(stack: str, preview: bool) -> None:
    run = _run(stack, preview)
    assert run.by_type("aws:ec2/natGateway:NatGateway") == []
    endpoint = run.one("aws:ec2/vpcEndpoint:VpcEndpoint", "network-dynamodb")
    assert endpoint.inputs["serviceName"] == f"com.amazonaws.{STACKS[stack]['region']}.dynamodb"


@pytest.mark.parametrize("stack", sorted(STACKS))
def test_security_groups_alb_open_web_from_alb_app_from_vpc(stack: str, preview: bool) -> None:
    run = _run(stack, preview)
    ingress = run.by_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    rules = {r.name: r.inputs for r in ingress}
    # No certificate in either stack file: no HTTPS listener, so 443 stays closed.
    assert {(r["fromPort"], r["cidrIpv4"]) for n, r in rules.items() if n.startswith("web-alb-in-")} == {
        (80, "0.0.0.0/0")}
    assert rules["web-tier-in"]["fromPort"] == 3000 and "cidrIpv4" not in rules["web-tier-in"]
    cidr = "10.20.0.0/16" if stack == "tokyo" else "10.10.0.0/16"
    assert rules["app-tier-in"]["fromPort"] == 3001
    assert rules["app-tier-in"]["cidrIpv4"] == cidr  # the VPC's own CIDR, an input: known in preview
