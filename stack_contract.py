"""The outputs the primary (seoul) stack exports and the DR (tokyo) stack reads.

One list, so the two stacks cannot drift apart. The DR stack reads each value from the
primary's StackReference when `megaticket-dr:primaryStack` is set, and falls back per key to
`megaticket-dr:primary.<key>` config, so Tokyo can be stood up without Seoul's state.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Optional

import pulumi

from failover.contract import PRIMARY_OUTPUTS
from stack_config import NAMESPACE, ConfigError, Settings

__all__ = ["PRIMARY_OUTPUTS", "PrimaryOutputs", "read_primary"]


@dataclass(frozen=True)
class PrimaryOutputs:
    """What the DR stack needs from the primary, as Outputs."""

    health_check_id: pulumi.Output[str]
    # What the detection alarm watches: seoul's calculated detection check, whose id survives a
    # replaced endpoint check (components/primary_dns.py). A seoul state from before it existed,
    # or config without it, falls back to the endpoint check id.
    detection_health_check_id: pulumi.Output[str]
    golden_ami_id: pulumi.Output[str]
    golden_ami_build: pulumi.Output[str]
    table_names: pulumi.Output[dict]
    nlb_dns_name: pulumi.Output[str]


def read_primary(settings: Settings, needs_ami: bool) -> PrimaryOutputs:
    """Each value from the StackReference, else config; a value neither has is a config error."""
    ref_name = settings.primary.stack_name
    fallback = settings.primary.fallback
    reference = pulumi.StackReference(f"{settings.project}-primary", stack_name=ref_name) \
        if ref_name else None

    def value(key: str, required: bool, default: Optional[Any] = None) -> pulumi.Output[Any]:
        configured = fallback.get(key, default)
        if reference is None:
            if configured is None and required:
                raise ConfigError(
                    f"{NAMESPACE}:primary.{key} must be set when {NAMESPACE}:primaryStack is not "
                    f"(got nothing)")
            return pulumi.Output.from_input(configured)
        return reference.get_output(key).apply(
            lambda got: got if got is not None else configured)

    health_check_id = value("healthCheckId", required=True)
    detection = value("detectionHealthCheckId", required=False)
    return PrimaryOutputs(
        health_check_id=health_check_id,
        detection_health_check_id=pulumi.Output.all(detection, health_check_id).apply(
            lambda ids: ids[0] or ids[1]),
        golden_ami_id=value("goldenAmiId", required=needs_ami),
        golden_ami_build=value("goldenAmiBuild", required=False, default="unknown"),
        table_names=value("tableNames", required=False, default=settings.data.table_names),
        nlb_dns_name=value("nlbDnsName", required=False),
    )
