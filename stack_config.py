"""Every stack setting, read once into frozen dataclasses.

The program, the offline preview and `drctl` all call `load_settings` with the flat
`{"<namespace>:<key>": "<value>"}` map the Pulumi CLI hands a program (objects and lists
arrive JSON-encoded), so the three can never disagree about a default or a rule.

A wrong or missing value raises `ConfigError` with one line naming the key, the bad value
and the expected form. `ConfigError` is a `pulumi.RunError`, which the Pulumi language host
prints without a traceback.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pulumi

NAMESPACE = "megaticket-dr"
PRIMARY, DR = "primary", "dr"
NLB_MODES = ("standby", "on-failover")
TIMEOUT_ACTIONS = ("fail", "proceed")
TABLE_SUFFIXES = ("performances", "reservations", "schedules", "venues")
DEFAULT_INTERFACE_ENDPOINTS = ("bedrock-runtime", "ssm", "ssmmessages", "ec2messages", "sts")

_AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,31}$")  # ELB/ASG-safe, <= 32 chars
_LONG_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$")  # SNS/SFN/Events names
_TABLE_PREFIX = re.compile(r"^[A-Za-z0-9_.-]{3,200}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
_AMI = re.compile(r"^ami-[0-9a-f]{8}([0-9a-f]{9})?$")
_VPC = re.compile(r"^vpc-[0-9a-f]{8}([0-9a-f]{9})?$")
_SUBNET = re.compile(r"^subnet-[0-9a-f]{8}([0-9a-f]{9})?$")
_ZONE = re.compile(r"^Z[A-Z0-9]{4,32}$")
_CERT_ARN = re.compile(r"^arn:aws:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")
_CIDR = re.compile(r"^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})/(\d{1,2})$")
_ABS_PATH = re.compile(r"^/[A-Za-z0-9._/-]+$")
_PM2 = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_INSTANCE_TYPE = re.compile(r"^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$")
_STACK_REF = re.compile(r"^[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+){0,2}$")


class ConfigError(pulumi.RunError):
    """A stack setting is wrong or missing; the message is the whole story."""


def _fail(key: str, expected: str, got: Any) -> ConfigError:
    shown = "nothing" if got is None else json.dumps(got, ensure_ascii=False)
    return ConfigError(f"{NAMESPACE}:{key} must be {expected} (got {shown})")


# --- typed settings -------------------------------------------------------------------


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
        return f"{self.table_prefix}-{suffix}"

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
    fallback: Mapping[str, Any]


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
    cost: CostSettings = field(default_factory=lambda: CostSettings())

    @property
    def is_dr(self) -> bool:
        return self.role == DR

    @property
    def recovery_mode(self) -> bool:
        return self.is_dr


# --- reading ----------------------------------------------------------------------------

_TOP_LEVEL_KEYS = {
    "role", "primaryRegion", "drRegion", "alarmRegion", "tablePrefix", "tables", "domain",
    "hostedZoneId", "dns", "healthCheck", "lock", "web", "app", "network", "alb", "nlb", "ami",
    "failover", "approvers", "readiness", "primaryStack", "primary", "tags", "cost",
}


class _Section:
    """One config object; remembers its dotted path so every error names the full key."""

    def __init__(self, path: str, values: Mapping[str, Any]):
        self.path = path
        self.values = values

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def section(self, name: str) -> _Section:
        value = self.values.get(name)
        if value is None:
            return _Section(self.key(name), {})
        if not isinstance(value, Mapping):
            raise _fail(self.key(name), "an object", value)
        return _Section(self.key(name), value)

    def unknown_keys(self, allowed: set[str]) -> None:
        for name in self.values:
            if name not in allowed:
                raise _fail(self.key(name), f"one of the known keys of {self.path or NAMESPACE} "
                            f"({', '.join(sorted(allowed))})", self.values[name])

    def string(self, name: str, default: Optional[str], pattern: Optional[re.Pattern[str]] = None,
               expected: str = "a non-empty string") -> str:
        value = self.optional_string(name, pattern, expected)
        if value is None:
            if default is None:
                raise _fail(self.key(name), expected, None)
            return default
        return value

    def optional_string(self, name: str, pattern: Optional[re.Pattern[str]] = None,
                        expected: str = "a non-empty string") -> Optional[str]:
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip() or (pattern and not pattern.match(value)):
            raise _fail(self.key(name), expected, value)
        return value

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        expected = " or ".join(f'"{c}"' for c in choices) if len(choices) == 2 else \
            "one of " + ", ".join(f'"{c}"' for c in choices)
        value = self.values.get(name, default)
        if value not in choices:
            raise _fail(self.key(name), expected, value)
        return str(value)

    def integer(self, name: str, default: int, low: int, high: int,
                allowed: Optional[tuple[int, ...]] = None) -> int:
        value = self.values.get(name, default)
        expected = (" or ".join(str(a) for a in allowed) if allowed
                    else f"an integer from {low} to {high}")
        number = _as_int(value)
        if number is None or (allowed and number not in allowed) or not low <= number <= high:
            raise _fail(self.key(name), expected, value)
        return number

    def boolean(self, name: str, default: bool) -> bool:
        value = self.values.get(name, default)
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        raise _fail(self.key(name), "true or false", value)

    def string_list(self, name: str, pattern: re.Pattern[str], expected: str) -> tuple[str, ...]:
        value = self.values.get(name, [])
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise _fail(self.key(name), f"a list of {expected}", value)
        for item in value:
            if not isinstance(item, str) or not pattern.match(item):
                raise _fail(self.key(name), f"a list of {expected}", item)
        if len(set(value)) != len(value):
            raise _fail(self.key(name), f"a list of distinct {expected}", value)
        return tuple(value)


def _as_int(value: Any) -> Optional[int]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"-?\d+", value.strip()):
        return int(value)
    return None


def _decode(value: Any) -> Any:
    """The CLI passes objects and lists JSON-encoded; scalars stay strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def _capacity(section: _Section, name: str, default: Capacity, floor: int) -> Capacity:
    sub = section.section(name)
    sub.unknown_keys({"min", "desired", "max"})
    low = sub.integer("min", default.min, floor, 100)
    high = sub.integer("max", default.max, max(floor, 1), 100)
    desired = sub.integer("desired", default.desired, floor, 100)
    if low > high:
        raise _fail(sub.key("min"), f"at most {sub.key('max')} ({high})", low)
    if not low <= desired <= high:
        raise _fail(sub.key("desired"), f"between min ({low}) and max ({high})", desired)
    return Capacity(low, desired, high)


