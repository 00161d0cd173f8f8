"""The approval page without a browser: escaping of untrusted text, GET never decides, the anti-forgery
token, the PIN and its lockout, one-time links, and what the decision records."""

from __future__ import annotations

import json
from typing import Any

import pytest

from failover import approval_html, approval_page, approval_store, handlers
from failover.approval_page import PageSettings, PageSettingsError
from tests.failover.approval_world import EXECUTION, PIN, TABLE, RecordingSfn, page_event, set_pin, settings

_event = page_event

NOW = 1_800_000_000
HOSTILE = '<script>alert(1)</script>"><img src=x onerror=alert(2)>&'


def _store(ddb: Any, **context: Any) -> approval_store.Approval:
    ctx = {
        "alarm": "MegaTicket-Primary-HealthCheck-Alarm",
        "alarm_state": "ALARM",
        "alarm_time": "2026-11-23T14:00:00Z",
        "seoul_health": "failing",
    }
    ctx.update(context)
    return approval_store.store_approval(
        ddb, TABLE, task_token="TOKEN-abc", execution_arn=EXECUTION, expires_at=NOW + 600, context=ctx
    )


def _call(
    approval_aws: Any, sfn: RecordingSfn, event: dict[str, Any], **overrides: Any
) -> approval_page.Response:
    ddb, ssm = approval_aws
    return approval_page.handle(
        approval_page.parse_event(event), ddb=ddb, sfn=sfn, ssm=ssm, settings=settings(**overrides), now=NOW
    )


def _form(stored: approval_store.Approval, **kw: str) -> dict[str, str]:
    values = {"csrf": stored.csrf, "name": "Kim Oncall", "pin": PIN, "decision": "approve"}
    values.update(kw)
    return {k: v for k, v in values.items() if v is not None}


# --- escaping -----------------------------------------------------------------------------------


def test_untrusted_alarm_text_and_execution_name_are_escaped_in_the_form() -> None:
    html = approval_html.approval_form(
        action_path="/a/x",
        execution_arn=f"arn:aws:states:r:1:execution:m:{HOSTILE}",
        context={
            "alarm": HOSTILE,
            "alarm_state": HOSTILE,
            "alarm_time": HOSTILE,
            "seoul_health": HOSTILE,
            "trigger": HOSTILE,
        },
        expires_at=NOW,
        csrf='"><b>',
        pin_required=True,
        message=HOSTILE,
    )
    assert "<script>" not in html and "<img" not in html and '"><b>' not in html
    assert (
        html.count("&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;")
        == 7
    )
    assert 'value="&quot;&gt;&lt;b&gt;"' in html


def test_typed_name_and_reason_are_escaped_on_the_decided_page() -> None:
    html = approval_html.decided("rejected", {"by": HOSTILE, "reason": HOSTILE, "execution_arn": HOSTILE})
    assert "<script>" not in html and "<img" not in html
    assert "&lt;script&gt;" in html


def test_pages_forbid_scripts_framing_caching_and_referrers() -> None:
    headers = approval_html.SECURITY_HEADERS
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "script-src" not in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["cache-control"] == "no-store" and headers["referrer-policy"] == "same-origin"


def test_hostile_context_stored_by_step0_is_escaped_when_served(approval_aws: Any) -> None:
    stored = _store(approval_aws[0], alarm=HOSTILE, seoul_health=HOSTILE)
    response = _call(approval_aws, RecordingSfn(), _event("GET", stored.approval_id))
    assert response.status == 200
    assert "<script>" not in response.body and "&lt;script&gt;" in response.body


# --- GET never decides --------------------------------------------------------------------------


def test_get_shows_what_happened_what_approving_does_and_expiry_and_never_decides(approval_aws: Any) -> None:
    stored = _store(approval_aws[0])
    sfn = RecordingSfn()
    for method in ("GET", "HEAD", "GET"):
        response = _call(approval_aws, sfn, _event(method, stored.approval_id, _form(stored)))
        assert response.status == 200
    body = response.body
    assert "MegaTicket-Primary-HealthCheck-Alarm" in body and "Seoul" in body and "failing" in body
    assert "What approving does" in body and "2027-01-15 08:10:00 UTC" in body
    assert 'name="viewport"' in body and f'value="{stored.csrf}"' in body
    assert sfn.success == [] and sfn.failure == []
    assert approval_store.load_approval(approval_aws[0], TABLE, stored.approval_id, NOW).status == "pending"


