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
    GATE_ALARM_SUFFIX,
    GATE_METRIC_NAME,
    NLB_ON_FAILOVER,
    NLB_STANDBY,
    PROFILE_FAST,
    PROFILE_LEAN,
    PROFILE_STANDARD,
    RECOVERY_PROFILES,
    TARGET_HEALTH_INTERVALS,
)
from stack_config.errors import fail
from stack_config.model import GateSettings, LockSettings, RecoverySettings
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


_KEYS = ("profile", "warmPool", "approvalGate", "targetHealthInterval")


def read_profile(root: Section) -> tuple[str, ProfileDefaults]:
    """The profile and its defaults: needed before the sections whose defaults it sets."""
    profile = root.section("recovery").only(*_KEYS).choice("profile", PROFILE_STANDARD, RECOVERY_PROFILES)
    return profile, PROFILE_DEFAULTS[profile]


def read_recovery(root: Section, profile: str, defaults: ProfileDefaults, *, is_dr: bool, nlb_mode: str,
                  lock: LockSettings, name_prefix: str) -> RecoverySettings:
    recovery = root.section("recovery").only(*_KEYS)
    warm_pool = recovery.boolean("warmPool", defaults.warm_pool and is_dr)
    approval_gate = recovery.boolean("approvalGate", defaults.approval_gate and is_dr)
    if not is_dr:
        # The primary serves at its failover size and owns no SECONDARY record: only the health
        # check defaults of a profile apply to it.
        for key, value in (("warmPool", warm_pool), ("approvalGate", approval_gate)):
            if value:
                raise fail(recovery.key(key), "false in the primary stack (warm pools and the gate belong "
                           "to the DR stack)", value)
    if warm_pool and nlb_mode != NLB_STANDBY:
        # Warm-pool instances run their user data when the pool is filled, at deploy: with an NLB
        # created on failover the template still carries NLB_DNS_PLACEHOLDER then.
        raise fail(recovery.key("warmPool"), f"false when nlb.mode is {nlb_mode} (warm-pool instances "
                   "boot the template at deploy, before the pipeline fills in the NLB's name)", warm_pool)
    low, high = TARGET_HEALTH_INTERVALS
    return RecoverySettings(
        profile=profile,
        warm_pool=warm_pool,
        approval_gate=approval_gate,
        target_health_interval=recovery.integer("targetHealthInterval", defaults.target_health_interval,
                                                low, high),
        gate=GateSettings(namespace=lock.namespace, metric_name=GATE_METRIC_NAME,
                          alarm_name=f"{name_prefix}{GATE_ALARM_SUFFIX}", region=lock.region),
    )
