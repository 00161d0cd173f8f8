"""nlb.mode on-failover, day two: `pulumi up` during and after a failover never puts
NLB_DNS_PLACEHOLDER back into the web launch template's `$Latest` or default version.

The sequence runs in moto: up -> failover (steps 1 and 2, the real functions) -> up with a routine
change -> scale-out, and every instance launched gets the real NLB name. "pulumi up" is the real
program under the mock engine, its data source calls answered from moto (so its NLB lookup sees
what step 1 created), applied to moto the way the provider applies a launch template: a changed
template becomes a new version from the declared data and, with `update_default_version`, the
default. The pipeline's settings are the step Lambdas' environment the program declares.
"""

from __future__ import annotations

import base64
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Optional

import boto3
import pytest
from moto import mock_aws

from failover.launch_template import point_template_at_nlb, restore_template_placeholder
from failover.nlb import ensure_nlb, remove_pipeline_nlb
from failover.settings import Settings
from tests.conftest import run_program
from tests.failover.conftest import ACCOUNT, IMAGE_ID, REGION, _patch_moto_launch_template_versions
from userdata.render import NLB_DNS_PLACEHOLDER

LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
LAMBDA = "aws:lambda/function:Function"
ON_FAILOVER = "nlb.mode=on-failover"


def _decode(data: str) -> str:
    return base64.b64decode(data).decode()


@dataclass
class World:
    """moto's Tokyo, plus what Pulumi's state would remember of the web launch template."""

    ec2: Any
    elbv2: Any
    autoscaling: Any
    vpc_id: str
    subnet_ids: list[str]
    state: dict[str, Any] = field(default_factory=dict)  # last applied launch template data
    last_run: Any = None

    def answer(self, token: str, args: dict[str, Any]) -> Optional[dict[str, Any]]:
        """The program's data source calls, answered by what exists in moto."""
        if token == "aws:lb/getLbs:getLbs":
            arns = [lb["LoadBalancerArn"] for lb in self.elbv2.describe_load_balancers()["LoadBalancers"]]
            return {"arns": arns, "id": REGION}
        if token == "aws:lb/getLoadBalancer:getLoadBalancer":
            (lb,) = self.elbv2.describe_load_balancers(LoadBalancerArns=[args["arn"]])["LoadBalancers"]
            return {"arn": lb["LoadBalancerArn"], "dnsName": lb["DNSName"], "name": lb["LoadBalancerName"],
                    "loadBalancerType": lb["Type"]}
        return None

    def pulumi_up(self, *overrides: str, lookup: bool = True) -> Any:
        """Run the program and apply its web launch template and ASG the way the provider does.

        `lookup=False` answers the NLB lookup with "none", i.e. what a program that ignores the
        pipeline's NLB would declare (the control case)."""
        answers = self.answer if lookup else (
            lambda token, args: {"arns": [], "id": REGION} if token == "aws:lb/getLbs:getLbs" else None)
        run = run_program("tokyo", overrides=[ON_FAILOVER, *overrides], invokes=answers)
        lt = run.one(LT, "web-tier-lt").inputs
        data = {"ImageId": IMAGE_ID, "InstanceType": lt["instanceType"], "UserData": lt["userData"]}
        name = lt["name"]
        if not self.state:
            self.ec2.create_launch_template(LaunchTemplateName=name, LaunchTemplateData=data)
            group = run.one(ASG, "web-tier-asg").inputs
            self.autoscaling.create_auto_scaling_group(
                AutoScalingGroupName=group["name"], MinSize=int(group["minSize"]),
                MaxSize=int(group["maxSize"]), DesiredCapacity=int(group["desiredCapacity"]),
                LaunchTemplate={"LaunchTemplateName": name, "Version": group["launchTemplate"]["version"]},
                VPCZoneIdentifier=",".join(self.subnet_ids))
        elif data != self.state:
            # The provider: a new version with the declared data, then (updateDefaultVersion) the default.
            created = self.ec2.create_launch_template_version(LaunchTemplateName=name, LaunchTemplateData=data)
            if lt["updateDefaultVersion"]:
                self.ec2.modify_launch_template(
                    LaunchTemplateName=name,
                    DefaultVersion=str(created["LaunchTemplateVersion"]["VersionNumber"]))
        self.state = data
        self.last_run = run
        return run

    def pipeline_settings(self) -> Settings:
        """The step Lambdas' settings, from the environment the last `pulumi_up` gave them."""
        step1 = next(f for f in self.last_run.by_type(LAMBDA) if f.inputs["name"].endswith("-step1"))
        env = dict(step1.inputs["environment"]["variables"])
        # What exists only after deploy: moto's network, and an ARN of the declared topic's shape.
        env.update(VPC_ID=self.vpc_id, APP_SUBNET_IDS=",".join(self.subnet_ids),
                   APPROVAL_TOPIC_ARN=f"arn:aws:sns:{REGION}:{ACCOUNT}:stfc-topic-dev-an1-approval")
        return Settings.from_env(env)

    def failover(self, s: Settings, *, step2: bool = True) -> str:
        nlb = ensure_nlb(self.elbv2, s)  # step 1
        if step2:
            point_template_at_nlb(self.ec2, s.web_launch_template_name, nlb["nlb_dns"])  # step 2
        return str(nlb["nlb_dns"])

    def versions(self, s: Settings) -> dict[str, str]:
        """$Latest and $Default user data of the web template."""
        out = {}
        for which in ("$Latest", "$Default"):
            (v,) = self.ec2.describe_launch_template_versions(
                LaunchTemplateName=s.web_launch_template_name, Versions=[which])["LaunchTemplateVersions"]
            out[which] = _decode(v["LaunchTemplateData"]["UserData"])
        return out

    def scale_out(self, s: Settings, desired: int) -> list[str]:
        """Set the web group's desired capacity; the user data of every instance it runs."""
        self.autoscaling.update_auto_scaling_group(
            AutoScalingGroupName=s.web_asg_name, MaxSize=max(desired, 1), DesiredCapacity=desired)
        (group,) = self.autoscaling.describe_auto_scaling_groups(
            AutoScalingGroupNames=[s.web_asg_name])["AutoScalingGroups"]
        return [_decode(self.ec2.describe_instance_attribute(
            InstanceId=i["InstanceId"], Attribute="userData")["UserData"]["Value"])
            for i in group["Instances"]]


