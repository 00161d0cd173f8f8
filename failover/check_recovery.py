"""The recovery profile's own resources: the DR tiers' warm pools and the approval gate.

Both checks compare what is deployed with what the profile declares (`recovery.*` in the stack
config, through `CheckSettings`), and pass with a plain note when the profile declares neither.
"""

from __future__ import annotations

from typing import Any

from failover import facts
from failover.check_core import (
    CheckResult,
    CheckSettings,
    ClientFactory,
    asgs,
    load_balancer,
    stack_hint,
)
from failover.check_data_dns import secondary_record
from failover.check_detection import find_alarm, find_health_check, lock_state, shape_mismatches

WARMED_STOPPED = "Warmed:Stopped"


def _pool_problems(clients: ClientFactory, s: CheckSettings, asg: str, size: int,
                   group: dict[str, Any]) -> list[str]:
    answer = clients("autoscaling", s.dr_region).describe_warm_pool(AutoScalingGroupName=asg)
    config = answer.get("WarmPoolConfiguration") or {}
    if size == 0:
        return [f"{asg} keeps a warm pool the stack does not declare (recovery.warmPool is false)"] \
            if config else []
    if not config:
        return [f"{asg} has no warm pool (expected {size} instances kept {facts.WARM_POOL_STATE})"]
    wanted = facts.warm_pool_shape(size)
    problems = []
    if config.get("PoolState") != wanted.pool_state:
        problems.append(f"{asg} warm pool state {config.get('PoolState')} (expected {wanted.pool_state}: "
                        "stopped instances bill only their volumes)")
    if config.get("MaxGroupPreparedCapacity") != wanted.max_group_prepared_capacity:
        problems.append(f"{asg} warm pool MaxGroupPreparedCapacity {config.get('MaxGroupPreparedCapacity')} "
                        f"(expected {size}, the tier's failoverCapacity.max)")
    if int(config.get("MinSize") or 0) != wanted.min_size:
        problems.append(f"{asg} warm pool MinSize {config.get('MinSize')} (expected {wanted.min_size})")
    reuse = (config.get("InstanceReusePolicy") or {}).get("ReuseOnScaleIn")
    if bool(reuse) != wanted.reuse_on_scale_in:
        problems.append(f"{asg} warm pool ReuseOnScaleIn {reuse} (expected true: scale-in after a "
                        "reject or a failback returns the instances to the pool)")
    # Idle (the group at 0), the pool holds every instance a failover will start.
    if int(group.get("DesiredCapacity", 0)) == 0:
        warmed = sum(1 for i in answer.get("Instances", [])
                     if i.get("LifecycleState") == wanted.pool_state_lifecycle)
        if warmed < size:
            problems.append(f"{asg} warm pool holds {warmed} {wanted.pool_state_lifecycle} instance(s) "
                            f"(expected {size} while the group is idle)")
    return problems


