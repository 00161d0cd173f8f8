"""Mandatory rule 1: no launch template reference pins a version number.

The incident (001 §3.4): every `terraform apply` created a new launch template version; the Step2
Lambda read `Versions=['2']`, a version without NLB_DNS_PLACEHOLDER, so the NLB DNS was never
injected and Web -> App calls failed (ECONNREFUSED / 502). A number in an ASG, instance or fleet
reference has the same effect: the fleet keeps booting the old user data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel

from .kit import Subject, first_messages, resource_policy
from .values import (
    as_list,
    get_path,
    is_number_like,
    is_unknown,
    shorten,
    show,
    state_machine_definition,
)

ALLOWED_VERSIONS = ("$Latest", "$Default")
NAME = "no-pinned-launch-template-version"

_FIX = ("Use version '$Latest' (or '$Default' when versions are promoted on purpose): every update "
        "and the Step2 Lambda create a new version, and a pinned number keeps booting the old user "
        "data (the Versions=['2'] incident: version 2 had no NLB_DNS_PLACEHOLDER, so the NLB DNS was "
        "never injected).")


def _check_version(path: str, value: Any) -> Iterator[str]:
    if value is None or is_unknown(value) or value in ALLOWED_VERSIONS:
        return
    if is_number_like(value):
        number = show(value).strip("'").strip()
        yield f"{path} = {show(value)} pins launch template version {number}. {_FIX}"
    else:
        yield f"{path} = {shorten(str(value))!r} is neither '$Latest' nor '$Default'. {_FIX}"


def _reference_paths(subject: Subject) -> Iterator[tuple[str, Any]]:
    props = subject.props
    if subject.type == "aws:autoscaling/group:Group":
        yield "launchTemplate.version", get_path(props, "launchTemplate", "version")
        lt = get_path(props, "mixedInstancesPolicy", "launchTemplate")
        yield ("mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.version",
               get_path(lt, "launchTemplateSpecification", "version"))
        for index, override in enumerate(as_list(get_path(lt, "overrides"))):
            yield (f"mixedInstancesPolicy.launchTemplate.overrides[{index}]"
                   ".launchTemplateSpecification.version",
                   get_path(override, "launchTemplateSpecification", "version"))
    elif subject.type in ("aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest"):
        yield "launchTemplate.version", get_path(props, "launchTemplate", "version")
    elif subject.type in ("aws:ec2/fleet:Fleet", "aws:ec2/spotFleetRequest:SpotFleetRequest"):
        for index, config in enumerate(as_list(props.get("launchTemplateConfigs"))):
            yield (f"launchTemplateConfigs[{index}].launchTemplateSpecification.version",
                   get_path(config, "launchTemplateSpecification", "version"))


def _normalise(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def _is_lt_version_name(key: str) -> bool:
    """LAUNCH_TEMPLATE_VERSION, WEB_LT_VERSION, launchTemplateVersion, TemplateVersions ..."""
    tokens = [t for t in re.split(r"[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])", key) if t]
    lowered = [t.lower() for t in tokens]
    joined = "".join(lowered)
    has_version = any(t in ("version", "versions") for t in lowered)
    about_template = "launchtemplate" in joined or "lt" in lowered or "template" in lowered
    return has_version and about_template


def _numeric_parts(value: Any) -> list[str]:
    """The version numbers a value pins: 2, "2", "['2']", '["7", "8"]', "2,7"."""
    if is_unknown(value) or value is None:
        return []
    if is_number_like(value):
        return [show(value).strip("'").strip()]
    if isinstance(value, list):
        return [show(v).strip("'").strip() for v in value if is_number_like(v)]
    if isinstance(value, str):
        parts = [p.strip(" \"'") for p in value.strip().strip("[]()").split(",")]
        if parts and all(p.isdigit() for p in parts):
            return parts
    return []


# The incident's own code: describe_launch_template_versions(..., Versions=['2']).
_CODE_PIN_RE = re.compile(r"(?<![A-Za-z_])Versions\s*=\s*\[\s*['\"]?(\d+)['\"]?")


def _lambda_pins(subject: Subject) -> Iterator[str]:
    variables = get_path(subject.props, "environment", "variables")
    if not isinstance(variables, dict):
        return
    for key, value in variables.items():
        if _is_lt_version_name(key):
            pins = _numeric_parts(value)
            if pins:
                yield (f"environment variable {key}={shorten(str(value))!r} pins launch template "
                       f"version {', '.join(pins)} for the failover Lambda. {_FIX} Have the Lambda "
                       "call describe_launch_template_versions(Versions=['$Latest']).")
        elif isinstance(value, str) and not is_unknown(value):
            match = _CODE_PIN_RE.search(value)
            if match:
                yield (f"environment variable {key} contains {match.group(0)!r}, a pinned launch "
                       f"template version. {_FIX}")


def _walk_definition(node: Any, path: str, in_lt_context: bool) -> Iterator[str]:
    if isinstance(node, dict):
        keys = {_normalise(k) for k in node}
        here = in_lt_context or bool(keys & {"launchtemplateid", "launchtemplatename", "launchtemplate"})
        for key, value in node.items():
            child_path = f"{path}.{key}" if path else key
            normalised = _normalise(key)
            if key.endswith(".$"):
                continue  # a JSONPath reference, resolved at run time
            if (normalised in ("version", "versions") and here) or _is_lt_version_name(key):
                pins = _numeric_parts(value)
                if pins:
                    yield (f"state machine definition {child_path} = {json.dumps(value)} pins launch "
                           f"template version {', '.join(pins)}. {_FIX}")
                    continue
            yield from _walk_definition(value, child_path, here or normalised.startswith("launchtemplate"))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk_definition(item, f"{path}[{index}]", in_lt_context)


def _state_machine_pins(subject: Subject) -> Iterator[str]:
    document = state_machine_definition(subject.props)
    if document is not None:
        yield from _walk_definition(document, "", False)


def check(subject: Subject) -> Iterator[str]:
    if subject.type == "aws:lambda/function:Function":
        yield from first_messages(_lambda_pins(subject))
    elif subject.type == "aws:sfn/stateMachine:StateMachine":
        yield from first_messages(_state_machine_pins(subject))
    else:
        for path, value in _reference_paths(subject):
            yield from _check_version(path, value)


TYPES = (
    "aws:autoscaling/group:Group",
    "aws:ec2/instance:Instance",
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest",
    "aws:ec2/fleet:Fleet",
    "aws:ec2/spotFleetRequest:SpotFleetRequest",
    "aws:lambda/function:Function",
    "aws:sfn/stateMachine:StateMachine",
)

POLICY = resource_policy(
    name=NAME,
    description=("Launch template references use '$Latest' or '$Default', never a version number "
                 "(ASG, mixed instances policy, instance, fleet, and the failover Lambdas / state "
                 "machine). Mandatory: a pinned version silently keeps stale user data in a failover."),
    level=EnforcementLevel.MANDATORY,
    types=TYPES,
    rule=check,
    remediation_steps="Set version='$Latest' (pulumi: version='$Latest', not lt.latest_version).",
)
