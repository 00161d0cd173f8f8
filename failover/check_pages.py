"""What the approval page and the reports writer need, as deployed (issues 15 and 13).

`approval-page`: the HTTP API with exactly the page's two routes, both invoking the page Lambda; the
`$default` stage throttled as the settings say; step 0 linking to this API and storing ids in the
page's table (TTL on); the PIN hash in SSM when the PIN is required (the page refuses every
decision without it, so a missing PIN means no approval from a phone).

`reports`: the reports bucket versioned, encrypted, private and with its lifecycle rule, and the
`<machine>-report` rule handing every final status of the failover machine to the writer, whose
environment names this bucket and this machine.
"""

from __future__ import annotations

import json
from typing import Any

from botocore.exceptions import ClientError

from failover.approval_page import PIN_OFF, PIN_REQUIRED
from failover.approval_store import TTL_ATTRIBUTE
from failover.check_core import CheckResult, CheckSettings, ClientFactory, code, stack_hint, state_machine_arn
from failover.contract import (
    APPROVAL_PAGE_FUNCTION,
    APPROVAL_ROUTE_KEYS,
    APPROVAL_STAGE,
    REPORT_FINAL_STATUSES,
    REPORT_FUNCTION,
    approval_api_name,
    approval_table_name,
    function_name,
    report_rule_name,
)

_MISSING = {
    "NotFoundException",
    "ResourceNotFoundException",
    "ParameterNotFound",
    "NoSuchBucket",
    "404",
    "NoSuchLifecycleConfiguration",
    "NoSuchPublicAccessBlockConfiguration",
    "ServerSideEncryptionConfigurationNotFoundError",
}


def _function(clients: ClientFactory, region: str, fn: str) -> tuple[str, dict[str, str]] | None:
    """A deployed Lambda's ARN and environment; None when it does not exist."""
    try:
        config = clients("lambda", region).get_function_configuration(FunctionName=fn)
    except ClientError as err:
        if code(err) in _MISSING:
            return None
        raise
    return str(config["FunctionArn"]), dict((config.get("Environment") or {}).get("Variables") or {})


def _items(client: Any, operation: str, **kwargs: Any) -> list[dict[str, Any]]:
    return [i for page in client.get_paginator(operation).paginate(**kwargs) for i in page.get("Items", [])]


