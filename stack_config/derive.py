"""The shapes other code needs, derived from `Settings` in one place.

- `lambda_settings`: what every failover Lambda reads from its environment. The pipeline component
  sets `lambda_settings(...).to_env()`; the Lambda reads it back with `failover.settings.Settings.from_env`
  (tests/test_derive.py checks the round trip).
- `check_settings_for`: the names `drctl doctor` and the readiness Lambda check.

drctl and the program both import this; nothing here imports drctl or a component.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Optional

from failover import settings as lambda_env
from failover.checks import CheckSettings
from failover.contract import NLB_STANDBY, target_group_name
from stack_config.model import Capacity, Settings


def health_scheme(settings: Settings) -> str:
    """With a certificate the ALB redirects HTTP to HTTPS and the certificate names the domain, not
    the ALB: step 4 then verifies through the public name over HTTPS, the way users arrive."""
    return "https" if settings.load_balancers.certificate_arn else "http"


def _capacity(c: Capacity) -> lambda_env.Capacity:
    return lambda_env.Capacity(c.min, c.desired, c.max)


def lambda_settings(settings: Settings, *, vpc_id: str, app_subnet_ids: Sequence[str], verify_host: str,
                    approval_topic_arn: str, target_group_name_: Optional[str] = None) -> lambda_env.Settings:
    """`settings` plus the values that exist only after deploy -> the failover Lambdas' settings."""
    lbs, lock = settings.load_balancers, settings.dns.lock
    return lambda_env.Settings(
        nlb_name=lbs.nlb_name,
        nlb_mode=lbs.nlb_mode,
        vpc_id=vpc_id,
        app_subnet_ids=tuple(app_subnet_ids),
        app_port=settings.app.port,
        health_path=settings.dns.health_check.path,
        web_launch_template_name=settings.web.launch_template_name,
        app_asg_name=settings.app.asg_name,
        web_asg_name=settings.web.asg_name,
        app_capacity=_capacity(settings.app.failover_capacity),
        web_capacity=_capacity(settings.web.failover_capacity),
        alb_dns_name=verify_host,
        expected_region=settings.region,
        approval_topic_arn=approval_topic_arn,
        lock_namespace=lock.namespace,
        lock_metric=lock.metric_name,
        lock_region=lock.region,
        lock_alarm_name=lock.alarm_name,
        # Standby: the name AWS gave AppNlb's target group (from its prefix, known after deploy);
        # on-failover: `<nlb name>-TG`, the group step 1 creates.
        target_group_name=target_group_name_ or target_group_name(lbs.nlb_name),
        health_scheme=health_scheme(settings),
        approval_gate=settings.recovery.approval_gate,
        gate_namespace=settings.recovery.gate.namespace,
        gate_metric=settings.recovery.gate.metric_name,
        gate_alarm_name=settings.recovery.gate.alarm_name,
    )


def lambda_env_keys() -> tuple[str, ...]:
    """The variable names `to_env` writes (the same for every settings)."""
    sample = lambda_env.Settings(
        nlb_name="n", nlb_mode=NLB_STANDBY, vpc_id="v", app_subnet_ids=("subnet-1",), app_port=1,
        health_path="/", web_launch_template_name="w", app_asg_name="a", web_asg_name="w",
        app_capacity=lambda_env.Capacity(0, 0, 0), web_capacity=lambda_env.Capacity(0, 0, 0),
        alb_dns_name="d", expected_region="r", approval_topic_arn="arn:t", lock_namespace="n",
        lock_metric="m", lock_region="r", lock_alarm_name="a")
    return tuple(sample.to_env())


def check_settings_for(settings: Settings) -> CheckSettings:
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
        detection_health_check_id=str(fallback.get("detectionHealthCheckId") or ""),
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
        drill_max_age_days=settings.drill.max_age_days,
        approval_page_enabled=settings.approval_page.enabled,
        approval_pin_required=settings.approval_page.pin_required,
        approval_pin_parameter=settings.approval_page.pin_parameter,
        approval_throttling_rate_limit=settings.approval_page.throttling_rate_limit,
        approval_throttling_burst_limit=settings.approval_page.throttling_burst_limit,
        reports_bucket=settings.reports.bucket or "",
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
        recovery_profile=settings.recovery.profile,
        web_warm_pool_size=settings.recovery.warm_pool_size(web),
        app_warm_pool_size=settings.recovery.warm_pool_size(app),
        approval_gate=settings.recovery.approval_gate,
        gate_metric=settings.recovery.gate.metric_name,
        gate_alarm_name=settings.recovery.gate.alarm_name,
    )
