"""`load_settings`: every setting read and checked once, section by section, before anything is declared.

The program, the offline preview and `drctl` all call it with the flat `{"<namespace>:<key>": value}`
map the Pulumi CLI hands a program (objects and lists arrive JSON-encoded), so the three can never
disagree about a default or a rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pulumi

from failover.contract import NLB_STANDBY
from stack_config import consistency
from stack_config.approval_page import read_approval_page
from stack_config.cost import read_cost
from stack_config.drills import read_drill, read_reports
from stack_config.errors import NAMESPACE
from stack_config.infra import read_ami, read_data, read_network
from stack_config.model import Settings
from stack_config.pipeline import read_failover, read_readiness
from stack_config.primary import read_primary, read_tags
from stack_config.profiles import read_profile, read_recovery
from stack_config.reader import Section
from stack_config.tiers import read_tier
from stack_config.traffic import read_dns, read_health_check, read_load_balancers, read_lock, read_regions

TOP_LEVEL_KEYS = (
    "role", "primaryRegion", "drRegion", "alarmRegion", "tablePrefix", "tables", "domain",
    "hostedZoneId", "dns", "healthCheck", "lock", "web", "app", "network", "alb", "nlb", "ami",
    "failover", "approvers", "readiness", "primaryStack", "primary", "tags", "cost", "recovery",
    "drill", "reports",
    "approval",
)


def decode(value: Any) -> Any:
    """The CLI passes objects and lists JSON-encoded; scalars stay strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def our_values(values: Mapping[str, Any]) -> dict[str, Any]:
    ours: dict[str, Any] = {}
    for full_key, value in values.items():
        namespace, _, key = str(full_key).partition(":")
        if namespace == NAMESPACE and value is not None:
            ours[key] = decode(value)
    return ours


def load_settings(values: Mapping[str, Any], stack: str, project: str = NAMESPACE) -> Settings:
    """Read and validate every setting from the flat map the Pulumi CLI passes a program."""
    root = Section("", our_values(values)).only(*TOP_LEVEL_KEYS)
    regions = read_regions(root, stack, values.get("aws:region"))
    is_dr = regions.role == "dr"
    name_prefix = "MegaTicket-DR" if is_dr else "MegaTicket"
    # A profile sets defaults only: every setting it touches, when given, wins. Load balancer and
    # network defaults apply to the DR stack; the primary's serve production.
    profile, defaults = read_profile(root)
    load_balancers = read_load_balancers(root, regions, name_prefix,
                                         defaults.nlb_mode if is_dr else NLB_STANDBY)
    lock = read_lock(root, regions.alarm)
    health_check = read_health_check(root, load_balancers.certificate_arn, defaults.health_check_interval,
                                     defaults.health_check_failure_threshold)
    dns = read_dns(root, health_check, lock)
    web, app = (read_tier(root, role, is_dr, name_prefix) for role in ("web", "app"))
    consistency.check_tiers(web, app)
    failover = read_failover(root, is_dr, regions.alarm)
    consistency.check_failover(failover, lock)
    ami = read_ami(root, is_dr, regions.primary)
    recovery = read_recovery(root, profile, defaults, is_dr=is_dr, nlb_mode=load_balancers.nlb_mode,
                             lock=lock, name_prefix=name_prefix)
    consistency.check_gate(recovery, failover, lock)
    return Settings(
        project=project,
        stack=stack,
        role=regions.role,
        region=regions.home,
        primary_region=regions.primary,
        dr_region=regions.dr,
        alarm_region=regions.alarm,
        data=read_data(root),
        dns=dns,
        web=web,
        app=app,
        network=read_network(root, is_dr, defaults.nat_gateway and is_dr),
        load_balancers=load_balancers,
        ami=ami,
        failover=failover,
        readiness=read_readiness(root),
        primary=read_primary(root, stack, project, is_dr, regions.primary,
                             ami_given=bool(ami.id or ami.source_id)),
        tags=read_tags(root, stack),
        cost=read_cost(root),
        recovery=recovery,
        drill=read_drill(root),
        reports=read_reports(root, is_dr),
        approval_page=read_approval_page(root),
    )


def from_pulumi() -> Settings:
    """Settings of the running Pulumi program."""
    from pulumi.runtime import config as runtime_config

    values = dict(runtime_config.CONFIG.get())
    return load_settings(values, pulumi.get_stack(), pulumi.get_project())
