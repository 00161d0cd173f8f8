"""Step 4: /api/health through the ALB must answer as Tokyo; the failback lock in us-east-1."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from failover.errors import HealthCheckError, LockHeldError
from failover.lock import read_lock, require_lock_released, set_lock
from failover.verify import check_health, success_summary, urllib_get

URL = "http://tokyo-alb.test.invalid/api/health"


def _http(status: int, body: Any) -> Any:
    text = body if isinstance(body, str) else json.dumps(body)
    return lambda url, timeout: (status, text)


def test_health_through_alb_reporting_tokyo_passes() -> None:
    got = check_health(_http(200, {"status": "ok", "region": "ap-northeast-1"}), URL, "ap-northeast-1", 5)
    assert got == {"url": URL, "status": 200, "region": "ap-northeast-1"}


@pytest.mark.parametrize(
    ("status", "body", "message"),
    [
        (200, {"region": "ap-northeast-2"}, "reports region 'ap-northeast-2', expected 'ap-northeast-1'"),
        (502, "Bad Gateway", "answered HTTP 502"),
        (200, "<html>", "did not return JSON"),
        (200, ["ap-northeast-1"], "reports region None"),
    ],
)
def test_health_that_is_not_tokyo_fails_with_the_reason(status: int, body: Any, message: str) -> None:
    with pytest.raises(HealthCheckError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_health(_http(status, body), URL, "ap-northeast-1", 5)


def test_health_client_refuses_non_http_urls() -> None:
    with pytest.raises(HealthCheckError, match="only http"):
        urllib_get("file:///etc/passwd", 1)


def test_success_summary_lists_each_step_with_timestamps() -> None:
    steps = {
        "step0": {"started_at": "T0", "finished_at": "T1"},
        "step4": {"started_at": "T8", "finished_at": "T9"},
    }
    text = success_summary("arn:aws:states:ap-northeast-1:1:execution:m:e", steps)
    assert "step0: T0 -> T1" in text and "step4: T8 -> T9" in text and "drctl release-lock" in text


def test_lock_set_by_step4_blocks_failback_until_released(tokyo: Any) -> None:
    s = tokyo.settings
    set_lock(tokyo.cloudwatch, s, 1)
    assert read_lock(tokyo.cloudwatch, s)["latest_value"] == 1.0
    with pytest.raises(LockHeldError, match="drctl release-lock"):
        require_lock_released(tokyo.cloudwatch, s)


def test_lock_without_datapoints_follows_the_lock_alarm(tokyo: Any) -> None:
    s = tokyo.settings
    cw = tokyo.cloudwatch
    cw.put_metric_alarm(
        AlarmName=s.lock_alarm_name,
        Namespace=s.lock_namespace,
        MetricName=s.lock_metric,
        Statistic="Maximum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1,
        ComparisonOperator="GreaterThanOrEqualToThreshold",
        TreatMissingData="ignore",
    )
    assert read_lock(cw, s)["released"] is True  # no data, alarm not in ALARM: never locked
    cw.set_alarm_state(AlarmName=s.lock_alarm_name, StateValue="ALARM", StateReason="lock set days ago")
    with pytest.raises(LockHeldError):
        require_lock_released(cw, s)


def test_lock_value_must_be_zero_or_one(tokyo: Any) -> None:
    with pytest.raises(ValueError, match="0 \\(released\\) or 1"):
        set_lock(tokyo.cloudwatch, dataclasses.replace(tokyo.settings), 2)