def _page_problems(clients: ClientFactory, s: CheckSettings) -> list[str]:
    region, prefix = s.dr_region, s.lambda_prefix
    apigw = clients("apigatewayv2", region)
    name = approval_api_name(prefix)
    apis = [a for a in _items(apigw, "get_apis") if a.get("Name") == name]
    if not apis:
        return [f"HTTP API {name} is missing (step 0's link leads nowhere)"]
    api, problems = apis[0], []
    page_fn = function_name(prefix, APPROVAL_PAGE_FUNCTION)
    page = _function(clients, region, page_fn)
    if page is None:
        return [f"the page Lambda {page_fn} is missing"]
    page_arn, page_env = page
    integrations = {i["IntegrationId"]: i for i in _items(apigw, "get_integrations", ApiId=api["ApiId"])}
    routes = {r["RouteKey"]: r for r in _items(apigw, "get_routes", ApiId=api["ApiId"])}
    for key in APPROVAL_ROUTE_KEYS:
        route = routes.get(key)
        if route is None:
            problems.append(f"route {key} is missing")
            continue
        integration = integrations.get(str(route.get("Target", "")).removeprefix("integrations/"), {})
        if page_arn not in str(integration.get("IntegrationUri", "")):
            problems.append(
                f"route {key} invokes {integration.get('IntegrationUri') or 'nothing'} (expected {page_fn})"
            )
    for key in sorted(set(routes) - set(APPROVAL_ROUTE_KEYS)):
        problems.append(
            f"route {key} is not the page's (only {' and '.join(APPROVAL_ROUTE_KEYS)}: a link "
            "must lead to the page, and a GET never decides)"
        )
    try:
        stage = apigw.get_stage(ApiId=api["ApiId"], StageName=APPROVAL_STAGE)
    except ClientError as err:
        if code(err) not in _MISSING:
            raise
        problems.append(f"stage {APPROVAL_STAGE} is missing")
    else:
        limits = stage.get("DefaultRouteSettings") or {}
        rate, burst = limits.get("ThrottlingRateLimit"), limits.get("ThrottlingBurstLimit")
        if (
            rate is None
            or float(rate) != s.approval_throttling_rate_limit
            or burst is None
            or int(burst) != s.approval_throttling_burst_limit
        ):
            problems.append(
                f"stage {APPROVAL_STAGE} throttles at {rate}/s, burst {burst} (expected "
                f"{s.approval_throttling_rate_limit}/s, burst {s.approval_throttling_burst_limit}: "
                "wrong PINs are limited per link and per second)"
            )
    table = approval_table_name(prefix)
    step0_env = (_function(clients, region, function_name(prefix, "step0")) or ("", {}))[1]
    url = str(step0_env.get("APPROVAL_PAGE_URL", "")).rstrip("/")
    if url != str(api.get("ApiEndpoint", "")).rstrip("/"):
        problems.append(f"step 0 links to {url or 'no page'} (expected this API, {api.get('ApiEndpoint')})")
    pin_mode = PIN_REQUIRED if s.approval_pin_required else PIN_OFF
    for label, env in (("step 0", step0_env), (page_fn, page_env)):
        if env.get("APPROVAL_TABLE") != table:
            problems.append(
                f"{label} keeps approval ids in {env.get('APPROVAL_TABLE') or 'no table'} (expected {table})"
            )
        if env.get("APPROVAL_PIN_MODE") != pin_mode:
            problems.append(
                f"{label} runs with PIN {env.get('APPROVAL_PIN_MODE') or 'unset'} (expected {pin_mode})"
            )
    try:
        ttl = clients("dynamodb", region).describe_time_to_live(TableName=table)["TimeToLiveDescription"]
        if (
            ttl.get("TimeToLiveStatus") not in ("ENABLED", "ENABLING")
            or ttl.get("AttributeName") != TTL_ATTRIBUTE
        ):
            problems.append(
                f"table {table} has TTL {ttl.get('TimeToLiveStatus')} (expected ENABLED on "
                f"{TTL_ATTRIBUTE}: expired links would stay)"
            )
    except ClientError as err:
        if code(err) not in _MISSING:
            raise
        problems.append(f"table {table} is missing")
    return problems


def _pin_problem(clients: ClientFactory, s: CheckSettings) -> str | None:
    try:
        parameter = clients("ssm", s.dr_region).get_parameter(Name=s.approval_pin_parameter)["Parameter"]
    except ClientError as err:
        if code(err) not in _MISSING:
            raise
        return (
            f"no approval PIN is set ({s.approval_pin_parameter} is missing): the page refuses every decision"
        )
    if parameter.get("Type") != "SecureString":
        return f"{s.approval_pin_parameter} is a {parameter.get('Type')} (expected SecureString)"
    return None


