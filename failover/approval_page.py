"""The approval page behind API Gateway: GET shows, only a POST with the form's anti-forgery token,
a name and (by default) the approval PIN decides. Functions here take their clients; the Lambda
entry point is `failover.handlers.approval_page`.

Why GET never decides: mail security scanners and link previewers fetch every link they see.
Why the id is one-time and short-lived: links get forwarded. The task token stays in DynamoDB.
"""

from __future__ import annotations

import base64
import hmac
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

from botocore.exceptions import ClientError

from failover import approval_html as page
from failover import approval_pin, approval_store
from failover.approval import REJECT_ERROR
from failover.stamps import now_iso

PIN_REQUIRED, PIN_OFF = "required", "off"
PIN_MODES = (PIN_REQUIRED, PIN_OFF)
DEFAULT_MAX_WRONG_PINS = 5
PATH_PREFIX = "/a/"
NAME_MAX = 100
REASON_MAX = 500
USER_AGENT_MAX = 400
# Errors SendTask* returns when the execution stopped waiting (timed out, aborted, answered by drctl).
_NOT_WAITING = {"TaskTimedOut", "TaskDoesNotExist", "InvalidToken"}
_STATUS = {"unknown": 404, "expired": 410, "used": 410, "locked": 423, "not_waiting": 409}


class PageSettingsError(ValueError):
    """A missing or malformed environment variable of the page Lambda; one line naming it."""


@dataclass(frozen=True)
class PageSettings:
    table: str
    pin_mode: str = PIN_REQUIRED
    pin_parameter: str = ""
    max_wrong_pins: int = DEFAULT_MAX_WRONG_PINS

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> PageSettings:
        table = env.get("APPROVAL_TABLE", "").strip()
        if not table:
            raise PageSettingsError("environment variable APPROVAL_TABLE is missing or empty")
        mode = env.get("APPROVAL_PIN_MODE", PIN_REQUIRED).strip() or PIN_REQUIRED
        if mode not in PIN_MODES:
            raise PageSettingsError(
                f"environment variable APPROVAL_PIN_MODE={mode!r} must be one of {', '.join(PIN_MODES)}"
            )
        parameter = env.get("APPROVAL_PIN_PARAMETER", "").strip()
        if mode == PIN_REQUIRED and not parameter:
            raise PageSettingsError(
                "environment variable APPROVAL_PIN_PARAMETER is missing while the PIN is required"
            )
        raw = env.get("APPROVAL_MAX_WRONG_PINS", "").strip() or str(DEFAULT_MAX_WRONG_PINS)
        if not raw.isdigit() or int(raw) < 1:
            raise PageSettingsError(
                f"environment variable APPROVAL_MAX_WRONG_PINS={raw!r} must be an integer >= 1"
            )
        return cls(table=table, pin_mode=mode, pin_parameter=parameter, max_wrong_pins=int(raw))


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    approval_id: str
    form: dict[str, str] = field(default_factory=dict)
    source_ip: str = ""
    user_agent: str = ""
    origin: str = ""
    host: str = ""


@dataclass(frozen=True)
class Response:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=lambda: dict(page.SECURITY_HEADERS))

    def as_api_gateway(self) -> dict[str, Any]:
        return {
            "statusCode": self.status,
            "headers": self.headers,
            "body": self.body,
            "isBase64Encoded": False,
        }


_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


def parse_event(event: Mapping[str, Any]) -> Request:
    """An API Gateway HTTP API (payload v2.0) event as a Request; tolerant of missing parts."""
    http = (event.get("requestContext") or {}).get("http") or {}
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    path = str(event.get("rawPath") or http.get("path") or "")
    approval_id = str((event.get("pathParameters") or {}).get("id") or "")
    if not approval_id and path.startswith(PATH_PREFIX):
        approval_id = path[len(PATH_PREFIX) :]
    body = event.get("body") or ""
    if event.get("isBase64Encoded") and body:
        try:
            body = base64.b64decode(body).decode("utf-8", "replace")
        except ValueError:
            body = ""
    form: dict[str, str] = {}
    if "application/x-www-form-urlencoded" in headers.get("content-type", "") or not headers.get(
        "content-type"
    ):
        for key, values in parse_qs(str(body), keep_blank_values=True).items():
            form[key] = values[0]
    return Request(
        method=str(http.get("method") or "GET").upper(),
        path=path,
        approval_id=approval_id if _ID.match(approval_id) else "",
        form=form,
        source_ip=str(http.get("sourceIp") or ""),
        user_agent=str(http.get("userAgent") or headers.get("user-agent") or "")[:USER_AGENT_MAX],
        origin=headers.get("origin", ""),
        host=headers.get("host", ""),
    )


