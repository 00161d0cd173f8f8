"""Route 53 failover and detection rules (001 §7.1, §7.4)."""

from __future__ import annotations

from collections.abc import Iterator

from pulumi_policy import EnforcementLevel, PolicyConfigSchema

from failover.contract import ALARM_REGION, FAILOVER_RECORD_MAX_TTL

from .kit import Subject, resource_policy
from .values import as_list, get_path, is_unknown

RECORD = "aws:route53/record:Record"
DETECTION_REGION = ALARM_REGION
DEFAULT_MAX_TTL = FAILOVER_RECORD_MAX_TTL  # shared with stack_config (dns.ttl)


def _failover_types(subject: Subject) -> list[str]:
    return [str(get_path(p, "type")) for p in as_list(subject.props.get("failoverRoutingPolicies"))
            if isinstance(p, dict) and get_path(p, "type") is not None]


def _is_failover_record(subject: Subject) -> bool:
    policies = subject.props.get("failoverRoutingPolicies")
    return is_unknown(policies) or bool(as_list(policies))


# ---------------------------------------------------------------- PRIMARY has a health check


def _primary_health_check_findings(subject: Subject) -> Iterator[str]:
    if "PRIMARY" not in _failover_types(subject):
        return
    health_check = subject.props.get("healthCheckId")
    if health_check is None or (isinstance(health_check, str) and not health_check.strip()):
        yield ("this PRIMARY failover record has no healthCheckId: Route 53 treats it as always healthy "
               "and never answers with the SECONDARY (Tokyo) record. Attach the calculated health check "
               "(endpoint check AND failback lock).")


PRIMARY_HEALTH_CHECK_POLICY = resource_policy(
    name="primary-failover-record-has-health-check",
    description=("PRIMARY failover records carry a health check. Mandatory: without one DNS never fails "
                 "over."),
    level=EnforcementLevel.MANDATORY,
    types=(RECORD,),
    rule=_primary_health_check_findings,
)

# ---------------------------------------------------------------- TTL


def _ttl_findings(subject: Subject) -> Iterator[str]:
    if not _is_failover_record(subject):
        return
    ttl = subject.props.get("ttl")
    aliases = subject.props.get("aliases")
    if ttl is None or is_unknown(ttl) or is_unknown(aliases):
        return
    max_ttl = int(subject.config.get("maxFailoverTtl", DEFAULT_MAX_TTL))
    try:
        ttl = float(ttl)
    except (TypeError, ValueError):
        return
    if as_list(aliases):
        yield (f"this alias failover record sets ttl={ttl:g}: alias records take the target's TTL and "
               f"Route 53 rejects a TTL on them. Remove ttl.")
    elif ttl > max_ttl:
        yield (f"this failover record has ttl={ttl:g} > {max_ttl}: resolvers keep answering with the failed "
               f"region for up to {ttl:g} s after failover (RTO). Use ttl<={max_ttl}.")


TTL_POLICY = resource_policy(
    name="failover-record-ttl",
    description=(f"Failover records: alias records carry no TTL, plain records TTL <= {DEFAULT_MAX_TTL} s. "
                 "Mandatory: an alias TTL fails the deployment, a long TTL adds directly to the RTO."),
    level=EnforcementLevel.MANDATORY,
    types=(RECORD,),
    rule=_ttl_findings,
    config_schema=PolicyConfigSchema(properties={"maxFailoverTtl": {"type": "integer",
                                                                     "default": DEFAULT_MAX_TTL}}),
)

# ---------------------------------------------------------------- health-check alarm in us-east-1


def _is_route53_alarm(subject: Subject) -> bool:
    if subject.props.get("namespace") == "AWS/Route53":
        return True
    for query in as_list(subject.props.get("metricQueries")):
        if get_path(query, "metric", "namespace") == "AWS/Route53":
            return True
    return False


def _alarm_region_findings(subject: Subject) -> Iterator[str]:
    if not _is_route53_alarm(subject) or subject.region is None:
        return
    if subject.region != DETECTION_REGION:
        yield (f"this alarm watches AWS/Route53 health-check metrics from {subject.region}: Route 53 "
               f"publishes them only in {DETECTION_REGION}, so the alarm stays INSUFFICIENT_DATA and the "
               f"failover pipeline never starts. Create it with the us-east-1 provider.")


ALARM_REGION_POLICY = resource_policy(
    name="route53-health-check-alarm-in-us-east-1",
    description=("Alarms on Route 53 health-check metrics live in us-east-1. Mandatory: anywhere else "
                 "they never fire and failover detection is dead."),
    level=EnforcementLevel.MANDATORY,
    types=("aws:cloudwatch/metricAlarm:MetricAlarm",),
    rule=_alarm_region_findings,
)
