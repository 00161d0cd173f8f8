"""The readiness Lambda handler against moto over HTTP: one metric per check, `Ready` 1 or 0."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest

from failover import readiness
from failover.checks import CHECK_NAMES, CheckSettings
from tests.drctl import pilot_light
from tests.drctl.conftest import site_url
from tests.drctl.pilot_light import Broken


def _metrics(endpoint: str, namespace: str) -> dict[str, float]:
    cw = boto3.client("cloudwatch", region_name="ap-northeast-1", endpoint_url=endpoint)
    now = datetime.now(UTC)
    values = {}
    for metric in cw.list_metrics(Namespace=namespace)["Metrics"]:
        points = cw.get_metric_statistics(
            Namespace=namespace, MetricName=metric["MetricName"], StartTime=now - timedelta(minutes=5),
            EndTime=now + timedelta(minutes=1), Period=60, Statistics=["Minimum"])["Datapoints"]
        values[metric["MetricName"]] = min(p["Minimum"] for p in points)
    return values


def _invoke(moto: Any, site: Any, names: Any, monkeypatch: pytest.MonkeyPatch,
            broken: Broken) -> dict[str, Any]:
    pilot_light.seed(moto.endpoint, names.checks, broken)
    settings = CheckSettings(**{**names.checks.__dict__, "web_url": site_url(site)})
    # GIVEN the environment the component sets (to_env) and boto3 pointed at moto
    for key, value in readiness.to_env(settings).items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto.endpoint)
    # WHEN the schedule invokes the handler
    return readiness.handler({"source": "aws.events", "detail-type": "Scheduled Event"}, None)


def test_healthy_pilot_light_reports_ready_and_one_metric_per_check(moto, site, names, monkeypatch):
    site.status = 200
    result = _invoke(moto, site, names, monkeypatch, Broken())
    assert result["ready"] is True and result["failed"] == []
    metrics = _metrics(moto.endpoint, "MegaTicket/DR/Readiness")
    assert set(metrics) == set(CHECK_NAMES) | {"Ready", "FailedChecks"}
    assert metrics["Ready"] == 1.0 and metrics["FailedChecks"] == 0.0
    assert all(metrics[name] == 1.0 for name in CHECK_NAMES)


def test_unconfirmed_subscription_drops_ready_to_zero(moto, site, names, monkeypatch):
    site.status = 200
    result = _invoke(moto, site, names, monkeypatch, Broken(pending_subscription=True))
    assert result["ready"] is False and result["failed"] == ["approval-subscriptions"]
    metrics = _metrics(moto.endpoint, "MegaTicket/DR/Readiness")
    assert metrics["approval-subscriptions"] == 0.0 and metrics["Ready"] == 0.0
    assert metrics["FailedChecks"] == 1.0 and metrics["observation-rule"] == 1.0


def test_environment_round_trips_and_bad_numbers_name_the_variable():
    settings = CheckSettings(table_names=("a-performances", "a-reservations"), app_port=3101,
                             web_url="https://example.test/")
    assert readiness.from_env(readiness.to_env(settings)) == settings
    with pytest.raises(readiness.ReadinessSettingsError, match=r"APP_PORT='thirty' must be an integer"):
        readiness.from_env({"APP_PORT": "thirty"})
