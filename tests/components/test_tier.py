"""Tier: security group, launch template (IMDSv2, encrypted EBS, base64 user data) and ASG at $Latest."""

from __future__ import annotations

import base64
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.tier import Tier, TierArgs
from offline_preview.engine import UNKNOWN, ProgramRun
from stack_config import Capacity
from tests.conftest import run_component
from userdata.render import NLB_DNS_PLACEHOLDER

LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SCRIPT = "#!/bin/bash\nexport AWS_REGION=ap-northeast-1\n"
PROFILE = "arn:aws:iam::111122223333:instance-profile/MegaTicket-DR-EC2-Profile"


def _args(role: str = "web", **overrides: Any) -> TierArgs:
    label = role.capitalize()
    values: dict[str, Any] = {
        "role": role, "launch_template_name": f"MegaTicket-DR-{label}-LT",
        "asg_name": f"MegaTicket-DR-{label}-ASG", "image_id": "ami-0fedcba9876543210",
        "instance_type": "t3.small", "user_data": SCRIPT, "instance_profile_arn": PROFILE,
        "vpc_id": "vpc-0abc1234", "subnet_ids": ["subnet-0000000c", "subnet-0000000d"],
        "port": 3000 if role == "web" else 3001, "capacity": Capacity(0, 0, 2),
        "pilot_light": True, "health_check_grace_seconds": 300, "tags": {"Project": "MegaTicket"},
    }
    if role == "web":
        values.update(ingress_security_group_id="sg-0a1b2c3d", target_group_arns=["arn:tg/web"])
    else:
        values.update(ingress_cidr="10.20.0.0/16")
    values.update(overrides)
    return TierArgs(**values)


def _run(preview: bool, role: str = "web", **overrides: Any) -> ProgramRun:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        tier = Tier(f"{role}-tier", _args(role, **overrides), pulumi.ResourceOptions(provider=tokyo))
        pulumi.export("asg_name", tier.asg_name)
        pulumi.export("launch_template_name", tier.launch_template_name)
    return run_component(body, preview)


def test_launch_template_requires_imdsv2_encrypts_ebs_and_uses_the_profile(preview: bool) -> None:
    run = _run(preview)
    lt = run.one(LT, "web-tier-lt")
    assert lt.parent == run.one("megaticket-dr:compute:Tier", "web-tier").urn
    assert run.region_of(lt) == "ap-northeast-1"
    inputs = lt.inputs
    assert (inputs["name"], inputs["imageId"], inputs["instanceType"]) == (
        "MegaTicket-DR-Web-LT", "ami-0fedcba9876543210", "t3.small")
    assert inputs["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required",
                                         "httpPutResponseHopLimit": 1, "instanceMetadataTags": "disabled"}
    assert inputs["blockDeviceMappings"] == [{"deviceName": "/dev/xvda", "ebs": {
        "encrypted": "true", "volumeType": "gp3", "deleteOnTermination": "true"}}]
    assert inputs["iamInstanceProfile"] == {"arn": PROFILE}
    assert inputs["updateDefaultVersion"] is True
    sg = run.one("aws:ec2/securityGroup:SecurityGroup", "web-tier-sg")
    assert sg.urn in lt.options["dependencies"]


def test_launch_template_user_data_is_the_script_in_base64(preview: bool) -> None:
    lt = _run(preview).one(LT, "web-tier-lt")
    assert base64.b64decode(lt.inputs["userData"], validate=True).decode() == SCRIPT


def test_user_data_known_only_after_deploy_stays_unknown_in_preview(preview: bool) -> None:
    def body() -> None:
        nlb = aws.lb.LoadBalancer("nlb", name="MegaTicket-DR-NLB", load_balancer_type="network")
        Tier("web-tier", _args(user_data=nlb.dns_name.apply(lambda dns: f"URL=http://{dns}:3001\n")))
    lt = run_component(body, preview).one(LT, "web-tier-lt")
    if preview:
        assert lt.inputs["userData"] == UNKNOWN
    else:
        assert base64.b64decode(lt.inputs["userData"]).decode() == \
            "URL=http://⟨MegaTicket-DR-NLB.dnsName⟩:3001\n"


def test_instances_and_volumes_are_tagged(preview: bool) -> None:
    specs = _run(preview).one(LT, "web-tier-lt").inputs["tagSpecifications"]
    assert [s["resourceType"] for s in specs] == ["instance", "volume"]
    for spec in specs:
        assert spec["tags"] == {"Project": "MegaTicket", "Name": "MegaTicket-DR-Web", "Tier": "web"}


