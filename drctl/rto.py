"""The modeled recovery time: 001 section 7.4's 5-10 minute estimate recomputed from our settings.

Each phase is a (low, high) range in seconds. Phases our settings decide are computed from them;
the rest are stated assumptions (labelled `assumed`) so an operator can see what to measure with
`drctl report` and correct.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drctl.config import StackInfo
from drctl.executions import duration
from failover.contract import NLB_ON_FAILOVER

# Assumptions (seconds). Where the document gives a figure it is quoted.
ALARM_PERIOD = 60  # "CloudWatch 알람: ~60초 (Evaluation Period)"
EVENTBRIDGE = (1, 10)  # "EventBridge 전달: ~수초"
NLB_CREATE = (120, 300)  # a new NLB takes minutes to reach `active`
NLB_STANDBY_VERIFY = (1, 5)  # standby mode: step 1 only describes it
LAUNCH_TEMPLATE = (2, 10)  # step 2: one describe + one create-version
BOOT = (60, 180)  # Golden AMI: no build, user data rewrites env and restarts PM2 (000 section 1)
TARGET_HEALTHY = (30, 150)  # ALB/NLB healthy threshold x interval (2 x 15 s .. 5 x 30 s)
ELB_ALIAS_TTL = 60  # alias records to an ELB answer with a 60 s TTL


@dataclass(frozen=True)
class Phase:
    name: str
    low: int
    high: int
    basis: str

    def as_dict(self) -> dict[str, Any]:
        return {"phase": self.name, "low_seconds": self.low, "high_seconds": self.high,
                "basis": self.basis}


def model(info: StackInfo, approval_minutes: float) -> list[Phase]:
    interval, threshold = info.health_check_interval, info.health_check_failure_threshold
    approval = int(approval_minutes * 60)
    nlb = NLB_CREATE if info.nlb_mode == NLB_ON_FAILOVER else NLB_STANDBY_VERIFY
    return [
        Phase("detection", interval * threshold, interval * threshold,
              f"healthCheck.interval {interval}s x failureThreshold {threshold}"),
        Phase("alarm", ALARM_PERIOD, ALARM_PERIOD, f"alarm period {ALARM_PERIOD}s x 1 (assumed)"),
        Phase("eventbridge", *EVENTBRIDGE, "us-east-1 -> Tokyo bus -> rule (assumed)"),
        Phase("approval", 0, approval,
              f"operator, modeled 0..{approval_minutes:g} min (--approval-minutes); times out "
              f"after {info.approval_timeout_seconds}s"),
        Phase("nlb", *nlb, f"nlb.mode {info.nlb_mode}: "
              + ("step 1 creates the NLB (assumed)" if info.nlb_mode == NLB_ON_FAILOVER
                 else "NLB already up, step 1 verifies it")),
        Phase("launch-template", *LAUNCH_TEMPLATE, "step 2 writes INTERNAL_API_URL (assumed)"),
        Phase("boot", *BOOT, "Golden AMI boot + user data + PM2 start (assumed)"),
        Phase("target-health", *TARGET_HEALTHY,
              f"target group healthy threshold x interval, then step 4 GET {info.health_path} (assumed)"),
        Phase("dns", ELB_ALIAS_TTL, ELB_ALIAS_TTL,
              f"Route53 failover alias to the ALB ({ELB_ALIAS_TTL}s TTL; "
              f"plain-record dns.ttl is {info.dns_ttl}s)"),
    ]


def summary(phases: list[Phase]) -> dict[str, Any]:
    low = sum(p.low for p in phases)
    high = sum(p.high for p in phases)
    without_approval = [p for p in phases if p.name != "approval"]
    return {
        "low_seconds": low, "high_seconds": high,
        "excluding_approval": {"low_seconds": sum(p.low for p in without_approval),
                               "high_seconds": sum(p.high for p in without_approval)},
        "document_estimate": {"low_seconds": 300, "high_seconds": 600},
    }


def render(phases: list[Phase]) -> list[str]:
    total = summary(phases)
    width = max(len(p.name) for p in phases)
    lines = [f"  {p.name:<{width}}  {_range(p.low, p.high):>13}  {p.basis}" for p in phases]
    excl = total["excluding_approval"]
    lines.append(f"  {'total':<{width}}  {_range(total['low_seconds'], total['high_seconds']):>13}"
                 f"  (without approval {_range(excl['low_seconds'], excl['high_seconds'])}; "
                 "document: 5m00s..10m00s)")
    return lines


def _range(low: int, high: int) -> str:
    return duration(low) if low == high else f"{duration(low)}..{duration(high)}"
