"""Data and DNS in the whole program: seoul owns the tables and the PRIMARY record behind the
failback lock; tokyo reads the tables, owns the SECONDARY record and the us-east-1 detection alarm."""

from __future__ import annotations

import base64
import binascii
import json
import subprocess
import sys
from typing import Any

import pytest

from offline_preview.engine import UNKNOWN, ProgramRun, RecordedResource, primary_placeholders
from stack_config import TABLE_SUFFIXES, settings_for_stack
from tests.conftest import ROOT, run_program

TABLE = "aws:dynamodb/table:Table"
CHECK = "aws:route53/healthCheck:HealthCheck"
RECORD = "aws:route53/record:Record"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
LB = "aws:lb/loadBalancer:LoadBalancer"
TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
TABLE_NAMES = [f"KDT-Msp4-PLDR-{s}" for s in TABLE_SUFFIXES]


@pytest.fixture(scope="module", params=[False, True], ids=["update", "preview"])
def seoul(request: pytest.FixtureRequest) -> ProgramRun:
    return run_program("seoul", preview=bool(request.param))


@pytest.fixture(scope="module", params=[False, True], ids=["update", "preview"])
def tokyo(request: pytest.FixtureRequest) -> ProgramRun:
    return run_program("tokyo", preview=bool(request.param))


def _alb(run: ProgramRun, name: str) -> RecordedResource:
    return next(r for r in run.by_type(LB) if r.inputs.get("name") == name)


def _records(run: ProgramRun, failover_type: str) -> list[RecordedResource]:
    return [r for r in run.by_type(RECORD)
            if [p.get("type") for p in r.inputs.get("failoverRoutingPolicies", [])] == [failover_type]]


# --- seoul -----------------------------------------------------------------------------------------


def test_seoul_owns_the_four_tables_each_replicated_to_tokyo_with_pitr(seoul: ProgramRun) -> None:
    tables = seoul.by_type(TABLE)
    assert sorted(t.inputs["name"] for t in tables) == TABLE_NAMES
    for table in tables:
        assert seoul.region_of(table) == "ap-northeast-2"
        assert table.inputs["billingMode"] == "PAY_PER_REQUEST"
        assert table.inputs["streamViewType"] == "NEW_AND_OLD_IMAGES"
        assert table.inputs["pointInTimeRecovery"] == {"enabled": True}
        assert table.inputs["deletionProtectionEnabled"] is True
        assert table.inputs["serverSideEncryption"] == {"enabled": True}
        assert [(r["regionName"], r["pointInTimeRecovery"]) for r in table.inputs["replicas"]] == [
            ("ap-northeast-1", True)]


def test_seoul_primary_record_aliases_the_seoul_alb_behind_the_calculated_check(seoul: ProgramRun) -> None:
    [record] = _records(seoul, "PRIMARY")
    assert record.inputs["name"] == "pilotlight-test.click"
    assert record.inputs["setIdentifier"] == "primary"
    [alias] = record.inputs["aliases"]
    assert alias["evaluateTargetHealth"] is True
    assert "ttl" not in record.inputs
    calculated = seoul.one(CHECK, "primary-dns-calculated")
    assert calculated.urn in record.options["dependencies"]
    assert calculated.inputs["type"] == "CALCULATED" and calculated.inputs["childHealthThreshold"] == 2
    alb = _alb(seoul, "MegaTicket-ALB")
    assert alb.urn in record.options["dependencies"]
    if not seoul.preview:
        assert alias["name"] == "⟨MegaTicket-ALB.dnsName⟩"
        assert alias["zoneId"] == "⟨MegaTicket-ALB.zoneId⟩"
        assert record.inputs["healthCheckId"] == "⟨primary-dns-calculated.id⟩"
        # The zone is looked up by the domain: no id is configured.
        assert record.inputs["zoneId"] == "⟨zone pilotlight-test.click.zoneId⟩"


def test_seoul_endpoint_check_probes_the_alb_not_the_failover_name(seoul: ProgramRun) -> None:
    endpoint = seoul.one(CHECK, "primary-dns-endpoint").inputs
    assert endpoint["resourcePath"] == "/api/health"
    assert (endpoint["requestInterval"], endpoint["failureThreshold"]) == (30, 3)
    # The seoul stack configures no certificate, so its ALB only listens on HTTP.
    assert (endpoint["type"], endpoint["port"]) == ("HTTP", 80)
    assert endpoint["fqdn"] != "pilotlight-test.click"
    if not seoul.preview:
        assert endpoint["fqdn"] == "⟨MegaTicket-ALB.dnsName⟩"


