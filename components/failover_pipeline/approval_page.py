"""The approval page and the approver role: approve a failover from a phone, or from drctl.

Page: API Gateway HTTP API (stage `$default`, throttled) -> Lambda `failover.handlers.approval_page`
-> DynamoDB table of one-time approval ids (`failover.approval_store`). Step 0 writes a row per
request (task token, execution, expiry) and sends only the link; the page reads the row, checks the
anti-forgery token, the name and (when `approval.page.pin` is required) the PIN hash in SSM, and
answers Step Functions. GET never decides.

Approver role: a customer-managed policy (SendTaskSuccess/Failure on the failover machine; read
and list on the failover and failback machines only) on a role people in this account assume with
MFA, for `drctl approve/reject` (README "Approving a failover").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from components.failover_pipeline import iam
from components.failover_pipeline.functions import lambda_with_role, package
from failover.approval_link import page_url
from failover.approval_page import PATH_PREFIX
from failover.approval_store import KEY, TTL_ATTRIBUTE
from failover.contract import (
    APPROVAL_PAGE_FUNCTION,
    APPROVAL_ROUTE_KEYS,
    APPROVAL_STAGE,
    approval_api_name,
    approval_table_name,
    function_name,
    role_name,
)
from stack_config.model import ApprovalPageSettings

PAGE_HANDLER = "failover.handlers.approval_page"
PAGE_TIMEOUT_SECONDS = 30  # PBKDF2 (600,000 rounds) plus three AWS calls; API Gateway waits 30 s
ROUTE_KEYS = APPROVAL_ROUTE_KEYS
ACCESS_LOG_FORMAT = (
    '{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":'
    '"$context.httpMethod","route":"$context.routeKey","status":"$context.status",'
    '"error":"$context.integrationErrorMessage"}'
)  # no path: it holds the one-time id


table_name = approval_table_name
api_name = approval_api_name


def approver_name(lambda_prefix: str) -> str:
    return role_name(f"{lambda_prefix}-approver")


def page_environment(page: ApprovalPageSettings, table: str) -> dict[str, str]:
    """What `failover.approval_page.PageSettings.from_env` reads (the page and step 0 both)."""
    env = {
        "APPROVAL_TABLE": table,
        "APPROVAL_PIN_MODE": page.pin,
        "APPROVAL_MAX_WRONG_PINS": str(page.max_pin_attempts),
    }
    if page.pin_required:
        env["APPROVAL_PIN_PARAMETER"] = page.pin_parameter
    return env


def parameter_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:ssm:{region}:{account}:parameter/{name.lstrip('/')}"


def page_policy(
    region: str, account: str, table_arn: str, machine_arn: str, page: ApprovalPageSettings
) -> str:
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:UpdateItem"], "Resource": table_arn},
        {"Effect": "Allow", "Action": ["states:SendTaskSuccess", "states:SendTaskFailure"],
         "Resource": machine_arn},
    ]
    if page.pin_required:
        parameter = parameter_arn(region, account, page.pin_parameter)
        statements += [
            {"Effect": "Allow", "Action": "ssm:GetParameter", "Resource": parameter},
            # `drctl approval-pin set` writes a SecureString with the account's aws/ssm key: decrypt
            # only through SSM, and only for this parameter.
            {"Effect": "Allow", "Action": "kms:Decrypt", "Resource": f"arn:aws:kms:{region}:{account}:key/*",
             "Condition": {"StringEquals": {"kms:ViaService": f"ssm.{region}.amazonaws.com",
                                            "kms:EncryptionContext:PARAMETER_ARN": parameter}}},
        ]
    return iam.policy(statements)


def approver_trust(account: str) -> str:
    """People (IAM users and roles) of this account, signed in with MFA."""
    return iam.policy([{
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account}:root"},
        "Action": "sts:AssumeRole",
        "Condition": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    }])


def approver_policy(region: str, account: str, machine_names: tuple[str, ...]) -> str:
    machines = [f"arn:aws:states:{region}:{account}:stateMachine:{m}" for m in machine_names]
    executions = [f"arn:aws:states:{region}:{account}:execution:{m}:*" for m in machine_names]
    return iam.policy([
        {"Sid": "Decide", "Effect": "Allow",
         "Action": ["states:SendTaskSuccess", "states:SendTaskFailure"], "Resource": machines[0]},
        {"Sid": "ReadMachines", "Effect": "Allow",
         "Action": ["states:DescribeStateMachine", "states:ListExecutions"], "Resource": machines},
        {"Sid": "ReadExecutions", "Effect": "Allow",
         "Action": ["states:DescribeExecution", "states:GetExecutionHistory"], "Resource": executions},
    ])


@dataclass(frozen=True)
class ApprovalPageArgs:
    page: ApprovalPageSettings
    lambda_prefix: str
    region: str
    account: pulumi.Input[str]
    machine_names: tuple[str, str]  # failover (decided on), failback (read only)
    machine_arn: pulumi.Input[str]
    log_retention_days: int = 90
    tags: Mapping[str, str] = field(default_factory=dict)


class ApprovalTable(pulumi.ComponentResource):
    """The one-time approval id table: exists before step 0's Lambda, which writes to it."""

    table_name: pulumi.Output[str]
    table_arn: pulumi.Output[str]

    def __init__(self, name: str, lambda_prefix: str, tags: Mapping[str, str],
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:failover:ApprovalTable", name, None, opts)
        # Point-in-time recovery is off on purpose: a row lives at most one approval timeout and a
        # restore would bring back links that were already used. TTL deletes expired rows.
        table = aws.dynamodb.Table(
            f"{name}-table",
            name=table_name(lambda_prefix),
            billing_mode="PAY_PER_REQUEST",
            hash_key=KEY,
            attributes=[{"name": KEY, "type": "S"}],
            ttl={"attribute_name": TTL_ATTRIBUTE, "enabled": True},
            server_side_encryption={"enabled": True},
            point_in_time_recovery={"enabled": False},
            tags=dict(tags),
            # Protected like every table (docs/day-two.md): losing it mid-approval loses the pending
            # link, and a renamed prefix must not silently swap it under a running failover.
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.table_name, self.table_arn = table.name, table.arn
        self.register_outputs({"table_name": self.table_name, "table_arn": self.table_arn})


class ApprovalPage(pulumi.ComponentResource):
    """HTTP API + page Lambda + approver role; `url` is the base step 0 puts in APPROVAL_PAGE_URL."""

    url: pulumi.Output[str]
    api_id: pulumi.Output[str]
    function_name: pulumi.Output[str]
    approver_role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ApprovalPageArgs, table: ApprovalTable,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:failover:ApprovalPage", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags, region, page = dict(args.tags), args.region, args.page
        function = lambda_with_role(
            name, self, fn_name=function_name(args.lambda_prefix, APPROVAL_PAGE_FUNCTION),
            handler=PAGE_HANDLER, code=package(), timeout=PAGE_TIMEOUT_SECONDS,
            policy=pulumi.Output.all(args.account, table.table_arn, args.machine_arn).apply(
                lambda a: page_policy(region, a[0], a[1], a[2], page)),
            environment=table.table_name.apply(lambda t: page_environment(page, t)),
            log_retention_days=args.log_retention_days, tags=tags)
        api = aws.apigatewayv2.Api(f"{name}-api", name=api_name(args.lambda_prefix), protocol_type="HTTP",
                                   description="MegaTicket DR failover approval page", tags=tags, opts=child)
        integration = aws.apigatewayv2.Integration(
            f"{name}-integration", api_id=api.id, integration_type="AWS_PROXY",
            integration_uri=function.invoke_arn, integration_method="POST",
            payload_format_version="2.0", timeout_milliseconds=PAGE_TIMEOUT_SECONDS * 1000, opts=child)
        for route_key in ROUTE_KEYS:
            method = route_key.split(" ")[0].lower()
            aws.apigatewayv2.Route(f"{name}-{method}", api_id=api.id, route_key=route_key,
                                   target=integration.id.apply(lambda i: f"integrations/{i}"), opts=child)
        access_logs = aws.cloudwatch.LogGroup(
            f"{name}-access-logs", name=f"/aws/apigateway/{api_name(args.lambda_prefix)}",
            retention_in_days=args.log_retention_days, tags=tags, opts=child)
        stage = aws.apigatewayv2.Stage(
            f"{name}-stage", api_id=api.id, name=APPROVAL_STAGE, auto_deploy=True,
            default_route_settings={"throttling_rate_limit": page.throttling_rate_limit,
                                    "throttling_burst_limit": page.throttling_burst_limit},
            access_log_settings={"destination_arn": access_logs.arn, "format": ACCESS_LOG_FORMAT},
            tags=tags, opts=child)
        aws.lambda_.Permission(
            f"{name}-invoke", action="lambda:InvokeFunction", function=function.name,
            principal="apigateway.amazonaws.com",
            source_arn=api.execution_arn.apply(lambda arn: f"{arn}/*/*{PATH_PREFIX}*"), opts=child)

        approver_policy_resource = aws.iam.Policy(
            f"{name}-approver-policy", name=f"{args.lambda_prefix}-approver",
            description="Decide and read the MegaTicket DR failover executions (drctl approve/reject)",
            policy=pulumi.Output.from_input(args.account).apply(
                lambda a: approver_policy(region, a, args.machine_names)),
            tags=tags, opts=child)
        approver = aws.iam.Role(
            f"{name}-approver", name=approver_name(args.lambda_prefix),
            assume_role_policy=pulumi.Output.from_input(args.account).apply(approver_trust),
            max_session_duration=3600, tags=tags, opts=child)
        aws.iam.RolePolicyAttachment(f"{name}-approver-attach", role=approver.name,
                                     policy_arn=approver_policy_resource.arn, opts=child)

        self.url = stage.invoke_url.apply(lambda u: u.rstrip("/"))
        self.api_id, self.function_name, self.approver_role_arn = api.id, function.name, approver.arn
        self.register_outputs({"url": self.url, "api_id": self.api_id, "function_name": self.function_name,
                               "approver_role_arn": self.approver_role_arn})


__all__ = ["ApprovalPage", "ApprovalPageArgs", "ApprovalTable", "page_environment", "page_url"]