@pytest.fixture
def world(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[World]:
    _patch_moto_launch_template_versions(monkeypatch)
    with mock_aws():
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24",
                                     AvailabilityZone=f"{REGION}{az}")["Subnet"]["SubnetId"]
                   for i, az in ((128, "a"), (192, "c"))]
        yield World(ec2=ec2, elbv2=boto3.client("elbv2", region_name=REGION),
                    autoscaling=boto3.client("autoscaling", region_name=REGION),
                    vpc_id=vpc, subnet_ids=subnets)


def _url(dns: str) -> str:
    return f"INTERNAL_API_URL=http://{dns}:3001"


def _latest_number(world: World, s: Settings) -> int:
    (template,) = world.ec2.describe_launch_templates(
        LaunchTemplateNames=[s.web_launch_template_name])["LaunchTemplates"]
    return int(template["LatestVersionNumber"])


def test_up_failover_up_scale_out_every_instance_gets_the_real_nlb_name(world: World) -> None:
    # GIVEN the pilot light deployed in on-failover mode: no NLB, the placeholder in the template
    world.pulumi_up()
    s = world.pipeline_settings()
    assert all(NLB_DNS_PLACEHOLDER in text for text in world.versions(s).values())
    # (an up before any failover declares the same text: no new version, step 2 still has its token)
    before = _latest_number(world, s)
    world.pulumi_up()
    assert _latest_number(world, s) == before
    # WHEN a failover runs steps 1 and 2
    dns = world.failover(s)
    step2 = world.versions(s)["$Latest"]
    assert all(_url(dns) in text for text in world.versions(s).values())
    # AND someone runs `pulumi up`: its version carries step 2's script byte for byte (the two
    # writers agree on the content, so neither undoes the other)
    world.pulumi_up()
    assert world.versions(s)["$Latest"] == step2
    # AND again, with a routine change that makes a new template version
    world.pulumi_up("web.instanceType=t3.large")
    # THEN neither $Latest nor the default version has the placeholder back
    for which, text in world.versions(s).items():
        assert NLB_DNS_PLACEHOLDER not in text, which
        assert _url(dns) in text, which
    # AND every instance a scale-out launches gets the real NLB name
    user_data = world.scale_out(s, 3)
    assert len(user_data) == 3
    for text in user_data:
        assert _url(dns) in text
        assert NLB_DNS_PLACEHOLDER not in text
    # AND after failback (NLB removed, placeholder restored) an up declares the placeholder too
    world.scale_out(s, 0)
    remove_pipeline_nlb(world.elbv2, s)
    restore_template_placeholder(world.ec2, s.web_launch_template_name)
    failback = world.versions(s)["$Latest"]
    world.pulumi_up("web.instanceType=t3.xlarge")
    assert world.versions(s)["$Latest"] == failback
    assert NLB_DNS_PLACEHOLDER in failback


def test_up_between_step_1_and_step_2_declares_the_nlb_and_step_2_then_has_nothing_to_do(
        world: World) -> None:
    # GIVEN step 1 has created the NLB but step 2 has not run yet (a failover in progress)
    world.pulumi_up()
    s = world.pipeline_settings()
    dns = world.failover(s, step2=False)
    # WHEN `pulumi up` runs now
    world.pulumi_up()
    assert all(_url(dns) in text for text in world.versions(s).values())
    # THEN step 2 finds $Latest already pointing at the NLB and writes no version
    result = point_template_at_nlb(world.ec2, s.web_launch_template_name, dns)
    assert result["changed"] is False


def test_control_a_program_blind_to_the_pipeline_nlb_would_put_the_placeholder_back(world: World) -> None:
    # The incident this design prevents, shown with the lookup answered "no NLB": the up after the
    # failover makes a new default version from the placeholder text, and scale-out inherits it.
    world.pulumi_up()
    s = world.pipeline_settings()
    world.failover(s)
    world.pulumi_up("web.instanceType=t3.large", lookup=False)
    assert NLB_DNS_PLACEHOLDER in world.versions(s)["$Latest"]
    assert all(NLB_DNS_PLACEHOLDER in text for text in world.scale_out(s, 1))
