"""`recovery.*`: the recovery profile and the defaults it gives other settings.

A profile only sets defaults: every setting it touches can still be given explicitly, and the
explicit value wins. `lean` bills nothing idle by the hour that it can create during a failover
(the NLB; one NAT gateway instead of eight interface-endpoint hours); `standard` is the pipeline
as the runbooks describe it; `fast` keeps a stopped warm pool per tier, probes every 10 s and
warms Tokyo while the approval is pending, behind an approval gate on the SECONDARY record.
"""

from __future__ import annotations

from dataclasses import dataclass

from failover.contract import (
    NLB_ON_FAILOVER,
    NLB_STANDBY,
    PROFILE_FAST,
    PROFILE_LEAN,
    PROFILE_STANDARD,
    RECOVERY_PROFILES,
    TARGET_HEALTH_INTERVALS,
)
from stack_config.model import RecoverySettings
from stack_config.reader import Section


@dataclass(frozen=True)
class ProfileDefaults:
    nlb_mode: str
    nat_gateway: bool
    health_check_interval: int
    health_check_failure_threshold: int
    target_health_interval: int
    warm_pool: bool
    approval_gate: bool


PROFILE_DEFAULTS = {
    PROFILE_LEAN: ProfileDefaults(
        nlb_mode=NLB_ON_FAILOVER, nat_gateway=True, health_check_interval=30,
        health_check_failure_threshold=3, target_health_interval=15, warm_pool=False,
        approval_gate=False),
    PROFILE_STANDARD: ProfileDefaults(
        nlb_mode=NLB_STANDBY, nat_gateway=False, health_check_interval=30,
        health_check_failure_threshold=3, target_health_interval=15, warm_pool=False,
        approval_gate=False),
    # Two failures at 10 s detect in 20 s; a false alarm only warms Tokyo (the gate keeps traffic
    # on Seoul until a person approves, and a reject returns the instances to the warm pool).
    PROFILE_FAST: ProfileDefaults(
        nlb_mode=NLB_STANDBY, nat_gateway=False, health_check_interval=10,
        health_check_failure_threshold=2, target_health_interval=10, warm_pool=True,
        approval_gate=True),
}


def read_profile(root: Section) -> ProfileDefaults:
    """Only the profile name: the defaults it implies are needed before the other sections."""
    recovery = root.section("recovery").only("profile", "warmPool", "approvalGate", "targetHealthInterval")
    return PROFILE_DEFAULTS[recovery.choice("profile", PROFILE_STANDARD, RECOVERY_PROFILES)]


def read_recovery(root: Section, defaults: ProfileDefaults, nlb_mode: str) -> RecoverySettings:
    recovery = root.section("recovery").only("profile", "warmPool", "approvalGate", "targetHealthInterval")
    profile = recovery.choice("profile", PROFILE_STANDARD, RECOVERY_PROFILES)
    warm_pool = recovery.boolean("warmPool", defaults.warm_pool)
    if warm_pool and nlb_mode != NLB_STANDBY:
        from stack_config.errors import fail

        # Warm-pool instances run their user data when the pool is filled, at deploy: with an NLB
        # created on failover the template still carries NLB_DNS_PLACEHOLDER then.
        raise fail(recovery.key("warmPool"), f"false when nlb.mode is {nlb_mode} (warm pool instances "
                   "boot the template at deploy, before the pipeline fills NLB_DNS_PLACEHOLDER)",
                   warm_pool)
    return RecoverySettings(
        profile=profile,
        warm_pool=warm_pool,
        approval_gate=recovery.boolean("approvalGate", defaults.approval_gate),
        target_health_interval=recovery.integer(
            "targetHealthInterval", defaults.target_health_interval, min(TARGET_HEALTH_INTERVALS),
            max(TARGET_HEALTH_INTERVALS)),
    )
