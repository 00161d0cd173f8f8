"""Settings every failover Lambda reads from its environment.

The pipeline component sets exactly `to_env()` of the settings `stack_config.derive.lambda_settings`
builds on every failover Lambda; `Settings.from_env()` reads them back once per invocation.

Required:
  NLB_NAME                  internal NLB in front of the app tier (e.g. MegaTicket-DR-NLB)
  NLB_MODE                  `standby` (NLB is deployed ahead, step 1 only verifies it) or
                            `on-failover` (step 1 creates it, failback removes it)
  VPC_ID                    VPC of the app tier (vpc-...)
  APP_SUBNET_IDS            comma-separated subnet ids for the NLB (subnet-a,subnet-b)
  APP_PORT                  app port the NLB listens on and forwards to (3001)
  HEALTH_PATH               health path on app and web (/api/health)
  WEB_LAUNCH_TEMPLATE_NAME  launch template whose user data holds INTERNAL_API_URL
  APP_ASG_NAME, WEB_ASG_NAME
  APP_MIN, APP_DESIRED, APP_MAX, WEB_MIN, WEB_DESIRED, WEB_MAX   failover capacities (ints >= 0,
                            min <= desired <= max)
  ALB_DNS_NAME              Tokyo ALB DNS name; step 4 calls http(s)://<ALB_DNS_NAME><HEALTH_PATH>
  EXPECTED_REGION           region /api/health must report (ap-northeast-1)
  APPROVAL_TOPIC_ARN        SNS topic for approval requests and notifications
  LOCK_NAMESPACE, LOCK_METRIC, LOCK_REGION, LOCK_ALARM_NAME
                            the failback lock (MegaTicket/DR, FailoverLock, us-east-1,
                            MegaTicket-Failback-Lock); 1 = locked, 0 = released

Optional:
  NLB_TARGET_GROUP_NAME     default `<NLB_NAME>-TG` (failover.contract.target_group_name)
  HEALTH_SCHEME             `http` (default) or `https`
  HTTP_TIMEOUT_SECONDS      default 5
  APPROVAL_GATE             `true` in the fast profile: the approval gate in front of SECONDARY
                            (default `false`); with it GATE_NAMESPACE, GATE_METRIC, GATE_ALARM_NAME
                            (MegaTicket/DR, ApprovalGate, MegaTicket-DR-Approval-Gate; in LOCK_REGION)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from failover.contract import ELB_NAME, NLB_MODES, target_group_name

__all__ = ["NLB_MODES", "Capacity", "Settings", "SettingsError"]


class SettingsError(ValueError):
    """A missing or malformed environment variable; the message is one line naming it."""


def _required(env: Mapping[str, str], key: str) -> str:
    value = env.get(key, "").strip()
    if not value:
        raise SettingsError(f"environment variable {key} is missing or empty")
    return value


def _int(env: Mapping[str, str], key: str, *, default: int | None = None, minimum: int = 0) -> int:
    raw = env.get(key, "").strip()
    if not raw and default is not None:
        return default
    if not raw:
        raise SettingsError(f"environment variable {key} is missing; expected an integer >= {minimum}")
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"environment variable {key}={raw!r} is not an integer") from None
    if value < minimum:
        raise SettingsError(f"environment variable {key}={value} must be >= {minimum}")
    return value


def _flag(env: Mapping[str, str], key: str) -> bool:
    raw = env.get(key, "").strip().lower()
    if raw not in ("", "true", "false"):
        raise SettingsError(f"environment variable {key}={raw!r} must be true or false")
    return raw == "true"


@dataclass(frozen=True)
class Capacity:
    minimum: int
    desired: int
    maximum: int

    def __post_init__(self) -> None:
        if not 0 <= self.minimum <= self.desired <= self.maximum:
            raise SettingsError(
                f"capacity min={self.minimum} desired={self.desired} max={self.maximum} "
                "must satisfy 0 <= min <= desired <= max"
            )


@dataclass(frozen=True)
class Settings:
    nlb_name: str
    nlb_mode: str
    vpc_id: str
    app_subnet_ids: tuple[str, ...]
    app_port: int
    health_path: str
    web_launch_template_name: str
    app_asg_name: str
    web_asg_name: str
    app_capacity: Capacity
    web_capacity: Capacity
    alb_dns_name: str
    expected_region: str
    approval_topic_arn: str
    lock_namespace: str
    lock_metric: str
    lock_region: str
    lock_alarm_name: str
    target_group_name: str = ""
    health_scheme: str = "http"
    http_timeout_seconds: int = 5
    approval_gate: bool = False
    gate_namespace: str = ""
    gate_metric: str = ""
    gate_alarm_name: str = ""

    def __post_init__(self) -> None:
        if not self.target_group_name:
            object.__setattr__(self, "target_group_name", target_group_name(self.nlb_name))

    def validated(self) -> Settings:
        """This settings, or SettingsError naming the variable (the Lambda's own environment check;
        the values were checked by stack_config before deploy)."""
        if self.nlb_mode not in NLB_MODES:
            raise SettingsError(f"NLB_MODE={self.nlb_mode!r} must be one of {', '.join(NLB_MODES)}")
        if not 1 <= self.app_port <= 65535:
            raise SettingsError(f"APP_PORT={self.app_port} must be a port number 1-65535")
        if not self.health_path.startswith("/"):
            raise SettingsError(f"HEALTH_PATH={self.health_path!r} must start with '/'")
        if not self.app_subnet_ids or not all(s.startswith("subnet-") for s in self.app_subnet_ids):
            raise SettingsError("APP_SUBNET_IDS must be a comma-separated list of subnet-... ids")
        if self.health_scheme not in ("http", "https"):
            raise SettingsError(f"HEALTH_SCHEME={self.health_scheme!r} must be http or https")
        if not self.approval_topic_arn.startswith("arn:"):
            raise SettingsError(f"APPROVAL_TOPIC_ARN={self.approval_topic_arn!r} must be an SNS topic ARN")
        if self.approval_gate and not (self.gate_namespace and self.gate_metric and self.gate_alarm_name):
            raise SettingsError("APPROVAL_GATE=true needs GATE_NAMESPACE, GATE_METRIC and GATE_ALARM_NAME")
        if ELB_NAME.problem(self.nlb_name):
            raise SettingsError(f"NLB_NAME={self.nlb_name!r} must be {ELB_NAME.what}: {ELB_NAME.expected()}")
        return self

    @property
    def health_url(self) -> str:
        return f"{self.health_scheme}://{self.alb_dns_name}{self.health_path}"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        return cls(
            nlb_name=_required(env, "NLB_NAME"),
            nlb_mode=_required(env, "NLB_MODE"),
            vpc_id=_required(env, "VPC_ID"),
            app_subnet_ids=tuple(s.strip() for s in _required(env, "APP_SUBNET_IDS").split(",") if s.strip()),
            app_port=_int(env, "APP_PORT", minimum=1),
            health_path=_required(env, "HEALTH_PATH"),
            web_launch_template_name=_required(env, "WEB_LAUNCH_TEMPLATE_NAME"),
            app_asg_name=_required(env, "APP_ASG_NAME"),
            web_asg_name=_required(env, "WEB_ASG_NAME"),
            app_capacity=Capacity(_int(env, "APP_MIN"), _int(env, "APP_DESIRED"), _int(env, "APP_MAX")),
            web_capacity=Capacity(_int(env, "WEB_MIN"), _int(env, "WEB_DESIRED"), _int(env, "WEB_MAX")),
            alb_dns_name=_required(env, "ALB_DNS_NAME"),
            expected_region=_required(env, "EXPECTED_REGION"),
            approval_topic_arn=_required(env, "APPROVAL_TOPIC_ARN"),
            lock_namespace=_required(env, "LOCK_NAMESPACE"),
            lock_metric=_required(env, "LOCK_METRIC"),
            lock_region=_required(env, "LOCK_REGION"),
            lock_alarm_name=_required(env, "LOCK_ALARM_NAME"),
            target_group_name=env.get("NLB_TARGET_GROUP_NAME", "").strip(),
            health_scheme=env.get("HEALTH_SCHEME", "").strip() or "http",
            http_timeout_seconds=_int(env, "HTTP_TIMEOUT_SECONDS", default=5, minimum=1),
            approval_gate=_flag(env, "APPROVAL_GATE"),
            gate_namespace=env.get("GATE_NAMESPACE", "").strip(),
            gate_metric=env.get("GATE_METRIC", "").strip(),
            gate_alarm_name=env.get("GATE_ALARM_NAME", "").strip(),
        ).validated()

    def to_env(self) -> dict[str, str]:
        """The inverse of from_env: what the component sets on each Lambda (and what tests use)."""
        return {
            "NLB_NAME": self.nlb_name,
            "NLB_MODE": self.nlb_mode,
            "VPC_ID": self.vpc_id,
            "APP_SUBNET_IDS": ",".join(self.app_subnet_ids),
            "APP_PORT": str(self.app_port),
            "HEALTH_PATH": self.health_path,
            "WEB_LAUNCH_TEMPLATE_NAME": self.web_launch_template_name,
            "APP_ASG_NAME": self.app_asg_name,
            "WEB_ASG_NAME": self.web_asg_name,
            "APP_MIN": str(self.app_capacity.minimum),
            "APP_DESIRED": str(self.app_capacity.desired),
            "APP_MAX": str(self.app_capacity.maximum),
            "WEB_MIN": str(self.web_capacity.minimum),
            "WEB_DESIRED": str(self.web_capacity.desired),
            "WEB_MAX": str(self.web_capacity.maximum),
            "ALB_DNS_NAME": self.alb_dns_name,
            "EXPECTED_REGION": self.expected_region,
            "APPROVAL_TOPIC_ARN": self.approval_topic_arn,
            "LOCK_NAMESPACE": self.lock_namespace,
            "LOCK_METRIC": self.lock_metric,
            "LOCK_REGION": self.lock_region,
            "LOCK_ALARM_NAME": self.lock_alarm_name,
            "NLB_TARGET_GROUP_NAME": self.target_group_name,
            "HEALTH_SCHEME": self.health_scheme,
            "HTTP_TIMEOUT_SECONDS": str(self.http_timeout_seconds),
            "APPROVAL_GATE": "true" if self.approval_gate else "false",
            "GATE_NAMESPACE": self.gate_namespace,
            "GATE_METRIC": self.gate_metric,
            "GATE_ALARM_NAME": self.gate_alarm_name,
        }
