"""Step 0 with the approval page: the SMS fits 160 characters, email gets the full context, no text
or link carries the task token, and the token lands only in the id table."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from failover import approval_link, approval_store
from tests.failover.approval_world import TABLE

BASE = "https://abcdef1234.execute-api.ap-northeast-1.amazonaws.com"
NOW = 1_800_000_000
ALARM_INPUT = {"source": "aws.cloudwatch", "time": "2027-01-15T07:59:00Z",
               "detail": {"alarmName": "MegaTicket-Primary-HealthCheck-Alarm",
                          "state": {"value": "ALARM", "reason": "Threshold Crossed: HealthCheckStatus < 1",
                                    "timestamp": "2027-01-15T07:59:00Z"}}}


def test_sms_holds_the_link_within_160_characters() -> None:
    url = approval_link.page_url(BASE, approval_store.new_approval_id())
    text = approval_link.sms_text(url, NOW)
    assert len(text) <= 160 and url in text and "08:00 UTC" in text


@pytest.mark.parametrize("base_len", [100, 120, 135])
def test_sms_drops_words_before_the_link_when_the_domain_is_long(base_len: int) -> None:
    url = "https://" + "d" * (base_len - 8) + "/a/" + "x" * 22
    text = approval_link.sms_text(url, NOW)
    assert len(text) <= 160 and url in text


def test_link_longer_than_one_sms_is_an_error() -> None:
    with pytest.raises(approval_link.LinkTooLongError, match="160"):
        approval_link.sms_text("https://" + "d" * 160, NOW)


def test_context_says_what_happened_for_alarm_and_manual_starts() -> None:
    alarm = approval_link.page_context(ALARM_INPUT, "fail")
    assert alarm["alarm"] == "MegaTicket-Primary-HealthCheck-Alarm" and alarm["alarm_state"] == "ALARM"
    assert "HealthCheckStatus" in alarm["seoul_health"] and "abandoned" in alarm["on_timeout"]
    manual = approval_link.page_context({"source": "manual", "reason": "drill", "requested_at": "x"}, "proceed")
    assert "by hand" in manual["seoul_health"] and "PROCEEDS" in manual["on_timeout"]
    assert approval_link.page_context(None, "fail")["trigger"] == "unknown"


class _Sns:
    def __init__(self) -> None:
        self.published: list[dict[str, Any]] = []

    def publish(self, **kw: Any) -> dict[str, str]:
        self.published.append(kw)
        return {"MessageId": "m-1"}


class _Sfn:
    def get_paginator(self, name: str) -> Any:
        class P:
            def paginate(self, **kw: Any) -> list[dict[str, Any]]:
                return [{"executions": []}]

        return P()


def test_step0_stores_the_token_server_side_and_publishes_per_protocol_text_without_it(approval_aws: Any) -> None:
    ddb, _ = approval_aws
    sns = _Sns()
    token = "AAAAKgAAAAIAAAAAAAAAAT0pSECRETTOKEN" + "Z" * 200
    execution = "arn:aws:states:ap-northeast-1:123456789012:execution:stfc-stepfunction-dev-an1:alarm-1"
    result = approval_link.request_approval_with_link(
        sns, _Sfn(), ddb, topic_arn="arn:aws:sns:ap-northeast-1:123456789012:t", table=TABLE, base_url=BASE,
        task_token=token, execution_arn=execution,
        state_machine_arn="arn:aws:states:ap-northeast-1:123456789012:stateMachine:stfc-stepfunction-dev-an1",
        execution_input=ALARM_INPUT, timeout_seconds=3600, timeout_action="fail", now=NOW)
    [sent] = sns.published
    assert sent["MessageStructure"] == "json"
    message = json.loads(sent["Message"])
    assert set(message) == {"default", "email", "sms"}
    assert len(message["sms"]) <= 160
    link = re.search(re.escape(BASE) + r"/a/[A-Za-z0-9_-]{22}", message["sms"]).group(0)  # type: ignore[union-attr]
    assert link.startswith(f"{BASE}/a/") and link in message["email"] and link in message["default"]
    assert "drctl approve" in message["email"] and execution in message["email"]
    for text in (*message.values(), sent["Subject"], json.dumps(result)):
        assert token not in text and "SECRETTOKEN" not in text
    assert result["link_expires_at"] == NOW + 3600
    approval_id = link.rsplit("/", 1)[1]
    stored = approval_store.load_approval(ddb, TABLE, approval_id, NOW)
    assert stored.task_token == token and stored.expires_at == NOW + 3600 and stored.execution_arn == execution
