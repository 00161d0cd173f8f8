"""The readiness Lambda: `drctl doctor`'s checks on a schedule, one CloudWatch metric per check.

Like AWS Region switch's plan evaluation (every 30 minutes), a pilot light that silently rots -
an unconfirmed SNS subscription, a disabled rule, a launch template that lost its placeholder -
is found before the outage, not during it. Every run puts, in `METRIC_NAMESPACE`
(default MegaTicket/DR/Readiness):
  - `<check name>` = 1 (passed) or 0 (failed), one datum per check;
  - `Ready` = 1 only when every check passed (the readiness alarm watches its Minimum);
  - `FailedChecks` = how many failed.

Environment: each `CheckSettings` field as its upper-case name (`DR_REGION`, `ALARM_NAME`,
`TABLE_NAMES` comma-separated, ...); unset fields keep the documents' defaults. See `to_env`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Mapping
from typing import Any

from failover.checks import CheckResult, CheckSettings, ClientFactory, HttpGet, http_status, run_checks
from failover.contract import AWS_CLIENT_CONFIG

DEFAULT_NAMESPACE = "MegaTicket/DR/Readiness"
_SKIP = {"now"}


class ReadinessSettingsError(ValueError):
    """A malformed environment variable; the message names it and the expected form."""


def to_env(s: CheckSettings, namespace: str = DEFAULT_NAMESPACE) -> dict[str, str]:
    """What the component sets on the Lambda (and what tests use): the inverse of `from_env`."""
    env: dict[str, str] = {"METRIC_NAMESPACE": namespace}
    for f in dataclasses.fields(s):
        if f.name in _SKIP:
            continue
        value = getattr(s, f.name)
        env[f.name.upper()] = ",".join(value) if isinstance(value, tuple) else str(value)
    return env


def from_env(env: Mapping[str, str]) -> CheckSettings:
    defaults = CheckSettings()
    values: dict[str, Any] = {}
    for f in dataclasses.fields(CheckSettings):
        key = f.name.upper()
        if f.name in _SKIP or key not in env:
            continue
        raw = env[key].strip()
        default = getattr(defaults, f.name)
        if isinstance(default, tuple):
            values[f.name] = tuple(v.strip() for v in raw.split(",") if v.strip())
        elif isinstance(default, bool):
            values[f.name] = raw.lower() == "true"
        elif isinstance(default, (int, float)):
            try:
                values[f.name] = type(default)(raw)
            except ValueError:
                raise ReadinessSettingsError(
                    f"environment variable {key}={raw!r} must be "
                    f"{'an integer' if isinstance(default, int) else 'a number'}") from None
        else:
            values[f.name] = raw
    return CheckSettings(**values)


def metric_data(results: list[CheckResult]) -> list[dict[str, Any]]:
    """A skipped check (its region unreachable) puts no datum: it neither passed nor failed."""
    failed = sum(1 for r in results if not r.ok)
    data = [{"MetricName": r.name, "Value": 1.0 if r.ok else 0.0, "Unit": "Count"}
            for r in results if not r.skipped]
    data.append({"MetricName": "Ready", "Value": 0.0 if failed else 1.0, "Unit": "Count"})
    data.append({"MetricName": "FailedChecks", "Value": float(failed), "Unit": "Count"})
    return data


def evaluate(clients: ClientFactory, s: CheckSettings, namespace: str,
             http_get: HttpGet = http_status) -> dict[str, Any]:
    results = run_checks(clients, s, http_get=http_get)
    clients("cloudwatch", s.dr_region).put_metric_data(Namespace=namespace,
                                                        MetricData=metric_data(results))
    failed = [r for r in results if not r.ok]
    return {
        "ready": not failed,
        "namespace": namespace,
        "failed": [r.name for r in failed],
        "skipped": [r.name for r in results if r.skipped],
        "checks": [r.as_dict() for r in results],
    }


def _clients() -> Callable[[str, str], Any]:
    cache: dict[tuple[str, str], Any] = {}

    def get(service: str, region: str) -> Any:
        if (service, region) not in cache:
            # Imported here: the stack program imports this module for `to_env` and needs no boto3.
            import boto3
            from botocore.config import Config

            config = Config(**AWS_CLIENT_CONFIG)
            cache[(service, region)] = boto3.client(service, region_name=region, config=config)
        return cache[(service, region)]

    return get


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    env = os.environ
    settings = from_env(env)
    namespace = env.get("METRIC_NAMESPACE", "").strip() or DEFAULT_NAMESPACE
    return evaluate(_clients(), settings, namespace)
