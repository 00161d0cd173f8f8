"""The one place drctl turns a stack file into names: `Pulumi.<stack>.yaml` via `stack_config`.

drctl reads the same file `pulumi up` does, so the names it checks are the names the stack
deployed. Everything the checks need that only exists after deploy (the health check id, the web
URL) is either discovered at run time or overridable on the command line.
"""

from __future__ import annotations

import os
import urllib.parse
from dataclasses import dataclass, replace
from pathlib import Path

import stack_config
from cost.instances import TierCost
from drctl.usage import UsageError
from failover.checks import CheckSettings
from failover.contract import DRILL_DEFAULT_MAX_AGE_DAYS
from stack_config.derive import check_settings_for

__all__ = ["PROJECT_DIR_ENV", "StackInfo", "UsageError", "check_settings_for", "load_stack", "project_dir",
           "stack_info", "with_web_url"]

PROJECT_DIR_ENV = "DRCTL_PROJECT_DIR"


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
    recovery_profile: str
    warm_pool: bool
    approval_gate: bool
    target_health_interval: int
    drill_tiers: tuple[TierCost, ...] = ()  # what a drill scales (failover capacity) and prices
    drill_max_age_days: int = DRILL_DEFAULT_MAX_AGE_DAYS
    reports_bucket: str | None = None


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
    try:
        settings = stack_config.settings_for_stack(root, stack, overrides or [])
    except stack_config.ConfigError as err:
        raise UsageError(str(err)) from err
    if not settings.is_dr:
        raise UsageError(f"--stack must name the DR stack (role dr), such as tokyo (got {stack}, "
                         f"role {settings.role})")
    return stack_info(stack, settings)


def stack_info(stack: str, settings: stack_config.Settings) -> StackInfo:
    """The DR stack's settings as drctl uses them (also what the program hands the report writer)."""
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
        recovery_profile=settings.recovery.profile,
        warm_pool=settings.recovery.warm_pool,
        approval_gate=settings.recovery.approval_gate,
        target_health_interval=settings.recovery.target_health_interval,
        drill_tiers=tuple(TierCost(t.role, t.instance_type, t.failover_capacity.desired)
                          for t in (settings.app, settings.web)),
        drill_max_age_days=settings.drill.max_age_days,
        reports_bucket=settings.reports.bucket,
    )


def with_web_url(info: StackInfo, url: str | None) -> StackInfo:
    if not url:
        return info
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme not in ("http", "https") or not parsed.hostname:
        raise UsageError(f"--url must be an http:// or https:// URL such as https://pilotlight-test.click/ "
                         f"(got {url})")
    return replace(info, checks=replace(info.checks, web_url=url))
