"""`drctl report` says who decided the approval (issue 15): the name typed, the source IP and the
user agent from the page, or the IAM identity drctl ran as; untrusted text stays inert.

End to end in moto's interpreter: the standard machine waits at step 0, the approval page handler
(its own code, with moto's Step Functions, DynamoDB and SSM) or `drctl approve/reject` answers, and
`drctl report` reads the answer back from the execution history."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from drctl.decision import DECISION_KEYS, approval_decision
from failover import approval, approval_page, approval_store
from tests.drctl.conftest import drctl
from tests.drctl.test_executions_cli import _finished, _until, _waiting_for_approval
from tests.failover.approval_world import PIN, TABLE, create_table, page_event, set_pin, settings

REGION = "ap-northeast-1"
HOSTILE_NAME = "Kim <img src=x onerror=alert(1)> | **bold**"
HOSTILE_AGENT = "Phone/1.0 \x1b[31mred\x1b[0m\nsecond line"
WAIT = "invoke.waitForTaskToken"
AT = datetime(2026, 11, 28, 3, 0, 5, tzinfo=UTC)


def _client(service: str, endpoint: str) -> Any:
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint)


def _waiting_run(endpoint: str) -> tuple[Any, str]:
    sfn = _client("stepfunctions", endpoint)
    arn = drctl(endpoint, "failover", "--reason", "Seoul ALB 5xx").stdout.split()[1]
    _until(lambda: _waiting_for_approval(sfn, arn), "step 0 to ask for approval")
    return sfn, arn


def _answer_on_the_page(endpoint: str, sfn: Any, arn: str, decision: str) -> approval_page.Response:
    """What step 0 and the page do on AWS: store the token beside a one-time id, then a POST."""
    ddb, ssm = _client("dynamodb", endpoint), _client("ssm", endpoint)
    create_table(ddb)
    set_pin(ssm)
    stored = approval_store.store_approval(
        ddb, TABLE, task_token=approval.find_pending_task_token(sfn, arn), execution_arn=arn,
        expires_at=int(datetime.now(UTC).timestamp()) + 600, context={"trigger": "manual"})
    form = {"csrf": stored.csrf, "name": HOSTILE_NAME, "pin": PIN, "decision": decision,
            "reason": "Seoul came back"}
    event = page_event("POST", stored.approval_id, form, user_agent=HOSTILE_AGENT, source_ip="198.51.100.23")
    return approval_page.handle(approval_page.parse_event(event), ddb=ddb, sfn=sfn, ssm=ssm,
                                settings=settings(), now=datetime.now(UTC).timestamp())


def test_an_approval_on_the_page_is_reported_with_name_address_and_browser(moto, stack):
    # GIVEN a failover waiting at step 0 WHEN the on-call approves on the page
    sfn, arn = _waiting_run(moto.endpoint)
    assert _answer_on_the_page(moto.endpoint, sfn, arn, "approve").status == 200
    assert _until(lambda: _finished(sfn, arn), "the run to finish") == "SUCCEEDED"
    # THEN the JSON report says who, from where, with which browser, through which path
    decision = drctl(moto.endpoint, "report", "latest", "--json").json()["decision"]
    assert list(decision) == list(DECISION_KEYS)
    assert decision["decision"] == "approved" and decision["via"] == "approval-page"
    assert (decision["by"], decision["source_ip"]) == (HOSTILE_NAME, "198.51.100.23")
    assert decision["user_agent"].startswith("Phone/1.0") and decision["at"].endswith("Z")
    # AND the Markdown page shows it inert, the terminal report without escape sequences
    page = drctl(moto.endpoint, "report", "latest", "--markdown").stdout
    line = next(x for x in page.splitlines() if x.startswith("- approval: approved by "))
    assert "<img" not in line and r"&lt;img src=x onerror=alert\(1\)&gt; \| \*\*bold\*\*" in line
    text = drctl(moto.endpoint, "report", "latest").stdout
    approval_line = next(x for x in text.splitlines() if x.startswith("  approval: approved by Kim"))
    assert "\x1b" not in text and "from 198.51.100.23" in approval_line and "via approval-page" in approval_line


def test_a_rejection_on_the_page_is_reported_with_its_reason(moto, stack):
    sfn, arn = _waiting_run(moto.endpoint)
    assert _answer_on_the_page(moto.endpoint, sfn, arn, "reject").status == 200
    _until(lambda: _finished(sfn, arn), "the run to finish")
    decision = drctl(moto.endpoint, "report", "latest", "--json").json()["decision"]
    assert decision["decision"] == "rejected" and decision["by"] == HOSTILE_NAME
    assert decision["reason"] == "Seoul came back" and decision["source_ip"] == "198.51.100.23"


@pytest.mark.parametrize("verb, args, outcome, reason", [
    ("approve", (), "approved", None),
    ("reject", ("--reason", "Seoul recovered"), "rejected", "Seoul recovered"),
])
def test_a_decision_made_with_drctl_is_reported_with_the_iam_identity(moto, stack, verb, args, outcome, reason):
    sfn, arn = _waiting_run(moto.endpoint)
    # WHILE step 0 waits THEN the report says so
    assert drctl(moto.endpoint, "report", "latest", "--json").json()["decision"]["decision"] == "pending"
    assert drctl(moto.endpoint, verb, *args).code == 0
    _until(lambda: _finished(sfn, arn), "the run to finish")
    decision = drctl(moto.endpoint, "report", "latest", "--json").json()["decision"]
    assert decision["decision"] == outcome and decision["via"] == "drctl"
    assert decision["by"].startswith("arn:aws:") and decision["reason"] == reason
    assert decision["source_ip"] is None and decision["user_agent"] is None


# --- the history as AWS writes it -------------------------------------------------------------


def _event(kind: str, **details: Any) -> dict[str, Any]:
    key = kind[0].lower() + kind[1:] + "EventDetails"
    return {"type": kind, "timestamp": AT, key: {"resourceType": "lambda", "resource": WAIT, **details}}


SCHEDULED = _event("TaskScheduled", parameters=json.dumps({"Payload": {"taskToken": "SECRET"}}))


@pytest.mark.parametrize("events, expected", [
    ([], {"decision": "none"}),
    ([{"type": "TaskScheduled", "timestamp": AT, "taskScheduledEventDetails": {
        "resourceType": "lambda", "resource": "invoke"}}], {"decision": "none"}),
    ([SCHEDULED], {"decision": "pending", "at": "2026-11-28T03:00:05Z"}),
    ([SCHEDULED, _event("TaskTimedOut", error="States.Timeout")],
     {"decision": "timed out", "reason": "no decision within the approval timeout"}),
    ([SCHEDULED, _event("TaskFailed", error="Lambda.Unknown", cause="boom")],
     {"decision": "failed", "reason": "Lambda.Unknown: boom"}),
    ([SCHEDULED, _event("TaskFailed", error="ManualReject", cause="rejected by arn:aws:iam::1:user/kim: a: b")],
     {"decision": "rejected", "by": "arn:aws:iam::1:user/kim", "reason": "a: b", "via": "drctl"}),
    # a retried approval: the last answer counts
    ([SCHEDULED, _event("TaskFailed", error="Lambda.Unknown", cause="x"), SCHEDULED,
      _event("TaskSucceeded", output=json.dumps({"approved": True, "by": "lee", "at": "2026-11-28T03:01:00Z"}))],
     {"decision": "approved", "by": "lee", "via": "drctl", "at": "2026-11-28T03:01:00Z"}),
])
def test_the_decision_is_read_from_the_approval_tasks_answer(events, expected):
    decision = approval_decision(events)
    assert list(decision) == list(DECISION_KEYS)
    assert {k: v for k, v in decision.items() if k in expected} == expected
    assert "SECRET" not in json.dumps(decision)