def check_approval_page(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "approval-page"
    if not s.approval_page_enabled:
        return CheckResult(
            name, True, "approval.page.enabled is false: step 0 sends the drctl/AWS CLI message (no page)"
        )
    problems = _page_problems(clients, s)
    if problems:
        return CheckResult(
            name,
            False,
            "; ".join(problems),
            fix=(
                f"`pulumi up --stack {stack_hint(s)}` puts back the API, its routes and stage, and the "
                "Lambdas' environment (components/failover_pipeline/approval_page.py)"
            ),
        )
    if s.approval_pin_required:
        missing = _pin_problem(clients, s)
        if missing:
            return CheckResult(
                name,
                False,
                missing,
                fix=(
                    f"`drctl approval-pin set --parameter {s.approval_pin_parameter}` (the on-call's PIN, "
                    "stored as a hash)"
                ),
            )
    return CheckResult(
        name,
        True,
        f"{approval_api_name(s.lambda_prefix)}: {' and '.join(APPROVAL_ROUTE_KEYS)} "
        f"-> {function_name(s.lambda_prefix, APPROVAL_PAGE_FUNCTION)}, throttled "
        f"{s.approval_throttling_rate_limit}/s; PIN " + ("set" if s.approval_pin_required else "off"),
    )


def _bucket_problems(clients: ClientFactory, s: CheckSettings) -> list[str]:
    s3, bucket, problems = clients("s3", s.dr_region), s.reports_bucket, []
    try:
        s3.head_bucket(Bucket=bucket)
    except ClientError as err:
        if code(err) not in _MISSING:
            raise
        return [f"bucket {bucket} is missing"]
    if s3.get_bucket_versioning(Bucket=bucket).get("Status") != "Enabled":
        problems.append(f"bucket {bucket} is not versioned (a rewritten report would lose the first)")

    def read(call: Any, key: str) -> Any:
        try:
            return call(Bucket=bucket).get(key)
        except ClientError as err:
            if code(err) not in _MISSING:
                raise
            return None

    rules = (read(s3.get_bucket_encryption, "ServerSideEncryptionConfiguration") or {}).get("Rules") or []
    algorithms = {(r.get("ApplyServerSideEncryptionByDefault") or {}).get("SSEAlgorithm") for r in rules}
    if not algorithms & {"AES256", "aws:kms", "aws:kms:dsse"}:
        problems.append(f"bucket {bucket} has no default encryption")
    block = read(s3.get_public_access_block, "PublicAccessBlockConfiguration") or {}
    open_ = [
        k
        for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
        if block.get(k) is not True
    ]
    if open_:
        problems.append(f"bucket {bucket} does not block public access ({', '.join(open_)} off)")
    lifecycle = read(s3.get_bucket_lifecycle_configuration, "Rules") or []
    if not any(r.get("Status") == "Enabled" and r.get("NoncurrentVersionExpiration") for r in lifecycle):
        problems.append(f"bucket {bucket} has no enabled lifecycle rule expiring replaced versions")
    return problems


def _writer_problems(clients: ClientFactory, s: CheckSettings) -> list[str]:
    machine = state_machine_arn(clients, s)
    rule_name = report_rule_name(s.state_machine_name)
    events = clients("events", s.dr_region)
    try:
        rule = events.describe_rule(Name=rule_name)
    except ClientError as err:
        if code(err) not in _MISSING:
            raise
        return [f"rule {rule_name} is missing (no run is reported)"]
    problems = []
    if rule.get("State") != "ENABLED":
        problems.append(f"rule {rule_name} is {rule.get('State')}")
    detail = json.loads(rule.get("EventPattern") or "{}").get("detail") or {}
    if detail.get("stateMachineArn") != [machine] or not set(REPORT_FINAL_STATUSES) <= set(
        detail.get("status") or []
    ):
        problems.append(
            f"rule {rule_name} matches {json.dumps(detail, sort_keys=True)} (expected every final "
            f"status of {s.state_machine_name})"
        )
    writer = function_name(s.lambda_prefix, REPORT_FUNCTION)
    found = _function(clients, s.dr_region, writer)
    if found is None:
        return [*problems, f"the writer Lambda {writer} is missing"]
    writer_arn, env = found
    targets = [t.get("Arn") for t in events.list_targets_by_rule(Rule=rule_name).get("Targets", [])]
    if writer_arn not in targets:
        problems.append(
            f"rule {rule_name} targets {', '.join(map(str, targets)) or 'nothing'} (expected {writer})"
        )
    if env.get("REPORTS_BUCKET") != s.reports_bucket or env.get("STATE_MACHINE_ARN") != machine:
        problems.append(
            f"{writer} writes runs of {env.get('STATE_MACHINE_ARN')} to {env.get('REPORTS_BUCKET')} "
            f"(expected {s.state_machine_name} to {s.reports_bucket})"
        )
    return problems


def check_reports(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "reports"
    if not s.reports_bucket:
        return CheckResult(name, True, "reports.bucket unset: runs are reported on request only "
                           "(`drctl report latest`)")
    problems = _bucket_problems(clients, s) + _writer_problems(clients, s)
    if problems:
        return CheckResult(
            name,
            False,
            "; ".join(problems),
            fix=(
                f"`pulumi up --stack {stack_hint(s)}` puts back the bucket settings, the rule and the writer "
                "(components/failover_pipeline/reports.py)"
            ),
        )
    return CheckResult(
        name,
        True,
        f"s3://{s.reports_bucket}: versioned, encrypted, private, lifecycle on; "
        f"{report_rule_name(s.state_machine_name)} -> {function_name(s.lambda_prefix, REPORT_FUNCTION)}",
    )
