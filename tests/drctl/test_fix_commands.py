"""Every command a `drctl doctor` fix tells an operator to run exists.

The fixes are whatever the checks produce, collected by running every check (in-process, the code
doctor and the readiness Lambda run) in worlds where they fail: nothing deployed, the healthy pilot
light with each `Broken` fault alone and all at once, on-failover mode, every AWS call refused,
throttled or unreachable, and the web root redirecting, erroring or down. A new check or a new
fault in `Broken` is covered without editing this file; a check that none of these worlds can fail
must get a world here (the coverage test names it).
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
from tests.drctl import pilot_light
from tests.drctl.conftest import Moto
from tests.drctl.pilot_light import Broken


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


def _failures(moto: Moto, names: Any) -> dict[str, list[CheckResult]]:
    """world -> the failed results (each with its fix) of every check in it."""
    s: CheckSettings = names.checks
    worlds: dict[str, list[CheckResult]] = {}

    def run(world: str, settings: CheckSettings, clients: Callable[[str, str], Any],
            http_status: int | None = 200) -> None:
        results = run_checks(clients, settings, http_get=_web(http_status))
        worlds[world] = [r for r in results if not r.ok]

    moto.reset()
    run("nothing deployed", s, _clients(moto.endpoint), http_status=None)
    faults = [f.name for f in dataclasses.fields(Broken)]
    for fault in [*faults, "all"]:
        moto.reset()
        broken = Broken(**{f: True for f in faults}) if fault == "all" else Broken(**{fault: True})
        pilot_light.seed(moto.endpoint, s, broken)
        if fault == "all":
            # DynamoDB publishes ReplicationLatency only while writes replicate: a slow replica.
            boto3.client("cloudwatch", region_name=s.primary_region, endpoint_url=moto.endpoint,
                         aws_access_key_id="testing", aws_secret_access_key="testing").put_metric_data(
                Namespace="AWS/DynamoDB", MetricData=[{
                    "MetricName": "ReplicationLatency", "Value": s.max_replication_latency_ms * 2,
                    "Unit": "Milliseconds",
                    "Dimensions": [{"Name": "TableName", "Value": s.table_names[0]},
                                   {"Name": "ReceivingRegion", "Value": s.dr_region}]}])
        run(f"broken: {fault}", s, _clients(moto.endpoint), http_status=307 if fault == "all" else 500)
    moto.reset()
    on_failover = dataclasses.replace(s, nlb_mode="on-failover")
    pilot_light.seed(moto.endpoint, on_failover, Broken(latest_without_placeholder=True), on_failover=True)
    run("on-failover, $Latest without the placeholder", on_failover, _clients(moto.endpoint))
    run("access denied", s, _refusing("AccessDeniedException"))
    run("throttled", s, _refusing("ThrottlingException"))
    run("endpoint unreachable", s, _unreachable)
    return worlds


def test_every_command_in_every_doctor_fix_exists(moto: Moto, names: Any) -> None:
    # GIVEN every failed check in every world, with its fix
    worlds = _failures(moto, names)
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
