"""FailoverPipelineArgs as stacks.py builds them from the tokyo stack file, so the tests take every
name from stack_config (the one source) and stand in only for values that exist after deploy."""

from __future__ import annotations

import dataclasses
from typing import Any

from components.failover_pipeline import FailoverPipelineArgs
from stack_config import Settings, settings_for_stack
from tests.conftest import ROOT


def tokyo_settings(*assignments: str) -> Settings:
    """The tokyo stack's settings with `--set`-style changes, validated like the CLI's."""
    return settings_for_stack(ROOT, "tokyo", list(assignments))


def with_failover(settings: Settings, **changes: Any) -> Settings:
    """Settings a programmatic caller built around stack_config (what the config would refuse)."""
    return dataclasses.replace(settings, failover=dataclasses.replace(settings.failover, **changes))


def pipeline_args(alarm_provider: Any, *assignments: str, settings: Settings | None = None,
                  **overrides: Any) -> FailoverPipelineArgs:
    values: dict[str, Any] = {
        "settings": settings or tokyo_settings(*assignments),
        "alarm_provider": alarm_provider,
        "vpc_id": "⟨network.vpcId⟩",
        "app_subnet_ids": ["⟨subnet-a⟩", "⟨subnet-c⟩"],
        "alb_dns_name": "⟨MegaTicket-DR-ALB.dnsName⟩",
    }
    values.update(overrides)
    return FailoverPipelineArgs(**values)
