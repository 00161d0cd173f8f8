"""The readiness Lambda handler runs the same checks as doctor: one metric per check, `Ready` 1 or 0,
against both stacks deployed as declared (in-process moto)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from failover import readiness
from failover.checks import CHECK_NAMES, CheckSettings
from tests.drctl.conftest import site_url
from tests.drctl.generated import Env, client, deployed


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    with deployed() as healthy:
        yield healthy


def _metrics(namespace: str) -> dict[str, float]:
    cw = client("cloudwatch", "ap-northeast-1")
    now = datetime.now(UTC)
    values = {}
    for metric in cw.list_metrics(Namespace=namespace)["Metrics"]:
        points = cw.get_metric_statistics(
            Namespace=namespace, MetricName=metric["MetricName"], StartTime=now - timedelta(minutes=5),
            EndTime=now + timedelta(minutes=1), Period=60, Statistics=["Minimum"])["Datapoints"]
        values[metric["MetricName"]] = min(p["Minimum"] for p in points)
    return values


def _invoke(env: Env, site: Any, monkeypatch: pytest.MonkeyPatch, namespace: str) -> dict[str, Any]:
    settings = dataclasses.replace(env.lambda_settings, web_url=site_url(site))
    # GIVEN the environment the component sets (to_env, as stacks.py fills it)
    for key, value in readiness.to_env(settings, namespace).items():
        monkeypatch.setenv(key, value)
    # WHEN the schedule invokes the handler
    return readiness.handler({"source": "aws.events", "detail-type": "Scheduled Event"}, None)


def test_healthy_stacks_report_ready_and_one_metric_per_check(env, site, monkeypatch):
    site.status = 200
    result = _invoke(env, site, monkeypatch, "Test/Healthy")
    assert result["ready"] is True and result["failed"] == [] and result["skipped"] == []
    metrics = _metrics("Test/Healthy")
    assert set(metrics) == set(CHECK_NAMES) | {"Ready", "FailedChecks"}
    assert metrics["Ready"] == 1.0 and metrics["FailedChecks"] == 0.0
    assert all(metrics[name] == 1.0 for name in CHECK_NAMES)


def test_a_fault_drops_ready_to_zero_and_names_the_check(env, site, monkeypatch):
    site.status = 200
    lam = client("lambda", "ap-northeast-1")
    lam.update_function_configuration(FunctionName="stfc-lambda-dev-step4", Timeout=3)
    try:
        result = _invoke(env, site, monkeypatch, "Test/Fault")
    finally:
        lam.update_function_configuration(FunctionName="stfc-lambda-dev-step4", Timeout=60)
    assert result["ready"] is False and result["failed"] == ["step-lambdas"]
    metrics = _metrics("Test/Fault")
    assert metrics["step-lambdas"] == 0.0 and metrics["Ready"] == 0.0 and metrics["FailedChecks"] == 1.0
    assert metrics["event-dlq"] == 1.0


def test_seoul_unreachable_puts_no_datum_for_seoul_checks_and_stays_ready(env, monkeypatch):
    def clients(service: str, region: str) -> Any:
        if region == "ap-northeast-2":
            raise EndpointConnectionError(endpoint_url="https://sts.ap-northeast-2.amazonaws.com")
        return client(service, region)

    result = readiness.evaluate(clients, env.lambda_settings, "Test/SeoulDown", http_get=lambda u, t: 200)
    assert result["ready"] is True and set(result["skipped"]) == {"replication-latency", "golden-ami-source"}
    metrics = _metrics("Test/SeoulDown")
    assert "replication-latency" not in metrics and metrics["dynamodb-pitr"] == 1.0 and metrics["Ready"] == 1.0


def test_environment_round_trips_and_bad_numbers_name_the_variable():
    settings = CheckSettings(table_names=("a-performances", "a-reservations"), app_port=3101,
                             web_url="https://example.test/", readiness_enabled=False, timeout_nlb=300)
    assert readiness.from_env(readiness.to_env(settings)) == settings
    with pytest.raises(readiness.ReadinessSettingsError, match=r"APP_PORT='thirty' must be an integer"):
        readiness.from_env({"APP_PORT": "thirty"})