def test_seoul_with_a_certificate_probes_https_443_at_the_configured_pace(preview: bool) -> None:
    cert = "arn:aws:acm:ap-northeast-2:111122223333:certificate/" + "0" * 8 + "-0000-0000-0000-" + "0" * 12
    run = run_program("seoul", preview, overrides=[
        f"alb.certificateArn={cert}", "healthCheck.interval=10", "healthCheck.failureThreshold=2"])
    endpoint = run.one(CHECK, "primary-dns-endpoint").inputs
    assert (endpoint["type"], endpoint["port"], endpoint["enableSni"]) == ("HTTPS", 443, True)
    assert (endpoint["requestInterval"], endpoint["failureThreshold"]) == (10, 2)


def test_seoul_failback_lock_alarm_and_check_in_us_east_1(seoul: ProgramRun) -> None:
    alarm = seoul.one(ALARM, "primary-dns-lock-alarm")
    assert seoul.region_of(alarm) == "us-east-1"
    assert (alarm.inputs["name"], alarm.inputs["namespace"], alarm.inputs["metricName"]) == (
        "MegaTicket-Failback-Lock", "MegaTicket/DR", "FailoverLock")
    assert alarm.inputs["treatMissingData"] == "ignore"
    lock = seoul.one(CHECK, "primary-dns-lock").inputs
    assert (lock["type"], lock["cloudwatchAlarmName"], lock["cloudwatchAlarmRegion"]) == (
        "CLOUDWATCH_METRIC", "MegaTicket-Failback-Lock", "us-east-1")


def test_seoul_exports_what_tokyo_reads(seoul: ProgramRun) -> None:
    outputs = seoul.outputs
    assert outputs["tableNames"] == dict(zip(TABLE_SUFFIXES, TABLE_NAMES, strict=True))
    if seoul.preview:
        assert outputs["healthCheckId"] == UNKNOWN and outputs["tableArns"] == UNKNOWN
    else:
        # The detection alarm must watch the endpoint check, not the calculated one.
        assert outputs["healthCheckId"] == "⟨primary-dns-endpoint.id⟩"
        assert outputs["calculatedHealthCheckId"] == "⟨primary-dns-calculated.id⟩"
        assert outputs["tableArns"] == {
            s: f"⟨{n}.arn⟩" for s, n in zip(TABLE_SUFFIXES, TABLE_NAMES, strict=True)}


def test_seoul_has_no_secondary_record_and_no_detection_alarm(seoul: ProgramRun) -> None:
    assert _records(seoul, "SECONDARY") == []
    assert [a.inputs["name"] for a in seoul.by_type(ALARM)] == ["MegaTicket-Failback-Lock"]


# --- tokyo -----------------------------------------------------------------------------------------


def test_tokyo_declares_no_data_table(tokyo: ProgramRun) -> None:
    # seoul owns the data tables; tokyo's one table holds the approval page's one-time ids
    assert [t.inputs["name"] for t in tokyo.by_type(TABLE)] == ["stfc-lambda-dev-approvals"]


def test_tokyo_secondary_record_aliases_the_tokyo_alb(tokyo: ProgramRun) -> None:
    [record] = _records(tokyo, "SECONDARY")
    assert _records(tokyo, "PRIMARY") == []
    assert record.inputs["name"] == "pilotlight-test.click"
    assert record.inputs["setIdentifier"] == "secondary"
    [alias] = record.inputs["aliases"]
    assert alias["evaluateTargetHealth"] is True
    assert "ttl" not in record.inputs and "healthCheckId" not in record.inputs
    assert _alb(tokyo, "MegaTicket-DR-ALB").urn in record.options["dependencies"]
    if not tokyo.preview:
        assert alias["name"] == "⟨MegaTicket-DR-ALB.dnsName⟩"
        assert record.inputs["zoneId"] == "⟨zone pilotlight-test.click.zoneId⟩"


def test_tokyo_detection_alarm_watches_seouls_stable_detection_check_from_us_east_1(tokyo: ProgramRun) -> None:
    alarm = next(a for a in tokyo.by_type(ALARM)
                 if a.inputs["name"] == "MegaTicket-Primary-HealthCheck-Alarm")
    assert tokyo.region_of(alarm) == "us-east-1"
    assert (alarm.inputs["namespace"], alarm.inputs["metricName"]) == ("AWS/Route53", "HealthCheckStatus")
    assert (alarm.inputs["statistic"], alarm.inputs["comparisonOperator"], alarm.inputs["threshold"]) == (
        "Minimum", "LessThanThreshold", 1)
    # Seoul's calculated detection check, whose id survives a replaced endpoint check.
    assert alarm.inputs["dimensions"]["HealthCheckId"] in ("⟨seoul.detectionHealthCheckId⟩", UNKNOWN)
    if not tokyo.preview:
        assert alarm.inputs["dimensions"] == {"HealthCheckId": "⟨seoul.detectionHealthCheckId⟩"}


