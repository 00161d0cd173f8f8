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

from .coverage import VERSION_PATHS, VERSION_TYPES, values_at
from .kit import Subject, first_messages, resource_policy
from .values import (
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


_OUTPUT_REFERENCE = ("is computed at deploy from another resource (an Output such as the template's "
                     "latestVersion or defaultVersion): it resolves to a version number, a pin under "
                     "another name.")


def _check_version(path: str, value: Any, leaf: str) -> Iterator[str]:
    if value is None or value in ALLOWED_VERSIONS:
        return
    if is_unknown(value):
        if path.endswith(leaf):  # the version itself is computed, not an object around it
            yield f"{path} {_OUTPUT_REFERENCE} {_FIX}"
        return
    if is_number_like(value):
        number = show(value).strip("'").strip()
        yield f"{path} = {show(value)} pins launch template version {number}. {_FIX}"
    else:
        yield f"{path} = {shorten(str(value))!r} is neither '$Latest' nor '$Default'. {_FIX}"


def _default_version(value: Any) -> Iterator[str]:
    if value is None:
        return
    shown = "a value computed at deploy" if is_unknown(value) else show(value)
    yield (f"defaultVersion = {shown} fixes what '$Default' means: every ASG or fleet on '$Default' "
           f"keeps booting that version, whatever version Step2 writes. Leave defaultVersion unset "
           f"(update_default_version=True promotes each new version). {_FIX}")


def _reference_paths(subject: Subject) -> Iterator[tuple[str, Any, str]]:
    for path in VERSION_PATHS.get(subject.type, ()):
        leaf = path.rsplit(".", 1)[-1]
        for where, value in values_at(subject.props, path):
            yield where, value, leaf


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
        if _is_lt_version_name(key) and is_unknown(value):
            yield (f"environment variable {key} {_OUTPUT_REFERENCE} {_FIX} Have the Lambda call "
                   "describe_launch_template_versions(Versions=['$Latest']).")
        elif _is_lt_version_name(key):
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


# Literal numbers in an intrinsic or JSONata expression once paths and variables are taken out:
# States.Array('2'), States.Format('{}', 7), {% ['2'] %}, {% [$string(2)] %}.
_PATH_RE = re.compile(r"\$\$?[A-Za-z0-9_.$]*(?:\[[^\]]*\][A-Za-z0-9_.$]*)*")
_LITERAL_NUMBER_RE = re.compile(r"(?<![\w.$])-?\d+(?![\w.])")
# The number a describe call reports: reading it and passing it on pins under another name.
_VERSION_NUMBER_RE = re.compile(r"(?:Latest|Default)?VersionNumber|latestVersion|defaultVersion", re.I)


def _expression_pins(value: Any) -> list[str]:
    """Why an intrinsic (`"Versions.$": "States.Array('2')"`) or JSONata (`{% … %}`) pins, if it does."""
    if not isinstance(value, str):
        return []
    text = value.strip()
    is_jsonata = text.startswith("{%") and text.endswith("%}")
    if not (is_jsonata or text.startswith("States.") or text.startswith("$")):
        return []
    if _VERSION_NUMBER_RE.search(text):
        return [f"the version number read from {_VERSION_NUMBER_RE.search(text).group(0)}"]  # type: ignore[union-attr]
    without_strings = re.sub(r"'\$(?:Latest|Default)'|\"\$(?:Latest|Default)\"", "", text)
    without_paths = _PATH_RE.sub("", without_strings)
    numbers = [n.lstrip("-") for n in _LITERAL_NUMBER_RE.findall(without_paths)]
    return [f"version {', '.join(numbers)}"] if numbers else []


def _walk_definition(node: Any, path: str, in_lt_context: bool, sdk_arguments: bool = False) -> Iterator[str]:
    """sdk_arguments: node is the Parameters/Arguments of a launch template API call (its own keys)."""
    if isinstance(node, dict):
        keys = {_normalise(k) for k in node}
        resource = node.get("Resource")
        calls_lt_api = isinstance(resource, str) and "launchtemplate" in resource.lower()
        inherited = in_lt_context or bool(keys & {"launchtemplateid", "launchtemplatename", "launchtemplate"})
        here = inherited or sdk_arguments
        for key, value in node.items():
            child_path = f"{path}.{key}" if path else key
            bare_key = key[:-2] if key.endswith(".$") else key
            normalised = _normalise(bare_key)
            # In a launch template API call's arguments every *Version field selects one
            # (createLaunchTemplateVersion SourceVersion, modifyLaunchTemplate DefaultVersion).
            selects = (normalised in ("version", "versions") and here) or _is_lt_version_name(bare_key) \
                or (sdk_arguments and normalised.endswith(("version", "versions")))
            if selects:
                if key.endswith(".$") or (isinstance(value, str) and value.strip().startswith("{%")):
                    reasons = _expression_pins(value)
                    if reasons:
                        yield (f"state machine definition {child_path} = {json.dumps(value)} selects "
                               f"{reasons[0]}: a pinned launch template version. {_FIX}")
                    continue
                pins = _numeric_parts(value) or _jsonata_list_pins(value)
                if pins:
                    yield (f"state machine definition {child_path} = {json.dumps(value)} pins launch "
                           f"template version {', '.join(pins)}. {_FIX}")
                    continue
            child_context = inherited or normalised.startswith("launchtemplate")
            yield from _walk_definition(value, child_path, child_context,
                                        calls_lt_api and key in ("Parameters", "Arguments"))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _walk_definition(item, f"{path}[{index}]", in_lt_context)


def _jsonata_list_pins(value: Any) -> list[str]:
    """A list whose items are expressions: ["{% '2' %}"] or [{"…": …}] never pin by number alone."""
    if isinstance(value, list):
        return [reason for item in value for reason in _expression_pins(item)]
    return []


def _state_machine_pins(subject: Subject) -> Iterator[str]:
    document = state_machine_definition(subject.props)
    if document is not None:
        yield from _walk_definition(document, "", False)


def _event_target_pins(subject: Subject) -> Iterator[str]:
    """A rule that starts the failover with a fixed version in its input pins it just the same."""
    for field in ("input",):
        value = subject.props.get(field)
        if isinstance(value, str) and not is_unknown(value):
            try:
                document = json.loads(value)
            except ValueError:
                continue
            for message in _walk_definition(document, field, False):
                yield message.replace("state machine definition", "event target", 1)


def _parameter_pins(subject: Subject) -> Iterator[str]:
    name = subject.props.get("name")
    name = name if isinstance(name, str) and not is_unknown(name) else subject.name
    if not _is_lt_version_name(name.rsplit("/", 1)[-1]):
        return
    for field in ("value", "insecureValue"):
        pins = _numeric_parts(subject.props.get(field))
        if pins:
            yield (f"SSM parameter {name} = {subject.props[field]!r} pins launch template version "
                   f"{', '.join(pins)} for whoever reads it. {_FIX}")


def check(subject: Subject) -> Iterator[str]:
    if subject.type == EVENT_TARGET:
        yield from first_messages(_event_target_pins(subject))
    elif subject.type == SSM_PARAMETER:
        yield from first_messages(_parameter_pins(subject))
    elif subject.type == "aws:lambda/function:Function":
        yield from first_messages(_lambda_pins(subject))
    elif subject.type == "aws:sfn/stateMachine:StateMachine":
        yield from first_messages(_state_machine_pins(subject))
    elif subject.type == "aws:ec2/launchTemplate:LaunchTemplate":
        yield from _default_version(subject.props.get("defaultVersion"))
    else:
        for path, value, leaf in _reference_paths(subject):
            yield from _check_version(path, value, leaf)


EVENT_TARGET = "aws:cloudwatch/eventTarget:EventTarget"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"
TYPES = (*sorted(VERSION_TYPES), "aws:lambda/function:Function", "aws:sfn/stateMachine:StateMachine",
         EVENT_TARGET, SSM_PARAMETER)

POLICY = resource_policy(
    name=NAME,
    description=("Launch template references use '$Latest' or '$Default', never a version number "
                 "(every pulumi-aws type that selects one: ASG, mixed instances policy, instance, fleets, "
                 "EKS node groups, Batch, GameLift; a template's own defaultVersion; versions computed "
                 "from Outputs; the failover Lambdas and state machine, intrinsics and JSONata included). "
                 "Mandatory: a pinned version silently keeps stale user data in a failover."),
    level=EnforcementLevel.MANDATORY,
    types=TYPES,
    rule=check,
    remediation_steps="Set version='$Latest' (pulumi: version='$Latest', not lt.latest_version).",
)
