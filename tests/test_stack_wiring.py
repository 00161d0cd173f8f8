"""What `stacks.py` wires for each stack: the pieces that only exist at the program level."""

from __future__ import annotations

import json

import pytest

from stack_config import DEFAULT_INTERFACE_ENDPOINTS
from tests.conftest import run_program

ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
MACHINE = "aws:sfn/stateMachine:StateMachine"


def interface_services(run) -> set[str]:
    return {r.name.removeprefix("network-") for r in run.by_type(ENDPOINT)
            if r.inputs.get("vpcEndpointType") == "Interface"}


def test_without_nat_the_app_reaches_bedrock_and_ssm_through_interface_endpoints(preview):
    run = run_program("tokyo", preview)
    assert interface_services(run) == set(DEFAULT_INTERFACE_ENDPOINTS)
    assert not run.by_type("aws:ec2/natGateway:NatGateway")


@pytest.mark.parametrize("stack", ["tokyo", "seoul"])
def test_without_nat_an_sts_endpoint_lets_instances_run_get_caller_identity(stack):
    # 001 6.4's first check, `aws sts get-caller-identity`, hangs without NAT or this endpoint.
    run = run_program(stack)
    (sts,) = [r for r in run.by_type(ENDPOINT) if r.name == "network-sts"]
    region = "ap-northeast-1" if stack == "tokyo" else "ap-northeast-2"
    assert sts.inputs["serviceName"] == f"com.amazonaws.{region}.sts"
    assert sts.inputs["vpcEndpointType"] == "Interface"
    # private DNS: the regional name sts.<region>.amazonaws.com resolves to the endpoint
    assert sts.inputs["privateDnsEnabled"] is True
    assert len(sts.inputs["subnetIds"]) == 2


def test_with_nat_no_interface_endpoints_are_paid_for(preview):
    run = run_program("tokyo", preview, overrides=["network.natGateway=true"])
    assert interface_services(run) == set()
    assert len(run.by_type("aws:ec2/natGateway:NatGateway")) >= 1


def test_interface_endpoints_are_configurable():
    run = run_program("tokyo", overrides=['network.interfaceEndpoints=["bedrock-runtime"]'])
    assert interface_services(run) == {"bedrock-runtime"}


def test_tokyo_pipeline_is_wired_from_the_stack_settings():
    run = run_program("tokyo", overrides=["failover.approvalTimeoutSeconds=900",
                                          "failover.approvalTimeoutAction=proceed"])
    machine = run.one(MACHINE, "failover-failover-state-machine")
    assert machine.inputs["name"] == "stfc-stepfunction-dev-an1"
    definition = json.loads(machine.inputs["definition"])
    approval = definition["States"]["Step0_WaitForApproval"]
    assert approval["TimeoutSeconds"] == 900
    assert "HeartbeatSeconds" not in approval  # nobody sends heartbeats for a human decision
    assert run.outputs["stateMachineArn"] == "⟨stfc-stepfunction-dev-an1.arn⟩"
    topics = {r.inputs["name"] for r in run.by_type("aws:sns/topic:Topic")}
    assert "stfc-topic-dev-an1-approval" in topics
    rule = run.one("aws:cloudwatch/eventRule:EventRule", "failover-observation-rule")
    assert run.region_of(rule) == "us-east-1"
    assert json.loads(rule.inputs["eventPattern"])["detail"]["alarmName"] == [
        "MegaTicket-Primary-HealthCheck-Alarm"]


def test_readiness_lambda_is_optional():
    names = lambda run: {r.name for r in run.resources}  # noqa: E731
    assert "readiness" in names(run_program("tokyo"))
    assert "readiness" not in names(run_program("tokyo", overrides=["readiness.enabled=false"]))


@pytest.mark.parametrize("stack", ["seoul", "tokyo"])
def test_every_resource_is_declared_through_a_component_or_is_a_provider(stack):
    run = run_program(stack)
    top_level = [r for r in run.resources if r.parent.endswith(f"pulumi:pulumi:Stack::megaticket-dr-{stack}")]
    assert {r.type.split(":")[0] for r in top_level} <= {"megaticket-dr", "pulumi"}, [
        (r.type, r.name) for r in top_level if not r.type.startswith(("megaticket-dr", "pulumi"))]


def test_seoul_exports_every_output_tokyo_reads():
    from stack_contract import PRIMARY_OUTPUTS

    run = run_program("seoul")
    assert set(PRIMARY_OUTPUTS) <= set(run.outputs)
    assert run.outputs["tableNames"]["reservations"] == "KDT-Msp4-PLDR-reservations"


@pytest.mark.parametrize("certificate, scheme, host", [
    (None, "http", "⟨MegaTicket-DR-ALB.dnsName⟩"),
    ("arn:aws:acm:ap-northeast-1:000000000000:certificate/00000000-0000-0000-0000-000000000000",
     "https", "pilotlight-test.click"),
])
def test_step4_verifies_where_the_alb_actually_answers(certificate, scheme, host):
    overrides = [f"alb.certificateArn={certificate}"] if certificate else []
    run = run_program("tokyo", overrides=overrides)
    step4 = next(r for r in run.by_type("aws:lambda/function:Function")
                 if r.inputs["name"] == "stfc-lambda-dev-step4")
    variables = step4.inputs["environment"]["variables"]
    assert (variables.get("HEALTH_SCHEME", "http"), variables["ALB_DNS_NAME"]) == (scheme, host)


def test_lambda_packages_hold_only_python_sources_so_builds_are_reproducible():
    run = run_program("tokyo")
    for function in run.by_type("aws:lambda/function:Function"):
        code = function.inputs["code"]
        assert code["__asset"] == "AssetArchive"
        assert code["assets"], function.name
        # Sources only (the readiness Lambda also carries the user data renderer and its templates).
        assert all(path.startswith(("failover/", "userdata/")) and path.endswith((".py", ".sh.tpl"))
                   for path in code["assets"]), (function.name, code["assets"])
        module = function.inputs["handler"].rsplit(".", 1)[0]
        assert f"{module.replace('.', '/')}.py" in code["assets"], (function.name, function.inputs["handler"])


def test_readiness_alarm_notifies_a_topic_whose_key_lets_cloudwatch_alarms_publish():
    """GIVEN the readiness alarm's actions name the approval topic
    THEN that topic is encrypted with the pipeline's own key (not alias/aws/sns, which CloudWatch
    alarms cannot use, so every readiness notification would fail) and the key policy admits
    CloudWatch alarms for exactly that topic."""
    run = run_program("tokyo")
    alarm = run.one("aws:cloudwatch/metricAlarm:MetricAlarm", "readiness-alarm")
    topic = run.one("aws:sns/topic:Topic", "failover-approval-topic")
    assert alarm.inputs["alarmActions"] == ["⟨stfc-topic-dev-an1-approval.arn⟩"]
    key = run.one("aws:kms/key:Key", "failover-approval-topic-key")
    assert topic.inputs["kmsMasterKeyId"] == "⟨failover-approval-topic-key.arn⟩"
    allowed = [s for s in json.loads(key.inputs["policy"])["Statement"]
               if s["Principal"] == {"Service": "cloudwatch.amazonaws.com"}]
    assert [s["Condition"]["StringEquals"]["kms:EncryptionContext:aws:sns:topicArn"] for s in allowed] \
        == ["arn:aws:sns:ap-northeast-1:⟨aws.accountId⟩:stfc-topic-dev-an1-approval"]
    assert run.region_of(alarm) == run.region_of(key) == "ap-northeast-1"
