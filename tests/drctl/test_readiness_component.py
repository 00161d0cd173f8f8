"""Readiness component under the shared Pulumi mocks: schedule, least-privilege role, alarm, package."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from components.readiness import Readiness, ReadinessArgs, policy_document
from failover.checks import CheckSettings
from offline_preview.engine import UNKNOWN, ProgramRun
from tests.conftest import run_component

TOPIC = "arn:aws:sns:ap-northeast-1:111122223333:stfc-topic-dev-an1-approval"
MACHINE = "arn:aws:states:ap-northeast-1:111122223333:stateMachine:stfc-stepfunction-dev-an1"


def _run(preview: bool, **overrides: Any) -> ProgramRun:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        args = ReadinessArgs(**{"checks": CheckSettings(), "approval_topic_arn": TOPIC,
                                "state_machine_arn": MACHINE,
                                "health_check_id": pulumi.Output.from_input("⟨seoul.healthCheckId⟩"),
                                **overrides})
        Readiness("readiness", args, pulumi.ResourceOptions(provider=tokyo))
    return run_component(body, preview)


def test_lambda_runs_the_checks_every_30_minutes_in_tokyo(preview: bool) -> None:
    run = _run(preview)
    component = run.one("megaticket-dr:readiness:Readiness", "readiness")
    function = run.one("aws:lambda/function:Function", "readiness-function")
    assert function.parent == component.urn and run.region_of(function) == "ap-northeast-1"
    assert function.inputs["name"] == "stfc-lambda-dev-readiness"
    assert function.inputs["handler"] == "failover.readiness.handler"
    env = function.inputs["environment"]["variables"]
    assert env["METRIC_NAMESPACE"] == "MegaTicket/DR/Readiness"
    assert env["APPROVAL_TOPIC_NAME"] == "stfc-topic-dev-an1-approval"
    assert env["HEALTH_CHECK_ID"] == "⟨seoul.healthCheckId⟩"
    rule = run.one("aws:cloudwatch/eventRule:EventRule", "readiness-schedule")
    assert rule.inputs["scheduleExpression"] == "rate(30 minutes)"
    permission = run.one("aws:lambda/permission:Permission", "readiness-invoke")
    assert permission.inputs["principal"] == "events.amazonaws.com"


def test_alarm_on_ready_notifies_the_approval_topic_without_paging_at_creation(preview: bool) -> None:
    alarm = _run(preview).one("aws:cloudwatch/metricAlarm:MetricAlarm", "readiness-alarm").inputs
    assert (alarm["namespace"], alarm["metricName"], alarm["statistic"]) == (
        "MegaTicket/DR/Readiness", "Ready", "Minimum")
    assert (alarm["comparisonOperator"], alarm["threshold"], alarm["period"]) == (
        "LessThanThreshold", 1, 3600)
    # A new alarm has no data until the first run: missing data must not read as a failed check
    # (which paged approvers at deploy); a Lambda that stops reporting still notifies.
    assert alarm["treatMissingData"] == "missing"
    assert alarm["alarmActions"] == [TOPIC] and alarm["okActions"] == [TOPIC]
    assert alarm["insufficientDataActions"] == [TOPIC]


def test_role_only_reads_and_puts_metrics_into_its_own_namespace(preview: bool) -> None:
    run = _run(preview)
    policy = run.one("aws:iam/rolePolicy:RolePolicy", "readiness-policy").inputs["policy"]
    if preview:
        assert policy == UNKNOWN  # depends on the log group ARN, unknown in preview
        return
    statements = {s["Sid"]: s for s in json.loads(policy)["Statement"]}
    actions = [a for s in statements.values() for a in ([s["Action"]] if isinstance(s["Action"], str)
                                                        else s["Action"])]
    # apigateway:GET is API Gateway's one read action (approval-page reads the HTTP API with it)
    assert all(a.split(":")[1].startswith(("Describe", "List", "Get", "GET", "PutMetricData", "CreateLogStream",
                                           "PutLogEvents")) for a in actions), actions
    put = statements["PutReadinessMetrics"]
    assert put["Condition"] == {"StringEquals": {"cloudwatch:namespace": "MegaTicket/DR/Readiness"}}
    assert statements["ReadMachines"]["Resource"] == [MACHINE, f"{MACHINE}-failback"]
    assert statements["ReadApprovalSubscriptions"]["Resource"] == TOPIC
    assert statements["ReadRules"]["Resource"] == [
        "arn:aws:events:us-east-1:111122223333:rule/ssw-dr-failover-observation-alarm-rule",
        "arn:aws:events:ap-northeast-1:111122223333:rule/ssw-dr-failover-dr-event-bus/pldr-dr-failover-rule"]


def test_policy_scopes_tables_to_the_named_tables_in_both_regions() -> None:
    # The replicas are read in Tokyo (the check must work while Seoul is down).
    doc = json.loads(policy_document(CheckSettings(), "MegaTicket/DR/Readiness", "111122223333", MACHINE,
                                     TOPIC, "arn:aws:logs:ap-northeast-1:111122223333:log-group:x"))
    tables = next(s for s in doc["Statement"] if s["Sid"] == "ReadReplicas")["Resource"]
    assert "arn:aws:dynamodb:ap-northeast-1:111122223333:table/KDT-Msp4-PLDR-performances" in tables
    assert "arn:aws:dynamodb:ap-northeast-2:111122223333:table/KDT-Msp4-PLDR-performances" in tables
    assert len(tables) == 8 and not any("*" in t for t in tables)


def test_policy_lets_the_lambda_read_only_the_step_roles_and_functions() -> None:
    doc = json.loads(policy_document(CheckSettings(), "MegaTicket/DR/Readiness", "111122223333", MACHINE,
                                     TOPIC, "arn:aws:logs:ap-northeast-1:111122223333:log-group:x"))
    statements = {s["Sid"]: s for s in doc["Statement"]}
    roles = statements["ReadStepRoles"]["Resource"]
    assert "arn:aws:iam::111122223333:role/stfc-lambda-dev-step2-role" in roles and not any("*" in r for r in roles)
    functions = statements["ReadFunctions"]["Resource"]
    assert "arn:aws:lambda:ap-northeast-1:111122223333:function:stfc-lambda-dev-readiness" in functions
    # approval-page compares the page Lambda's environment (the page is on by default); no writer
    assert functions[-1] == "arn:aws:lambda:ap-northeast-1:111122223333:function:stfc-lambda-dev-page"
    assert not any("*" in f for f in functions)


def test_the_packaged_files_alone_run_the_checks(tmp_path) -> None:
    # GIVEN only the files the component packages (what the Lambda runtime will have)
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    from components.readiness import PACKAGED

    root = Path(__file__).resolve().parents[2]
    for relative in PACKAGED:
        (tmp_path / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(root / relative, tmp_path / relative)
    # WHEN the handler module is imported there and renders what the checks expect
    script = ("import failover.readiness, failover.checks as c, failover.check_compute as cc; "
              "s = c.CheckSettings(); print(len(c.CHECK_NAMES), sorted(cc.expected_facts(s, 'app').processes))")
    proc = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True,
                          env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"}, timeout=60, check=False)
    # THEN nothing is missing from the package
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == [str(len(__import__("failover.checks").checks.CHECK_NAMES)), "['app-backend']"]
