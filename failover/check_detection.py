"""Detection and the lock, in us-east-1 (Route53's metrics exist only there): the endpoint health
check, the detection alarm that watches it, and the failback lock alarm."""

from __future__ import annotations

from typing import Any

from failover import facts
from failover.check_core import (
    ENDPOINT_CHECK_TYPES,
    CheckFailedError,
    CheckResult,
    CheckSettings,
    ClientFactory,
    iso,
    primary_stack_hint,
    stack_hint,
)
from failover.errors import ThrottledError
from failover.lock import read_lock


def find_alarm(clients: ClientFactory, region: str, name: str) -> dict[str, Any] | None:
    found = clients("cloudwatch", region).describe_alarms(AlarmNames=[name]).get("MetricAlarms", [])
    return found[0] if found else None


def _dimension(alarm: dict[str, Any] | None, name: str) -> str:
    dims = (alarm or {}).get("Dimensions", [])
    return next((str(d.get("Value")) for d in dims if d.get("Name") == name), "")


def shape_mismatches(alarm: dict[str, Any], shape: facts.AlarmShape) -> list[str]:
    wanted = {"Namespace": shape.namespace, "MetricName": shape.metric_name, "Statistic": shape.statistic,
              "ComparisonOperator": shape.comparison, "Threshold": float(shape.threshold)}
    found = []
    for key, value in wanted.items():
        actual = alarm.get(key)
        if (float(actual) if key == "Threshold" and actual is not None else actual) != value:
            found.append(f"{key} {actual} (expected {value})")
    return found


def find_health_check(clients: ClientFactory, check_id: str) -> dict[str, Any] | None:
    from botocore.exceptions import ClientError

    try:
        return dict(clients("route53", "us-east-1").get_health_check(HealthCheckId=check_id)["HealthCheck"])
    except ClientError as err:
        if "NoSuchHealthCheck" in str(err.response.get("Error", {}).get("Code")):
            return None
        raise


def _detection_child(check: dict[str, Any] | None) -> str:
    """The endpoint check behind seoul's detection check (CALCULATED over exactly one child,
    threshold 1), or "" when `check` is not such a check. The lock's calculated check has two."""
    config = (check or {}).get("HealthCheckConfig", {})
    children = config.get("ChildHealthChecks") or []
    if config.get("Type") == "CALCULATED" and len(children) == 1 and config.get("HealthThreshold") == 1:
        return str(children[0])
    return ""


def endpoint_check_id(clients: ClientFactory, s: CheckSettings) -> str:
    """The Seoul endpoint check: from the settings, else behind the detection alarm's dimension."""
    if s.health_check_id:
        return s.health_check_id
    found = _dimension(find_alarm(clients, s.alarm_region, s.alarm_name), "HealthCheckId")
    if found:
        # Checker status exists only on the endpoint check, not on the calculated one it feeds.
        return _detection_child(find_health_check(clients, found)) or found
    # 7.4: list the checks; the endpoint check is the one probing the health path (the lock and
    # calculated checks probe nothing).
    candidates = [str(hc["Id"]) for hc in clients("route53", "us-east-1").list_health_checks().get(
        "HealthChecks", []) if hc.get("HealthCheckConfig", {}).get("Type") in ENDPOINT_CHECK_TYPES
        and hc.get("HealthCheckConfig", {}).get("ResourcePath") == s.health_path]
    if len(candidates) == 1:
        return candidates[0]
    raise CheckFailedError(
        f"no endpoint health check id: alarm {s.alarm_name} in {s.alarm_region} has no HealthCheckId "
        "dimension and megaticket-dr:primary.healthCheckId is not set",
        f"`pulumi up --stack {primary_stack_hint(s)}`, then `pulumi up --stack {stack_hint(s)}`")


def _watched_problems(clients: ClientFactory, s: CheckSettings, watched: str) -> tuple[list[str], str]:
    """What is wrong with the check the alarm watches, and the endpoint check behind it."""
    if s.detection_health_check_id and watched != s.detection_health_check_id:
        return [f"HealthCheckId {watched} (expected seoul's detection check "
                f"{s.detection_health_check_id})"], ""
    check = find_health_check(clients, watched)
    if check is None:
        return [f"HealthCheckId {watched} does not exist"], ""
    endpoint = _detection_child(check)
    kind = check.get("HealthCheckConfig", {}).get("Type")
    if not endpoint:
        return [f"HealthCheckId {watched} is a {kind} check (expected seoul's detection check: "
                "CALCULATED over the endpoint check alone, whose id survives a replaced endpoint "
                "check; not the lock's calculated check)"], ""
    if s.health_check_id and endpoint != s.health_check_id:
        return [f"detection check {watched} follows {endpoint} (expected the endpoint check "
                f"{s.health_check_id})"], endpoint
    child_kind = (find_health_check(clients, endpoint) or {}).get("HealthCheckConfig", {}).get("Type")
    if child_kind not in ENDPOINT_CHECK_TYPES:
        return [f"detection check {watched} follows {endpoint}, a {child_kind or 'missing'} check "
                "(expected the endpoint check probing the health path)"], endpoint
    return [], endpoint