@pytest.mark.parametrize(
    ("approval_id", "status", "title"),
    [("unknown-id", 404, "Unknown link"), ("<script>", 404, "Unknown link")],
)
def test_unknown_link_shows_a_clear_page(
    approval_aws: Any, approval_id: str, status: int, title: str
) -> None:
    response = _call(approval_aws, RecordingSfn(), _event("GET", approval_id))
    assert (response.status, title in response.body) == (status, True)
    assert "Traceback" not in response.body and "<script>" not in response.body


def test_other_methods_are_refused(approval_aws: Any) -> None:
    stored = _store(approval_aws[0])
    response = _call(approval_aws, RecordingSfn(), _event("DELETE", stored.approval_id))
    assert response.status == 405 and response.headers["allow"] == "GET, POST"


# --- POST ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("b64", [False, True])
def test_approve_sends_success_with_who_from_where_and_which_browser(approval_aws: Any, b64: bool) -> None:
    set_pin(approval_aws[1])
    stored = _store(approval_aws[0])
    sfn = RecordingSfn()
    response = _call(
        approval_aws, sfn, _event("POST", stored.approval_id, _form(stored, reason="Seoul down"), b64=b64)
    )
    assert response.status == 200 and "Failover approved" in response.body
    [sent] = sfn.success
    assert sent["taskToken"] == "TOKEN-abc"
    output = json.loads(sent["output"])
    assert output["approved"] is True
    assert (output["by"], output["source_ip"], output["user_agent"]) == (
        "Kim Oncall",
        "203.0.113.7",
        "Phone/1.0",
    )
    assert output["via"] == "approval-page" and output["reason"] == "Seoul down"
    assert "TOKEN-abc" not in response.body


def test_reject_sends_failure_manual_reject_with_the_record(approval_aws: Any) -> None:
    set_pin(approval_aws[1])
    stored = _store(approval_aws[0])
    sfn = RecordingSfn()
    response = _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored, decision="reject")))
    assert response.status == 200 and "Failover rejected" in response.body
    [sent] = sfn.failure
    assert sent["error"] == "ManualReject"
    cause = json.loads(sent["cause"])
    assert cause["approved"] is False and cause["by"] == "Kim Oncall" and cause["source_ip"] == "203.0.113.7"


def test_a_link_works_once(approval_aws: Any) -> None:
    set_pin(approval_aws[1])
    stored = _store(approval_aws[0])
    sfn = RecordingSfn()
    assert _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored))).status == 200
    again = _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored, decision="reject")))
    assert again.status == 410 and "Link already used" in again.body
    assert _call(approval_aws, sfn, _event("GET", stored.approval_id)).status == 410
    assert len(sfn.success) == 1 and sfn.failure == []


@pytest.mark.parametrize("csrf", ["", "forged", None])
def test_post_without_the_forms_anti_forgery_token_is_refused(approval_aws: Any, csrf: Any) -> None:
    set_pin(approval_aws[1])
    stored = _store(approval_aws[0])
    sfn = RecordingSfn()
    response = _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored, csrf=csrf)))
    assert response.status == 403 and sfn.success == []


@pytest.mark.parametrize("origin", ["https://evil.example", "http://abc.execute-api.ap-northeast-1.amazonaws.com.evil"])
def test_post_from_another_site_is_refused_even_with_the_token(approval_aws: Any, origin: str) -> None:
    set_pin(approval_aws[1])
    stored = _store(approval_aws[0])
    sfn = RecordingSfn()
    response = _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored), origin=origin))
    assert response.status == 403 and sfn.success == []


def test_post_from_the_page_itself_passes_the_origin_check(approval_aws: Any) -> None:
    set_pin(approval_aws[1])
    stored = _store(approval_aws[0])
    event = _event(
        "POST",
        stored.approval_id,
        _form(stored),
        origin="https://abc.execute-api.ap-northeast-1.amazonaws.com",
    )
    assert _call(approval_aws, RecordingSfn(), event).status == 200


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "   ", "Type your name"),
        ("name", None, "Type your name"),
        ("decision", "maybe", "Choose Approve or Reject"),
        ("decision", None, "Choose Approve or Reject"),
    ],
)
def test_incomplete_form_is_shown_again_without_deciding(
    approval_aws: Any, field: str, value: Any, message: str
) -> None:
    set_pin(approval_aws[1])
    stored = _store(approval_aws[0])
    sfn = RecordingSfn()
    response = _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored, **{field: value})))
    assert response.status == 400 and message in response.body and sfn.success == []


