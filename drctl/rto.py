"""The modeled recovery time: 001 section 7.4's 5-10 minute estimate recomputed from our settings.

Each phase is a (low, high) range in seconds. Phases our settings decide are computed from them;
the rest are stated assumptions, each with its basis and a public source, so an operator can see
what to measure with `drctl report` and correct.

The lean and standard profiles run strictly in series (alarm -> approval -> NLB -> template ->
boot -> targets healthy -> DNS). The fast profile warms Tokyo while the approval is pending
(phases marked `during_approval`, in branches that run side by side), and after the decision
only the approval gate has to open before Route53 answers with Tokyo.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional, Protocol

from drctl.executions import duration
from failover.contract import DOCUMENT_RTO_SECONDS, NLB_ON_FAILOVER

# --- assumed figures (seconds), each with the public source it rests on -------------------------

R53_CHECKS = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/dns-failover-determining-health-of-endpoints.html"
R53_METRICS = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/monitoring-health-checks.html"
SET_ALARM_STATE_DOC = "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_SetAlarmState.html"
R53_ALARM_STATE_DOC = "https://docs.aws.amazon.com/Route53/latest/APIReference/API_HealthCheckConfig.html"
EVENTBRIDGE_DOC = "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-cross-region.html"
NLB_DOC = "https://docs.aws.amazon.com/elasticloadbalancing/latest/network/create-network-load-balancer.html"
LT_DOC = "https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateLaunchTemplateVersion.html"
BOOT_DOC = "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-warm-pools.html"
WARM_POOL_WORKSHOP = ("https://ec2spotworkshops.com/efficient-and-resilient-ec2-auto-scaling/"
                      "lab1/90-enable-warm-pool.html")
TG_DOC = "https://docs.aws.amazon.com/elasticloadbalancing/latest/application/target-group-health-checks.html"
ALIAS_TTL_DOC = "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resource-record-sets-choosing-alias-non-alias.html"

ALARM_PERIOD = 60  # "CloudWatch 알람: ~60초 (Evaluation Period)"; HealthCheckStatus is per minute
EVENTBRIDGE = (1, 10)  # "EventBridge 전달: ~수초"
NLB_CREATE = (120, 300)  # a new NLB takes minutes to reach `active`
NLB_STANDBY_VERIFY = (1, 5)  # standby NLB: step 1 only describes it
LAUNCH_TEMPLATE = (2, 10)  # step 2: one describe + one create-version
BOOT = (60, 180)  # Golden AMI: no build, user data rewrites env and restarts PM2 (000 section 1)
TARGET_HEALTHY = (30, 150)  # ALB/NLB healthy threshold x interval (2 x 15 s .. 5 x 30 s)
WARM_START = (30, 45)  # workshop: ~36 s from Warmed:Stopped to InService (cold: ~243 s)
GATE_ALARM = (1, 5)  # Gate_Open: PutMetricData, then SetAlarmState OK (one Lambda run)
GATE_CHECK = (10, 30)  # Route53 follows the alarm state; no published figure (assumed)
ELB_ALIAS_TTL = 60  # alias records to an ELB answer with a 60 s TTL
DEFAULT_APPROVAL_MINUTES = 5.0  # operator time to approve (`drctl rto`, and `drctl report`'s comparison)

DOCUMENT_ESTIMATE = {"low_seconds": DOCUMENT_RTO_SECONDS[0], "high_seconds": DOCUMENT_RTO_SECONDS[1]}


class RtoInputs(Protocol):  # drctl.config.StackInfo, or any object with these settings
    recovery_profile: str
    health_check_interval: int
    health_check_failure_threshold: int
    dns_ttl: int
    approval_timeout_seconds: int
    nlb_mode: str
    health_path: str
    warm_pool: bool
    approval_gate: bool
    target_health_interval: int


@dataclass(frozen=True)
class Phase:
    name: str
    low: int
    high: int
    basis: str
    source: str
    during_approval: bool = False
    branch: Optional[str] = None  # phases in one branch run in series; branches side by side

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"phase": self.name, "low_seconds": self.low,
                                "high_seconds": self.high, "basis": self.basis, "source": self.source}
        if self.during_approval:
            data["during_approval"] = True
            data["branch"] = self.branch
        return data


def model(info: RtoInputs, approval_minutes: float) -> list[Phase]:
    interval, threshold = info.health_check_interval, info.health_check_failure_threshold
    approval = int(approval_minutes * 60)
    head = [
        Phase("detection", interval * threshold, interval * threshold,
              f"healthCheck.interval {interval}s x failureThreshold {threshold}", R53_CHECKS),
        Phase("alarm", ALARM_PERIOD, ALARM_PERIOD,
              f"alarm period {ALARM_PERIOD}s x 1: Route53 publishes HealthCheckStatus once a minute "
              "(assumed)", R53_METRICS),
        Phase("eventbridge", *EVENTBRIDGE, "us-east-1 -> Tokyo bus -> rule, 'a few seconds' (assumed)",
              EVENTBRIDGE_DOC),
        Phase("approval", 0, approval,
              f"operator, modeled 0..{approval_minutes:g} min (--approval-minutes); times out "
              f"after {info.approval_timeout_seconds}s", "the approver"),
    ]
    dns = Phase("dns", ELB_ALIAS_TTL, ELB_ALIAS_TTL,
                f"resolvers keep the old answer up to the ALB alias TTL ({ELB_ALIAS_TTL}s; "
                f"plain-record dns.ttl is {info.dns_ttl}s)", ALIAS_TTL_DOC)
    if info.approval_gate:  # the machine that opens the gate warms Tokyo beside the approval
        return head + _warm_up(info) + _gate() + [dns]
    return head + _serial(info) + [dns]


def _nlb(info: RtoInputs, **where: Any) -> Phase:
    if info.nlb_mode == NLB_ON_FAILOVER:
        return Phase("nlb", *NLB_CREATE, "nlb.mode on-failover: step 1 creates the NLB and waits for "
                     "`active` (assumed)", NLB_DOC, **where)
    return Phase("nlb", *NLB_STANDBY_VERIFY, "nlb.mode standby: the NLB is up, step 1 verifies it "
                 "(assumed)", NLB_DOC, **where)


def _cold_boot(**where: Any) -> Phase:
    return Phase("boot", *BOOT, "cold launch: Golden AMI boot + user data + PM2 start (assumed; the AWS "
                 "workshop measured ~243 s for a cold launch of its app)", WARM_POOL_WORKSHOP, **where)


def _warm_start(**where: Any) -> Phase:
    return Phase("warm-start", *WARM_START, "both tiers start from their stopped warm pools: ~36 s "
                 "from Warmed:Stopped to InService in the AWS workshop (cold: ~243 s)",
                 WARM_POOL_WORKSHOP, **where)


def _serial(info: RtoInputs) -> list[Phase]:
    return [
        _nlb(info),
        Phase("launch-template", *LAUNCH_TEMPLATE, "step 2 writes INTERNAL_API_URL (assumed)", LT_DOC),
        _warm_start() if info.warm_pool else _cold_boot(),
        Phase("target-health", *TARGET_HEALTHY,
              f"target group healthy threshold x interval, then step 4 GET {info.health_path} (assumed)",
              TG_DOC),
    ]


def _warm_up(info: RtoInputs) -> list[Phase]:
    """On the alarm, beside the approval: the template branch (NLB check, template) and the scale
    branch (both tiers from their stopped warm pools, targets healthy, Tokyo's Route53 check)."""
    tg = info.target_health_interval
    interval, threshold = info.health_check_interval, info.health_check_failure_threshold
    template: dict[str, Any] = {"during_approval": True, "branch": "template"}
    scale: dict[str, Any] = {"during_approval": True, "branch": "scale"}
    return [
        _nlb(info, **template),
        Phase("launch-template", *LAUNCH_TEMPLATE, "step 2 checks INTERNAL_API_URL (assumed); warm "
              "pool instances were initialized from the deployed template", LT_DOC, **template),
        _warm_start(**scale) if info.warm_pool else _cold_boot(**scale),
        Phase("target-health", tg, 2 * tg,
              f"target groups probe every {tg}s, healthy after 2 successes", TG_DOC, **scale),
        Phase("tokyo-check", interval * (threshold - 1), interval * threshold,
              f"Tokyo's Route53 check on the ALB turns healthy after {threshold} successes every "
              f"{interval}s", R53_CHECKS, **scale),
    ]


def _gate() -> list[Phase]:
    return [
        Phase("gate-open", *GATE_ALARM, "after the approval, Gate_Open puts the lock and ApprovalGate "
              "= 1, then sets the gate alarm OK at once (SetAlarmState; Route53 reads only 60 s "
              "standard-resolution alarms, whose next evaluation keeps OK) (assumed)",
              SET_ALARM_STATE_DOC),
        Phase("gate-check", *GATE_CHECK, "the gate's Route53 CLOUDWATCH_METRIC check follows the "
              "alarm state ('If the state of the alarm is OK, the health check is considered "
              "healthy'), then the calculated check (Tokyo AND gate) turns healthy; no published "
              "delay (assumed)", R53_ALARM_STATE_DOC),
    ]


def _total(phases: list[Phase], approval: int, pick: str) -> int:
    """Serving time: the phases before the approval, then the later of (decision + the phases
    after it) and (the slowest warm-up branch), then DNS."""
    def value(p: Phase) -> int:
        return int(getattr(p, pick))

    names = [p.name for p in phases]
    cut = names.index("approval")
    before = sum(value(p) for p in phases[:cut])
    rest = phases[cut + 1:]
    branches: dict[str, int] = {}
    for p in rest:
        if p.during_approval:
            branches[p.branch or ""] = branches.get(p.branch or "", 0) + value(p)
    after = [p for p in rest if not p.during_approval]
    dns = sum(value(p) for p in after if p.name == "dns")
    after_decision = sum(value(p) for p in after if p.name != "dns")
    return before + max(approval + after_decision, max(branches.values(), default=0)) + dns


def summary(phases: list[Phase]) -> dict[str, Any]:
    approval = next(p for p in phases if p.name == "approval")
    after = [p for p in phases[[p.name for p in phases].index("approval") + 1:]
             if not p.during_approval]
    warm = any(p.during_approval for p in phases)
    return {
        "low_seconds": _total(phases, approval.low, "low"),
        "high_seconds": _total(phases, approval.high, "high"),
        "excluding_approval": {"low_seconds": _total(phases, 0, "low"),
                               "high_seconds": _total(phases, 0, "high")},
        "approval_to_serving": {
            "low_seconds": sum(p.low for p in after), "high_seconds": sum(p.high for p in after),
            "basis": ("from the decision, once the warm-up has finished (it runs while the approver "
                      "decides): " if warm else "from the decision, in series: ")
            + " + ".join(p.name for p in after)},
        "document_estimate": dict(DOCUMENT_ESTIMATE),
    }


def report(info: RtoInputs, approval_minutes: float) -> dict[str, Any]:
    phases = model(info, approval_minutes)
    return {"profile": info.recovery_profile, "phases": [p.as_dict() for p in phases], **summary(phases)}


def render(phases: list[Phase]) -> list[str]:
    total = summary(phases)
    width = max(len(p.name) for p in phases)
    lines = []
    for p in phases:
        mark = f"[{p.branch}] " if p.during_approval else ""
        lines.append(f"  {p.name:<{width}}  {_range(p.low, p.high):>13}  {mark}{p.basis}")
    excl, serve = total["excluding_approval"], total["approval_to_serving"]
    lines.append(f"  {'total':<{width}}  {_range(total['low_seconds'], total['high_seconds']):>13}"
                 f"  (without approval {_range(excl['low_seconds'], excl['high_seconds'])}; "
                 f"approval to serving {_range(serve['low_seconds'], serve['high_seconds'])}; "
                 "document: 5m00s..10m00s)")
    if any(p.during_approval for p in phases):
        lines.append("  [branch] phases run while the approval is pending, branches side by side")
    return lines


def render_profiles(rows: list[dict[str, Any]]) -> list[str]:
    """One line per profile: total, without approval, approval to serving, monthly standby cost."""
    header = (f"  {'profile':<9}  {'total':>13}  {'without approval':>16}  {'approval->serving':>17}"
              f"  {'USD/month':>9}")
    lines = [header]
    for row in rows:
        excl, serve = row["excluding_approval"], row["approval_to_serving"]
        usd = row.get("monthlyUsd")
        lines.append(
            f"  {row['profile']:<9}  {_range(row['low_seconds'], row['high_seconds']):>13}"
            f"  {_range(excl['low_seconds'], excl['high_seconds']):>16}"
            f"  {_range(serve['low_seconds'], serve['high_seconds']):>17}"
            f"  {'-' if usd is None else f'{usd:.2f}':>9}")
    return lines


def _range(low: int, high: int) -> str:
    return duration(low) if low == high else f"{duration(low)}..{duration(high)}"
