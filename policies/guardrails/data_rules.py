"""DynamoDB rules: the primary's tables exist in Tokyo and can be restored (000 §3, 001 §5 step 4)."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, PolicyConfigSchema

from .context import PRIMARY
from .kit import Subject, resource_policy
from .values import as_list, get_path, is_unknown

TABLE = "aws:dynamodb/table:Table"
DEFAULT_DR_REGION = "ap-northeast-1"
_DR_REGION_SCHEMA = PolicyConfigSchema(properties={"drRegion": {"type": "string",
                                                                "default": DEFAULT_DR_REGION}})


def _dr_region(subject: Subject) -> str:
    return str(subject.config.get("drRegion") or DEFAULT_DR_REGION)


def _replica_findings(subject: Subject) -> Iterator[str]:
    if subject.role != PRIMARY:
        return
    replicas = subject.props.get("replicas")
    if is_unknown(replicas):
        return
    dr_region = _dr_region(subject)
    regions = [get_path(r, "regionName") for r in as_list(replicas)]
    if any(is_unknown(r) for r in regions) or dr_region in regions:
        return
    listed = ", ".join(str(r) for r in regions) or "none"
    yield (f"this primary table has no replica in {dr_region} (replicas: {listed}): after a failover "
           f"Tokyo's app tier finds no data. Add replicas=[{{'region_name': '{dr_region}', "
           f"'point_in_time_recovery': True}}] (a global table; needs stream_enabled).")


REPLICA_POLICY = resource_policy(
    name="primary-tables-replicated-to-dr",
    description=("The primary stack's DynamoDB tables have a replica in the DR region. Mandatory: "
                 "pilot light without data is no recovery."),
    level=EnforcementLevel.MANDATORY,
    types=(TABLE,),
    rule=_replica_findings,
    config_schema=_DR_REGION_SCHEMA,
)


def _pitr_findings(subject: Subject) -> Iterator[str]:
    if subject.role != PRIMARY:
        return
    pitr = subject.props.get("pointInTimeRecovery")
    enabled = get_path(pitr, "enabled")
    if not (is_unknown(pitr) or is_unknown(enabled) or enabled is True):
        yield ("point-in-time recovery is off for this table: a bad write replicates to Tokyo within "
               "seconds and cannot be undone. Set point_in_time_recovery={'enabled': True}.")
    dr_region = _dr_region(subject)
    for replica in as_list(subject.props.get("replicas")):
        if get_path(replica, "regionName") != dr_region:
            continue
        replica_pitr = get_path(replica, "pointInTimeRecovery")
        if not (is_unknown(replica_pitr) or replica_pitr is True):
            yield (f"the {dr_region} replica has point-in-time recovery off: after a failover Tokyo is "
                   f"the write region without backups. Set point_in_time_recovery=True on the replica.")


PITR_POLICY = resource_policy(
    name="primary-tables-point-in-time-recovery",
    description=("The primary stack's DynamoDB tables and their DR replicas have point-in-time recovery. "
                 "Mandatory: the only undo for a replicated bad write."),
    level=EnforcementLevel.MANDATORY,
    types=(TABLE,),
    rule=_pitr_findings,
    config_schema=_DR_REGION_SCHEMA,
)
