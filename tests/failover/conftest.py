"""Fixtures for the failover tests: a moto world shaped like Tokyo's pilot light.

`tokyo` builds VPC, subnets, the web launch template (placeholder user data), both ASGs at 0 and
the approval topic (with an SQS queue subscribed so tests can read what operators would get).
`machine` adds moto's Step Functions interpreter and routes Lambda tasks to the in-process
handlers (see `route_lambdas`): moto's Lambda would otherwise need Docker.
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto import mock_aws

from failover import handlers
from failover.settings import Capacity, Settings

REGION = "ap-northeast-1"
IMAGE_ID = "ami-0123456789abcdef0"  # moto does not validate AMI ids unless told to
ACCOUNT = "123456789012"
WEB_USER_DATA = """#!/bin/bash
cat > /home/ec2-user/dr-web-env.sh <<'ENV'
export AWS_REGION=ap-northeast-1
export INTERNAL_API_URL=http://NLB_DNS_PLACEHOLDER:3001
ENV
"""

FUNCTIONS = {
    "stfc-lambda-dev-step0": handlers.step0_request_approval,
    "stfc-lambda-dev-step1": handlers.step1_nlb,
    "stfc-lambda-dev-step2": handlers.step2_launch_template,
    "stfc-lambda-dev-step3": handlers.step3_scale,
    "stfc-lambda-dev-step4": handlers.step4_verify,
    "stfc-lambda-dev-failback": handlers.failback,
}


def function_arn(name: str) -> str:
    return f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{name}"


def encode(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def decode(text: str) -> str:
    return base64.b64decode(text).decode()


@dataclass
class Tokyo:
    settings: Settings
    ec2: Any
    elbv2: Any
    autoscaling: Any
    cloudwatch: Any
    sns: Any
    sqs: Any
    queue_url: str
    template_id: str

    def client(self, service: str, region: str = REGION) -> Any:
        return boto3.client(service, region_name=region)

    def notifications(self) -> list[dict[str, str]]:
        """Every SNS message delivered so far, as {'Subject', 'Message'}."""
        out = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
                "Messages", []
            )
            if not got:
                return out
            for m in got:
                body = json.loads(m["Body"])
                out.append({"Subject": body.get("Subject", ""), "Message": body["Message"]})
                self.sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=m["ReceiptHandle"])

    def latest_user_data(self) -> str:
        v = self.ec2.describe_launch_template_versions(
            LaunchTemplateId=self.template_id, Versions=["$Latest"]
        )
        return decode(v["LaunchTemplateVersions"][0]["LaunchTemplateData"]["UserData"])

    def add_template_version(self, user_data: str) -> int:
        created = self.ec2.create_launch_template_version(
            LaunchTemplateId=self.template_id,
            LaunchTemplateData={
                "ImageId": self.image_id(),
                "InstanceType": "t3.micro",
                "UserData": encode(user_data),
            },
        )
        return int(created["LaunchTemplateVersion"]["VersionNumber"])

    def image_id(self) -> str:
        return IMAGE_ID


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        # Loading moto's ~1300 default AMIs costs seconds per test; no test needs them.
        "MOTO_EC2_LOAD_DEFAULT_AMIS": "false",
    }.items():
        monkeypatch.setenv(key, value)


MOTO_CONFIG: Any = {"lambda": {"use_docker": False}, "stepfunctions": {"execute_state_machine": True}}


def _patch_moto_launch_template_versions(monkeypatch: pytest.MonkeyPatch) -> None:
    """moto 5.2 stores UserData of CreateLaunchTemplateVersion unparsed (CreateLaunchTemplate parses
    it), then asserts when an ASG launches from that version. Parse it the same way in both calls."""
    from moto.ec2.models.launch_templates import LaunchTemplate
    from moto.ec2.utils import parse_user_data

    original = LaunchTemplate.create_version

    def create_version(self: Any, data: dict[str, Any], description: str) -> Any:
        if isinstance(data.get("UserData"), str):
            data = {**data, "UserData": parse_user_data(data["UserData"])}
        return original(self, data, description)

    monkeypatch.setattr(LaunchTemplate, "create_version", create_version)


@pytest.fixture
def tokyo(aws_env: None, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tokyo]:
    _patch_moto_launch_template_versions(monkeypatch)
    with mock_aws(config=MOTO_CONFIG):
        ec2 = boto3.client("ec2", region_name=REGION)
        vpc = ec2.create_vpc(CidrBlock="10.1.0.0/16")["Vpc"]["VpcId"]
        subnets = [
            ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.1.{i}.0/24", AvailabilityZone=f"{REGION}{az}")[
                "Subnet"
            ]["SubnetId"]
            for i, az in ((1, "a"), (2, "c"))
        ]
        image = IMAGE_ID
        web_lt = ec2.create_launch_template(
            LaunchTemplateName="MegaTicket-DR-Web-LT",
            LaunchTemplateData={
                "ImageId": image,
                "InstanceType": "t3.micro",
                "UserData": encode(WEB_USER_DATA),
            },
        )["LaunchTemplate"]["LaunchTemplateId"]
        ec2.create_launch_template(
            LaunchTemplateName="MegaTicket-DR-App-LT",
            LaunchTemplateData={"ImageId": image, "InstanceType": "t3.micro"},
        )
        autoscaling = boto3.client("autoscaling", region_name=REGION)
        for asg, lt in (
            ("MegaTicket-DR-Web-ASG", "MegaTicket-DR-Web-LT"),
            ("MegaTicket-DR-App-ASG", "MegaTicket-DR-App-LT"),
        ):
            autoscaling.create_auto_scaling_group(
                AutoScalingGroupName=asg,
                LaunchTemplate={"LaunchTemplateName": lt, "Version": "$Default"},
                MinSize=0,
                MaxSize=2,
                DesiredCapacity=0,
                VPCZoneIdentifier=",".join(subnets),
            )
        sns = boto3.client("sns", region_name=REGION)
        topic = sns.create_topic(Name="stfc-topic-dev-an1-approval")["TopicArn"]
        sqs = boto3.client("sqs", region_name=REGION)
        queue_url = sqs.create_queue(QueueName="operators")["QueueUrl"]
        queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
            "QueueArn"
        ]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
        settings = Settings(
            nlb_name="MegaTicket-DR-NLB",
            nlb_mode="on-failover",
            vpc_id=vpc,
            app_subnet_ids=tuple(subnets),
            app_port=3001,
            health_path="/api/health",
            web_launch_template_name="MegaTicket-DR-Web-LT",
            app_asg_name="MegaTicket-DR-App-ASG",
            web_asg_name="MegaTicket-DR-Web-ASG",
            app_capacity=Capacity(1, 1, 2),
            web_capacity=Capacity(1, 1, 2),
            alb_dns_name="tokyo-alb.test.invalid",
            expected_region=REGION,
            approval_topic_arn=topic,
            lock_namespace="MegaTicket/DR",
            lock_metric="FailoverLock",
            lock_region="us-east-1",
            lock_alarm_name="MegaTicket-Failback-Lock",
        )
        for key, value in settings.to_env().items():
            monkeypatch.setenv(key, value)
        yield Tokyo(
            settings=settings,
            ec2=ec2,
            elbv2=boto3.client("elbv2", region_name=REGION),
            autoscaling=autoscaling,
            cloudwatch=boto3.client("cloudwatch", region_name="us-east-1"),
            sns=sns,
            sqs=sqs,
            queue_url=queue_url,
            template_id=web_lt,
        )


@dataclass
class LambdaRouter:
    """What moto's Lambda 'invoke' runs instead of a container: the real handler, in-process."""

    functions: dict[str, Callable[[dict[str, Any], Any], Any]]
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    # function name -> number of times to raise ThrottledError before running the handler
    throttle_first: dict[str, int] = field(default_factory=dict)
    invoked: dict[str, threading.Event] = field(default_factory=dict)

    def event(self, name: str) -> threading.Event:
        return self.invoked.setdefault(name, threading.Event())

    def invoke(self, function_name: str, body: Any, response_headers: dict[str, str]) -> bytes:
        name = function_name.split(":function:")[-1].split(":")[0]
        payload = json.loads(body or "{}")
        self.calls.append((name, payload))
        try:
            if self.throttle_first.get(name, 0) > 0:
                self.throttle_first[name] -= 1
                from failover.errors import ThrottledError

                raise ThrottledError(f"{name}: AWS returned ThrottlingException; retry later")
            result = self.functions[name](payload, None)
        except Exception as err:  # noqa: BLE001 - reported to Step Functions like the Lambda runtime does
            response_headers["x-amz-function-error"] = "Unhandled"
            result = {"errorType": type(err).__name__, "errorMessage": str(err)}
        finally:
            self.event(name).set()
        return json.dumps(result).encode()


