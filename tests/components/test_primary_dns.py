"""PrimaryDns: the PRIMARY alias record behind a calculated check = endpoint AND failback lock."""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Optional

import pulumi
import pulumi_aws as aws
import pytest

from components.primary_dns import PrimaryDns, PrimaryDnsArgs, endpoint_probe
from offline_preview.engine import UNKNOWN, ProgramRun, RecordedResource
from stack_config import HealthCheckSettings, LockSettings
from tests.conftest import run_component

CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
HEALTH = HealthCheckSettings(interval=30, failure_threshold=3, path="/api/health", port=443,
                             protocol="HTTPS")
LOCK = LockSettings(namespace="MegaTicket/DR", metric_name="FailoverLock",
                    alarm_name="MegaTicket-Failback-Lock", region="us-east-1")
ALB = "MegaTicket-ALB-1.ap-northeast-2.elb.amazonaws.com"


def _args(alarm_provider: Any, **overrides: Any) -> PrimaryDnsArgs:
    values: dict[str, Any] = {
        "record_name": "pilotlight-test.click", "hosted_zone_id": "ZHOSTEDZONE",
        "alb_dns_name": ALB, "alb_zone_id": "ZALBZONE", "endpoint_fqdn": ALB,
        "health_check": HEALTH, "lock": LOCK, "alarm_provider": alarm_provider,
        "tags": {"Project": "MegaTicket"}, **overrides}
    return PrimaryDnsArgs(**values)


def _run(preview: bool, **overrides: Any) -> ProgramRun:
    def body() -> None:
        seoul = aws.Provider("ap-northeast-2", region="ap-northeast-2")
        virginia = aws.Provider("us-east-1", region="us-east-1")
        dns = PrimaryDns("primary-dns", _args(virginia, **overrides),
                         pulumi.ResourceOptions(provider=seoul))
        pulumi.export("healthCheckId", dns.health_check_id)
        pulumi.export("calculatedHealthCheckId", dns.calculated_health_check_id)
        pulumi.export("lockAlarmName", dns.lock_alarm_name)
        pulumi.export("fqdn", dns.fqdn)
    return run_component(body, preview, stack="seoul", region="ap-northeast-2")


def _depends_on(run: ProgramRun, resource: RecordedResource, *others: RecordedResource) -> bool:
    return all(o.urn in resource.options["dependencies"] for o in others)


def test_primary_record_is_a_failover_alias_to_the_seoul_alb_without_ttl(preview: bool) -> None:
    run = _run(preview)
    record = run.one(RECORD, "primary-dns-record")
    assert record.inputs["name"] == "pilotlight-test.click"
    assert record.inputs["type"] == "A"
    assert record.inputs["zoneId"] == "ZHOSTEDZONE"
    assert record.inputs["setIdentifier"] == "primary"
    assert record.inputs["failoverRoutingPolicies"] == [{"type": "PRIMARY"}]
    assert record.inputs["aliases"] == [{"name": ALB, "zoneId": "ZALBZONE", "evaluateTargetHealth": True}]
    # Route53 rejects a TTL on an alias record set.
    assert "ttl" not in record.inputs and "records" not in record.inputs


def test_primary_record_uses_the_calculated_check_not_the_endpoint_check(preview: bool) -> None:
    run = _run(preview)
    record = run.one(RECORD, "primary-dns-record")
    calculated = run.one(CHECK, "primary-dns-calculated")
    assert _depends_on(run, record, calculated)
    assert not _depends_on(run, record, run.one(CHECK, "primary-dns-endpoint"))
    expected = UNKNOWN if preview else "⟨primary-dns-calculated.id⟩"
    assert record.inputs["healthCheckId"] == expected


def test_calculated_check_needs_both_the_endpoint_and_the_released_lock(preview: bool) -> None:
    run = _run(preview)
    calculated = run.one(CHECK, "primary-dns-calculated")
    endpoint, lock = run.one(CHECK, "primary-dns-endpoint"), run.one(CHECK, "primary-dns-lock")
    assert calculated.inputs["type"] == "CALCULATED"
    assert calculated.inputs["childHealthThreshold"] == 2
    assert len(calculated.inputs["childHealthchecks"]) == 2
    assert _depends_on(run, calculated, endpoint, lock)
    if not preview:
        assert calculated.inputs["childHealthchecks"] == [
            "⟨primary-dns-endpoint.id⟩", "⟨primary-dns-lock.id⟩"]


def test_endpoint_check_probes_the_alb_health_path_over_https_with_document_defaults(preview: bool) -> None:
    run = _run(preview)
    endpoint = run.one(CHECK, "primary-dns-endpoint").inputs
    assert endpoint["type"] == "HTTPS"
    assert endpoint["fqdn"] == ALB  # the ALB itself, never the failover record
    assert endpoint["port"] == 443
    assert endpoint["resourcePath"] == "/api/health"
    assert endpoint["requestInterval"] == 30
    assert endpoint["failureThreshold"] == 3
    assert endpoint["enableSni"] is True
    assert endpoint["tags"]["Project"] == "MegaTicket"


def test_endpoint_check_takes_interval_and_threshold_from_settings(preview: bool) -> None:
    run = _run(preview, health_check=replace(HEALTH, interval=10, failure_threshold=2))
    endpoint = run.one(CHECK, "primary-dns-endpoint").inputs
    assert (endpoint["requestInterval"], endpoint["failureThreshold"]) == (10, 2)


def test_without_a_certificate_the_endpoint_check_probes_http_on_port_80(preview: bool) -> None:
    # GIVEN an ALB that only has its HTTP listener
    run = _run(preview, endpoint_has_certificate=False)
    endpoint = run.one(CHECK, "primary-dns-endpoint").inputs
    # THEN the probe goes where the app really answers, not to a port nothing listens on
    assert (endpoint["type"], endpoint["port"]) == ("HTTP", 80)
    assert "enableSni" not in endpoint


