"""Every command a `drctl doctor` fix tells an operator to run exists.

The fixes are whatever the checks produce, collected by running every check (in-process, the code
doctor and the readiness Lambda run) in worlds where they fail: nothing deployed, the stacks as the
program declares them with each fault of tests/drctl/faults.py alone, then with the load balancers
and Seoul's AMI deleted and a slow replica, the fast profile with its gate and a warm pool
wrong, every AWS call refused, throttled or unreachable, and the
web root redirecting, erroring or down. A new check or a new fault is covered without editing this
file; a check that none of these worlds can fail must get a world here (the coverage test names it).
"""

from __future__ import annotations

import dataclasses
import urllib.error
from collections.abc import Callable
from functools import cache
from typing import Any

import boto3
from botocore.exceptions import ClientError, EndpointConnectionError

from failover.checks import CHECK_NAMES, CheckResult, CheckSettings, run_checks
from tests.commands.command_lines import commands_in_message, problem
from tests.drctl.faults import REVERSIBLE
from tests.drctl.generated import deployed, drctl_settings


def _clients(endpoint: str) -> Callable[[str, str], Any]:
    @cache
    def client(service: str, region: str) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=endpoint,
                            aws_access_key_id="testing", aws_secret_access_key="testing")
    return client


class _Refusing:
    """A client whose every call fails the same way."""

    def __init__(self, error: Exception):
        self.error = error

    def __getattr__(self, name: str) -> Any:
        def call(*_: Any, **__: Any) -> Any:
            raise self.error
        return call


def _refusing(code: str) -> Callable[[str, str], Any]:
    error = ClientError({"Error": {"Code": code, "Message": "refused"}}, "Describe")
    return lambda service, region: _Refusing(error)


def _unreachable(service: str, region: str) -> Any:
    return _Refusing(EndpointConnectionError(endpoint_url=f"https://{service}.{region}.amazonaws.com"))


def _web(status: int | None) -> Callable[[str, float], int]:
    def get(url: str, timeout: float) -> int:
        if status is None:
            raise urllib.error.URLError("Name or service not known")
        return status
    return get


def _failures() -> dict[str, list[CheckResult]]:
    """world -> the failed results (each with its fix) of every check in it."""
    from moto import mock_aws

    worlds: dict[str, list[CheckResult]] = {}

    def run(world: str, settings: CheckSettings, clients: Callable[[str, str], Any],
            http_status: int | None = 200) -> None:
        results = run_checks(clients, settings, http_get=_web(http_status), reachable=lambda region: None)
        worlds[world] = [r for r in results if not r.ok]

    s = drctl_settings()
    with deployed() as env:
        for fault in REVERSIBLE:
            revert = fault.apply(env)
            try:
                run(f"fault: {fault.id}", env.lambda_settings if fault.settings == "lambda" else s, env.clients,
                    http_status=500)
            finally:
                revert()
        # DynamoDB publishes ReplicationLatency only while writes replicate: a slow replica.
        env.clients("cloudwatch", s.primary_region).put_metric_data(Namespace="AWS/DynamoDB", MetricData=[{
            "MetricName": "ReplicationLatency", "Value": s.max_replication_latency_ms * 2, "Unit": "Milliseconds",
            "Dimensions": [{"Name": "TableName", "Value": s.table_names[0]},
                           {"Name": "ReceivingRegion", "Value": s.dr_region}]}])
        elbv2 = env.clients("elbv2", s.dr_region)
        for lb in elbv2.describe_load_balancers()["LoadBalancers"]:
            elbv2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
        env.clients("ec2", s.primary_region).deregister_image(ImageId=env.deployed.seoul["goldenAmiId"])
        run("load balancers deleted, slow replica, Seoul AMI gone", env.lambda_settings, env.clients,
            http_status=307)
    # The fast profile's own resources: the gate opened without the lock, a warm pool deleted.
    fast = drctl_settings(("recovery.profile=fast",))
    with deployed(("recovery.profile=fast",)) as env:
        cloudwatch = env.clients("cloudwatch", fast.alarm_region)
        cloudwatch.put_metric_data(Namespace=fast.lock_namespace, MetricData=[
            {"MetricName": fast.gate_metric, "Value": 1.0, "Unit": "Count"}])
        cloudwatch.set_alarm_state(AlarmName=fast.gate_alarm_name, StateValue="OK", StateReason="opened by hand")
        env.clients("autoscaling", fast.dr_region).delete_warm_pool(AutoScalingGroupName=fast.web_asg,
                                                                    ForceDelete=True)
        run("fast profile: gate open without the lock, a warm pool deleted", fast, env.clients)
    with mock_aws():
        run("nothing deployed", s, env.clients, http_status=None)
        run("nothing deployed, fast profile", fast, env.clients, http_status=None)
        run("nothing deployed, reports expected", dataclasses.replace(s, reports_bucket="megaticket-dr-reports"),
            env.clients, http_status=None)
    run("access denied", s, _refusing("AccessDeniedException"))
    run("throttled", s, _refusing("ThrottlingException"))
    run("endpoint unreachable", s, _unreachable)
    return worlds


def test_every_command_in_every_doctor_fix_exists() -> None:
    # GIVEN every failed check in every world, with its fix
    worlds = _failures()
    fixes = {(world, r.name, r.fix) for world, failed in worlds.items() for r in failed}
    # THEN every failed check says how to fix it
    assert all(fix for _, _, fix in fixes), [(w, n) for w, n, fix in fixes if not fix]
    # AND every command in those fixes would run: drctl's parser accepts it, botocore's model knows
    # the aws call, the pulumi table the rest
    commands = [c for world, name, fix in sorted(fixes)
                for c in commands_in_message(fix, f"{name} ({world})")]
    assert {c.program for c in commands} >= {"aws", "drctl", "pulumi"}
    bad = [f"{c.source}: `{c.text}` -> {why}" for c in commands if (why := problem(c))]
    assert bad == []
    # AND the worlds made every check fail at least once, so no fix text went unread
    failed_somewhere = {r.name for failed in worlds.values() for r in failed}
    assert set(CHECK_NAMES) - failed_somewhere == set()