def _tier(root: _Section, role: str, is_dr: bool) -> TierSettings:
    s = root.section(role)
    s.unknown_keys({"port", "appDir", "pm2Name", "envFile", "asgName", "launchTemplateName",
                    "instanceType", "capacity", "failoverCapacity", "healthCheckGracePeriod"})
    label = role.capitalize()
    prefix = "MegaTicket-DR" if is_dr else "MegaTicket"
    failover = _capacity(s, "failoverCapacity", Capacity(1, 1, 2), 1)
    # A pilot light idles at zero; the primary serves at its failover size.
    steady = _capacity(s, "capacity", Capacity(0, 0, failover.max) if is_dr else failover, 0)
    if is_dr and steady.desired:
        raise _fail(s.key("capacity.desired"), "0 in the DR stack (the failover pipeline scales it)",
                    steady.desired)
    return TierSettings(
        role=role,
        port=s.integer("port", 3000 if role == "web" else 3001, 1024, 65535),
        app_dir=s.string("appDir", f"/home/ec2-user/megaticket/apps/{role}", _ABS_PATH,
                         "an absolute path of letters, digits, . _ - /"),
        pm2_name=s.string("pm2Name", "web-frontend" if role == "web" else "app-backend", _PM2,
                          "a PM2 process name of letters, digits, . _ -"),
        env_file=s.string("envFile", "/home/ec2-user/dr-web-env.sh" if role == "web"
                          else "/home/ec2-user/dr-env.sh", _ABS_PATH,
                          "an absolute path of letters, digits, . _ - /"),
        asg_name=s.string("asgName", f"{prefix}-{label}-ASG", _NAME, _NAME_EXPECTED),
        launch_template_name=s.string("launchTemplateName", f"{prefix}-{label}-LT", _NAME,
                                      _NAME_EXPECTED),
        instance_type=s.string("instanceType", "t3.small", _INSTANCE_TYPE,
                               'an EC2 instance type such as "t3.small"'),
        capacity=steady,
        failover_capacity=failover,
        health_check_grace_seconds=s.integer("healthCheckGracePeriod", 300, 0, 7200),
    )


