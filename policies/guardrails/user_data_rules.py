"""Rules on what user data writes into the instance's environment (documents 000 §2-3, 001 §1-3)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pulumi_policy import EnforcementLevel

from .context import config_value, known_stack_names
from .kit import Subject, first_messages, resource_policy
from .values import (
    USER_DATA_TYPES,
    assignments,
    is_shell_reference,
    is_unknown,
    placeholders,
    shorten,
    url_host,
    user_data_of,
)

_REGION_RE = re.compile(r"^[a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d$")
# NLB: name-hash.elb.<region>.amazonaws.com   ALB: name-hash.<region>.elb.amazonaws.com
_ELB_REGION_RES = (
    re.compile(r"\.elb\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?$"),
    re.compile(r"\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.elb\.amazonaws\.com(?:\.cn)?$"),
)
# Addresses that mean "this instance" when the web tier dials them (not bind addresses).
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1", "localhost.localdomain"}  # noqa: S104
_PLACEHOLDER_TOKEN_RE = re.compile(r"\b[A-Z0-9_]*PLACEHOLDER[A-Z0-9_]*\b")
ON_FAILOVER = "on-failover"

# ---------------------------------------------------------------- AWS_REGION == provider region


def _region_findings(subject: Subject) -> Iterator[str]:
    text = user_data_of(subject.type, subject.props)
    if text is None or subject.region is None:
        return
    seen: set[str] = set()
    for _, value in assignments(text, "AWS_REGION|AWS_DEFAULT_REGION"):
        if value in seen or is_shell_reference(value) or is_unknown(value) or not _REGION_RE.match(value):
            continue
        seen.add(value)
        if value != subject.region:
            yield (f"user data sets AWS_REGION={value} but the resource is deployed by a provider in "
                   f"{subject.region}: DynamoDB and Bedrock calls would go to {value}. Render the user "
                   f"data from the provider's region (AWS_REGION={subject.region}).")


REGION_POLICY = resource_policy(
    name="user-data-region-matches-provider",
    description=("AWS_REGION in user data equals the region of the resource's provider. Mandatory: a "
                 "Seoul region in Tokyo's user data sends every DynamoDB call back to the failed region."),
    level=EnforcementLevel.MANDATORY,
    types=sorted(USER_DATA_TYPES),
    rule=lambda s: first_messages(_region_findings(s)),
)

# ---------------------------------------------------------------- INTERNAL_API_URL stays in-region


def elb_region(host: str) -> str | None:
    for regex in _ELB_REGION_RES:
        match = regex.search(host)
        if match:
            return match.group(1)
    return None


def _internal_api_url_findings(subject: Subject) -> Iterator[str]:
    text = user_data_of(subject.type, subject.props)
    if text is None:
        return
    other_stacks = known_stack_names(subject.stack)
    seen: set[str] = set()
    for _, value in assignments(text, "INTERNAL_API_URL"):
        if value in seen or not value or is_shell_reference(value) or "PLACEHOLDER" in value:
            continue
        seen.add(value)
        found = placeholders(value)
        if found:
            for source, output in found:
                if source in other_stacks:
                    yield (f"INTERNAL_API_URL={shorten(value)!r} is built from stack '{source}' output "
                           f"'{output}': another region's load balancer. Point it at this region's NLB "
                           f"(or NLB_DNS_PLACEHOLDER for an NLB created on failover).")
            continue
        if is_unknown(value):
            continue
        host = url_host(value)
        if host in _LOCAL_HOSTS:
            yield (f"INTERNAL_API_URL={shorten(value)!r} points to the web instance itself; the route "
                   f"handler's localhost:3001 fallback fails with ECONNREFUSED (no backend runs on the web "
                   f"tier). Use the App NLB's DNS name in this region.")
            continue
        region = elb_region(host)
        if region is not None and subject.region is not None and region != subject.region:
            yield (f"INTERNAL_API_URL={shorten(value)!r} targets a load balancer in {region}, but the "
                   f"resource runs in {subject.region}: Web -> App traffic would cross to the failed "
                   f"region. Use this region's NLB DNS name (MegaTicket-DR-NLB in Tokyo).")


INTERNAL_API_URL_POLICY = resource_policy(
    name="internal-api-url-in-own-region",
    description=("INTERNAL_API_URL in user data points to a load balancer in the resource's own region, "
                 "never to another region's NLB nor to localhost. Mandatory: the 001 §1.2 / §6.3 "
                 "failures (502, ECONNREFUSED) in a failover."),
    level=EnforcementLevel.MANDATORY,
    types=sorted(USER_DATA_TYPES),
    rule=lambda s: first_messages(_internal_api_url_findings(s)),
)

# ---------------------------------------------------------------- PLACEHOLDER only when on-failover


def _normalised(key: str) -> str:
    return re.sub(r"[^a-z0-9]", "", key.lower())


def nlb_mode_of(subject: Subject) -> str | None:
    """`on-failover` when the template is marked for an NLB created by the pipeline.

    The mark is a tag `megaticket-dr:nlbMode` (any key whose letters end in "nlbmode") on the
    launch template; without one, the stack config `megaticket-dr:nlbMode` (or `nlb.mode`).
    Returns "unknown" when the tags are not known yet.
    """
    for field in ("tags", "tagsAll"):
        tags = subject.props.get(field)
        if is_unknown(tags):
            return "unknown"
        if isinstance(tags, dict):
            for key, value in tags.items():
                if _normalised(key).endswith("nlbmode"):
                    return "unknown" if is_unknown(value) else str(value)
    configured = config_value("megaticket-dr:nlbMode")
    if configured is None:
        nested = config_value("megaticket-dr:nlb")
        configured = nested.get("mode") if isinstance(nested, dict) else None
    return str(configured) if configured is not None else None


def _placeholder_findings(subject: Subject) -> Iterator[str]:
    text = user_data_of(subject.type, subject.props)
    if text is None:
        return
    tokens = sorted(set(_PLACEHOLDER_TOKEN_RE.findall(text)))
    is_template = subject.type == "aws:ec2/launchTemplate:LaunchTemplate"
    mode = nlb_mode_of(subject) if is_template else None
    if tokens and mode not in (ON_FAILOVER, "unknown"):
        where = ("a launch template not marked for NLB mode on-failover (tag megaticket-dr:nlbMode="
                 "on-failover)" if is_template else "user data the Step2 Lambda never rewrites "
                 "(only launch templates are updated)")
        yield (f"user data still contains {', '.join(tokens)} in {where}: instances would boot with "
               f"INTERNAL_API_URL=http://{tokens[0]}:3001. Render the real NLB DNS name, or mark the "
               f"template on-failover so Step2 replaces it.")
    if is_template and mode == ON_FAILOVER and not tokens:
        literal = [v for _, v in assignments(text, "INTERNAL_API_URL")
                   if v and not is_unknown(v) and not is_shell_reference(v)]
        if literal:
            yield (f"the template is marked NLB mode on-failover but "
                   f"INTERNAL_API_URL={shorten(literal[0])!r} has no NLB_DNS_PLACEHOLDER: Step2 would "
                   f"find nothing to replace (the version-2 incident). Render INTERNAL_API_URL=http://NLB_DNS_PLACEHOLDER:3001.")


PLACEHOLDER_POLICY = resource_policy(
    name="no-unresolved-placeholder-in-user-data",
    description=("User data carries no unresolved *PLACEHOLDER*, except a launch template marked for NLB "
                 "mode on-failover (whose INTERNAL_API_URL then must hold NLB_DNS_PLACEHOLDER). Mandatory: "
                 "an unreplaced placeholder is a dead backend address."),
    level=EnforcementLevel.MANDATORY,
    types=sorted(USER_DATA_TYPES),
    rule=_placeholder_findings,
)

# ---------------------------------------------------------------- no credentials in user data

_SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(?:AKIA|ASIA|AROA|AIDA)[0-9A-Z]{16}\b")),
    ("AWS_SECRET_ACCESS_KEY", re.compile(r"AWS_SECRET_ACCESS_KEY\s*[=:]\s*['\"]?[^\s'\"$]{8,}", re.I)),
    ("AWS_SESSION_TOKEN", re.compile(r"AWS_SESSION_TOKEN\s*[=:]\s*['\"]?[^\s'\"$]{8,}", re.I)),
    ("aws configure set of a secret",
     re.compile(r"aws\s+configure\s+set\s+\S*(?:secret|session_token)", re.I)),
    ("a private key", re.compile(r"-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----")),
    ("a password or secret variable",
     re.compile(r"\b[A-Z0-9_]*(?:PASSWORD|PASSWD|SECRET|API_KEY|TOKEN)[A-Z0-9_]*\s*=\s*['\"]?[^\s'\"$]{8,}")),
)


def _credential_findings(subject: Subject) -> Iterator[str]:
    text = user_data_of(subject.type, subject.props)
    if text is None:
        return
    labels = [label for label, pattern in _SECRET_PATTERNS if pattern.search(text)]
    if labels:
        yield (f"user data contains {', '.join(labels)}. User data is readable by anyone with "
               f"ec2:DescribeLaunchTemplateVersions and from the instance metadata service; give the "
               f"instance an IAM role (instance profile) and read secrets from Secrets Manager / SSM "
               f"SecureString at boot.")


CREDENTIALS_POLICY = resource_policy(
    name="no-credentials-in-user-data",
    description=("User data holds no access keys, secret keys, session tokens, private keys or passwords. "
                 "Mandatory: user data is stored in every launch template version and readable via IMDS."),
    level=EnforcementLevel.MANDATORY,
    types=sorted(USER_DATA_TYPES),
    rule=_credential_findings,
)


def describe_user_data(resource_type: str, props: dict[str, Any]) -> str | None:
    """Exposed for tests and the offline preview: the text the user data rules read."""
    return user_data_of(resource_type, props)