def check_warm_pools(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Each DR tier keeps the stopped warm pool its profile declares (sized to failoverCapacity.max),
    and no other."""
    name = "warm-pools"
    groups = asgs(clients, s)
    problems, lines = [], []
    for asg, size in ((s.web_asg, s.web_warm_pool_size), (s.app_asg, s.app_warm_pool_size)):
        group = groups.get(asg)
        if group is None:
            problems.append(f"{asg} missing")
            continue
        found = _pool_problems(clients, s, asg, size, group)
        problems.extend(found)
        if not found:
            lines.append(f"{asg}: {size} {facts.WARM_POOL_STATE}" if size else f"{asg}: no warm pool")
    restore = f"`pulumi up --stack {stack_hint(s)}` restores the warm pools the profile declares"
    if problems:
        return CheckResult(name, False, "; ".join(problems), fix=(
            f"recovery profile {s.recovery_profile}: {restore}"))
    return CheckResult(name, True, f"recovery profile {s.recovery_profile}: " + "; ".join(lines))


def _gate_problems(clients: ClientFactory, s: CheckSettings) -> list[str]:
    gate_alarm = find_alarm(clients, s.alarm_region, s.gate_alarm_name)
    if gate_alarm is None:
        return [f"gate alarm {s.gate_alarm_name} not found in {s.alarm_region}"]
    shape = facts.gate_alarm_shape(s.lock_namespace, s.gate_metric)
    problems = [f"{s.gate_alarm_name}: {p}" for p in shape_mismatches(gate_alarm, shape)]
    if gate_alarm.get("TreatMissingData", "missing") != shape.treat_missing_data:
        problems.append(f"{s.gate_alarm_name}: TreatMissingData "
                        f"{gate_alarm.get('TreatMissingData', 'missing')} (expected "
                        f"{shape.treat_missing_data}: the gate keeps its state between writes)")
    if gate_alarm.get("Period") != facts.GATE_ALARM_PERIOD_SECONDS:
        problems.append(f"{s.gate_alarm_name}: Period {gate_alarm.get('Period')} (expected "
                        f"{facts.GATE_ALARM_PERIOD_SECONDS}: Route53 reads standard-resolution alarms only)")
    record = secondary_record(clients, s)
    if record is None:
        return [*problems, f"no SECONDARY record {s.record_name}"]
    calculated_id = record.get("HealthCheckId")
    calculated = find_health_check(clients, calculated_id) if calculated_id else None
    config = (calculated or {}).get("HealthCheckConfig", {})
    if config.get("Type") != "CALCULATED":
        return [*problems, f"SECONDARY {s.record_name} health check is "
                f"{config.get('Type') or 'missing'} (expected CALCULATED: Tokyo's web check AND the gate)"]
    children = [find_health_check(clients, c) for c in config.get("ChildHealthChecks", [])]
    configs = [(c or {}).get("HealthCheckConfig", {}) for c in children]
    if config.get("HealthThreshold") != len(configs):
        problems.append(f"the calculated check needs {config.get('HealthThreshold')} of {len(configs)} "
                        "children (expected all: Tokyo's web check AND the gate)")
    gates = [c for c in configs if c.get("Type") == "CLOUDWATCH_METRIC"
             and (c.get("AlarmIdentifier") or {}).get("Name") == s.gate_alarm_name
             and (c.get("AlarmIdentifier") or {}).get("Region") == s.alarm_region]
    if not gates:
        problems.append(f"the calculated check has no CLOUDWATCH_METRIC child on {s.gate_alarm_name} "
                        f"({s.alarm_region})")
    elif gates[0].get("InsufficientDataHealthStatus") != "Unhealthy":
        problems.append(f"the gate check's InsufficientDataHealthStatus is "
                        f"{gates[0].get('InsufficientDataHealthStatus')} (expected Unhealthy: a gate "
                        "without data is closed)")
    alb = load_balancer(clients, s, s.alb_name)
    alb_dns = str((alb or {}).get("DNSName", "")).lower().rstrip(".")
    if not any(c.get("Type") in ("HTTP", "HTTPS") and alb_dns and
               str(c.get("FullyQualifiedDomainName", "")).lower().rstrip(".") == alb_dns
               and c.get("ResourcePath") == s.health_path for c in configs):
        problems.append(f"the calculated check has no child probing the Tokyo ALB {alb_dns or s.alb_name} "
                        f"{s.health_path}")
    return problems


def check_approval_gate(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Fast profile: the SECONDARY record answers only when Tokyo's web check AND the approval gate
    are healthy, the gate alarm has the shape Route53 can read, and an open gate has the failback
    lock beside it (the approval sets both)."""
    name = "approval-gate"
    if not s.approval_gate:
        return CheckResult(name, True, f"recovery profile {s.recovery_profile}: no approval gate "
                           "(SECONDARY follows Tokyo's health alone)")
    restore = f"`pulumi up --stack {stack_hint(s)}`"
    problems = _gate_problems(clients, s)
    if problems:
        return CheckResult(name, False, "; ".join(problems), fix=(
            f"the gate is components/approval_gate.py: {restore} restores the alarm and the calculated "
            "check on the SECONDARY record"))
    state = str(find_alarm(clients, s.alarm_region, s.gate_alarm_name).get("StateValue", ""))  # type: ignore[union-attr]
    if state == "OK":  # open
        lock = lock_state(clients, s)
        if not lock["locked"]:
            return CheckResult(name, False, (
                f"{s.gate_alarm_name} is OK (gate open) but the failback lock is released: Route53 may "
                "answer with Tokyo while Seoul can take users back"), fix=(
                f"close the gate unless a failover was approved: `aws cloudwatch put-metric-data "
                f"--namespace {s.lock_namespace} --metric-data MetricName={s.gate_metric},Value=0 "
                f"--region {s.alarm_region}`, then `aws cloudwatch set-alarm-state --alarm-name "
                f"{s.gate_alarm_name} --state-value ALARM --state-reason closed --region {s.alarm_region}`"))
        return CheckResult(name, True, f"gate OPEN ({s.gate_alarm_name} OK) with the failback lock held: "
                           "Tokyo serves after an approved failover")
    return CheckResult(name, True, f"gate closed ({s.gate_alarm_name} {state or 'no state'}); SECONDARY "
                       "waits for Tokyo's web check AND the approval")