_NAME_EXPECTED = "1-32 letters, digits or hyphens, starting with a letter or digit"
_LONG_EXPECTED = "1-80 letters, digits, . _ or -"


def _cidr(section: _Section, name: str, default: str) -> str:
    value = section.values.get(name, default)
    match = _CIDR.match(value) if isinstance(value, str) else None
    if not match or any(int(o) > 255 for o in match.groups()[:4]) or not 16 <= int(match[5]) <= 24:
        raise _fail(section.key(name), "an IPv4 CIDR block from /16 to /24 such as 10.20.0.0/16",
                    value)
    return str(value)


# --- cost: usage assumptions of the standby cost model (cost/) ---------------------------


@dataclass(frozen=True)
class CostSettings:
    """What the preview's standby cost model cannot read from the program: usage per month.

    Defaults describe an idle pilot light: no instances (so no endpoint or NAT traffic), the
    primary's writes replicated to Tokyo, one failover drill a month.
    """

    replicated_writes_per_month: int = 1_000_000  # writes to the primary tables, 1 rWRU each
    replica_gb: float = 1.0  # data held by the Tokyo replicas, all tables together
    log_gb_per_month: float = 0.5  # ingested by the stack's log groups, all together
    log_stored_gb: float = 1.0  # kept by the stack's log groups, all together
    endpoint_gb_per_month: float = 0.0  # through the interface endpoints (no instances at idle)
    nat_gb_per_month: float = 0.0  # through the NAT gateways (no instances at idle)
    load_balancer_lcu_per_hour: float = 0.0  # an idle load balancer serves nothing
    ami_snapshot_gb: float = 8.0  # EBS snapshot behind the copied Golden AMI
    failover_drills_per_month: int = 1  # one failover + failback run through the pipeline
    notifications_per_month: int = 10  # publishes to the approval topic
    lambda_seconds_per_invocation: float = 2.0


# Upper bounds only catch typos (a GB figure pasted as bytes); AWS sets no such limit.
_COST_LIMITS: dict[str, tuple[str, type, float]] = {
    "replicatedWritesPerMonth": ("replicated_writes_per_month", int, 1e12),
    "replicaGb": ("replica_gb", float, 1e7),
    "logGbPerMonth": ("log_gb_per_month", float, 1e7),
    "logStoredGb": ("log_stored_gb", float, 1e7),
    "endpointGbPerMonth": ("endpoint_gb_per_month", float, 1e7),
    "natGbPerMonth": ("nat_gb_per_month", float, 1e7),
    "loadBalancerLcuPerHour": ("load_balancer_lcu_per_hour", float, 1e5),
    "amiSnapshotGb": ("ami_snapshot_gb", float, 65536),
    "failoverDrillsPerMonth": ("failover_drills_per_month", int, 1000),
    "notificationsPerMonth": ("notifications_per_month", int, 1e9),
    "lambdaSecondsPerInvocation": ("lambda_seconds_per_invocation", float, 900),
}
COST_KEYS = {key: attr for key, (attr, _, _) in _COST_LIMITS.items()}  # config key -> field


def read_cost(section: _Section) -> CostSettings:
    """`cost.*`: non-negative numbers (whole numbers for counts), each with a default."""
    section.unknown_keys(set(_COST_LIMITS))
    defaults = CostSettings()
    values: dict[str, Any] = {}
    for key, (attr, kind, high) in _COST_LIMITS.items():
        raw = section.raw(key)
        if raw is None:
            continue
        limit = f"{high:,.0f}"
        expected = (f"a whole number from 0 to {limit}" if kind is int
                    else f"a number from 0 to {limit}")
        number = _as_int(raw) if kind is int else _as_number(raw)
        if number is None or not 0 <= number <= high:
            raise _fail(section.key(key), expected, raw)
        values[attr] = kind(number)
    return CostSettings(**{**{f: getattr(defaults, f) for f in defaults.__dataclass_fields__},
                           **values})


def _as_number(value: Any) -> Optional[float]:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str) and re.fullmatch(r"\s*-?(\d+(\.\d*)?|\.\d+)\s*", value):
        number = float(value)
    else:
        return None
    return number if number == number and number not in (float("inf"), float("-inf")) else None