def test_asg_launches_latest_with_elb_health_checks(preview: bool) -> None:
    run = _run(preview)
    asg = run.one(ASG, "web-tier-asg")
    assert asg.inputs["name"] == "MegaTicket-DR-Web-ASG"
    assert asg.inputs["launchTemplate"]["version"] == "$Latest"
    assert run.one(LT, "web-tier-lt").urn in asg.options["dependencies"]
    assert (asg.inputs["healthCheckType"], asg.inputs["healthCheckGracePeriod"]) == ("ELB", 300)
    assert asg.inputs["targetGroupArns"] == ["arn:tg/web"]
    assert asg.inputs["vpcZoneIdentifiers"] == ["subnet-0000000c", "subnet-0000000d"]
    assert run.outputs["asg_name"] == "MegaTicket-DR-Web-ASG"


def test_pilot_light_asg_idles_at_zero_and_ignores_desired_capacity(preview: bool) -> None:
    asg = _run(preview).one(ASG, "web-tier-asg")
    assert (asg.inputs["minSize"], asg.inputs["desiredCapacity"], asg.inputs["maxSize"]) == (0, 0, 2)
    assert sorted(asg.options["ignoreChanges"]) == ["desiredCapacity", "maxSize", "minSize"]


def test_primary_asg_serves_and_owns_its_capacity(preview: bool) -> None:
    asg = _run(preview, pilot_light=False, capacity=Capacity(1, 1, 2)).one(ASG, "web-tier-asg")
    assert (asg.inputs["minSize"], asg.inputs["desiredCapacity"], asg.inputs["maxSize"]) == (1, 1, 2)
    assert asg.options["ignoreChanges"] == []


def test_pilot_light_app_tier_without_target_group_leaves_attachments_to_the_pipeline(preview: bool) -> None:
    # NLB mode on-failover: step 1 creates the NLB and its target group after deploy.
    asg = _run(preview, role="app").one(ASG, "app-tier-asg")
    assert "targetGroupArns" not in asg.inputs
    assert sorted(asg.options["ignoreChanges"]) == ["desiredCapacity", "maxSize", "minSize", "targetGroupArns"]


def test_web_port_admits_only_the_alb_security_group(preview: bool) -> None:
    rule = _run(preview).one(INGRESS, "web-tier-in").inputs
    assert (rule["fromPort"], rule["toPort"], rule["ipProtocol"]) == (3000, 3000, "tcp")
    assert rule["referencedSecurityGroupId"] == "sg-0a1b2c3d"
    assert "cidrIpv4" not in rule


def test_app_port_admits_only_the_vpc(preview: bool) -> None:
    run = _run(preview, role="app")
    (rule,) = run.by_type(INGRESS)
    assert (rule.inputs["fromPort"], rule.inputs["toPort"]) == (3001, 3001)
    assert rule.inputs["cidrIpv4"] == "10.20.0.0/16"
    assert "referencedSecurityGroupId" not in rule.inputs


def test_on_failover_marker_tags_the_template_for_the_policy_pack(preview: bool) -> None:
    script = f"INTERNAL_API_URL=http://{NLB_DNS_PLACEHOLDER}:3001\n"
    lt = _run(preview, user_data=script, nlb_mode_marker="on-failover").one(LT, "web-tier-lt")
    assert lt.inputs["tags"]["megaticket-dr:nlbMode"] == "on-failover"
    assert NLB_DNS_PLACEHOLDER in base64.b64decode(lt.inputs["userData"]).decode()


def test_no_marker_tag_by_default(preview: bool) -> None:
    tags = _run(preview).one(LT, "web-tier-lt").inputs["tags"]
    assert tags == {"Project": "MegaTicket", "Name": "MegaTicket-DR-Web-LT", "Tier": "web"}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"role": "db"}, 'role must be "web" or "app"'),
    ({"ingress_cidr": "10.0.0.0/16"}, "exactly one of ingress_security_group_id"),
    ({"ingress_security_group_id": None}, "exactly one of ingress_security_group_id"),
    ({"capacity": Capacity(1, 1, 2)}, "pilot-light tier must idle at min 0 and desired 0"),
    ({"capacity": Capacity(0, 3, 2)}, "capacity must satisfy"),
    ({"nlb_mode_marker": "later"}, "nlb_mode_marker must be"),
    ({"user_data": f"http://{NLB_DNS_PLACEHOLDER}:3001"}, "nothing would ever replace it"),
    ({"root_device_name": "xvda"}, "root_device_name must be a device"),
])
def test_bad_tier_args_fail_with_one_line(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        _args(**overrides)
    assert "\n" not in str(error.value)
