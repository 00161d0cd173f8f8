"""Rule 2: NEXT_PUBLIC_* variables are fixed at build time, so a region-specific one is an incident.

The incident (001 §1.1, §2.3): Next.js inlines NEXT_PUBLIC_* into the JavaScript bundle at
`npm run build`. The Golden AMI is built in Seoul, so in Tokyo the bundle still calls the Seoul NLB
(and still says ap-northeast-2, 001 §2.3 NEXT_PUBLIC_AWS_REGION) whatever user data, Lambda or SSM
sets at boot. The runtime path is INTERNAL_API_URL, read by the route handler on each request.

Two levels: a NEXT_PUBLIC_* holding a region-specific value (a URL, host name, region name, ARN or
account id, literally or by construction) is mandatory; any other NEXT_PUBLIC_* set at boot is
advisory (it changes nothing the browser sees, which is rarely what the author meant).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel

from .coverage import USER_DATA_TYPES
from .kit import Subject, first_messages, resource_policy
from .shell_scan import named, scan_data
from .user_data import user_data_of
from .values import get_path, is_unknown, looks_like_url_or_host, shorten

NAME = "no-next-public-build-time-urls"
ADVISORY_NAME = "next-public-set-at-boot"
NAME_PATTERN = r"NEXT_PUBLIC_[A-Za-z0-9_]*"
LAMBDA = "aws:lambda/function:Function"
SSM_PARAMETER = "aws:ssm/parameter:Parameter"

RUNTIME_ALTERNATIVE = (
    "Next.js inlines NEXT_PUBLIC_* into the JS bundle at `npm run build`, so the Golden AMI built in "
    "Seoul keeps Seoul's value and setting it at boot changes nothing (Tokyo's web tier still calls "
    "the Seoul NLB). Remove it: pass the backend address as INTERNAL_API_URL (no NEXT_PUBLIC_ prefix), "
    "which the route handler apps/web/app/api/[...path]/route.ts reads from process.env at request "
    "time, and let the browser call the relative /api/* path."
)
_DIRECTIONS = "north|south|east|west|central|northeast|southeast|northwest|southwest"
_REGION = rf"(?:[a-z]{{2,4}}(?:-gov|-iso[a-z]?|-[a-z]{{2}})?-(?:{_DIRECTIONS})-\d{{1,2}})"
_REGION_IN_TEXT = re.compile(rf"(?<![a-z0-9-]){_REGION}[a-z]?(?![a-z0-9-])", re.I)
_ARN = re.compile(r"\barn:aws[a-z-]*:[a-z0-9-]+:", re.I)
_ACCOUNT = re.compile(r"(?<![\d.])\d{12}(?![\d.])")
_NOT_ACCOUNT_NAME = re.compile(r"TIME|DATE|VERSION|BUILD|PHONE|TEL|COUNT|SIZE|LIMIT|MAX|MIN|TTL|PORT", re.I)
# References to values computed elsewhere (`$VAR`, `$(cmd)`, jinja `{{ v1.region }}`), judged by the
# words they are named with: `$INTERNAL_API_URL` is a URL, `$(curl …/placement/region)` a region.
_REFERENCE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)|\$\(([^)]*)\)?|`([^`]*)`|\{\{([^}]*)\}\}")
_REFERENCE_KINDS = (
    ("a URL or host name", {"url", "uri", "host", "hostname", "dns", "dnsname", "endpoint", "domain",
                            "addr", "address", "fqdn", "nlb", "alb", "elb", "origin", "backend", "gateway",
                            "cdn"}),
    ("a region name", {"region", "placement", "az", "availability"}),
    ("an ARN", {"arn"}),
    ("an account id", {"account", "accountid", "caller"}),
)
_WORD_RE = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")


def _kind_by_name(name: str) -> str | None:
    words = {word.lower() for word in _WORD_RE.findall(name)} - {"next", "public"}
    return next((kind for kind, names in _REFERENCE_KINDS if words & names), None)


def region_specific(name: str, value: Any) -> str | None:
    """What makes the value region-specific ("a URL", "a region name", ...), or None."""
    if is_unknown(value):
        # Computed at deploy (an Output): judged by what the variable is named for.
        kind = _kind_by_name(name)
        return f"{kind} by its name, computed at deploy" if kind else None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().strip("'\"")
    if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://|^//[A-Za-z0-9]", text):
        return "a URL"
    if _ARN.search(text):
        return "an ARN"
    if _REGION_IN_TEXT.search(text):
        return "a region name"
    literal = _REFERENCE.sub(" ", text).strip()
    if literal and looks_like_url_or_host(literal.split()[0]):
        return "a host name"
    match = _ACCOUNT.search(text)
    if match and (re.search(r"ACCOUNT|ACCT|OWNER", name, re.I) or (
            match.group(0) == text and not _NOT_ACCOUNT_NAME.search(name))):
        return "an account id"
    for reference in _REFERENCE.finditer(text):
        referenced = next(g for g in reference.groups() if g is not None)
        words = {word.lower() for word in _WORD_RE.findall(referenced)}
        for kind, names in _REFERENCE_KINDS:
            if words & names:
                return f"{kind} (from {shorten(reference.group(0), 60)})"
    if _REFERENCE.search(text):
        # Computed on the instance from something not named for its kind (`$(aws ssm get-parameter …)`):
        # what the variable is named for is what it will hold.
        kind = _kind_by_name(name)
        if kind:
            return f"{kind} by its name, computed at boot"
    return None


def _findings(subject: Subject) -> Iterator[tuple[str, str, Any]]:
    """(where, variable, value) for every NEXT_PUBLIC_* the resource sets."""
    if subject.type in USER_DATA_TYPES:
        for user_data in user_data_of(subject.type, subject.props):
            for assignment in named(user_data.assignments, NAME_PATTERN):
                yield f"{user_data.path}: {assignment.how}", assignment.name, assignment.value
    elif subject.type == LAMBDA:
        variables = get_path(subject.props, "environment", "variables")
        if isinstance(variables, dict):
            for key, value in variables.items():
                if re.fullmatch(NAME_PATTERN, key):
                    yield "Lambda environment", key, value
    elif subject.type == SSM_PARAMETER:
        name = subject.props.get("name")
        name = name if isinstance(name, str) and not is_unknown(name) else subject.name
        for field in ("value", "insecureValue"):
            value = subject.props.get(field)
            if not isinstance(value, str) or is_unknown(value):
                continue
            leaf = re.split(r"[/.]", name)[-1]
            if re.fullmatch(NAME_PATTERN, leaf):
                yield f"SSM parameter {name}", leaf, value
            for assignment in named(scan_data(value, name, "parameter"), NAME_PATTERN):
                yield f"SSM parameter {name}", assignment.name, assignment.value


def _by_variable(subject: Subject) -> dict[str, list[tuple[str, Any]]]:
    """Every value each NEXT_PUBLIC_* is given, in order: `X=https://` then `X+=host` is one variable."""
    grouped: dict[str, list[tuple[str, Any]]] = {}
    for where, variable, value in _findings(subject):
        grouped.setdefault(variable, []).append((where, value))
    return grouped


def _mandatory(subject: Subject) -> Iterator[str]:
    for variable, values in _by_variable(subject).items():
        judged = [(where, value, region_specific(variable, value)) for where, value in values]
        specific = [item for item in judged if item[2] is not None]
        if specific:
            where, value, kind = specific[-1]
            yield (f"{where} sets {variable}={shorten(str(value))!r}, {kind}: region-specific, so a "
                   f"build-time value. {RUNTIME_ALTERNATIVE}")


def _advisory(subject: Subject) -> Iterator[str]:
    for variable, values in _by_variable(subject).items():
        if any(region_specific(variable, value) is not None for _, value in values):
            continue
        where, value = values[-1]
        shown = "a value computed at deploy" if is_unknown(value) else repr(shorten(str(value)))
        yield (f"{where} sets {variable}={shown} at boot, but Next.js reads NEXT_PUBLIC_* only at "
               f"`npm run build`: the browser keeps the Golden AMI's build-time value. Set it in the "
               f"build, or use a variable without the NEXT_PUBLIC_ prefix that the server reads at "
               f"request time.")


TYPES = (*sorted(USER_DATA_TYPES), LAMBDA, SSM_PARAMETER)

POLICY = resource_policy(
    name=NAME,
    description=("No NEXT_PUBLIC_* variable holds a region-specific value (URL, host name, region name, "
                 "ARN, account id) in user data, a Lambda environment or SSM. Mandatory: the value is "
                 "frozen into the Golden AMI at build time, so Tokyo would call (and claim to be) Seoul."),
    level=EnforcementLevel.MANDATORY,
    types=TYPES,
    rule=lambda s: first_messages(_mandatory(s)),
    remediation_steps=RUNTIME_ALTERNATIVE,
)

ADVISORY_POLICY = resource_policy(
    name=ADVISORY_NAME,
    description=("A NEXT_PUBLIC_* variable set at boot (user data, Lambda, SSM) changes nothing the "
                 "browser sees: Next.js inlines it at build time. Advisory: harmless when the value is "
                 "the same in every region, misleading otherwise."),
    level=EnforcementLevel.ADVISORY,
    types=TYPES,
    rule=lambda s: first_messages(_advisory(s)),
)
