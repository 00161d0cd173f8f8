"""A moto world for the approval page: the id table built from `approval_store.create_table_kwargs`
(with TTL on, as the component declares it), the PIN hash in SSM, and a recording Step Functions."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import boto3
from botocore.exceptions import ClientError

from failover import approval_pin, approval_store
from failover.approval_page import PageSettings

REGION = "ap-northeast-1"
TABLE = "MegaTicket-DR-Approvals"
PIN_PARAMETER = "/megaticket-dr/approval-pin"
PIN = "271828"
# Tests hash with the minimum cost the verifier accepts: still a real PBKDF2, 6x faster than production.
TEST_ITERATIONS = approval_pin.MIN_ITERATIONS
EXECUTION = "arn:aws:states:ap-northeast-1:123456789012:execution:stfc-stepfunction-dev-an1:alarm-1"


def create_table(ddb: Any, table: str = TABLE) -> None:
    ddb.create_table(**approval_store.create_table_kwargs(table))
    ddb.update_time_to_live(
        TableName=table,
        TimeToLiveSpecification={"Enabled": True, "AttributeName": approval_store.TTL_ATTRIBUTE},
    )


def set_pin(ssm: Any, pin: str = PIN) -> None:
    approval_pin.store_pin_hash(ssm, PIN_PARAMETER, pin, iterations=TEST_ITERATIONS)


@dataclass
class RecordingSfn:
    """SendTask* recorder; `dead` tokens answer like a task that already timed out."""

    success: list[dict[str, Any]] = field(default_factory=list)
    failure: list[dict[str, Any]] = field(default_factory=list)
    dead: set[str] = field(default_factory=set)

    def _check(self, token: str) -> None:
        if token in self.dead:
            raise ClientError({"Error": {"Code": "TaskTimedOut", "Message": "timed out"}}, "SendTaskSuccess")

    def send_task_success(self, taskToken: str, output: str) -> dict[str, Any]:  # noqa: N803 - boto3 names
        self._check(taskToken)
        self.success.append({"taskToken": taskToken, "output": output})
        return {}

    def send_task_failure(self, taskToken: str, error: str, cause: str) -> dict[str, Any]:  # noqa: N803
        self._check(taskToken)
        self.failure.append({"taskToken": taskToken, "error": error, "cause": cause})
        return {}


def settings(**overrides: Any) -> PageSettings:
    values: dict[str, Any] = {"table": TABLE, "pin_parameter": PIN_PARAMETER, "max_wrong_pins": 3}
    values.update(overrides)
    return PageSettings(**values)


def clients() -> tuple[Any, Any]:
    return boto3.client("dynamodb", region_name=REGION), boto3.client("ssm", region_name=REGION)


def page_event(
    method: str,
    approval_id: str,
    form: dict[str, str] | None = None,
    *,
    b64: bool = False,
    origin: str | None = None,
    user_agent: str = "Phone/1.0",
    source_ip: str = "203.0.113.7",
) -> dict[str, Any]:
    """An API Gateway v2 (payload 2.0) request for the page, as the HTTP API sends it."""
    body = urlencode(form or {})
    headers = {
        "host": "abc.execute-api.ap-northeast-1.amazonaws.com",
        "content-type": "application/x-www-form-urlencoded",
        "user-agent": user_agent,
    }
    if origin is not None:
        headers["origin"] = origin
    return {
        "version": "2.0",
        "routeKey": f"{method} /a/{{id}}",
        "rawPath": f"/a/{approval_id}",
        "rawQueryString": "",
        "headers": headers,
        "pathParameters": {"id": approval_id},
        "requestContext": {
            "http": {
                "method": method,
                "path": f"/a/{approval_id}",
                "protocol": "HTTP/1.1",
                "sourceIp": source_ip,
                "userAgent": user_agent,
            }
        },
        "body": base64.b64encode(body.encode()).decode() if b64 else body,
        "isBase64Encoded": b64,
    }
