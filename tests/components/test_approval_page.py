"""Issue 15's program part: the approval page (HTTP API, throttled stage, page Lambda, one-time id
table), its least-privilege role, the approver role, and the `approval.page.*` settings."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.failover_pipeline import FailoverPipeline
from failover.approval_page import PageSettings
from failover.approval_store import KEY, TTL_ATTRIBUTE
from offline_preview.engine import ProgramRun
from tests.components.pipeline_args import pipeline_args
from tests.conftest import run_component
from tests.test_config_hardening import accepted, check, refused

FUNCTION = "aws:lambda/function:Function"
PAGE = "failover-approval-page"


def _run(preview: bool, *assignments: str) -> ProgramRun:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        virginia = aws.Provider("us-east-1", region="us-east-1")
        FailoverPipeline("failover", pipeline_args(virginia, *assignments),
                         pulumi.ResourceOptions(provider=tokyo))

    return run_component(body, preview)


@pytest.fixture(scope="module")
def deployed() -> ProgramRun:
    return _run(False)


def _doc(run: ProgramRun, type_: str, name: str, key: str = "policy") -> dict[str, Any]:
    return json.loads(run.one(type_, name).inputs[key])


def _functions(run: ProgramRun) -> dict[str, Any]:
    return {r.inputs["name"]: r for r in run.by_type(FUNCTION)}


def test_one_time_id_table_expires_rows_is_encrypted_and_on_demand(deployed: ProgramRun) -> None:
    table = deployed.one("aws:dynamodb/table:Table").inputs
    assert table["name"] == "stfc-lambda-dev-approvals"
    assert table["hashKey"] == KEY and table["attributes"] == [{"name": KEY, "type": "S"}]
    assert table["ttl"] == {"attributeName": TTL_ATTRIBUTE, "enabled": True}
    assert table["serverSideEncryption"] == {"enabled": True}
    assert table["billingMode"] == "PAY_PER_REQUEST"
    # A restore would bring back used links: PITR stays off on purpose.
    assert table["pointInTimeRecovery"] == {"enabled": False}


def test_http_api_routes_get_and_post_of_the_link_to_the_page_lambda(deployed: ProgramRun) -> None:
    api = deployed.one("aws:apigatewayv2/api:Api").inputs
    assert (api["protocolType"], api["name"]) == ("HTTP", "stfc-lambda-dev-approval-page")
    routes = sorted(r.inputs["routeKey"] for r in deployed.by_type("aws:apigatewayv2/route:Route"))
    assert routes == ["GET /a/{id}", "POST /a/{id}"]
    integration = deployed.one("aws:apigatewayv2/integration:Integration").inputs
    assert integration["integrationUri"] == "⟨stfc-lambda-dev-page.invokeArn⟩"
    assert (integration["integrationType"], integration["payloadFormatVersion"]) == ("AWS_PROXY", "2.0")
    permission = deployed.one("aws:lambda/permission:Permission", "failover-approval-page-invoke").inputs
    assert permission["principal"] == "apigateway.amazonaws.com"
    assert permission["function"] == "stfc-lambda-dev-page"
    assert permission["sourceArn"].endswith("executionArn⟩/*/*/a/*")


@pytest.mark.parametrize("preview", [False, True], ids=["update", "preview"])
def test_stage_throttles_every_route_with_the_configured_limits(preview: bool) -> None:
    run = _run(preview, "approval.page.throttlingRateLimit=3", "approval.page.throttlingBurstLimit=7")
    stage = run.one("aws:apigatewayv2/stage:Stage").inputs
    assert (stage["name"], stage["autoDeploy"]) == ("$default", True)
    assert stage["defaultRouteSettings"] == {"throttlingRateLimit": 3, "throttlingBurstLimit": 7}
    assert "$context.path" not in stage["accessLogSettings"]["format"]  # the path holds the one-time id


def test_page_lambda_environment_is_what_the_page_reads(deployed: ProgramRun) -> None:
    env = _functions(deployed)["stfc-lambda-dev-page"].inputs["environment"]["variables"]
    settings = PageSettings.from_env(env)
    assert settings == PageSettings(table="stfc-lambda-dev-approvals", pin_mode="required",
                                    pin_parameter="/megaticket-dr/approval-pin", max_wrong_pins=5)


def test_step0_links_to_the_stage_and_writes_the_same_table(deployed: ProgramRun) -> None:
    fns = _functions(deployed)
    step0 = fns["stfc-lambda-dev-step0"].inputs["environment"]["variables"]
    page = fns["stfc-lambda-dev-page"].inputs["environment"]["variables"]
    assert step0["APPROVAL_PAGE_URL"] == "⟨$default.invokeUrl⟩"
    assert PageSettings.from_env(step0) == PageSettings.from_env(page)
    # The other steps never see the page's table.
    assert "APPROVAL_TABLE" not in fns["stfc-lambda-dev-step1"].inputs["environment"]["variables"]


def test_page_role_may_only_touch_its_table_the_pin_and_this_machine(deployed: ProgramRun) -> None:
    statements = _doc(deployed, "aws:iam/rolePolicy:RolePolicy", f"{PAGE}-policy")["Statement"]
    by_action = {json.dumps(s["Action"]): s for s in statements}
    assert by_action['["dynamodb:GetItem", "dynamodb:UpdateItem"]']["Resource"] == \
        "⟨stfc-lambda-dev-approvals.arn⟩"
    assert by_action['["states:SendTaskSuccess", "states:SendTaskFailure"]']["Resource"] == \
        "arn:aws:states:ap-northeast-1:⟨aws.accountId⟩:stateMachine:stfc-stepfunction-dev-an1"
    parameter = "arn:aws:ssm:ap-northeast-1:⟨aws.accountId⟩:parameter/megaticket-dr/approval-pin"
    assert by_action['"ssm:GetParameter"']["Resource"] == parameter
    kms = by_action['"kms:Decrypt"']
    assert kms["Condition"]["StringEquals"] == {
        "kms:ViaService": "ssm.ap-northeast-1.amazonaws.com",
        "kms:EncryptionContext:PARAMETER_ARN": parameter,
    }
    assert all(s["Resource"] != "*" for s in statements)


def test_pin_off_drops_the_parameter_from_the_role_and_the_environment() -> None:
    run = _run(False, "approval.page.pin=off")
    statements = _doc(run, "aws:iam/rolePolicy:RolePolicy", f"{PAGE}-policy")["Statement"]
    assert not [s for s in statements if "ssm" in json.dumps(s) or "kms" in json.dumps(s)]
    env = _functions(run)["stfc-lambda-dev-page"].inputs["environment"]["variables"]
    assert "APPROVAL_PIN_PARAMETER" not in env and PageSettings.from_env(env).pin_mode == "off"


def test_page_disabled_declares_no_page_and_step0_sends_the_cli_message() -> None:
    run = _run(False, "approval.page.enabled=false")
    assert not run.by_type("aws:apigatewayv2/api:Api") and not run.by_type("aws:dynamodb/table:Table")
    step0 = _functions(run)["stfc-lambda-dev-step0"].inputs["environment"]["variables"]
    assert "APPROVAL_PAGE_URL" not in step0
    policy = _doc(run, "aws:iam/rolePolicy:RolePolicy", "failover-step0-policy")
    assert "dynamodb" not in json.dumps(policy)


def test_approver_role_needs_mfa_and_may_decide_only_this_machine(deployed: ProgramRun) -> None:
    role = deployed.one("aws:iam/role:Role", f"{PAGE}-approver").inputs
    assert role["name"] == "stfc-lambda-dev-approver-role"
    trust = json.loads(role["assumeRolePolicy"])["Statement"]
    assert trust == [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::⟨aws.accountId⟩:root"},
                      "Action": "sts:AssumeRole",
                      "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}}}]
    policy = _doc(deployed, "aws:iam/policy:Policy", f"{PAGE}-approver-policy")["Statement"]
    arn = "arn:aws:states:ap-northeast-1:⟨aws.accountId⟩:"
    assert {s["Sid"]: s["Resource"] for s in policy} == {
        "Decide": f"{arn}stateMachine:stfc-stepfunction-dev-an1",
        "ReadMachines": [f"{arn}stateMachine:stfc-stepfunction-dev-an1",
                         f"{arn}stateMachine:stfc-stepfunction-dev-an1-failback"],
        "ReadExecutions": [f"{arn}execution:stfc-stepfunction-dev-an1:*",
                           f"{arn}execution:stfc-stepfunction-dev-an1-failback:*"],
    }
    decide = [s for s in policy if s["Sid"] == "Decide"][0]
    assert decide["Action"] == ["states:SendTaskSuccess", "states:SendTaskFailure"]
    attach = deployed.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", f"{PAGE}-approver-attach")
    assert attach.inputs["role"] == "stfc-lambda-dev-approver-role"


# --- approval.page.* settings, by category ------------------------------------------------------

@pytest.mark.parametrize("assignment, key, says", [
    ("approval.page.pin=maybe", "approval.page.pin", '"required" or "off"'),
    ("approval.page.pin=", "approval.page.pin", '"required" or "off"'),
    ("approval.page.pin=Required", "approval.page.pin", '"required" or "off"'),
    ("approval.page.maxPinAttempts=0", "approval.page.maxPinAttempts", "from 1 to 20"),
    ("approval.page.maxPinAttempts=21", "approval.page.maxPinAttempts", "from 1 to 20"),
    ("approval.page.maxPinAttempts=three", "approval.page.maxPinAttempts", "from 1 to 20"),
    ("approval.page.maxPinAttempts=2.5", "approval.page.maxPinAttempts", "from 1 to 20"),
    ("approval.page.throttlingRateLimit=0", "approval.page.throttlingRateLimit", "from 1 to 10000"),
    ("approval.page.throttlingRateLimit=10001", "approval.page.throttlingRateLimit", "from 1 to 10000"),
    ("approval.page.throttlingBurstLimit=5001", "approval.page.throttlingBurstLimit", "from 1 to 5000"),
    ("approval.page.throttlingBurstLimit=4", "approval.page.throttlingBurstLimit",
     "at least throttlingRateLimit (5)"),
    ("approval.page.pinParameter=", "approval.page.pinParameter", "SSM parameter name"),
    ("approval.page.pinParameter= /x", "approval.page.pinParameter", "SSM parameter name"),
    ("approval.page.pinParameter=relative/name", "approval.page.pinParameter", "SSM parameter name"),
    ("approval.page.pinParameter=/aws/reserved", "approval.page.pinParameter", "not under /aws or /ssm"),
    ("approval.page.pinParameter=/SSM/reserved", "approval.page.pinParameter", "not under /aws or /ssm"),
    ("approval.page.pinParameter=/a//b", "approval.page.pinParameter", "SSM parameter name"),
    ("approval.page.pinParameter=" + "/a" * 16, "approval.page.pinParameter", "15 levels"),
    ("approval.page.pinParameter=/" + "a" * 1011, "approval.page.pinParameter", "1011 characters"),
    ("approval.page.enabled=sometimes", "approval.page.enabled", ""),
], ids=lambda v: str(v)[:50])
def test_wrong_approval_page_settings_are_refused_naming_the_key(assignment: str, key: str, says: str) -> None:
    check("tokyo", (assignment,), None, key, says)


def test_unknown_approval_page_keys_are_refused() -> None:
    assert "approval.page.maxPinAttempt" in refused("tokyo", "approval.page.maxPinAttempt=3")
    assert "approval.pages" in refused("tokyo", "approval.pages.pin=off")


@pytest.mark.parametrize("assignments", [
    ("approval.page.maxPinAttempts=1",), ("approval.page.maxPinAttempts=20",),
    ("approval.page.throttlingRateLimit=10000", "approval.page.throttlingBurstLimit=10000"),
    ("approval.page.throttlingRateLimit=1", "approval.page.throttlingBurstLimit=1"),
    ("approval.page.pinParameter=" + "/a" * 15,), ("approval.page.pinParameter=/team-aws/pin",),
    ("approval.page.pin=off",),
], ids=lambda v: " ".join(v)[:50])
def test_approval_page_settings_at_the_edges_pass(assignments: tuple[str, ...]) -> None:
    if "approval.page.throttlingBurstLimit=10000" in assignments:
        # the burst ceiling is 5000: a rate above it can never be reached, so refuse it
        check("tokyo", assignments, None, "approval.page.throttlingBurstLimit", "from 1 to 5000")
        return
    accepted("tokyo", *assignments)