def load_settings(values: Mapping[str, Any], stack: str, project: str = NAMESPACE) -> Settings:
    """Read and validate every setting from the flat map the Pulumi CLI passes a program."""
    ours: dict[str, Any] = {}
    for full_key, value in values.items():
        namespace, _, key = full_key.partition(":")
        if namespace == NAMESPACE:
            ours[key] = _decode(value)
    root = _Section("", ours)
    root.unknown_keys(_TOP_LEVEL_KEYS)

    role = root.choice("role", DR if stack == "tokyo" else PRIMARY, (PRIMARY, DR))
    is_dr = role == DR
    primary_region = root.string("primaryRegion", "ap-northeast-2", _AWS_REGION,
                                 'an AWS region such as "ap-northeast-2"')
    dr_region = root.string("drRegion", "ap-northeast-1", _AWS_REGION,
                            'an AWS region such as "ap-northeast-1"')
    if dr_region == primary_region:
        raise _fail("drRegion", f"a region other than primaryRegion ({primary_region})", dr_region)
    # Route53 publishes health-check metrics only in us-east-1, so the detection alarm lives there.
    alarm_region = root.choice("alarmRegion", "us-east-1", ("us-east-1",))
    expected_region = dr_region if is_dr else primary_region
    aws_region = values.get("aws:region")
    if aws_region != expected_region:
        raise ConfigError(f"aws:region must be {expected_region} for a {role} stack "
                          f"(got {json.dumps(aws_region) if aws_region else 'nothing'})")

    table_prefix = root.string("tablePrefix", "KDT-Msp4-PLDR", _TABLE_PREFIX,
                               "3-200 letters, digits, _ . or - (no spaces)")
    tables_section = root.section("tables")
    tables_section.unknown_keys(set(TABLE_SUFFIXES))
    tables = []
    for suffix in TABLE_SUFFIXES:
        spec = tables_section.section(suffix)
        spec.unknown_keys({"hashKey", "rangeKey"})
        attr = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
        tables.append(TableSpec(suffix, spec.string("hashKey", "id", attr, "an attribute name"),
                                spec.optional_string("rangeKey", attr, "an attribute name")))

    lb = root.section("alb")
    lb.unknown_keys({"name", "certificateArn", "deletionProtection"})
    certificate_arn = lb.optional_string("certificateArn", _CERT_ARN, "an ACM certificate ARN")
    hc = root.section("healthCheck")
    hc.unknown_keys({"interval", "failureThreshold", "path", "port", "protocol"})
    # The probe goes to the ALB's own DNS name: HTTPS needs the ALB's certificate, and without one
    # only the HTTP listener exists.
    protocol = hc.choice("protocol", "HTTPS" if certificate_arn else "HTTP", ("HTTPS", "HTTP"))
    if protocol == "HTTPS" and not certificate_arn:
        raise _fail(hc.key("protocol"), '"HTTP" unless alb.certificateArn is set (the ALB has no '
                    "HTTPS listener without a certificate)", protocol)
    probe_port = hc.integer("port", 443 if protocol == "HTTPS" else 80, 1, 65535)
    if protocol == "HTTP" and probe_port == 80 and certificate_arn:
        raise _fail(hc.key("protocol"), '"HTTPS" when alb.certificateArn is set (port 80 redirects '
                    "to 443, and Route53 counts a redirect as healthy)", protocol)
    health_check = HealthCheckSettings(
        interval=hc.integer("interval", 30, 10, 30, allowed=(10, 30)),
        failure_threshold=hc.integer("failureThreshold", 3, 1, 10),
        path=hc.string("path", "/api/health", re.compile(r"^/[A-Za-z0-9._~/-]*$"),
                       'a URL path starting with "/"'),
        port=probe_port,
        protocol=protocol,
    )
    lock = root.section("lock")
    lock.unknown_keys({"namespace", "metricName", "alarmName"})
    dns = root.section("dns")
    dns.unknown_keys({"recordName", "ttl"})
    domain = root.string("domain", "pilotlight-test.click", _DOMAIN,
                         'a lower-case DNS name such as "pilotlight-test.click"')
    record_name = dns.string("recordName", domain, _DOMAIN, "a lower-case DNS name")
    if record_name != domain and not record_name.endswith("." + domain):
        raise _fail(dns.key("recordName"), f"{domain} or a name under it", record_name)

    nlb = root.section("nlb")
    nlb.unknown_keys({"name", "mode"})
    prefix = "MegaTicket-DR" if is_dr else "MegaTicket"

    net = root.section("network")
    net.unknown_keys({"vpcId", "publicSubnetIds", "privateSubnetIds", "cidr", "natGateway",
                      "interfaceEndpoints"})
    nat_gateway = net.boolean("natGateway", False)
    # Without NAT, private subnets reach only DynamoDB (gateway endpoint): the app's Bedrock calls,
    # SSM access without SSH and the documents' `aws sts get-caller-identity` check (section 6.4,
    # which otherwise hangs) need interface endpoints. With NAT, none by default.
    endpoints_default = [] if nat_gateway else list(DEFAULT_INTERFACE_ENDPOINTS)
    network = NetworkSettings(
        vpc_id=net.optional_string("vpcId", _VPC, 'a VPC id such as "vpc-0abc1234"'),
        public_subnet_ids=net.string_list("publicSubnetIds", _SUBNET, 'subnet ids ("subnet-...")'),
        private_subnet_ids=net.string_list("privateSubnetIds", _SUBNET, 'subnet ids ("subnet-...")'),
        cidr=_cidr(net, "cidr", "10.20.0.0/16" if is_dr else "10.10.0.0/16"),
        nat_gateway=nat_gateway,
        interface_endpoints=net.string_list("interfaceEndpoints", re.compile(r"^[a-z0-9][a-z0-9.-]{1,62}$"),
                                            'service names such as "bedrock-runtime"')
        if net.raw("interfaceEndpoints") is not None else tuple(endpoints_default),
    )
    if network.vpc_id:
        for name, ids in (("publicSubnetIds", network.public_subnet_ids),
                          ("privateSubnetIds", network.private_subnet_ids)):
            if len(ids) < 2:
                raise _fail(net.key(name), "at least two subnet ids (two AZs) when vpcId is set",
                            list(ids))
    elif network.public_subnet_ids or network.private_subnet_ids:
        raise _fail(net.key("vpcId"), "set when subnet ids are given", None)

    ami = root.section("ami")
    ami.unknown_keys({"id", "sourceId", "sourceRegion", "build", "name"})
    ami_settings = AmiSettings(
        id=ami.optional_string("id", _AMI, 'an AMI id such as "ami-0abc1234def567890"'),
        source_id=ami.optional_string("sourceId", _AMI, 'an AMI id such as "ami-0abc1234def567890"'),
        source_region=ami.string("sourceRegion", primary_region, _AWS_REGION, "an AWS region"),
        build=ami.optional_string("build", re.compile(r"^[A-Za-z0-9._:+-]{1,64}$"),
                                  "a build label of letters, digits, . _ : + -"),
        name=ami.string("name", "MegaTicket-Golden-AMI-DR" if is_dr else "MegaTicket-Golden-AMI",
                        re.compile(r"^[A-Za-z0-9()\[\] ./'@_-]{3,128}$"), "an AMI name (3-128 chars)"),
    )

    fo = root.section("failover")
    fo.unknown_keys({"stateMachineName", "failbackStateMachineName", "approvalTopicName",
                     "eventBusName", "observationRuleName", "failoverRuleName", "alarmName",
                     "lambdaPrefix", "approvalTimeoutSeconds", "approvalHeartbeatSeconds",
                     "approvalTimeoutAction", "lambdaTimeouts"})
    state_machine = fo.string("stateMachineName", "stfc-stepfunction-dev-an1", _LONG_NAME,
                              _LONG_EXPECTED)
    approval_timeout = fo.integer("approvalTimeoutSeconds", 3600, 60, 7 * 24 * 3600)
    # No heartbeat by default: nobody sends heartbeats for a human decision. When set, Step
    # Functions requires it to be strictly below the task timeout.
    heartbeat: Optional[int] = None
    if fo.raw("approvalHeartbeatSeconds") is not None:
        heartbeat = fo.integer("approvalHeartbeatSeconds", 0, 60, 7 * 24 * 3600)
        if heartbeat >= approval_timeout:
            raise _fail(fo.key("approvalHeartbeatSeconds"),
                        f"less than approvalTimeoutSeconds ({approval_timeout})", heartbeat)
    lt = fo.section("lambdaTimeouts")
    lt.unknown_keys({"approval", "nlb", "launchTemplate", "scale", "verify", "failback",
                     "readiness"})
    timeouts = LambdaTimeouts(
        approval=lt.integer("approval", 30, 3, 900),
        nlb=lt.integer("nlb", 120, 30, 900),
        launch_template=lt.integer("launchTemplate", 60, 10, 900),
        scale=lt.integer("scale", 60, 10, 900),
        verify=lt.integer("verify", 60, 10, 900),
        failback=lt.integer("failback", 120, 30, 900),
        readiness=lt.integer("readiness", 120, 30, 900),
    )
    ap = root.section("approvers")
    ap.unknown_keys({"emails", "sms"})
    approvers = Approvers(
        emails=ap.string_list("emails", _EMAIL, 'email addresses such as "ops@example.com"'),
        sms=ap.string_list("sms", _E164, 'E.164 phone numbers such as "+821012345678"'),
    )
    if is_dr and not (approvers.emails and approvers.sms):
        # The documents lost approvals to unconfirmed and bounced email subscriptions: keep two
        # independent channels.
        raise _fail("approvers", "at least one email and one SMS number in the DR stack",
                    {"emails": list(approvers.emails), "sms": list(approvers.sms)})

    rd = root.section("readiness")
    rd.unknown_keys({"enabled", "schedule"})
    primary = root.section("primary")
    primary.unknown_keys(set(_primary_keys()))
    primary_stack = root.optional_string("primaryStack", _STACK_REF,
                                         'a stack name such as "organization/megaticket-dr/seoul"')
    tags = root.raw("tags") or {}
    if not isinstance(tags, Mapping) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        raise _fail("tags", "an object of string keys and string values", tags)

    return Settings(
        project=project,
        stack=stack,
        role=role,
        region=expected_region,
        primary_region=primary_region,
        dr_region=dr_region,
        alarm_region=alarm_region,
        data=DataSettings(table_prefix, tuple(tables)),
        dns=DnsSettings(
            domain=domain,
            record_name=record_name,
            hosted_zone_id=root.optional_string("hostedZoneId", _ZONE,
                                                'a Route53 hosted zone id such as "Z0123456789ABC"'),
            ttl=dns.integer("ttl", 60, 1, 300),
            health_check=health_check,
            lock=LockSettings(
                namespace=lock.string("namespace", "MegaTicket/DR",
                                      re.compile(r"^[A-Za-z0-9/_.#:-]{1,255}$"), "a metric namespace"),
                metric_name=lock.string("metricName", "FailoverLock",
                                        re.compile(r"^[A-Za-z0-9_.-]{1,255}$"), "a metric name"),
                alarm_name=lock.string("alarmName", "MegaTicket-Failback-Lock", _LONG_NAME,
                                       _LONG_EXPECTED),
                region=alarm_region,
            ),
        ),
        web=_tier(root, "web", is_dr),
        app=_tier(root, "app", is_dr),
        network=network,
        load_balancers=LoadBalancerSettings(
            alb_name=lb.string("name", f"{prefix}-ALB", _NAME, _NAME_EXPECTED),
            nlb_name=nlb.string("name", f"{prefix}-NLB", _NAME, _NAME_EXPECTED),
            nlb_mode=nlb.choice("mode", "standby", NLB_MODES),
            certificate_arn=certificate_arn,
            deletion_protection=lb.boolean("deletionProtection", not is_dr),
        ),
        ami=ami_settings,
        failover=FailoverSettings(
            state_machine_name=state_machine,
            failback_state_machine_name=fo.string("failbackStateMachineName",
                                                  f"{state_machine}-failback", _LONG_NAME,
                                                  _LONG_EXPECTED),
            approval_topic_name=fo.string("approvalTopicName", "stfc-topic-dev-an1-approval",
                                          re.compile(r"^[A-Za-z0-9_-]{1,256}$"),
                                          "an SNS topic name of letters, digits, _ or -"),
            event_bus_name=fo.string("eventBusName", "ssw-dr-failover-dr-event-bus", _LONG_NAME,
                                     _LONG_EXPECTED),
            observation_rule_name=fo.string("observationRuleName",
                                            "ssw-dr-failover-observation-alarm-rule", _LONG_NAME,
                                            _LONG_EXPECTED),
            failover_rule_name=fo.string("failoverRuleName", "pldr-dr-failover-rule", _LONG_NAME,
                                         _LONG_EXPECTED),
            alarm_name=fo.string("alarmName", "MegaTicket-Primary-HealthCheck-Alarm", _LONG_NAME,
                                 _LONG_EXPECTED),
            # The longest function is "<prefix>-readiness", and Lambda allows 64 characters.
            lambda_prefix=fo.string("lambdaPrefix", "stfc-lambda-dev", re.compile(r"^[A-Za-z0-9_-]{1,54}$"),
                                    "1-54 letters, digits, _ or - (Lambda names are <prefix>-readiness)"),
            approval_timeout_seconds=approval_timeout,
            approval_heartbeat_seconds=heartbeat,
            approval_timeout_action=fo.choice("approvalTimeoutAction", "fail", TIMEOUT_ACTIONS),
            lambda_timeouts=timeouts,
            approvers=approvers,
            alarm_region=alarm_region,
        ),
        readiness=ReadinessSettings(
            enabled=rd.boolean("enabled", True),
            schedule=rd.string("schedule", "rate(30 minutes)",
                               re.compile(r"^(rate\(\d+ (minute|minutes|hour|hours)\)|cron\(.+\))$"),
                               'a schedule expression such as "rate(30 minutes)"'),
        ),
        primary=PrimaryReference(primary_stack, dict(primary.values)),
        tags={"Project": "MegaTicket", "ManagedBy": "pulumi", "Stack": stack, **dict(tags)},
        cost=read_cost(root.section("cost")),
    )


