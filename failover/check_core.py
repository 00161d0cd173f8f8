"""What every readiness check shares: the settings it compares against, its result, and lookups.

`CheckSettings` carries every expectation the stack declares (names, ports, PM2 names, timeouts,
the certificate...), filled by `drctl.config.check_settings_for` from `stack_config.Settings` and
handed to the readiness Lambda as environment variables (`readiness.to_env`). Checks derive what
they expect from it with the program's own functions (`failover/facts.py`, `userdata/render.py`,
`failover/asl.py`), never from literals of their own.
"""

from __future__ import annotations

import base64
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from botocore.exceptions import ClientError

from failover import facts
from failover.approval_pin import DEFAULT_PIN_PARAMETER
from failover.contract import (
    DRILL_DEFAULT_MAX_AGE_DAYS,
    GATE_METRIC_NAME,
    METRIC_NAMESPACE_DEFAULT,
    NLB_DNS_PLACEHOLDER,
    NLB_STANDBY,
    PROFILE_STANDARD,
)
from failover.contract import PLACEHOLDER_MARK as PLACEHOLDER_MARK  # 3.4: the scripts grep for this word
from failover.contract import TABLE_SUFFIXES as TABLE_SUFFIXES

NLB_PLACEHOLDER = NLB_DNS_PLACEHOLDER  # the name the checks use
ClientFactory = Callable[[str, str], Any]
HttpGet = Callable[[str, float], int]

REGION_NAMES = {"ap-northeast-2": "Seoul", "ap-northeast-1": "Tokyo"}
ENDPOINT_CHECK_TYPES = ("HTTP", "HTTPS", "HTTP_STR_MATCH", "HTTPS_STR_MATCH", "TCP")

OK, FAILED, SKIPPED, WARN = "ok", "failed", "skipped", "warn"


def region_label(region: str) -> str:
    return REGION_NAMES.get(region, region)


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool  # passed or skipped: nothing found wrong
    detail: str
    fix: str = ""
    skipped: bool = False
    warning: bool = False  # passed, but worth a look (an old drill): shown, never a failure

    @property
    def status(self) -> str:
        return SKIPPED if self.skipped else WARN if self.ok and self.warning else OK if self.ok else FAILED

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "status": self.status, "detail": self.detail,
                "fix": self.fix}


