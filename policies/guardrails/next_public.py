"""Mandatory rule 2: no NEXT_PUBLIC_* variable carries a URL or host name.

The incident (001 §1.1, §2.3): Next.js inlines NEXT_PUBLIC_* into the JavaScript bundle at
`npm run build`. The Golden AMI is built in Seoul, so in Tokyo the bundle still calls the Seoul NLB
whatever user data, Lambda or SSM sets at boot. The runtime path is INTERNAL_API_URL, read by the
route handler on each request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel

from .kit import Subject, first_messages, resource_policy
from .values import (
    USER_DATA_TYPES,
    assignments,
    get_path,
    is_shell_reference,
    is_unknown,
    looks_like_url_or_host,
    placeholders,
    shorten,
    user_data_of,
)

NAME = "no-next-public-build-time-urls"
_NAME_PATTERN = r"NEXT_PUBLIC_[A-Za-z0-9_]+"
_HOSTISH_PROPERTIES = {"dnsname", "dns_name", "fqdn", "endpoint", "url", "hostname", "host", "address",
                       "invokeurl", "functionurl", "domainname"}
_HOSTISH_VARIABLE_RE = re.compile(r"URL|URI|HOST|DNS|ENDPOINT|DOMAIN", re.IGNORECASE)

RUNTIME_ALTERNATIVE = (
    "Next.js inlines NEXT_PUBLIC_* into the JS bundle at `npm run build`, so the Golden AMI built in "
    "Seoul keeps Seoul's value and setting it at boot changes nothing (Tokyo's web tier still calls "
    "the Seoul NLB). Remove it: pass the backend address as INTERNAL_API_URL (no NEXT_PUBLIC_ prefix), "
    "which the route handler apps/web/app/api/[...path]/route.ts reads from process.env at request "
    "time, and let the browser call the relative /api/* path."
)


def _is_url_value(value: Any) -> bool:
    """True when the value is, or by construction will be, a URL or host name."""
    if not isinstance(value, str) or not value.strip():
        return False
    text = value.strip()
    if is_shell_reference(text):
        # NEXT_PUBLIC_API_URL=$INTERNAL_API_URL copies a host into a build-time variable.
        referenced = re.sub(r"[${}()]", "", text)
        return bool(_HOSTISH_VARIABLE_RE.search(referenced))
    found = placeholders(text)
    if found:
        stripped = re.sub(r"⟨[^⟩]*⟩", "", text)
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", text):
            return True  # a URL whatever its host turns out to be
        if not stripped.strip(" :/0123456789"):
            # Only placeholders (and maybe a port): a URL only if the value it stands for is a host.
            return any(prop.lower() in _HOSTISH_PROPERTIES for _, prop in found)
        return looks_like_url_or_host(re.sub(r"⟨[^⟩]*⟩", "placeholder.example", text))
    if is_unknown(text):
        return False
    return looks_like_url_or_host(text)


def _user_data_findings(subject: Subject) -> Iterator[str]:
    text = user_data_of(subject.type, subject.props)
    if text is None:
        return
    seen: set[tuple[str, str]] = set()
    for name, value in assignments(text, _NAME_PATTERN):
        if (name, value) in seen or not _is_url_value(value):
            continue
        seen.add((name, value))
        yield f"user data sets {name}={shorten(value)!r}. {RUNTIME_ALTERNATIVE}"


def _lambda_findings(subject: Subject) -> Iterator[str]:
    variables = get_path(subject.props, "environment", "variables")
    if not isinstance(variables, dict):
        return
    for key, value in variables.items():
        if re.fullmatch(_NAME_PATTERN, key) and _is_url_value(value):
            yield f"Lambda environment sets {key}={shorten(str(value))!r}. {RUNTIME_ALTERNATIVE}"


def _ssm_findings(subject: Subject) -> Iterator[str]:
    name = subject.props.get("name")
    name = name if isinstance(name, str) and not is_unknown(name) else subject.name
    for field in ("value", "insecureValue"):
        value = subject.props.get(field)
        if not isinstance(value, str):
            continue
        leaf = re.split(r"[/.]", name)[-1]
        if re.fullmatch(_NAME_PATTERN, leaf) and _is_url_value(value):
            yield (f"SSM parameter {name} holds a URL/host ({shorten(value)!r}) for a build-time "
                   f"variable. {RUNTIME_ALTERNATIVE}")
        for var, assigned in assignments(value, _NAME_PATTERN):
            if _is_url_value(assigned):
                yield (f"SSM parameter {name} sets {var}={shorten(assigned)!r}. {RUNTIME_ALTERNATIVE}")


def check(subject: Subject) -> Iterator[str]:
    if subject.type in USER_DATA_TYPES:
        yield from first_messages(_user_data_findings(subject))
    elif subject.type == "aws:lambda/function:Function":
        yield from first_messages(_lambda_findings(subject))
    elif subject.type == "aws:ssm/parameter:Parameter":
        yield from first_messages(_ssm_findings(subject))


POLICY = resource_policy(
    name=NAME,
    description=("No NEXT_PUBLIC_* variable holds a URL or host name (user data, Lambda environment, "
                 "SSM parameters). Mandatory: the value is frozen into the Golden AMI at build time, so "
                 "Tokyo would call Seoul."),
    level=EnforcementLevel.MANDATORY,
    types=(*sorted(USER_DATA_TYPES), "aws:lambda/function:Function", "aws:ssm/parameter:Parameter"),
    rule=check,
    remediation_steps=RUNTIME_ALTERNATIVE,
)
