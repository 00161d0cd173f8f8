"""FailoverPipelineArgs as stacks.py builds them from the tokyo stack file, so the tests take every
name from stack_config (the one source) and stand in only for values that exist after deploy."""

from __future__ import annotations

from typing import Any

from components.failover_pipeline import FailoverPipelineArgs
from stack_config import settings_for_stack
from tests.conftest import ROOT

_TOKYO = settings_for_stack(ROOT, "tokyo")


def pipeline_args(alarm_provider: Any, **overrides: Any) -> FailoverPipelineArgs:
    s = _TOKYO
    fo, lbs, lock = s.failover, s.load_balancers, s.dns.lock
    values: dict[str, Any] = {
        "alarm_provider": alarm_provider,
        "vpc_id": "⟨network.vpcId⟩",
        "app_subnet_ids": ["⟨subnet-a⟩", "⟨subnet-c⟩"],
        "alb_dns_name": "⟨MegaTicket-DR-ALB.dnsName⟩",
        "app_capacity": s.app.failover_capacity,
        "web_capacity": s.web.failover_capacity,
        "approver_emails": fo.approvers.emails,
        "approver_sms": fo.approvers.sms,
        "state_machine_name": fo.state_machine_name,
        "failback_state_machine_name": fo.failback_state_machine_name,
        "approval_topic_name": fo.approval_topic_name,
        "event_bus_name": fo.event_bus_name,
        "observation_rule_name": fo.observation_rule_name,
        "failover_rule_name": fo.failover_rule_name,
        "alarm_name": fo.alarm_name,
        "lambda_prefix": fo.lambda_prefix,
        "approval_timeout_seconds": fo.approval_timeout_seconds,
        "approval_timeout_action": fo.approval_timeout_action,
        "nlb_name": lbs.nlb_name,
        "nlb_mode": lbs.nlb_mode,
        "app_port": s.app.port,
        "health_path": s.dns.health_check.path,
        "web_launch_template_name": s.web.launch_template_name,
        "app_asg_name": s.app.asg_name,
        "web_asg_name": s.web.asg_name,
        "expected_region": s.region,
        "lock_namespace": lock.namespace,
        "lock_metric": lock.metric_name,
        "lock_alarm_name": lock.alarm_name,
        "lock_region": lock.region,
        "tags": dict(s.tags),
    }
    values.update(overrides)
    return FailoverPipelineArgs(**values)