@dataclass(frozen=True)
class CheckSettings:
    """Names and expectations the checks compare against; defaults are the documents' names."""

    stack_name: str = "tokyo"  # the DR stack (fix texts name it in `pulumi up --stack ...`)
    primary_stack_name: str = "seoul"
    dr_region: str = "ap-northeast-1"
    primary_region: str = "ap-northeast-2"
    alarm_region: str = "us-east-1"
    domain: str = "pilotlight-test.click"
    record_name: str = "pilotlight-test.click"
    hosted_zone_id: str = ""  # empty: the public zone named `domain`
    health_check_id: str = ""  # empty: read it from the detection alarm's HealthCheckId dimension
    # seoul's CALCULATED detection check over the endpoint check alone (components/primary_dns.py);
    # empty: the alarm's HealthCheckId must name such a check.
    detection_health_check_id: str = ""
    health_path: str = "/api/health"
    alarm_name: str = "MegaTicket-Primary-HealthCheck-Alarm"
    observation_rule_name: str = "ssw-dr-failover-observation-alarm-rule"
    event_bus_name: str = "ssw-dr-failover-dr-event-bus"
    failover_rule_name: str = "pldr-dr-failover-rule"
    state_machine_name: str = "stfc-stepfunction-dev-an1"
    failback_state_machine_name: str = "stfc-stepfunction-dev-an1-failback"
    approval_topic_name: str = "stfc-topic-dev-an1-approval"
    approval_timeout_seconds: int = 3600
    approval_timeout_action: str = "fail"
    min_confirmed_subscriptions: int = 2
    lambda_prefix: str = "stfc-lambda-dev"
    timeout_approval: int = 30
    timeout_nlb: int = 120
    timeout_launch_template: int = 60
    timeout_scale: int = 60
    timeout_verify: int = 60
    timeout_failback: int = 120
    timeout_readiness: int = 120
    readiness_enabled: bool = True
    web_launch_template: str = "MegaTicket-DR-Web-LT"
    app_launch_template: str = "MegaTicket-DR-App-LT"
    web_asg: str = "MegaTicket-DR-Web-ASG"
    app_asg: str = "MegaTicket-DR-App-ASG"
    web_port: int = 3000
    app_port: int = 3001
    web_pm2_name: str = "web-frontend"
    app_pm2_name: str = "app-backend"
    web_app_dir: str = "/home/ec2-user/megaticket/apps/web"
    app_app_dir: str = "/home/ec2-user/megaticket/apps/app"
    web_env_file: str = "/home/ec2-user/dr-web-env.sh"
    app_env_file: str = "/home/ec2-user/dr-env.sh"
    recovery_mode: bool = True
    nlb_name: str = "MegaTicket-DR-NLB"
    nlb_mode: str = NLB_STANDBY
    alb_name: str = "MegaTicket-DR-ALB"
    certificate_arn: str = ""  # the ALB's; empty: HTTP only
    table_names: tuple[str, ...] = tuple(f"KDT-Msp4-PLDR-{s}" for s in TABLE_SUFFIXES)
    max_replication_latency_ms: float = 60_000.0
    golden_ami_id: str = ""  # Tokyo AMI; empty: the one the web launch template's $Latest uses
    primary_ami_id: str = ""  # Seoul Golden AMI; empty: the Tokyo copy's SourceAmiId tag
    expected_build: str = ""  # empty: not compared (only the Tokyo copy's tags are read)
    build_tag_key: str = "Build"
    source_tag_key: str = "SourceAmiId"
    web_url: str = ""  # empty: the public name, with the scheme and port of the ALB's listener
    lock_namespace: str = METRIC_NAMESPACE_DEFAULT
    lock_metric: str = "FailoverLock"
    lock_alarm_name: str = "MegaTicket-Failback-Lock"
    drill_max_age_days: int = DRILL_DEFAULT_MAX_AGE_DAYS
    # recovery.* (stack_config/profiles.py): the profile, its warm pools (0: none) and its gate.
    recovery_profile: str = PROFILE_STANDARD
    web_warm_pool_size: int = 0
    app_warm_pool_size: int = 0
    approval_gate: bool = False
    gate_metric: str = GATE_METRIC_NAME  # in lock_namespace and alarm_region, like the lock
    gate_alarm_name: str = "MegaTicket-DR-Approval-Gate"
    # approval.page.* (stack_config/approval_page.py) and reports.bucket: what is deployed for them
    approval_page_enabled: bool = True
    approval_pin_required: bool = True
    approval_pin_parameter: str = DEFAULT_PIN_PARAMETER
    approval_throttling_rate_limit: int = 5
    approval_throttling_burst_limit: int = 10
    reports_bucket: str = ""  # empty: no reports bucket
    http_timeout_seconds: float = 5.0
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), compare=False)

    @property
    def url(self) -> str:
        return self.web_url or facts.public_url(self.record_name, bool(self.certificate_arn))

    @property
    def tables(self) -> dict[str, str]:
        """Table suffix -> name, as the app user data names them."""
        return {suffix: name for name in self.table_names for suffix in TABLE_SUFFIXES
                if name.endswith(f"-{suffix}")}

    def function_timeout(self, suffix: str) -> int:
        if suffix == facts.READINESS_SUFFIX:
            return self.timeout_readiness
        return int(getattr(self, f"timeout_{facts.FUNCTIONS[suffix][1]}"))

    def function_names(self) -> dict[str, str]:
        """Every Lambda the stack deploys: the six steps, and the readiness one when enabled."""
        suffixes = [*facts.FUNCTIONS, *([facts.READINESS_SUFFIX] if self.readiness_enabled else [])]
        return {k: facts.function_name(self.lambda_prefix, k) for k in suffixes}