def test_tokyo_without_the_lock_resources(tokyo: ProgramRun) -> None:
    assert tokyo.by_type(CHECK) == []
    assert all(a.inputs["name"] != "MegaTicket-Failback-Lock" for a in tokyo.by_type(ALARM))


def _user_data(template: RecordedResource) -> str:
    raw = template.inputs.get("userData", "")
    try:
        return base64.b64decode(raw, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return str(raw)


def _mentions(resource: RecordedResource, text: str) -> bool:
    return text in json.dumps(resource.inputs, ensure_ascii=False)


@pytest.mark.parametrize("preview_mode", [False, True], ids=["update", "preview"])
def test_tokyo_app_and_instance_policy_use_the_primary_table_names(preview_mode: bool) -> None:
    # GIVEN seoul exports its real table names WHEN tokyo is evaluated
    outputs: dict[str, Any] = {**primary_placeholders(),
                               "tableNames": dict(zip(TABLE_SUFFIXES, TABLE_NAMES, strict=True))}
    run = run_program("tokyo", preview_mode, stack_reference_outputs=outputs)
    # THEN the app tier's user data names every table ...
    settings = settings_for_stack(ROOT, "tokyo")
    template = next(t for t in run.by_type(TEMPLATE)
                    if t.inputs.get("name") == settings.app.launch_template_name)
    script = _user_data(template)
    for name in TABLE_NAMES:
        assert name in script, f"{name} missing from the app user data"
    # ... and the instance role's policy is scoped to exactly those tables
    policies = [r for r in run.resources if r.type.startswith("aws:iam/") and _mentions(r, ":table/")]
    assert policies, "no IAM policy mentions a DynamoDB table"
    for name in TABLE_NAMES:
        assert any(_mentions(p, f":table/{name}") for p in policies), f"{name} missing from IAM"
    assert not any(_mentions(p, ":table/*") for p in policies)


# --- the offline preview, as a user runs it ----------------------------------------------------------

MY_RESOURCES = ("tables", "primary-dns", "secondary-dns", "detection-alarm")


def _offline_preview(stack: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "offline_preview", stack, "--json"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    # 0 clean, 1 a policy violation somewhere in the stack; 2 or a crash is a failure here.
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return json.loads(done.stdout)


def _violations_on_data_and_dns(preview_json: dict[str, Any]) -> list[dict[str, Any]]:
    return [v for v in (preview_json.get("policies") or {}).get("violations", [])
            if str(v.get("resource", "")).startswith(MY_RESOURCES)]


def test_offline_preview_of_seoul_shows_replicated_tables_and_the_primary_record() -> None:
    shown = _offline_preview("seoul")
    tables = [r for r in shown["resources"] if r["type"] == TABLE]
    assert sorted(t["inputs"]["name"] for t in tables) == TABLE_NAMES
    for table in tables:
        assert [(r["regionName"], r["pointInTimeRecovery"]) for r in table["inputs"]["replicas"]] == [
            ("ap-northeast-1", True)]
    records = [r for r in shown["resources"] if r["type"] == RECORD]
    assert [r["inputs"]["failoverRoutingPolicies"] for r in records] == [[{"type": "PRIMARY"}]]
    assert records[0]["inputs"]["healthCheckId"] == "⟨primary-dns-calculated.id⟩"
    assert _violations_on_data_and_dns(shown) == []


def test_offline_preview_of_tokyo_shows_the_secondary_record_and_no_data_tables() -> None:
    shown = _offline_preview("tokyo")
    assert [r["inputs"]["name"] for r in shown["resources"] if r["type"] == TABLE] == [
        "stfc-lambda-dev-approvals"]
    records = [r for r in shown["resources"] if r["type"] == RECORD]
    assert [r["inputs"]["failoverRoutingPolicies"] for r in records] == [[{"type": "SECONDARY"}]]
    assert "MegaTicket-Primary-HealthCheck-Alarm" in [
        r["inputs"].get("name") for r in shown["resources"] if r["type"] == ALARM]
    assert _violations_on_data_and_dns(shown) == []
