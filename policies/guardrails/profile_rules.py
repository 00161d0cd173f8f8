"""Rules for the recovery profiles: what a warm pool boots, and the fast profile's approval gate."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from pulumi_policy import EnforcementLevel

from failover.contract import PROFILE_FAST, RECOVERY_PROFILE_TAG

from .kit import Subject, stack_policy
from .user_data import placeholder_tokens, user_data_of
from .values import as_list, get_path, is_unknown

_ASG = "aws:autoscaling/group:Group"
_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
_CHECK = "aws:route53/healthCheck:HealthCheck"
_RECORD = "aws:route53/record:Record"

# ---------------------------------------------------------------- warm pools boot a final template


def _template_of(group: Subject, by_urn: Mapping[str, Subject]) -> Subject | None:
    """The launch template the group launches: through the dependency of `launchTemplate`, or by
    id/name when the value is known."""
    for urn in group.property_dependencies.get("launchTemplate", ()):
        if urn in by_urn and by_urn[urn].type == _TEMPLATE:
            return by_urn[urn]
    spec = group.props.get("launchTemplate")
    wanted = {get_path(spec, "id"), get_path(spec, "name")} - {None}
    for subject in by_urn.values():
        if subject.type == _TEMPLATE and wanted & {subject.props.get("id"), subject.props.get("name")}:
            return subject
    return None


def _warm_pool_findings(subjects: list[Subject], config: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    by_urn = {s.urn: s for s in subjects}
    for group in subjects:
        pool = group.props.get("warmPool") if group.type == _ASG else None
        if not pool or is_unknown(pool):
            continue
        template = _template_of(group, by_urn)
        if template is None:
            continue
        tokens = placeholder_tokens(user_data_of(template.type, template.props))
        if tokens:
            yield (f"Auto Scaling group {group.name} keeps a warm pool, but its launch template "
                   f"{template.name} still carries {', '.join(tokens)}: warm-pool instances run their "
                   "user data when the pool is filled, at deploy, and keep that environment when they "
                   "start during a failover, so the web tier would dial "
                   f"http://{tokens[0]}:3001 (step 2 rewrites only the template, not stopped "
                   "instances). Use nlb.mode standby with a warm pool (the template then carries the "
                   "NLB's DNS name), or drop the warm pool.", group.urn)


WARM_POOL_TEMPLATE_POLICY = stack_policy(
    name="warm-pool-boots-final-template",
    description=("An Auto Scaling group with a warm pool launches a template whose user data carries no "
                 "*PLACEHOLDER*. Mandatory: warm-pool instances are initialized at deploy and never see "
                 "step 2's rewrite, so they would serve with a dead backend address."),
    level=EnforcementLevel.MANDATORY,
    rule=_warm_pool_findings,
)

# ---------------------------------------------------------------- fast profile: the approval gate


def _profile_of(subject: Subject) -> str | None:
    tags = subject.props.get("tags")
    for tag in as_list(tags):
        if isinstance(tag, dict) and tag.get("key") == RECOVERY_PROFILE_TAG:
            return str(tag.get("value"))
    if isinstance(tags, dict) and RECOVERY_PROFILE_TAG in tags:
        return str(tags[RECOVERY_PROFILE_TAG])
    return None


def _dependencies(subject: Subject, prop: str, by_urn: Mapping[str, Subject], type_: str) -> list[Subject]:
    """What `prop` was built from: its property dependencies, or (when the engine sent none) the
    resource's dependencies of that type."""
    urns = subject.property_dependencies.get(prop) or subject.dependencies
    return [by_urn[u] for u in urns if u in by_urn and by_urn[u].type == type_]


def _is_gated(record: Subject, by_urn: Mapping[str, Subject]) -> bool:
    """SECONDARY's health check is a CALCULATED check that needs all its children, one of which is
    a CLOUDWATCH_METRIC check (the gate alarm)."""
    for calculated in _dependencies(record, "healthCheckId", by_urn, _CHECK):
        if calculated.props.get("type") != "CALCULATED":
            continue
        children = _dependencies(calculated, "childHealthchecks", by_urn, _CHECK)
        threshold = calculated.props.get("childHealthThreshold")
        children_count = len(as_list(calculated.props.get("childHealthchecks")))
        needs_all = is_unknown(threshold) or threshold == children_count
        if needs_all and any(c.props.get("type") == "CLOUDWATCH_METRIC" for c in children):
            return True
    return False


def _gate_findings(subjects: list[Subject], config: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    fast = [s for s in subjects if _profile_of(s) == PROFILE_FAST]
    if not fast:
        return
    by_urn = {s.urn: s for s in subjects}
    secondaries = [s for s in subjects if s.type == _RECORD and any(
        get_path(p, "type") == "SECONDARY" for p in as_list(s.props.get("failoverRoutingPolicies")))]
    if not secondaries:
        return
    for record in secondaries:
        if not _is_gated(record, by_urn):
            yield (f"the stack runs the fast recovery profile ({fast[0].name} is tagged "
                   f"{RECOVERY_PROFILE_TAG}={PROFILE_FAST}), but the SECONDARY record {record.name} is not "
                   "behind the approval gate: the fast pipeline warms Tokyo while the approval is pending, "
                   "so Route53 would move users to Tokyo before anyone approved (and keep them there after "
                   "a reject). Give the record a CALCULATED health check that needs Tokyo's web check AND a "
                   "CLOUDWATCH_METRIC check on the gate alarm (recovery.approvalGate: true).", record.urn)


APPROVAL_GATE_POLICY = stack_policy(
    name="fast-profile-has-approval-gate",
    description=("In the fast recovery profile the SECONDARY record's health check is a calculated check "
                 "of Tokyo's web health AND the approval gate. Mandatory: the warm-up runs before approval, "
                 "and without the gate Route53 would fail over on its own."),
    level=EnforcementLevel.MANDATORY,
    rule=_gate_findings,
)