class CheckFailedError(Exception):
    """Raised inside a check to return a failed result with a fix."""

    def __init__(self, detail: str, fix: str = ""):
        super().__init__(detail)
        self.detail = detail
        self.fix = fix


def code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


_ACCOUNTS: weakref.WeakKeyDictionary[Any, str] = weakref.WeakKeyDictionary()


def account(clients: ClientFactory, s: CheckSettings) -> str:
    """The account id, asked once per client factory (every ARN the checks build needs it)."""
    try:
        return _ACCOUNTS[clients]
    except (KeyError, TypeError):
        pass
    found = str(clients("sts", s.dr_region).get_caller_identity()["Account"])
    try:
        _ACCOUNTS[clients] = found
    except TypeError:  # a factory that cannot be weakly referenced: ask every time
        pass
    return found


def state_machine_arn(clients: ClientFactory, s: CheckSettings, name: str = "") -> str:
    return f"arn:aws:states:{s.dr_region}:{account(clients, s)}:stateMachine:{name or s.state_machine_name}"


def topic_arn(clients: ClientFactory, s: CheckSettings) -> str:
    return f"arn:aws:sns:{s.dr_region}:{account(clients, s)}:{s.approval_topic_name}"


def lambda_arn(clients: ClientFactory, s: CheckSettings, function: str) -> str:
    return f"arn:aws:lambda:{s.dr_region}:{account(clients, s)}:function:{function}"


def iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return str(value) if value is not None else "-"


def decode_user_data(version: dict[str, Any]) -> str:
    raw = version.get("LaunchTemplateData", {}).get("UserData") or ""
    try:
        return base64.b64decode(raw).decode("utf-8", errors="replace")
    except ValueError:
        return ""


def lt_versions(clients: ClientFactory, region: str, lt_name: str) -> list[dict[str, Any]]:
    """Every version of a launch template, oldest first; [] when it does not exist."""
    ec2 = clients("ec2", region)
    versions: list[dict[str, Any]] = []
    try:
        for page in ec2.get_paginator("describe_launch_template_versions").paginate(
                LaunchTemplateName=lt_name):
            versions.extend(page.get("LaunchTemplateVersions", []))
    except ClientError as err:
        if "NotFound" not in code(err) and "Malformed" not in code(err):
            raise
        return []
    return sorted(versions, key=lambda v: int(v["VersionNumber"]))


def latest_version(clients: ClientFactory, s: CheckSettings, lt_name: str) -> dict[str, Any]:
    versions = lt_versions(clients, s.dr_region, lt_name)
    if not versions:
        raise CheckFailedError(f"launch template {lt_name} not found in {s.dr_region}",
                               f"pulumi up --stack {stack_hint(s)}")
    return versions[-1]


def load_balancer(clients: ClientFactory, s: CheckSettings, name: str) -> dict[str, Any] | None:
    try:
        lbs = clients("elbv2", s.dr_region).describe_load_balancers(Names=[name])
    except ClientError as err:
        if code(err) == "LoadBalancerNotFound":
            return None
        raise
    found = lbs.get("LoadBalancers", [])
    return found[0] if found else None


def asgs(clients: ClientFactory, s: CheckSettings) -> dict[str, dict[str, Any]]:
    groups = clients("autoscaling", s.dr_region).describe_auto_scaling_groups(
        AutoScalingGroupNames=[s.web_asg, s.app_asg]).get("AutoScalingGroups", [])
    return {g["AutoScalingGroupName"]: g for g in groups}


def image(clients: ClientFactory, region: str, image_id: str) -> dict[str, Any] | None:
    try:
        images = clients("ec2", region).describe_images(ImageIds=[image_id]).get("Images", [])
    except ClientError as err:
        if "NotFound" in code(err) or "Malformed" in code(err):
            return None
        raise
    return images[0] if images else None


def tag(resource: dict[str, Any], key: str) -> str:
    return next((t["Value"] for t in resource.get("Tags", []) if t.get("Key") == key), "")


def stack_hint(s: CheckSettings) -> str:
    return s.stack_name


def primary_stack_hint(s: CheckSettings) -> str:
    return s.primary_stack_name
