"""The one place drctl turns a stack file into names: `Pulumi.<stack>.yaml` via `stack_config`.

drctl reads the same file `pulumi up` does, so the names it checks are the names the stack
deployed. Everything the checks need that only exists after deploy (the health check id, the web
URL) is either discovered at run time or overridable on the command line.
"""

from __future__ import annotations

import os
import sys
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
    if not url.startswith(("http://", "https://")):
        raise UsageError(f"--url must be an http:// or https:// URL such as https://pilotlight-test.click/ "
                         f"(got {url})")
    return replace(info, checks=replace(info.checks, web_url=url))


def check_settings_for(settings: Any) -> CheckSettings:
    """`stack_config.Settings` -> the names the checks use; also what the stack wiring hands the
    Readiness component, so doctor and the readiness Lambda check the same things."""
    fallback = settings.primary.fallback
    return CheckSettings(
        dr_region=settings.dr_region,
        primary_region=settings.primary_region,
        alarm_region=settings.alarm_region,
        domain=settings.dns.domain,
        health_check_id=str(fallback.get("healthCheckId") or ""),
        alarm_name=settings.failover.alarm_name,
        observation_rule_name=settings.failover.observation_rule_name,
        event_bus_name=settings.failover.event_bus_name,
        failover_rule_name=settings.failover.failover_rule_name,
        state_machine_name=settings.failover.state_machine_name,
        approval_topic_name=settings.failover.approval_topic_name,
        web_launch_template=settings.web.launch_template_name,
        app_launch_template=settings.app.launch_template_name,
        web_asg=settings.web.asg_name,
        app_asg=settings.app.asg_name,
        nlb_name=settings.load_balancers.nlb_name,
        nlb_mode=settings.load_balancers.nlb_mode,
        alb_name=settings.load_balancers.alb_name,
        app_port=settings.app.port,
        table_names=tuple(settings.data.table_names.values()),
        primary_launch_template=settings.web.launch_template_name.replace("-DR-", "-"),
        golden_ami_id=settings.ami.id or "",
        primary_ami_id=settings.ami.source_id or str(fallback.get("goldenAmiId") or ""),
        expected_build=settings.ami.build or str(fallback.get("goldenAmiBuild") or ""),
        web_url=f"https://{settings.dns.record_name}/",
        lock_namespace=settings.dns.lock.namespace,
        lock_metric=settings.dns.lock.metric_name,
        lock_alarm_name=settings.dns.lock.alarm_name,
    )
