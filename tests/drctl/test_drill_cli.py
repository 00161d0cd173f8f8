"""`drctl drill` over moto's server: refused (one line, exit 1, nothing started) while Seoul is
unhealthy, a run is in flight or the lock is held; with --yes it starts the failover machine with a
drill input; usage mistakes are exit 2."""

from __future__ import annotations

import json
from typing import Any

import boto3

from failover.contract import DRILL_MAX_HOLD_MINUTES
from tests.drctl.conftest import drctl


def _client(endpoint: str, service: str, region: str = "ap-northeast-1") -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint)


def _executions(endpoint: str, machine_arn: str) -> list[dict[str, Any]]:
    return list(_client(endpoint, "stepfunctions").list_executions(stateMachineArn=machine_arn)["executions"])


def _refused(run: Any, says: str) -> None:
    assert run.code == 1, (run.stdout, run.stderr)
    assert run.stderr.startswith("drctl: drill refused: ") and says in run.stderr, run.stderr
    assert run.stderr.count("\n") == 1 and "Traceback" not in run.stderr


def test_drill_with_yes_starts_the_failover_machine_with_a_drill_input(moto, stack):
    started = drctl(moto.endpoint, "drill", "--stack", "tokyo", "--hold-minutes", "3", "--yes")
    assert started.code == 0, started.stderr
    [execution] = _executions(moto.endpoint, stack["state_machine_arn"])
    assert started.stdout.startswith(f"started {execution['executionArn']}\n")
    assert execution["name"].startswith("drill-")
    described = _client(moto.endpoint, "stepfunctions").describe_execution(
        executionArn=execution["executionArn"])
    payload = json.loads(described["input"])
    assert payload["drill"] is True and payload["hold_seconds"] == 180 and payload["source"] == "drill"
    assert f"drctl report {execution['name']}" in started.stdout

    # THEN a second drill (or anything else) is refused while it runs, and nothing more starts
    again = drctl(moto.endpoint, "drill", "--yes")
    _refused(again, f"execution {execution['executionArn']} is RUNNING")
    assert len(_executions(moto.endpoint, stack["state_machine_arn"])) == 1


def test_drill_is_refused_while_a_failover_runs(moto, stack):
    assert drctl(moto.endpoint, "failover", "--reason", "Seoul is down").code == 0
    run = drctl(moto.endpoint, "drill", "--yes")
    _refused(run, "is RUNNING; a drill waits until it has finished")
    assert all(not e["name"].startswith("drill-") for e in _executions(moto.endpoint, stack["state_machine_arn"]))


def test_drill_is_refused_while_seoul_is_unhealthy(moto, stack, names):
    cloudwatch = _client(moto.endpoint, "cloudwatch", names.checks.alarm_region)
    cloudwatch.set_alarm_state(AlarmName=names.checks.alarm_name, StateValue="ALARM",
                               StateReason="Seoul's endpoint check failed")
    run = drctl(moto.endpoint, "drill", "--yes")
    _refused(run, f"Seoul's endpoint check is unhealthy (alarm {names.checks.alarm_name} is in ALARM)")
    assert _executions(moto.endpoint, stack["state_machine_arn"]) == []


def test_drill_is_refused_when_seoul_health_cannot_be_read(moto, stack, names):
    _client(moto.endpoint, "route53", "us-east-1").delete_health_check(HealthCheckId=stack["health_check_id"])
    run = drctl(moto.endpoint, "drill", "--yes")
    _refused(run, "cannot tell whether Seoul's endpoint check is healthy")
    assert _executions(moto.endpoint, stack["state_machine_arn"]) == []


def test_drill_is_refused_while_the_failback_lock_is_held(moto, stack, names):
    s = names.checks
    _client(moto.endpoint, "cloudwatch", s.alarm_region).put_metric_data(
        Namespace=s.lock_namespace, MetricData=[{"MetricName": s.lock_metric, "Value": 1.0}])
    run = drctl(moto.endpoint, "drill", "--yes")
    _refused(run, "the failback lock is held")
    assert _executions(moto.endpoint, stack["state_machine_arn"]) == []


def test_drill_without_yes_and_without_a_terminal_starts_nothing(moto, stack):
    run = drctl(moto.endpoint, "drill")
    assert run.code == 2
    assert run.stderr == "drctl: error: drill needs --yes when there is no terminal to confirm on\n"
    assert _executions(moto.endpoint, stack["state_machine_arn"]) == []


def test_drill_usage_mistakes_are_one_line_exit_2(moto, stack):
    for bad in ("-1", "1.5", "ten", str(DRILL_MAX_HOLD_MINUTES + 1)):
        run = drctl(moto.endpoint, "drill", "--hold-minutes", bad, "--yes")
        assert run.code == 2 and run.stderr.count("\n") == 1, run.stderr
        assert f"must be whole minutes from 0 to {DRILL_MAX_HOLD_MINUTES} (got {bad})" in run.stderr
    empty = drctl(moto.endpoint, "drill", "--yes", "--reason", "  ")
    assert empty.code == 2 and empty.stderr == "drctl: error: --reason must not be empty\n"
    seoul = drctl(moto.endpoint, "drill", "--stack", "seoul", "--yes")
    assert seoul.code == 2 and "--stack must name the DR stack" in seoul.stderr
    assert _executions(moto.endpoint, stack["state_machine_arn"]) == []
