"""The one-time approval id store: a small DynamoDB table written by step 0, read by the page.

Why DynamoDB and not SSM: a link must work exactly once and wrong PINs must be counted without
races, which needs conditional writes (`ConditionExpression`); SSM has none. The table also
expires rows by itself (TTL on `expires_at`) and is encrypted at rest with a KMS key.

Row (key `approval_key` = SHA-256 of the id, so the table never holds a working link):
  task_token      the Step Functions task token; it never leaves AWS
  execution_arn   the execution waiting in step 0
  expires_at      epoch seconds = request time + approval timeout (also the TTL attribute)
  csrf            random anti-forgery token the page's form must echo back
  status          pending | approved | rejected | locked
  wrong_pins      wrong PINs typed so far
  context         JSON: what happened (alarm, time, Seoul's health) for the page
TTL deletion is lazy (hours), so every read compares `expires_at` with the clock itself.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

KEY = "approval_key"
TTL_ATTRIBUTE = "expires_at"
PENDING, APPROVED, REJECTED, LOCKED = "pending", "approved", "rejected", "locked"
DECISIONS = (APPROVED, REJECTED)
# 128 random bits, URL-safe: 22 characters, short enough for a 160-character SMS.
ID_BYTES = 16


class LinkUnusableError(Exception):
    """The link cannot decide anything; `reason` is one of unknown, expired, used, locked."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"approval link is {reason}{': ' + detail if detail else ''}")
        self.reason = reason


@dataclass(frozen=True)
class Approval:
    approval_id: str
    task_token: str
    execution_arn: str
    expires_at: int
    csrf: str
    status: str
    wrong_pins: int
    context: dict[str, Any]


def new_approval_id() -> str:
    return secrets.token_urlsafe(ID_BYTES)


def key_of(approval_id: str) -> str:
    return hashlib.sha256(approval_id.encode("utf-8")).hexdigest()


def store_approval(
    ddb: Any,
    table: str,
    *,
    task_token: str,
    execution_arn: str,
    expires_at: int,
    context: dict[str, Any],
    approval_id: str | None = None,
) -> Approval:
    """Write a fresh pending row; returns it (with the id the link carries)."""
    approval_id = approval_id or new_approval_id()
    csrf = secrets.token_urlsafe(24)
    ddb.put_item(
        TableName=table,
        Item={
            KEY: {"S": key_of(approval_id)},
            "task_token": {"S": task_token},
            "execution_arn": {"S": execution_arn},
            TTL_ATTRIBUTE: {"N": str(int(expires_at))},
            "csrf": {"S": csrf},
            "status": {"S": PENDING},
            "wrong_pins": {"N": "0"},
            "context": {"S": json.dumps(context, ensure_ascii=False)},
        },
        # A colliding id (2^-128) must never overwrite another execution's token.
        ConditionExpression=f"attribute_not_exists({KEY})",
    )
    return Approval(approval_id, task_token, execution_arn, int(expires_at), csrf, PENDING, 0, context)


def _parse(approval_id: str, item: dict[str, Any]) -> Approval:
    try:
        context = json.loads(item.get("context", {}).get("S", "{}"))
    except ValueError:
        context = {}
    return Approval(
        approval_id=approval_id,
        task_token=item["task_token"]["S"],
        execution_arn=item["execution_arn"]["S"],
        expires_at=int(item[TTL_ATTRIBUTE]["N"]),
        csrf=item["csrf"]["S"],
        status=item["status"]["S"],
        wrong_pins=int(item.get("wrong_pins", {}).get("N", "0")),
        context=context if isinstance(context, dict) else {},
    )


def load_approval(ddb: Any, table: str, approval_id: str, now: float) -> Approval:
    """The pending approval behind `approval_id`, or LinkUnusableError saying why not."""
    if not approval_id or len(approval_id) > 64:
        raise LinkUnusableError("unknown")
    item = ddb.get_item(TableName=table, Key={KEY: {"S": key_of(approval_id)}}, ConsistentRead=True).get(
        "Item"
    )
    if not item:
        raise LinkUnusableError("unknown")
    approval = _parse(approval_id, item)
    if approval.status in DECISIONS:
        raise LinkUnusableError("used", approval.status)
    if approval.status == LOCKED:
        raise LinkUnusableError("locked")
    if now >= approval.expires_at:
        raise LinkUnusableError("expired")
    return approval


def _conditional_failed(err: ClientError) -> bool:
    return err.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


def claim(ddb: Any, table: str, approval_id: str, decision: str, record: dict[str, Any], now: float) -> None:
    """Mark the row decided, atomically: of two clicks racing, exactly one wins."""
    if decision not in DECISIONS:
        raise ValueError(f"decision must be one of {', '.join(DECISIONS)}, got {decision!r}")
    try:
        ddb.update_item(
            TableName=table,
            Key={KEY: {"S": key_of(approval_id)}},
            UpdateExpression="SET #s = :d, decision = :r",
            ConditionExpression="#s = :p AND expires_at > :now",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={
                ":d": {"S": decision},
                ":r": {"S": json.dumps(record, ensure_ascii=False)},
                ":p": {"S": PENDING},
                ":now": {"N": str(int(now))},
            },
        )
    except ClientError as err:
        if not _conditional_failed(err):
            raise
        load_approval(ddb, table, approval_id, now)  # raises with the reason
        raise LinkUnusableError("used") from None


def record_wrong_pin(ddb: Any, table: str, approval_id: str, max_wrong: int, now: float) -> int:
    """Count a wrong PIN; lock the link at `max_wrong`. Returns the attempts left (0 = locked)."""
    key = {KEY: {"S": key_of(approval_id)}}
    try:
        result = ddb.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET wrong_pins = if_not_exists(wrong_pins, :z) + :one",
            ConditionExpression="#s = :p",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":z": {"N": "0"}, ":one": {"N": "1"}, ":p": {"S": PENDING}},
            ReturnValues="UPDATED_NEW",
        )
    except ClientError as err:
        if not _conditional_failed(err):
            raise
        load_approval(ddb, table, approval_id, now)
        raise LinkUnusableError("locked") from None
    wrong = int(result["Attributes"]["wrong_pins"]["N"])
    if wrong < max_wrong:
        return max_wrong - wrong
    try:
        ddb.update_item(
            TableName=table,
            Key=key,
            UpdateExpression="SET #s = :l",
            ConditionExpression="#s = :p",
            ExpressionAttributeNames={"#s": "status"},
            ExpressionAttributeValues={":l": {"S": LOCKED}, ":p": {"S": PENDING}},
        )
    except ClientError as err:
        if not _conditional_failed(err):
            raise
    return 0


def create_table_kwargs(table: str) -> dict[str, Any]:
    """The table as `CreateTable` takes it: what the pipeline component declares (hash key, on-demand,
    KMS encryption); tests build their moto table from this, not from a kinder copy."""
    return {
        "TableName": table,
        "AttributeDefinitions": [{"AttributeName": KEY, "AttributeType": "S"}],
        "KeySchema": [{"AttributeName": KEY, "KeyType": "HASH"}],
        "BillingMode": "PAY_PER_REQUEST",
        "SSESpecification": {"Enabled": True, "SSEType": "KMS"},
    }
