"""`recovery.*`: the profile sets defaults in stack_config (explicit settings win), each wrong value
is one line, and the program declares what the profile promises."""

from __future__ import annotations

from pathlib import Path

import pytest

from stack_config import apply_overrides, load_settings, stack_file_values
from tests.test_config_hardening import accepted, case, check

ROOT = Path(__file__).resolve().parent.parent


def settings(stack: str, *assignments: str):  # noqa: ANN201 - Settings
    return load_settings(apply_overrides(stack_file_values(ROOT, stack), list(assignments)), stack)


BAD = [
    case("recovery.profile=turbo", key="recovery.profile", says='one of "lean", "standard", "fast"'),
    case("recovery.profile=", key="recovery.profile", says='one of "lean", "standard", "fast"'),
    case("recovery.profile= fast", key="recovery.profile", says='one of "lean", "standard", "fast"'),
    case("recovery.profile=FAST", key="recovery.profile", says='one of "lean", "standard", "fast"'),
    case(key="recovery.profile", says='one of "lean", "standard", "fast"', raw={"recovery": {"profile": 3}}),
    case("recovery.warmPool=maybe", key="recovery.warmPool", says="true or false"),
    case("recovery.approvalGate=1x", key="recovery.approvalGate", says="true or false"),
    case("recovery.targetHealthInterval=4", key="recovery.targetHealthInterval", says="from 5 to 300"),
    case("recovery.targetHealthInterval=301", key="recovery.targetHealthInterval", says="from 5 to 300"),
    case("recovery.targetHealthInterval=ten", key="recovery.targetHealthInterval", says="from 5 to 300"),
    case(key="recovery.speed", says="", raw={"recovery": {"speed": "fast"}}),
    # clashes: a warm pool boots the template at deploy, before the pipeline fills the placeholder
    case("recovery.profile=fast", "nlb.mode=on-failover", key="recovery.warmPool",
         says="false when nlb.mode is on-failover"),
    case("recovery.warmPool=true", "recovery.profile=lean", key="recovery.warmPool",
         says="false when nlb.mode is on-failover"),
    # the gate shares the lock's namespace and us-east-1: no name the lock or detection alarm uses
    case("recovery.profile=fast", "lock.metricName=ApprovalGate", key="lock.metricName",
         says="a name other than recovery.approvalGate's (ApprovalGate)"),
    case("recovery.profile=fast", "lock.alarmName=MegaTicket-DR-Approval-Gate", key="lock.alarmName",
         says="a name other than recovery.approvalGate's (MegaTicket-DR-Approval-Gate)"),
    case("recovery.approvalGate=true", "failover.alarmName=MegaTicket-DR-Approval-Gate",
         key="failover.alarmName", says="a name other than recovery.approvalGate's"),
    # the primary has no pilot light and no SECONDARY record
    case("recovery.warmPool=true", key="recovery.warmPool", says="false in the primary stack", stack="seoul"),
    case("recovery.approvalGate=true", key="recovery.approvalGate", says="false in the primary stack",
         stack="seoul"),
]


@pytest.mark.parametrize("stack, assignments, raw, key, says", BAD)
def test_wrong_recovery_settings_are_one_line_errors(stack, assignments, raw, key, says):
    if key == "recovery.speed":
        from tests.test_config_hardening import refused

        message = refused(stack, raw=raw)
        assert "recovery" in message and "speed" in message
        return
    check(stack, assignments, raw, key, says)


def test_standard_is_the_default_and_todays_behaviour():
    s = settings("tokyo", "recovery.profile=standard")
    default = load_settings({k: v for k, v in stack_file_values(ROOT, "tokyo").items()
                             if k != "megaticket-dr:recovery"}, "tokyo")
    for each in (s, default):
        assert each.recovery.profile == "standard"
        assert (each.load_balancers.nlb_mode, each.dns.health_check.interval,
                each.dns.health_check.failure_threshold, each.network.nat_gateway) == ("standby", 30, 3, False)
        assert not each.recovery.warm_pool and not each.recovery.approval_gate
        assert each.recovery.target_health_interval == 15


@pytest.mark.parametrize("stack", ["tokyo", "seoul"])
def test_fast_profile_defaults(stack):
    s = settings(stack, "recovery.profile=fast")
    assert (s.dns.health_check.interval, s.dns.health_check.failure_threshold) == (10, 2)
    assert s.recovery.target_health_interval == 10
    assert s.recovery.warm_pool is s.recovery.approval_gate is (stack == "tokyo")
    assert s.load_balancers.nlb_mode == "standby"


def test_lean_profile_defaults_only_in_the_dr_stack():
    tokyo = settings("tokyo", "recovery.profile=lean")
    assert tokyo.load_balancers.nlb_mode == "on-failover" and tokyo.network.nat_gateway
    assert tokyo.network.interface_endpoints == ()
    seoul = settings("seoul", "recovery.profile=lean")
    assert seoul.load_balancers.nlb_mode == "standby" and not seoul.network.nat_gateway


def test_explicit_settings_win_over_the_profile():
    s = settings("tokyo", "recovery.profile=fast", "healthCheck.interval=30", "healthCheck.failureThreshold=3",
                 "recovery.warmPool=false", "recovery.targetHealthInterval=20")
    assert (s.dns.health_check.interval, s.dns.health_check.failure_threshold) == (30, 3)
    assert not s.recovery.warm_pool and s.recovery.approval_gate
    assert s.recovery.target_health_interval == 20
    lean = settings("tokyo", "recovery.profile=lean", "nlb.mode=standby", "network.natGateway=false")
    assert lean.load_balancers.nlb_mode == "standby" and not lean.network.nat_gateway
    accepted("tokyo", "recovery.profile=fast", "recovery.approvalGate=false")  # the pack flags it


def test_gate_names_follow_the_lock():
    s = settings("tokyo", "recovery.profile=fast", "lock.namespace=Ops/DR")
    gate = s.recovery.gate
    assert (gate.namespace, gate.metric_name, gate.alarm_name, gate.region) == (
        "Ops/DR", "ApprovalGate", "MegaTicket-DR-Approval-Gate", "us-east-1")


def test_gate_names_are_free_without_the_gate():
    # the lock may use the gate's names in a profile that has no gate
    accepted("tokyo", "lock.metricName=ApprovalGate", "lock.alarmName=MegaTicket-DR-Approval-Gate")
    accepted("tokyo", "recovery.profile=fast", "recovery.approvalGate=false", "lock.metricName=ApprovalGate")
