"""Doctor on the approval page and the reports writer, as the program deploys them (fixture generated
from the program with `reports.bucket` set; the PIN set as the operator does after `pulumi up`):
every check passes, and each fault fails exactly the check that owns it, saying what is wrong."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from failover.contract import (
    APPROVAL_STAGE,
    approval_api_name,
    approval_table_name,
    function_name,
    report_rule_name,
)
from tests.drctl.generated import Env, deployed

BUCKET = "megaticket-dr-reports"
Fault = Callable[[Env], Callable[[], None]]


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    with deployed((f"reports.bucket={BUCKET}",)) as generated:
        yield generated


def _failed_with(env: Env, fault: Fault) -> dict[str, Any]:
    revert = fault(env)
    try:
        return env.failed()
    finally:
        revert()


def _api(env: Env) -> dict[str, Any]:
    apis = env.clients("apigatewayv2", env.settings.dr_region).get_apis()["Items"]
    return next(a for a in apis if a["Name"] == approval_api_name(env.settings.lambda_prefix))


def _env_of(env: Env, fn: str) -> tuple[Any, dict[str, str]]:
    lam = env.clients("lambda", env.settings.dr_region)
    return lam, dict(lam.get_function_configuration(FunctionName=fn)["Environment"]["Variables"])


def _set_env(env: Env, fn: str, **changes: str) -> Callable[[], None]:
    lam, before = _env_of(env, fn)
    lam.update_function_configuration(FunctionName=fn, Environment={"Variables": {**before, **changes}})
    return lambda: lam.update_function_configuration(FunctionName=fn, Environment={"Variables": before})


def test_the_deployed_page_and_reports_pass_and_say_what_they_saw(env: Env):
    results = env.run()
    assert {n: r.detail for n, r in results.items() if not r.ok} == {}
    assert "GET /a/{id} and POST /a/{id} -> stfc-lambda-dev-page, throttled 5/s; PIN set" in \
        results["approval-page"].detail
    assert results["reports"].detail.startswith(f"s3://{BUCKET}: versioned, encrypted, private, lifecycle on")


# --- the approval page ------------------------------------------------------------------------


def _extra_route(env: Env) -> Callable[[], None]:
    apigw = env.clients("apigatewayv2", env.settings.dr_region)
    api = _api(env)["ApiId"]
    route = apigw.create_route(ApiId=api, RouteKey="GET /approve/{id}")["RouteId"]
    return lambda: apigw.delete_route(ApiId=api, RouteId=route)


def _route_elsewhere(env: Env) -> Callable[[], None]:
    apigw = env.clients("apigatewayv2", env.settings.dr_region)
    api = _api(env)["ApiId"]
    route = next(r for r in apigw.get_routes(ApiId=api)["Items"] if r["RouteKey"] == "POST /a/{id}")
    other = apigw.create_integration(
        ApiId=api, IntegrationType="AWS_PROXY", PayloadFormatVersion="2.0",
        IntegrationUri="arn:aws:lambda:ap-northeast-1:123456789012:function:somebody-else")["IntegrationId"]
    apigw.update_route(ApiId=api, RouteId=route["RouteId"], Target=f"integrations/{other}")
    return lambda: apigw.update_route(ApiId=api, RouteId=route["RouteId"], Target=route["Target"])


def _unthrottled(env: Env) -> Callable[[], None]:
    # moto has no UpdateStage: the stage is put back as it was, with other limits
    apigw = env.clients("apigatewayv2", env.settings.dr_region)
    api = _api(env)["ApiId"]
    before = apigw.get_stage(ApiId=api, StageName=APPROVAL_STAGE)

    def put(rate: float, burst: int) -> None:
        apigw.delete_stage(ApiId=api, StageName=APPROVAL_STAGE)
        apigw.create_stage(ApiId=api, StageName=APPROVAL_STAGE, AutoDeploy=True,
                           AccessLogSettings=before["AccessLogSettings"],
                           DefaultRouteSettings={"ThrottlingRateLimit": rate, "ThrottlingBurstLimit": burst})

    put(10000.0, 5000)
    limits = before["DefaultRouteSettings"]
    return lambda: put(limits["ThrottlingRateLimit"], limits["ThrottlingBurstLimit"])


def _step0_links_elsewhere(env: Env) -> Callable[[], None]:
    return _set_env(env, function_name(env.settings.lambda_prefix, "step0"),
                    APPROVAL_PAGE_URL="https://old-api.execute-api.ap-northeast-1.amazonaws.com")


def _pin_off_on_the_page(env: Env) -> Callable[[], None]:
    return _set_env(env, function_name(env.settings.lambda_prefix, "page"), APPROVAL_PIN_MODE="off")


def _pin_deleted(env: Env) -> Callable[[], None]:
    ssm = env.clients("ssm", env.settings.dr_region)
    name = env.settings.approval_pin_parameter
    value = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    ssm.delete_parameter(Name=name)
    return lambda: ssm.put_parameter(Name=name, Value=value, Type="SecureString")


def _pin_in_plain_text(env: Env) -> Callable[[], None]:
    ssm = env.clients("ssm", env.settings.dr_region)
    name = env.settings.approval_pin_parameter
    value = ssm.get_parameter(Name=name, WithDecryption=True)["Parameter"]["Value"]
    ssm.delete_parameter(Name=name)
    ssm.put_parameter(Name=name, Value=value, Type="String")

    def revert() -> None:
        ssm.delete_parameter(Name=name)
        ssm.put_parameter(Name=name, Value=value, Type="SecureString")
    return revert


def _ttl_off(env: Env) -> Callable[[], None]:
    ddb = env.clients("dynamodb", env.settings.dr_region)
    table = approval_table_name(env.settings.lambda_prefix)
    ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={"Enabled": False, "AttributeName": "expires_at"})
    return lambda: ddb.update_time_to_live(TableName=table, TimeToLiveSpecification={
        "Enabled": True, "AttributeName": "expires_at"})


PAGE_FAULTS: dict[str, tuple[Fault, str, str]] = {
    "extra-route": (_extra_route, "route GET /approve/{id} is not the page's", "pulumi up --stack tokyo"),
    "route-elsewhere": (_route_elsewhere, "route POST /a/{id} invokes arn:aws:lambda:ap-northeast-1:123456789012:"
                        "function:somebody-else (expected stfc-lambda-dev-page)", "pulumi up"),
    "unthrottled": (_unthrottled, "throttles at 10000.0/s, burst 5000 (expected 5/s, burst 10", "pulumi up"),
    "step0-elsewhere": (_step0_links_elsewhere, "step 0 links to https://old-api.execute-api", "pulumi up"),
    "pin-off": (_pin_off_on_the_page, "stfc-lambda-dev-page runs with PIN off (expected required)", "pulumi up"),
    "pin-missing": (_pin_deleted, "no approval PIN is set (/megaticket-dr/approval-pin is missing)",
                    "drctl approval-pin set --parameter /megaticket-dr/approval-pin"),
    "pin-plain": (_pin_in_plain_text, "/megaticket-dr/approval-pin is a String (expected SecureString)",
                  "drctl approval-pin set"),
    "ttl-off": (_ttl_off, "table stfc-lambda-dev-approvals has TTL DISABLED", "pulumi up"),
}


@pytest.mark.parametrize("fault", sorted(PAGE_FAULTS))
def test_each_approval_page_fault_fails_the_page_check(env: Env, fault: str):
    make, says, fix = PAGE_FAULTS[fault]
    failed = _failed_with(env, make)
    assert set(failed) == {"approval-page"}, {n: r.detail for n, r in failed.items()}
    assert says in failed["approval-page"].detail
    assert fix in failed["approval-page"].fix


def test_without_the_page_the_check_expects_no_page_and_says_so(env: Env):
    off = dataclasses.replace(env.settings, approval_page_enabled=False)
    result = env.run(off)["approval-page"]
    assert result.ok and "approval.page.enabled is false" in result.detail


# --- the reports bucket and its writer ----------------------------------------------------------


def _s3(env: Env) -> Any:
    return env.clients("s3", env.settings.dr_region)


def _suspended(env: Env) -> Callable[[], None]:
    _s3(env).put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Suspended"})
    return lambda: _s3(env).put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})


def _public(env: Env) -> Callable[[], None]:
    before = _s3(env).get_public_access_block(Bucket=BUCKET)["PublicAccessBlockConfiguration"]
    _s3(env).put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration={
        **before, "RestrictPublicBuckets": False})
    return lambda: _s3(env).put_public_access_block(Bucket=BUCKET, PublicAccessBlockConfiguration=before)


def _unencrypted(env: Env) -> Callable[[], None]:
    before = _s3(env).get_bucket_encryption(Bucket=BUCKET)["ServerSideEncryptionConfiguration"]
    _s3(env).delete_bucket_encryption(Bucket=BUCKET)
    return lambda: _s3(env).put_bucket_encryption(Bucket=BUCKET, ServerSideEncryptionConfiguration=before)


def _no_lifecycle(env: Env) -> Callable[[], None]:
    rules = _s3(env).get_bucket_lifecycle_configuration(Bucket=BUCKET)["Rules"]
    _s3(env).delete_bucket_lifecycle(Bucket=BUCKET)
    return lambda: _s3(env).put_bucket_lifecycle_configuration(Bucket=BUCKET, LifecycleConfiguration={"Rules": rules})


def _rule_disabled(env: Env) -> Callable[[], None]:
    events = env.clients("events", env.settings.dr_region)
    name = report_rule_name(env.settings.state_machine_name)
    events.disable_rule(Name=name)
    return lambda: events.enable_rule(Name=name)


def _rule_without_target(env: Env) -> Callable[[], None]:
    events = env.clients("events", env.settings.dr_region)
    name = report_rule_name(env.settings.state_machine_name)
    targets = events.list_targets_by_rule(Rule=name)["Targets"]
    events.remove_targets(Rule=name, Ids=[t["Id"] for t in targets])
    return lambda: events.put_targets(Rule=name, Targets=targets)


def _rule_for_failback(env: Env) -> Callable[[], None]:
    events = env.clients("events", env.settings.dr_region)
    name = report_rule_name(env.settings.state_machine_name)
    rule = events.describe_rule(Name=name)
    pattern = json.loads(rule["EventPattern"])
    other = {**pattern, "detail": {**pattern["detail"], "stateMachineArn": [
        pattern["detail"]["stateMachineArn"][0] + "-failback"]}}
    events.put_rule(Name=name, EventPattern=json.dumps(other), State="ENABLED")
    return lambda: events.put_rule(Name=name, EventPattern=rule["EventPattern"], State="ENABLED")


def _writer_elsewhere(env: Env) -> Callable[[], None]:
    return _set_env(env, function_name(env.settings.lambda_prefix, "report"), REPORTS_BUCKET="someone-elses-bucket")


REPORT_FAULTS: dict[str, tuple[Fault, str]] = {
    "suspended": (_suspended, f"bucket {BUCKET} is not versioned"),
    "public": (_public, f"bucket {BUCKET} does not block public access (RestrictPublicBuckets off)"),
    "unencrypted": (_unencrypted, f"bucket {BUCKET} has no default encryption"),
    "no-lifecycle": (_no_lifecycle, f"bucket {BUCKET} has no enabled lifecycle rule"),
    "rule-disabled": (_rule_disabled, "rule stfc-stepfunction-dev-an1-report is DISABLED"),
    "no-target": (_rule_without_target, "rule stfc-stepfunction-dev-an1-report targets nothing (expected "
                  "stfc-lambda-dev-report)"),
    "failback-runs": (_rule_for_failback, "(expected every final status of stfc-stepfunction-dev-an1)"),
    "other-bucket": (_writer_elsewhere, "to someone-elses-bucket (expected stfc-stepfunction-dev-an1 to "
                     f"{BUCKET})"),
}


@pytest.mark.parametrize("fault", sorted(REPORT_FAULTS))
def test_each_reports_fault_fails_the_reports_check(env: Env, fault: str):
    make, says = REPORT_FAULTS[fault]
    failed = _failed_with(env, make)
    assert set(failed) == {"reports"}, {n: r.detail for n, r in failed.items()}
    assert says in failed["reports"].detail
    assert "pulumi up --stack tokyo" in failed["reports"].fix


def test_a_stack_expecting_reports_that_were_never_deployed_fails(env: Env):
    elsewhere = dataclasses.replace(env.settings, reports_bucket="megaticket-dr-reports-never-made")
    result = env.run(elsewhere)["reports"]
    assert not result.ok and "bucket megaticket-dr-reports-never-made is missing" in result.detail