def test_wrong_pin_counts_down_then_locks_and_the_right_pin_no_longer_works(approval_aws: Any) -> None:
    set_pin(approval_aws[1])
    stored = _store(approval_aws[0])
    sfn = RecordingSfn()
    first = _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored, pin="000000")))
    assert first.status == 401 and "Wrong PIN. 2 attempts left" in first.body
    second = _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored, pin="")))
    assert second.status == 401 and "1 attempt left" in second.body
    third = _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored, pin="111111")))
    assert third.status == 423 and "Link locked" in third.body
    right = _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored)))
    assert right.status == 423 and sfn.success == [] and sfn.failure == []


def test_pin_off_decides_without_a_pin_field(approval_aws: Any) -> None:
    stored = _store(approval_aws[0])
    sfn = RecordingSfn()
    page = _call(approval_aws, sfn, _event("GET", stored.approval_id), pin_mode="off", pin_parameter="")
    assert 'name="pin"' not in page.body
    response = _call(
        approval_aws,
        sfn,
        _event("POST", stored.approval_id, _form(stored, pin=None)),
        pin_mode="off",
        pin_parameter="",
    )
    assert response.status == 200 and len(sfn.success) == 1


def test_pin_required_but_never_set_refuses_and_says_how_to_set_it(approval_aws: Any) -> None:
    stored = _store(approval_aws[0])
    sfn = RecordingSfn()
    response = _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored)))
    assert response.status == 503 and "drctl approval-pin set" in response.body and sfn.success == []
    assert approval_store.load_approval(approval_aws[0], TABLE, stored.approval_id, NOW).wrong_pins == 0


def test_expired_link_shows_a_clear_page_and_decides_nothing(approval_aws: Any) -> None:
    set_pin(approval_aws[1])
    stored = _store(approval_aws[0])
    ddb, ssm = approval_aws
    sfn = RecordingSfn()
    for method in ("GET", "POST"):
        response = approval_page.handle(
            approval_page.parse_event(_event(method, stored.approval_id, _form(stored))),
            ddb=ddb,
            sfn=sfn,
            ssm=ssm,
            settings=settings(),
            now=NOW + 601,
        )
        assert response.status == 410 and "Link expired" in response.body
    assert sfn.success == []


def test_execution_no_longer_waiting_shows_nothing_to_decide(approval_aws: Any) -> None:
    set_pin(approval_aws[1])
    stored = _store(approval_aws[0])
    sfn = RecordingSfn(dead={"TOKEN-abc"})
    response = _call(approval_aws, sfn, _event("POST", stored.approval_id, _form(stored)))
    assert response.status == 409 and "no longer waiting" in response.body


# --- settings and the Lambda entry point --------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({}, "APPROVAL_TABLE is missing"),
        ({"APPROVAL_TABLE": "  "}, "APPROVAL_TABLE is missing"),
        (
            {"APPROVAL_TABLE": "t", "APPROVAL_PIN_MODE": "maybe", "APPROVAL_PIN_PARAMETER": "/p"},
            "required, off",
        ),
        ({"APPROVAL_TABLE": "t"}, "APPROVAL_PIN_PARAMETER is missing"),
        ({"APPROVAL_TABLE": "t", "APPROVAL_PIN_PARAMETER": "/p", "APPROVAL_MAX_WRONG_PINS": "0"}, ">= 1"),
        ({"APPROVAL_TABLE": "t", "APPROVAL_PIN_PARAMETER": "/p", "APPROVAL_MAX_WRONG_PINS": "five"}, ">= 1"),
        ({"APPROVAL_TABLE": "t", "APPROVAL_PIN_PARAMETER": "/p", "APPROVAL_MAX_WRONG_PINS": "-1"}, ">= 1"),
    ],
)
def test_page_settings_refuse_bad_environment_with_one_line(env: dict[str, str], message: str) -> None:
    with pytest.raises(PageSettingsError, match=message):
        PageSettings.from_env(env)


def test_page_settings_defaults_are_pin_required_and_five_wrong_pins() -> None:
    s = PageSettings.from_env({"APPROVAL_TABLE": "t", "APPROVAL_PIN_PARAMETER": "/p"})
    assert (s.pin_mode, s.max_wrong_pins) == ("required", 5)


def test_lambda_entry_point_answers_a_page_never_a_trace(
    approval_aws: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("APPROVAL_TABLE", raising=False)
    result = handlers.approval_page(_event("GET", "whatever"), None)
    assert result["statusCode"] == 500 and "Traceback" not in result["body"]
    assert "No decision was made" in result["body"]
    monkeypatch.setenv("APPROVAL_TABLE", TABLE)
    monkeypatch.setenv("APPROVAL_PIN_PARAMETER", "/megaticket-dr/approval-pin")
    result = handlers.approval_page(_event("GET", "whatever"), None)
    assert result["statusCode"] == 404 and result["headers"]["cache-control"] == "no-store"
