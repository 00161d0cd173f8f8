"""Settings that are each fine but clash: two resources AWS would refuse to give the same name."""

from __future__ import annotations

from failover.contract import STEP_FUNCTIONS, function_name, role_name
from stack_config.errors import fail
from stack_config.model import FailoverSettings, LockSettings, RecoverySettings, TierSettings


def _distinct(pairs: list[tuple[str, str]], what: str) -> None:
    """`pairs` of (setting key, resulting name); the later of two equal names is the error."""
    seen: dict[str, str] = {}
    for key, name in pairs:
        if name in seen:
            raise fail(key, f"a name other than {seen[name]}'s ({name}): {what}", name)
        seen[name] = key


def check_tiers(web: TierSettings, app: TierSettings) -> None:
    _distinct([("web.asgName", web.asg_name), ("app.asgName", app.asg_name)],
              "Auto Scaling group names are unique per region")
    _distinct([("web.launchTemplateName", web.launch_template_name),
               ("app.launchTemplateName", app.launch_template_name)],
              "launch template names are unique per region")


def check_failover(fo: FailoverSettings, lock: LockSettings) -> None:
    _distinct([("failover.stateMachineName", fo.state_machine_name),
               ("failover.failbackStateMachineName", fo.failback_state_machine_name)],
              "state machine names are unique per region")
    # Both alarms live in us-east-1 (the lock alarm belongs to the seoul stack, same account).
    _distinct([("lock.alarmName", lock.alarm_name), ("failover.alarmName", fo.alarm_name)],
              "alarm names are unique per region, and both alarms are in us-east-1")
    # IAM role names are global to the account, and the derived ones are cut to 64 characters.
    _distinct([("failover.stateMachineName", role_name(fo.state_machine_name)),
               ("failover.observationRuleName", role_name(fo.observation_rule_name)),
               ("failover.failoverRuleName", role_name(fo.failover_rule_name)),
               *[("failover.lambdaPrefix", role_name(function_name(fo.lambda_prefix, f)))
                 for f in STEP_FUNCTIONS]],
              "its IAM role <name>-role (cut to 64 characters) would clash")


def check_gate(recovery: RecoverySettings, fo: FailoverSettings, lock: LockSettings) -> None:
    """The approval gate (fast profile) shares the lock's namespace and region: its metric and its
    alarm (`<name prefix>-Approval-Gate`) must not be the lock's nor the detection alarm."""
    if not recovery.approval_gate:
        return
    gate = recovery.gate
    _distinct([("recovery.approvalGate", gate.alarm_name), ("lock.alarmName", lock.alarm_name),
               ("failover.alarmName", fo.alarm_name)],
              "alarm names are unique per region, and the gate alarm is in us-east-1 too")
    _distinct([("recovery.approvalGate", gate.metric_name), ("lock.metricName", lock.metric_name)],
              "the gate metric is in the lock's namespace, so the lock and the gate would read each "
              "other's values")