def _primary_keys() -> tuple[str, ...]:
    from stack_contract import PRIMARY_OUTPUTS

    return PRIMARY_OUTPUTS


# --- sources ------------------------------------------------------------------------------


def from_pulumi() -> Settings:
    """Settings of the running Pulumi program."""
    from pulumi.runtime import config as runtime_config

    values = dict(runtime_config.CONFIG.get())
    return load_settings(values, pulumi.get_stack(), pulumi.get_project())


def stack_file_values(project_dir: Path, stack: str) -> dict[str, str]:
    """The flat config map the CLI would pass for `Pulumi.<stack>.yaml`."""
    import yaml

    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.is_file():
        known = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
        raise ConfigError(f"stack must be one of {', '.join(known)} (got {json.dumps(stack)}): "
                          f"{path.name} not found")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", error)
        raise ConfigError(f"{path.name}{where} must be valid YAML ({problem})") from None
    config = document.get("config") or {}
    if not isinstance(config, Mapping):
        raise ConfigError(f"{path.name} config must be a mapping of keys to values")
    return {key: _encode(value) for key, value in config.items()}


def _encode(value: Any) -> str:
    if isinstance(value, Mapping) and set(value) == {"secure"}:
        return "[secret]"
    if isinstance(value, (Mapping, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def apply_overrides(values: Mapping[str, str], assignments: list[str]) -> dict[str, str]:
    """`--set key=value` like `pulumi config set --path`: dotted keys reach into objects."""
    result = dict(values)
    for assignment in assignments:
        key, sep, raw = assignment.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set must be key=value such as healthCheck.interval=10 "
                              f"(got {json.dumps(assignment)})")
        if ":" not in key.split(".")[0]:
            key = f"{NAMESPACE}:{key}"
        top, *path = key.split(".")
        value = _scalar(raw)
        if not path:
            result[top] = value if isinstance(value, str) else json.dumps(value)
            continue
        container = _decode(result.get(top, "{}"))
        if not isinstance(container, dict):
            raise ConfigError(f"--set {key}: {top} is not an object")
        node = container
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {key}: {part} is not an object")
        node[path[-1]] = value
        result[top] = json.dumps(container)
    return result


def _scalar(raw: str) -> Any:
    if raw.startswith(("[", "{")):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    if raw in ("true", "false"):
        return raw == "true"
    if re.fullmatch(r"-?\d+", raw):
        return int(raw)
    return raw


def settings_for_stack(project_dir: Path, stack: str, assignments: Optional[list[str]] = None
                       ) -> Settings:
    values = apply_overrides(stack_file_values(project_dir, stack), assignments or [])
    return load_settings(values, stack)