def _unusable(reason: str) -> Response:
    return Response(_STATUS.get(reason, 404), page.unusable(reason))


def _form(
    req: Request,
    approval: approval_store.Approval,
    settings: PageSettings,
    status: int = 200,
    message: str = "",
) -> Response:
    return Response(
        status,
        page.approval_form(
            action_path=f"{PATH_PREFIX}{approval.approval_id}",
            execution_arn=approval.execution_arn,
            context=approval.context,
            expires_at=approval.expires_at,
            csrf=approval.csrf,
            pin_required=settings.pin_mode == PIN_REQUIRED,
            message=message,
        ),
    )


def _cross_origin(req: Request) -> bool:
    """A browser POST from another site names that site in Origin. `null` (privacy modes, some
    redirects) proves nothing either way: the per-link anti-forgery token still has to match."""
    if not req.origin or req.origin == "null":
        return False
    return urlsplit(req.origin).netloc.lower() != req.host.lower()


def handle(req: Request, *, ddb: Any, sfn: Any, ssm: Any, settings: PageSettings, now: float) -> Response:
    if req.method not in ("GET", "HEAD", "POST"):
        return Response(
            405,
            page.problem("Method not allowed", "Open the link in a browser."),
            {**page.SECURITY_HEADERS, "allow": "GET, POST"},
        )
    try:
        approval = approval_store.load_approval(ddb, settings.table, req.approval_id, now)
    except approval_store.LinkUnusableError as err:
        return _unusable(err.reason)
    if req.method != "POST":
        return _form(req, approval, settings)  # a GET (or a scanner) only ever reads
    return _decide(req, approval, ddb=ddb, sfn=sfn, ssm=ssm, settings=settings, now=now)


def _decide(
    req: Request,
    approval: approval_store.Approval,
    *,
    ddb: Any,
    sfn: Any,
    ssm: Any,
    settings: PageSettings,
    now: float,
) -> Response:
    if _cross_origin(req) or not hmac.compare_digest(
        req.form.get("csrf", "").encode(), approval.csrf.encode()
    ):
        return Response(
            403,
            page.problem(
                "Form refused",
                "This form did not come from the approval page. Open the link from the notification again.",
            ),
        )
    decision = {"approve": approval_store.APPROVED, "reject": approval_store.REJECTED}.get(
        req.form.get("decision", "")
    )
    if decision is None:
        return _form(req, approval, settings, 400, "Choose Approve or Reject.")
    name = " ".join(req.form.get("name", "").split())[:NAME_MAX]
    if not name:
        return _form(req, approval, settings, 400, "Type your name: it is recorded with the decision.")
    if settings.pin_mode == PIN_REQUIRED:
        stored = approval_pin.read_pin_hash(ssm, settings.pin_parameter)
        if stored is None:
            return Response(
                503,
                page.problem(
                    "No approval PIN set",
                    "Nobody can approve here until an operator "
                    "runs `drctl approval-pin set`; use `drctl approve` meanwhile.",
                ),
            )
        try:
            ok = approval_pin.verify_pin(req.form.get("pin", ""), stored)
        except approval_pin.PinError as err:
            return Response(503, page.problem("Approval PIN unusable", str(err)))
        if not ok:
            try:
                left = approval_store.record_wrong_pin(
                    ddb, settings.table, approval.approval_id, settings.max_wrong_pins, now
                )
            except approval_store.LinkUnusableError as err:
                return _unusable(err.reason)
            if left == 0:
                return _unusable("locked")
            return _form(
                req,
                approval,
                settings,
                401,
                f"Wrong PIN. {left} attempt{'s' if left != 1 else ''} left before this link locks.",
            )
    record = {
        "approved": decision == approval_store.APPROVED,
        "by": name,
        "source_ip": req.source_ip,
        "user_agent": req.user_agent,
        "at": now_iso(),
        "via": "approval-page",
        "execution_arn": approval.execution_arn,
    }
    reason = " ".join(req.form.get("reason", "").split())[:REASON_MAX]
    if reason:
        record["reason"] = reason
    try:
        approval_store.claim(ddb, settings.table, approval.approval_id, decision, record, now)
    except approval_store.LinkUnusableError as err:
        return _unusable(err.reason)
    try:
        if decision == approval_store.APPROVED:
            sfn.send_task_success(taskToken=approval.task_token, output=json.dumps(record))
        else:
            sfn.send_task_failure(
                taskToken=approval.task_token, error=REJECT_ERROR, cause=json.dumps(record)[:32768]
            )
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") in _NOT_WAITING:
            return _unusable("not_waiting")
        raise
    return Response(200, page.decided(decision, record))
