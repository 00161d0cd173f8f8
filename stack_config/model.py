"""The typed settings `load_settings` returns: frozen dataclasses, validated once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Optional

from failover.approval_page import DEFAULT_MAX_WRONG_PINS, PIN_REQUIRED
from failover.approval_pin import DEFAULT_PIN_PARAMETER
from failover.contract import (
    ALARM_REGION,
    DR,
    GATE_ALARM_SUFFIX,
    GATE_METRIC_NAME,
    METRIC_NAMESPACE_DEFAULT,
    table_name,
)
from stack_config.cost import CostSettings
from stack_config.drills import DrillSettings, ReportSettings


@dataclass(frozen=True)
class Capacity:
    min: int
    desired: int
    max: int


@dataclass(frozen=True)
class TierSettings:
    role: str  # "web" or "app"
    port: int
    app_dir: str
    pm2_name: str
    env_file: str
    asg_name: str
    launch_template_name: str
    instance_type: str
    capacity: Capacity  # what the ASG is declared with
    failover_capacity: Capacity  # what the failover pipeline scales to
    health_check_grace_seconds: int


@dataclass(frozen=True)
class NetworkSettings:
    vpc_id: Optional[str]
    public_subnet_ids: tuple[str, ...]
    private_subnet_ids: tuple[str, ...]
    cidr: str
    nat_gateway: bool
    interface_endpoints: tuple[str, ...]


@dataclass(frozen=True)
class LoadBalancerSettings:
    alb_name: str
    nlb_name: str
    nlb_mode: str
    certificate_arn: Optional[str]
    deletion_protection: bool


@dataclass(frozen=True)
class AmiSettings:
    id: Optional[str]  # an AMI that already exists in this stack's region
    source_id: Optional[str]  # the Seoul Golden AMI to copy (DR only; else from the primary stack)
    source_region: str
    build: Optional[str]
    name: str


@dataclass(frozen=True)
class TableSpec:
    suffix: str
    hash_key: str
    range_key: Optional[str]


@dataclass(frozen=True)
class DataSettings:
    table_prefix: str
    tables: tuple[TableSpec, ...]

    def table_name(self, suffix: str) -> str:
        return table_name(self.table_prefix, suffix)

    @property
    def table_names(self) -> dict[str, str]:
        return {t.suffix: self.table_name(t.suffix) for t in self.tables}


@dataclass(frozen=True)
class HealthCheckSettings:
    interval: int
    failure_threshold: int
    path: str
    port: int
    protocol: str


@dataclass(frozen=True)
class LockSettings:
    namespace: str
    metric_name: str
    alarm_name: str
    region: str


@dataclass(frozen=True)
class DnsSettings:
    domain: str
    record_name: str
    hosted_zone_id: Optional[str]
    ttl: int  # for plain (non-alias) records only: alias records carry no TTL
    health_check: HealthCheckSettings
    lock: LockSettings


@dataclass(frozen=True)
class Approvers:
    emails: tuple[str, ...]
    sms: tuple[str, ...]


@dataclass(frozen=True)
class LambdaTimeouts:
    """Seconds per Lambda; field names are the `failover.lambdaTimeouts` keys in snake case."""

    approval: int
    nlb: int
    launch_template: int
    scale: int
    verify: int
    failback: int
    readiness: int


@dataclass(frozen=True)
class FailoverSettings:
    state_machine_name: str
    failback_state_machine_name: str
    approval_topic_name: str
    event_bus_name: str
    observation_rule_name: str
    failover_rule_name: str
    alarm_name: str
    lambda_prefix: str
    approval_timeout_seconds: int
    approval_heartbeat_seconds: Optional[int]
    approval_timeout_action: str
    lambda_timeouts: LambdaTimeouts
    approvers: Approvers
    alarm_region: str


@dataclass(frozen=True)
class ReadinessSettings:
    enabled: bool
    schedule: str


@dataclass(frozen=True)
class PrimaryReference:
    """Where the DR stack finds the primary's outputs: a StackReference, config, or both."""

    stack_name: Optional[str]
    fallback: Mapping[str, Any]  # validated `primary.*` values, keyed by output name


@dataclass(frozen=True)
class GateSettings:
    """The approval gate (fast profile): metric and alarm in the alarm region (us-east-1)."""

    namespace: str
    metric_name: str
    alarm_name: str
    region: str

    # The Lambdas read the gate the way they read the lock (failover.gate.GateNames).
    @property
    def gate_namespace(self) -> str:
        return self.namespace

    @property
    def gate_metric(self) -> str:
        return self.metric_name

    @property
    def gate_alarm_name(self) -> str:
        return self.alarm_name


@dataclass(frozen=True)
class RecoverySettings:
    profile: str
    warm_pool: bool  # a stopped warm pool per DR tier, sized to its failoverCapacity
    approval_gate: bool  # the SECONDARY record waits for the approval (fast pipeline)
    target_health_interval: int  # seconds between the web target group's health checks
    gate: GateSettings  # its names (used only when approval_gate)

    def warm_pool_size(self, tier: TierSettings) -> int:
        """The tier's warm pool: its failoverCapacity.max stopped instances, or 0 for none."""
        return tier.failover_capacity.max if self.warm_pool else 0


def _standard_recovery() -> RecoverySettings:
    return RecoverySettings(profile="standard", warm_pool=False, approval_gate=False,
                            target_health_interval=15,
                            gate=GateSettings(METRIC_NAMESPACE_DEFAULT, GATE_METRIC_NAME,
                                              f"MegaTicket-DR{GATE_ALARM_SUFFIX}", ALARM_REGION))


@dataclass(frozen=True)
class ApprovalPageSettings:
    """`approval.page.*` (stack_config.approval_page): the page step 0 links to."""

    enabled: bool = True
    pin: str = PIN_REQUIRED
    pin_parameter: str = DEFAULT_PIN_PARAMETER
    max_pin_attempts: int = DEFAULT_MAX_WRONG_PINS
    throttling_rate_limit: int = 5
    throttling_burst_limit: int = 10

    @property
    def pin_required(self) -> bool:
        return self.pin == PIN_REQUIRED


@dataclass(frozen=True)
class Settings:
    project: str
    stack: str
    role: str
    region: str
    primary_region: str
    dr_region: str
    alarm_region: str
    data: DataSettings
    dns: DnsSettings
    web: TierSettings
    app: TierSettings
    network: NetworkSettings
    load_balancers: LoadBalancerSettings
    ami: AmiSettings
    failover: FailoverSettings
    readiness: ReadinessSettings
    primary: PrimaryReference
    tags: Mapping[str, str]
    cost: CostSettings = field(default_factory=CostSettings)
    recovery: RecoverySettings = field(default_factory=_standard_recovery)
    drill: DrillSettings = field(default_factory=DrillSettings)
    reports: ReportSettings = field(default_factory=ReportSettings)
    approval_page: ApprovalPageSettings = field(default_factory=ApprovalPageSettings)

    @property
    def is_dr(self) -> bool:
        return self.role == DR

    @property
    def recovery_mode(self) -> bool:
        return self.is_dr

    @property
    def name_prefix(self) -> str:
        """Prefix of the default resource names: `MegaTicket-DR` in the DR stack."""
        return "MegaTicket-DR" if self.is_dr else "MegaTicket"
