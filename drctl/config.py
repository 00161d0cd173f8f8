"""The one place drctl turns a stack file into names: `Pulumi.<stack>.yaml` via `stack_config`.

drctl reads the same file `pulumi up` does, so the names it checks are the names the stack
deployed. Everything the checks need that only exists after deploy (the health check id, the web
URL) is either discovered at run time or overridable on the command line.
"""

from __future__ import annotations

import os
import sys
import urllib.parse
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from failover.checks import CheckSettings

PROJECT_DIR_ENV = "DRCTL_PROJECT_DIR"


class UsageError(Exception):
    """Bad input or configuration: drctl prints the one-line message and exits 2."""


@dataclass(frozen=True)
class StackInfo:
    """What the commands beyond `doctor` need from the stack settings."""

    stack: str
    checks: CheckSettings
    failback_state_machine_name: str
    health_check_interval: int
    health_check_failure_threshold: int
    dns_ttl: int
    approval_timeout_seconds: int
    nlb_mode: str
    health_check_grace_seconds: int
    health_path: str


def project_dir() -> Path:
    """Where Pulumi.yaml lives: $DRCTL_PROJECT_DIR, the current directory or a parent, else the
    checkout drctl was installed from (`pip install -e .`)."""
    configured = os.environ.get(PROJECT_DIR_ENV)
    if configured:
        path = Path(configured)
        if not (path / "Pulumi.yaml").is_file():
            raise UsageError(f"{PROJECT_DIR_ENV} must name a directory holding Pulumi.yaml "
                             f"(got {configured})")
        return path
    for candidate in (Path.cwd(), *Path.cwd().parents, Path(__file__).resolve().parent.parent):
        if (candidate / "Pulumi.yaml").is_file():
            return candidate
    raise UsageError("no Pulumi.yaml found: run `drctl` in the megaticket-dr checkout or set "
                     f"{PROJECT_DIR_ENV}")


def load_stack(stack: str, overrides: list[str] | None = None) -> StackInfo:
    root = project_dir()
    if str(root) not in sys.path:
        sys.path.insert(0, str(root))
    try:
        import stack_config
    except ImportError as err:  # pragma: no cover - the checkout always has it
        raise UsageError(f"cannot import stack_config from {root}: {err}") from err
    try:
        settings = stack_config.settings_for_stack(root, stack, overrides or [])
    except stack_config.ConfigError as err:
        raise UsageError(str(err)) from err
    if not settings.is_dr:
        raise UsageError(f"--stack must name the DR stack (role dr), such as tokyo (got {stack}, "
                         f"role {settings.role})")
    checks = check_settings_for(settings)
    return StackInfo(
        stack=stack,
        checks=checks,
        failback_state_machine_name=settings.failover.failback_state_machine_name,
        health_check_interval=settings.dns.health_check.interval,
        health_check_failure_threshold=settings.dns.health_check.failure_threshold,
        dns_ttl=settings.dns.ttl,
        approval_timeout_seconds=settings.failover.approval_timeout_seconds,
        nlb_mode=settings.load_balancers.nlb_mode,
        health_check_grace_seconds=settings.web.health_check_grace_seconds,
        health_path=settings.dns.health_check.path,
    )


def with_web_url(info: StackInfo, url: str | None) -> StackInfo:
    if not url:
        return info
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UsageError(f"--url must be an http:// or https:// URL such as https://pilotlight-test.click/ "
                         f"(got {url})")
    return replace(info, checks=replace(info.checks, web_url=url))


def check_settings_for(settings: Any) -> CheckSettings:
    """`stack_config.Settings` -> what the checks expect; also what the stack wiring hands the
    Readiness component, so doctor and the readiness Lambda check the same things."""
    fallback = settings.primary.fallback
    fo, web, app, lbs, timeouts = (settings.failover, settings.web, settings.app,
                                   settings.load_balancers, settings.failover.lambda_timeouts)
    copied = not settings.ami.id  # the stack copies Seoul's AMI and tags the copy (golden_ami.py)
    return CheckSettings(
        stack_name=settings.stack,
        primary_stack_name=(settings.primary.stack_name or "seoul").rsplit("/", 1)[-1],
        dr_region=settings.dr_region,
        primary_region=settings.primary_region,
        alarm_region=settings.alarm_region,
        domain=settings.dns.domain,
        record_name=settings.dns.record_name,
        hosted_zone_id=settings.dns.hosted_zone_id or "",
        health_check_id=str(fallback.get("healthCheckId") or ""),
        health_path=settings.dns.health_check.path,
        alarm_name=fo.alarm_name,
        observation_rule_name=fo.observation_rule_name,
        event_bus_name=fo.event_bus_name,
        failover_rule_name=fo.failover_rule_name,
        state_machine_name=fo.state_machine_name,
        failback_state_machine_name=fo.failback_state_machine_name,
        approval_topic_name=fo.approval_topic_name,
        approval_timeout_seconds=fo.approval_timeout_seconds,
        approval_timeout_action=fo.approval_timeout_action,
        lambda_prefix=fo.lambda_prefix,
        timeout_approval=timeouts.approval,
        timeout_nlb=timeouts.nlb,
        timeout_launch_template=timeouts.launch_template,
        timeout_scale=timeouts.scale,
        timeout_verify=timeouts.verify,
        timeout_failback=timeouts.failback,
        timeout_readiness=timeouts.readiness,
        readiness_enabled=settings.readiness.enabled,
        web_launch_template=web.launch_template_name,
        app_launch_template=app.launch_template_name,
        web_asg=web.asg_name,
        app_asg=app.asg_name,
        web_port=web.port,
        app_port=app.port,
        web_pm2_name=web.pm2_name,
        app_pm2_name=app.pm2_name,
        web_app_dir=web.app_dir,
        app_app_dir=app.app_dir,
        web_env_file=web.env_file,
        app_env_file=app.env_file,
        recovery_mode=settings.recovery_mode,
        nlb_name=lbs.nlb_name,
        nlb_mode=lbs.nlb_mode,
        alb_name=lbs.alb_name,
        certificate_arn=lbs.certificate_arn or "",
        table_names=tuple(settings.data.table_names.values()),
        golden_ami_id=settings.ami.id or "",
        primary_ami_id=(settings.ami.source_id or str(fallback.get("goldenAmiId") or "")) if copied else "",
        expected_build=(settings.ami.build or str(fallback.get("goldenAmiBuild") or "")) if copied else "",
        lock_namespace=settings.dns.lock.namespace,
        lock_metric=settings.dns.lock.metric_name,
        lock_alarm_name=settings.dns.lock.alarm_name,
    )
