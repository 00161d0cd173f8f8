"""Step 0 with the approval page: store a one-time id beside the task token, publish a short link.

The notification goes out with `MessageStructure=json`: SNS gives each protocol its own text.
  sms              <= 160 characters (one GSM segment): the question, the link, when it expires
  email, default   the full context plus the drctl/AWS CLI commands of `approval.approval_message`
The task token is written to DynamoDB only; no text or link built here contains it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from failover import approval, approval_store
from failover.errors import translate_throttling
from failover.stamps import now_iso

SMS_LIMIT = 160
_SMS_TEMPLATES = (
    "MegaTicket DR: approve failover to Tokyo? {url} (expires {expires})",
    "MegaTicket DR failover approval: {url}",
    "{url}",
)


class LinkTooLongError(ValueError):
    """The approval page URL does not fit one SMS."""


def page_url(base_url: str, approval_id: str) -> str:
    return f"{base_url.rstrip('/')}/a/{approval_id}"


def sms_text(url: str, expires_at: int) -> str:
    expires = datetime.fromtimestamp(expires_at, UTC).strftime("%H:%M UTC")
    for template in _SMS_TEMPLATES:
        text = template.format(url=url, expires=expires)
        if len(text) <= SMS_LIMIT:
            return text
    raise LinkTooLongError(f"approval link {url!r} has {len(url)} characters; an SMS holds {SMS_LIMIT}")


def page_context(execution_input: Any, timeout_action: str) -> dict[str, Any]:
    """What the page shows under 'what happened' (all of it untrusted text, escaped by the page)."""
    context: dict[str, Any] = {"trigger": approval.trigger_reason(execution_input)}
    if isinstance(execution_input, dict):
        raw_detail = execution_input.get("detail")
        detail: dict[str, Any] = raw_detail if isinstance(raw_detail, dict) else {}
        raw_state = detail.get("state")
        state: dict[str, Any] = raw_state if isinstance(raw_state, dict) else {}
        if detail.get("alarmName"):
            context["alarm"] = detail["alarmName"]
            context["alarm_state"] = state.get("value")
            context["alarm_time"] = state.get("timestamp") or execution_input.get("time")
            context["seoul_health"] = (
                f"Route 53 health check of Seoul is failing: {state.get('reason') or 'no reason given'}"
            )
        elif execution_input.get("source") == "manual":
            context["alarm_time"] = execution_input.get("requested_at")
            context["seoul_health"] = "not measured: this failover was started by hand"
    context["on_timeout"] = (
        "after that the failover PROCEEDS unattended"
        if timeout_action == "proceed"
        else "after that the failover is abandoned and nothing changes in Tokyo"
    )
    return context


@translate_throttling
def request_approval_with_link(
    sns: Any,
    sfn: Any,
    ddb: Any,
    *,
    topic_arn: str,
    table: str,
    base_url: str,
    task_token: str,
    execution_arn: str,
    state_machine_arn: str,
    execution_input: Any,
    timeout_seconds: int,
    timeout_action: str,
    now: float,
) -> dict[str, Any]:
    approval.refuse_if_other_running(sfn, state_machine_arn, execution_arn)
    expires_at = int(now) + int(timeout_seconds)
    stored = approval_store.store_approval(
        ddb,
        table,
        task_token=task_token,
        execution_arn=execution_arn,
        expires_at=expires_at,
        context=page_context(execution_input, timeout_action),
    )
    url = page_url(base_url, stored.approval_id)
    subject, body = approval.approval_message(
        execution_arn, approval.trigger_reason(execution_input), timeout_seconds, timeout_action
    )
    expires = datetime.fromtimestamp(expires_at, UTC).strftime("%Y-%m-%d %H:%M UTC")
    full = "\n".join(
        [
            body.split("\n", 1)[0],
            "",
            f"Approve or reject from a phone (PIN needed, works once, expires {expires}):",
            f"  {url}",
            "",
            body.split("\n", 2)[2],
        ]
    )
    message = {"default": full, "email": full, "sms": sms_text(url, expires_at)}
    message_id = sns.publish(
        TopicArn=topic_arn, Subject=subject, Message=json.dumps(message), MessageStructure="json"
    )["MessageId"]
    # The id is not returned: the execution history (and this output) must not hold a working link.
    return {"requested_at": now_iso(), "message_id": message_id, "link_expires_at": expires_at}
