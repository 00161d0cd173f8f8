"""Readiness checks for the Tokyo pilot light: every deployed fact against what the program declares.

Each check takes a client factory (`clients(service, region)` returning a boto3 client) and a
`CheckSettings`, and returns a `CheckResult`; a failure names the fact, the expected and actual
values, and a fix whose commands are real `drctl`/`aws`/`pulumi` command lines. `drctl doctor`
prints them; the readiness Lambda (`readiness.py`) publishes one metric per check. Nothing here
reads the environment or stack files, so both callers run the same checks.

Each check declares the regions it reads. When a region does not answer (Seoul during the outage
doctor exists for), the checks that need it report `skipped (Seoul unreachable)` and the rest run:
every Tokyo-side fact (the Tokyo replicas, their PITR, the Tokyo AMI) is read in Tokyo.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from failover.check_compute import (
    check_alb,
    check_asg_latest,
    check_golden_ami,
    check_golden_ami_source,
    check_internal_api_url,
    check_launch_template_placeholder,
    check_nlb,
    check_target_health,
    check_user_data,
)
from failover.check_core import (
    CheckFailedError,
    CheckResult,
    CheckSettings,
    ClientFactory,
    HttpGet,
    code,
    decode_user_data,
    region_label,
    state_machine_arn,
    topic_arn,
)
from failover.check_data_dns import (
    check_dynamodb_pitr,
    check_dynamodb_replicas,
    check_replication_latency,
    check_secondary_record,
    check_web_root,
    http_status,
)
from failover.check_detection import (
    check_detection_alarm,
    check_failback_lock,
    check_route53_health,
    lock_state,
)
from failover.check_drill import check_drill_recovery_time, check_last_drill
from failover.check_event_path import check_event_dlq, check_failover_rule, check_observation_rule
from failover.check_pages import check_approval_page, check_reports
from failover.check_pipeline import (
    check_approval_subscriptions,
    check_last_execution,
    check_state_machines,
    check_step_lambdas,
    check_step_roles,
)
from failover.check_recovery import check_approval_gate, check_warm_pools

__all__ = [
    "CHECKS", "CHECK_NAMES", "CheckResult", "CheckSettings", "ClientFactory", "HttpGet", "Reachable",
    "check_alb", "check_approval_gate", "check_approval_subscriptions", "check_asg_latest",
    "check_detection_alarm", "check_drill_recovery_time", "check_dynamodb_pitr",
    "check_dynamodb_replicas", "check_event_dlq", "check_failback_lock", "check_failover_rule",
    "check_golden_ami", "check_golden_ami_source", "check_last_drill",
    "check_internal_api_url", "check_last_execution", "check_launch_template_placeholder", "check_nlb",
    "check_observation_rule", "check_replication_latency", "check_route53_health",
    "check_secondary_record", "check_state_machines", "check_step_lambdas", "check_step_roles",
    "check_target_health", "check_user_data", "check_warm_pools", "check_web_root", "decode_user_data",
    "http_status", "iter_failed", "lock_state", "probe_region", "run_checks", "state_machine_arn",
    "topic_arn",
]

Check = Callable[[ClientFactory, CheckSettings], CheckResult]
Reachable = Callable[[str], str | None]  # region -> None if it answers, else why not
CONNECTION_ERRORS = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)

# Which regions a check reads: "dr" (Tokyo), "alarm" (us-east-1, also Route53 and IAM), "primary" (Seoul).
DR, ALARM, PRIMARY = "dr", "alarm", "primary"


@dataclass(frozen=True)
class CheckSpec:
    name: str
    run: Check
    regions: tuple[str, ...]


CHECKS: tuple[CheckSpec, ...] = (
    CheckSpec("route53-health-check", check_route53_health, (ALARM,)),
    CheckSpec("detection-alarm", check_detection_alarm, (ALARM,)),
    CheckSpec("observation-rule", check_observation_rule, (ALARM, DR)),
    CheckSpec("failover-rule", check_failover_rule, (DR, ALARM)),
    CheckSpec("event-dlq", check_event_dlq, (ALARM, DR)),
    CheckSpec("last-execution", check_last_execution, (DR,)),
    CheckSpec("approval-subscriptions", check_approval_subscriptions, (DR,)),
    CheckSpec("state-machines", check_state_machines, (DR,)),
    CheckSpec("step-lambdas", check_step_lambdas, (DR, ALARM)),
    CheckSpec("step-roles", check_step_roles, (DR, ALARM)),
    CheckSpec("launch-template-placeholder", check_launch_template_placeholder, (DR,)),
    CheckSpec("internal-api-url", check_internal_api_url, (DR,)),
    CheckSpec("user-data", check_user_data, (DR,)),
    CheckSpec("asg-launch-template-version", check_asg_latest, (DR,)),
    CheckSpec("warm-pools", check_warm_pools, (DR,)),
    CheckSpec("alb-listeners", check_alb, (DR,)),
    CheckSpec("nlb-listener", check_nlb, (DR,)),
    CheckSpec("target-health", check_target_health, (DR,)),
    CheckSpec("secondary-record", check_secondary_record, (DR, ALARM)),
    CheckSpec("approval-gate", check_approval_gate, (ALARM, DR)),
    CheckSpec("dynamodb-replica", check_dynamodb_replicas, (DR,)),
    CheckSpec("dynamodb-pitr", check_dynamodb_pitr, (DR,)),
    CheckSpec("replication-latency", check_replication_latency, (PRIMARY,)),
    CheckSpec("golden-ami", check_golden_ami, (DR,)),
    CheckSpec("golden-ami-source", check_golden_ami_source, (PRIMARY, DR)),
    CheckSpec("failback-lock", check_failback_lock, (ALARM,)),
    CheckSpec("last-drill", check_last_drill, (DR,)),
    CheckSpec("drill-recovery-time", check_drill_recovery_time, (DR,)),
    CheckSpec("approval-page", check_approval_page, (DR,)),
    CheckSpec("reports", check_reports, (DR,)),
)
CHECK_NAMES = tuple(c.name for c in CHECKS) + ("web-root",)


def _region(s: CheckSettings, role: str) -> str:
    return {DR: s.dr_region, ALARM: s.alarm_region, PRIMARY: s.primary_region}[role]


def probe_region(clients: ClientFactory, region: str) -> str | None:
    """None when `region`'s endpoints answer (an STS call); else the reason, in a few words."""
    try:
        clients("sts", region).get_caller_identity()
    except CONNECTION_ERRORS as err:
        return type(err).__name__
    except ClientError:
        return None  # it answered, even if with a refusal
    return None


