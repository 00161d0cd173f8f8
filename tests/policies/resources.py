"""Builders for the resources the tests send through the protocol, shaped like the engine's requests."""

from __future__ import annotations

import base64
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Optional

from policies.analyzer_harness import AnalyzedResource, PolicyPackProcess, ProviderRef, Violation

TOKYO, SEOUL, VIRGINIA = "ap-northeast-1", "ap-northeast-2", "us-east-1"
PROJECT = "megaticket-dr"
STACK_OF_REGION = {TOKYO: "tokyo", SEOUL: "seoul", VIRGINIA: "tokyo"}

LT = "aws:ec2/launchTemplate:LaunchTemplate"
ASG = "aws:autoscaling/group:Group"
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_CONFIG = "aws:ec2/launchConfiguration:LaunchConfiguration"
FLEET = "aws:ec2/fleet:Fleet"
SPOT_FLEET = "aws:ec2/spotFleetRequest:SpotFleetRequest"
LAMBDA = "aws:lambda/function:Function"
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
RECORD = "aws:route53/record:Record"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
TABLE = "aws:dynamodb/table:Table"
TOPIC = "aws:sns/topic:Topic"
SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription"


def urn(stack: str, type_: str, name: str) -> str:
    return f"urn:pulumi:{stack}::{PROJECT}::{type_}::{name}"


def provider(region: str, stack: Optional[str] = None) -> ProviderRef:
    stack = stack or STACK_OF_REGION[region]
    name = f"aws-{region}"
    return ProviderRef(
        type="pulumi:providers:aws",
        name=name,
        urn=urn(stack, "pulumi:providers:aws", name),
        properties={"region": region},
    )


def resource(
    type_: str,
    name: str,
    props: Mapping[str, Any],
    *,
    region: str = TOKYO,
    stack: Optional[str] = None,
    options: Optional[Mapping[str, Any]] = None,
    dependencies: Sequence[str] = (),
    property_dependencies: Optional[Mapping[str, Sequence[str]]] = None,
    with_provider: bool = True,
) -> AnalyzedResource:
    stack = stack or STACK_OF_REGION[region]
    return AnalyzedResource(
        urn=urn(stack, type_, name),
        type=type_,
        name=name,
        properties=dict(props),
        provider=provider(region, stack) if with_provider else None,
        options=dict(options or {}),
        dependencies=tuple(dependencies),
        property_dependencies=dict(property_dependencies or {}),
    )


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def web_user_data(
    region: str = TOKYO,
    internal_api_url: str = "http://MegaTicket-DR-NLB-0a1b.elb.ap-northeast-1.amazonaws.com:3001",
    extra: str = "",
) -> str:
    """The document's recommended Web user data (000 §2, 001 §1.4), values substituted."""
    return (
        "#!/bin/bash\nset -x\n"
        f'echo "export AWS_REGION={region}" > /home/ec2-user/dr-web-env.sh\n'
        f'echo "export INTERNAL_API_URL={internal_api_url}" >> /home/ec2-user/dr-web-env.sh\n'
        "sudo -u ec2-user bash -c \"cat > /home/ec2-user/megaticket/apps/web/.env.production << 'ENVEOF'\n"
        f'AWS_REGION={region}\nINTERNAL_API_URL={internal_api_url}\nENVEOF"\n'
        f"{extra}"
        'sudo -u ec2-user bash -c "source \\$HOME/.nvm/nvm.sh && cd \\$HOME/megaticket/apps/web && '
        f"AWS_REGION={region} INTERNAL_API_URL={internal_api_url} "
        "pm2 start npm --name 'web-frontend' -- start\"\n"
    )


def launch_template(
    user_data: Optional[str],
    *,
    name: str = "MegaTicket-DR-Web-LT",
    region: str = TOKYO,
    http_tokens: Optional[str] = "required",
    tags: Optional[Mapping[str, Any]] = None,
    encode: bool = True,
    stack: Optional[str] = None,
) -> AnalyzedResource:
    props: dict[str, Any] = {"name": name, "imageId": "ami-0a1b2c3d4e5f6a7b8", "instanceType": "t3.small"}
    if user_data is not None:
        props["userData"] = b64(user_data) if encode else user_data
    if http_tokens is not None:
        props["metadataOptions"] = {"httpTokens": http_tokens, "httpEndpoint": "enabled"}
    if tags is not None:
        props["tags"] = dict(tags)
    return resource(LT, name, props, region=region, stack=stack)


def policies_hit(violations: Iterable[Violation]) -> set[str]:
    return {v.policy_name for v in violations}


def violations_of(pack: PolicyPackProcess, policy: str, *resources: AnalyzedResource) -> list[Violation]:
    found: list[Violation] = []
    for item in resources:
        found += [v for v in pack.analyze(item) if v.policy_name == policy]
    return found


def stack_violations_of(
    pack: PolicyPackProcess, policy: str, resources: Sequence[AnalyzedResource]
) -> list[Violation]:
    return [v for v in pack.analyze_stack(resources) if v.policy_name == policy]