def check_route53_health(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "route53-health-check"
    hc_id = endpoint_check_id(clients, s)
    observations = clients("route53", "us-east-1").get_health_check_status(
        HealthCheckId=hc_id).get("HealthCheckObservations", [])
    passing = [o for o in observations
               if str(o.get("StatusReport", {}).get("Status", "")).startswith("Success")]
    detail = f"{hc_id}: {len(passing)}/{len(observations)} checkers report Success"
    if observations and len(passing) * 2 > len(observations):
        return CheckResult(name, True, detail)
    return CheckResult(name, False, detail, fix=(
        f"7.4: allow the Route53 health checker ranges (ROUTE53_HEALTHCHECKS in ip-ranges.json) on "
        f"the ALB security group, confirm the path {s.health_path} answers 200, check the "
        "certificate for HTTPS checks, and check the ALB target group health"))


def check_detection_alarm(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """The alarm exists in us-east-1, watches seoul's detection check (CALCULATED over the endpoint
    check alone: its id survives a replaced endpoint check; never the lock's calculated check,
    whose lock would re-trigger failovers), and is OK."""
    name = "detection-alarm"
    restore = f"`pulumi up --stack {stack_hint(s)}`"
    alarm = find_alarm(clients, s.alarm_region, s.alarm_name)
    if alarm is None:
        return CheckResult(name, False, f"{s.alarm_name} not found in {s.alarm_region}", fix=(
            f"Route53 health-check metrics exist only in us-east-1: {restore} (it creates "
            f"{s.alarm_name} there)"))
    problems = shape_mismatches(alarm, facts.detection_alarm_shape())
    dims = alarm.get("Dimensions", [])
    watched = _dimension(alarm, "HealthCheckId")
    endpoint = ""
    if len(dims) != 1 or not watched:
        problems.append(f"dimensions {[(d.get('Name'), d.get('Value')) for d in dims]} "
                        "(expected exactly HealthCheckId of seoul's detection check)")
    else:
        found, endpoint = _watched_problems(clients, s, watched)
        problems += found
    if problems:
        return CheckResult(name, False, f"{s.alarm_name}: " + "; ".join(problems), fix=(
            f"the alarm must watch AWS/Route53 HealthCheckStatus (Minimum < 1) of seoul's detection "
            f"check (output detectionHealthCheckId): `pulumi up --stack {primary_stack_hint(s)}`, "
            f"then {restore}"))
    state = alarm.get("StateValue", "")
    detail = (f"{s.alarm_name} in {s.alarm_region} watches detection check {watched} (endpoint "
              f"{endpoint}), is {state}")
    if state == "OK":
        return CheckResult(name, True, detail)
    if state == "ALARM":
        return CheckResult(name, False, detail + " (the primary is failing)", fix=(
            "section 5: follow the failover checklist; `drctl status` shows the pipeline run"))
    return CheckResult(name, False, detail, fix=(
        f"the alarm has no data: `aws route53 get-health-check-status --health-check-id {endpoint}`; "
        f"if that check is gone, `pulumi up --stack {primary_stack_hint(s)}`, then {restore}"))


def lock_state(clients: ClientFactory, s: CheckSettings) -> dict[str, Any]:
    """The failback lock through failover/lock.py, the one read rule: the latest datapoint of the
    last day decides; without one, the alarm (which keeps its state through missing data) does.
    `known` is False with neither (no datapoint, no alarm or an alarm without data), which
    failback treats like a held lock."""
    try:
        state = read_lock(clients("cloudwatch", s.alarm_region), s, now=s.now())
    except ThrottledError as err:  # reported like any other AWS error of a check
        raise (err.__cause__ or err) from None
    return {**state, "value": state["latest_value"], "at": iso(state["at"]) if state["at"] else None}


def check_failback_lock(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """The lock alarm exists with the shape the calculated check relies on; a held lock is a
    decision, not a fault."""
    name = "failback-lock"
    restore = f"`pulumi up --stack {primary_stack_hint(s)}`"
    alarm = find_alarm(clients, s.alarm_region, s.lock_alarm_name)
    if alarm is None:
        return CheckResult(name, False, f"{s.lock_alarm_name} not found in {s.alarm_region}", fix=(
            f"{restore} (it owns the lock alarm and the calculated health check)"))
    shape = facts.lock_alarm_shape(s.lock_namespace, s.lock_metric)
    problems = shape_mismatches(alarm, shape)
    if alarm.get("TreatMissingData", "missing") != shape.treat_missing_data:
        problems.append(f"TreatMissingData {alarm.get('TreatMissingData', 'missing')} "
                        f"(expected {shape.treat_missing_data}: a held lock must not lapse)")
    if problems:
        return CheckResult(name, False, f"{s.lock_alarm_name}: " + "; ".join(problems), fix=(
            f"the lock alarm must be {shape.namespace} {shape.metric_name} Maximum >= 1 with missing "
            f"data ignored: {restore}"))
    state = lock_state(clients, s)
    value = "no data" if state["value"] is None else f"{state['value']:g}"
    if state["locked"]:
        return CheckResult(name, True, f"LOCKED ({s.lock_metric}={value} at {state['at']}, alarm "
                           f"{state['alarm_state']}): Seoul stays out of DNS until an operator "
                           "checks the data and runs `drctl release-lock --yes`")
    return CheckResult(name, True, f"released ({s.lock_metric}={value}, alarm {state['alarm_state']})")