@pytest.fixture
def route_lambdas(monkeypatch: pytest.MonkeyPatch) -> LambdaRouter:
    from moto.awslambda_simple.models import LambdaSimpleBackend

    router = LambdaRouter(functions=dict(FUNCTIONS))

    def invoke(
        self: Any, function_name: str, qualifier: Any, body: Any, headers: Any, response_headers: Any
    ) -> bytes:
        return router.invoke(function_name, body, response_headers)

    monkeypatch.setattr(LambdaSimpleBackend, "invoke", invoke)
    return router


@pytest.fixture
def healthy_tokyo_http(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """/api/health through the ALB answers as Tokyo; returns the URLs fetched."""
    fetched: list[str] = []

    def fake_get(url: str, timeout: int) -> tuple[int, str]:
        fetched.append(url)
        return 200, json.dumps({"status": "ok", "region": REGION})

    monkeypatch.setattr(handlers, "http_get", fake_get)
    return fetched


@pytest.fixture
def moto_ssm(aws_env: None) -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("ssm", region_name=REGION)


@pytest.fixture
def approval_aws(aws_env: None) -> Iterator[tuple[Any, Any]]:
    """moto DynamoDB (the approval table as the component declares it) and SSM."""
    from tests.failover import approval_world

    with mock_aws():
        ddb, ssm = approval_world.clients()
        approval_world.create_table(ddb)
        yield ddb, ssm