def _guarded(name: str, fn: Callable[[], CheckResult]) -> CheckResult:
    """An AWS error inside one check fails that check, not the whole run."""
    try:
        return fn()
    except CheckFailedError as failure:
        return CheckResult(name, False, failure.detail, failure.fix)
    except ClientError as err:
        error_code = code(err)
        fix = ("grant the caller read access to this service (the readiness role in "
               "components/readiness.py lists what the checks call)") \
            if "AccessDenied" in error_code or "Unauthorized" in error_code \
            else "retry; if it persists, check the service health in the region"
        return CheckResult(name, False, f"{error_code}: {err.response.get('Error', {}).get('Message', '')}",
                           fix)
    except (BotoCoreError, ResponseParserError) as err:
        return CheckResult(name, False, f"{type(err).__name__}: {err}",
                           "check network access to the AWS endpoint")


def run_checks(clients: ClientFactory, s: CheckSettings, http_get: HttpGet = http_status,
               only: tuple[str, ...] = (),
               progress: Callable[[int, int, str], None] | None = None,
               reachable: Reachable | None = None) -> list[CheckResult]:
    probe = reachable or functools.partial(probe_region, clients)
    selected = [c for c in CHECKS if not only or c.name in only]
    total = len(selected) + (1 if not only or "web-root" in only else 0)
    down: dict[str, str | None] = {}

    def unreachable(spec: CheckSpec) -> str:
        for role in spec.regions:
            region = _region(s, role)
            if region not in down:
                down[region] = probe(region)
            if down[region]:
                return region
        return ""

    results = []
    for index, spec in enumerate(selected):
        if progress:
            progress(index, total, spec.name)
        region = unreachable(spec)
        if region:
            results.append(CheckResult(spec.name, True, f"skipped ({region_label(region)} unreachable)",
                                       skipped=True))
            continue
        result = _guarded(spec.name, functools.partial(spec.run, clients, s))
        if not result.ok and PRIMARY in spec.regions and result.detail.startswith(
                tuple(e.__name__ for e in CONNECTION_ERRORS)):
            # Seoul stopped answering mid-check: the same as not reachable at all.
            down[s.primary_region] = result.detail
            result = CheckResult(spec.name, True, f"skipped ({region_label(s.primary_region)} "
                                 "unreachable)", skipped=True)
        results.append(result)
    if total > len(selected):
        if progress:
            progress(len(selected), total, "web-root")
        results.append(_guarded("web-root", lambda: check_web_root(s, http_get)))
    if progress:
        progress(total, total, "")
    return results


def iter_failed(results: list[CheckResult]) -> Iterator[CheckResult]:
    return (r for r in results if not r.ok)