@pytest.mark.parametrize(("protocol", "port", "has_cert", "expected"), [
    ("HTTPS", 443, None, ("HTTPS", 443)),
    ("HTTPS", 443, True, ("HTTPS", 443)),
    ("HTTPS", 443, False, ("HTTP", 80)),
    ("HTTPS", 8443, False, ("HTTP", 8443)),
    ("HTTP", 443, None, ("HTTP", 80)),
    ("HTTP", 8080, True, ("HTTP", 8080)),
])
def test_endpoint_probe_follows_the_listener(protocol: str, port: int, has_cert: Optional[bool],
                                             expected: tuple[str, int]) -> None:
    probe = endpoint_probe(replace(HEALTH, protocol=protocol, port=port), has_cert)
    assert (probe.type, probe.port) == expected
    assert probe.path == "/api/health"


def test_lock_alarm_lives_in_us_east_1_and_fires_while_the_lock_metric_is_set(preview: bool) -> None:
    run = _run(preview)
    alarm = run.one(ALARM, "primary-dns-lock-alarm")
    assert run.region_of(alarm) == "us-east-1"
    assert alarm.inputs["region"] == "us-east-1"
    inputs = alarm.inputs
    assert inputs["name"] == "MegaTicket-Failback-Lock"
    assert (inputs["namespace"], inputs["metricName"]) == ("MegaTicket/DR", "FailoverLock")
    assert "dimensions" not in inputs  # the pipeline and drctl put the metric without dimensions
    assert (inputs["statistic"], inputs["comparisonOperator"], inputs["threshold"]) == (
        "Maximum", "GreaterThanOrEqualToThreshold", 1)
    assert (inputs["period"], inputs["evaluationPeriods"]) == (60, 1)
    # One data point must hold the lock for days: missing data keeps the state.
    assert inputs["treatMissingData"] == "ignore"
    assert "drctl release-lock --yes" in inputs["alarmDescription"]


def test_lock_check_watches_the_lock_alarm_and_starts_healthy(preview: bool) -> None:
    run = _run(preview)
    lock = run.one(CHECK, "primary-dns-lock")
    assert lock.inputs["type"] == "CLOUDWATCH_METRIC"
    assert lock.inputs["cloudwatchAlarmName"] == "MegaTicket-Failback-Lock"
    assert lock.inputs["cloudwatchAlarmRegion"] == "us-east-1"
    # New checks without history count as healthy; a held lock is never dropped for lack of data.
    assert lock.inputs["insufficientDataHealthStatus"] == "LastKnownStatus"
    assert _depends_on(run, lock, run.one(ALARM, "primary-dns-lock-alarm"))


def test_everything_but_the_lock_alarm_uses_the_callers_provider(preview: bool) -> None:
    run = _run(preview)
    component = run.one("megaticket-dr:dns:PrimaryDns", "primary-dns")
    children = [r for r in run.resources if r.parent == component.urn]
    assert sorted(r.name for r in children) == [
        "primary-dns-calculated", "primary-dns-detection", "primary-dns-endpoint", "primary-dns-lock",
        "primary-dns-lock-alarm", "primary-dns-record"]
    for child in children:
        if child.type != ALARM:
            assert run.region_of(child) == "ap-northeast-2"


def test_health_check_output_is_the_endpoint_check_for_the_detection_alarm(preview: bool) -> None:
    run = _run(preview)
    if preview:
        assert run.outputs["healthCheckId"] == UNKNOWN
        assert run.outputs["lockAlarmName"] == "MegaTicket-Failback-Lock"
    else:
        assert run.outputs == {
            "healthCheckId": "⟨primary-dns-endpoint.id⟩",
            "calculatedHealthCheckId": "⟨primary-dns-calculated.id⟩",
            "lockAlarmName": "MegaTicket-Failback-Lock",
            "fqdn": "⟨pilotlight-test.click.fqdn⟩",
        }


def test_lock_settings_come_from_config(preview: bool) -> None:
    lock = LockSettings(namespace="Ops/Failover", metric_name="Held", alarm_name="Ops-Lock",
                        region="us-east-1")
    run = _run(preview, lock=lock)
    alarm = run.one(ALARM, "primary-dns-lock-alarm").inputs
    assert (alarm["namespace"], alarm["metricName"], alarm["name"]) == ("Ops/Failover", "Held", "Ops-Lock")
    assert run.one(CHECK, "primary-dns-lock").inputs["cloudwatchAlarmName"] == "Ops-Lock"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"endpoint_fqdn": "pilotlight-test.click"}, "endpoint_fqdn must not be the failover record"),
    ({"endpoint_fqdn": None}, "endpoint_fqdn must be"),
    ({"hosted_zone_id": ""}, "hosted_zone_id must be"),
    ({"health_check": replace(HEALTH, protocol="HTTP"), "endpoint_has_certificate": True},
     'health_check.protocol must be "HTTPS" when the ALB has a certificate'),
    ({"health_check": replace(HEALTH, protocol="HTTP", port=80), "endpoint_has_certificate": True},
     "port 80 redirects to HTTPS and Route53 counts the 3xx as healthy"),
    ({"alarm_provider": "us-east-1"}, "alarm_provider must be the aws.Provider for us-east-1"),
    ({}, "alarm_provider must be the aws.Provider for us-east-1"),
])
def test_bad_arguments_fail_with_one_line_naming_the_field(overrides: dict, message: str) -> None:
    # The provider is checked last, so every other case fails on its own field first.
    args = {"alarm_provider": None, **overrides}
    with pytest.raises(ValueError, match=message) as error:
        _args(**args)
    assert "\n" not in str(error.value)
