"""Rules on what user data writes into the instance's environment (documents 000 §2-3, 001 §1-3).

Every rule reads user data through `user_data.user_data_of`: decoded, decompressed, split into the
parts cloud-init runs, and scanned like a shell reads it (comments are comments, variables resolve).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel

from failover.contract import NLB_ON_FAILOVER

from .context import config_value
from .coverage import USER_DATA_TYPES
from .kit import Subject, first_messages, resource_policy
from .shell_scan import named
from .user_data import placeholder_tokens, user_data_of
from .values import is_shell_reference, is_unknown, shorten, url_host

_REGION_RE = re.compile(r"^[a-z]{2,4}(?:-gov|-iso[a-z]?|-[a-z]{2})?-[a-z]+-\d{1,2}$")
# NLB: name-hash.elb.<region>.amazonaws.com   ALB: name-hash.<region>.elb.amazonaws.com
_ELB_REGION_RES = (
    re.compile(r"\.elb\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\.?$"),
    re.compile(r"\.([a-z]{2}(?:-gov)?-[a-z]+-\d)\.elb\.amazonaws\.com(?:\.cn)?\.?$"),
)
# A lookup that names its region: `aws elbv2 describe-load-balancers --region ap-northeast-2 …`.
_COMMAND_REGION_RE = re.compile(r"--region[= ]+['\"]?([a-z]{2,4}(?:-[a-z]+)+-\d{1,2})")
# Addresses that mean "this instance" when the web tier dials them (not bind addresses).
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "0.0.0.0", "[::1]", "::1", "localhost.localdomain"}  # noqa: S104
ON_FAILOVER = NLB_ON_FAILOVER
TYPES = sorted(USER_DATA_TYPES)

# ---------------------------------------------------------------- AWS_REGION == provider region


def _region_findings(subject: Subject) -> Iterator[str]:
    if subject.region is None:
        return
    for user_data in user_data_of(subject.type, subject.props):
        for assignment in named(user_data.assignments, "AWS_REGION|AWS_DEFAULT_REGION"):
            value = assignment.value.strip()
            if _REGION_RE.match(value) and value != subject.region:
                yield (f"user data sets {assignment.name}={value} ({assignment.how}) but the resource is "
                       f"deployed by a provider in {subject.region}: DynamoDB and Bedrock calls would go "
                       f"to {value}. Render the user data from the provider's region "
                       f"(AWS_REGION={subject.region}).")


REGION_POLICY = resource_policy(
    name="user-data-region-matches-provider",
    description=("AWS_REGION in user data equals the region of the resource's provider. Mandatory: a "
                 "Seoul region in Tokyo's user data sends every DynamoDB call back to the failed region."),
    level=EnforcementLevel.MANDATORY,
    types=TYPES,
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
    for user_data in user_data_of(subject.type, subject.props):
        for assignment in named(user_data.assignments, "INTERNAL_API_URL"):
            value = assignment.value.strip()
            if not value or "PLACEHOLDER" in value:
                continue
            looked_up = _COMMAND_REGION_RE.search(value)
            if looked_up and subject.region is not None and looked_up.group(1) != subject.region:
                yield (f"INTERNAL_API_URL={shorten(value)!r} is looked up in {looked_up.group(1)}, but "
                       f"the resource runs in {subject.region}: Web -> App traffic would cross to the "
                       f"failed region. Use this region's NLB DNS name.")
                continue
            if is_shell_reference(value):
                continue
            host = url_host(value)
            if host in _LOCAL_HOSTS:
                yield (f"INTERNAL_API_URL={shorten(value)!r} points to the web instance itself; the route "
                       f"handler's localhost:3001 fallback fails with ECONNREFUSED (no backend runs on "
                       f"the web tier). Use the App NLB's DNS name in this region.")
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
    types=TYPES,
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
    found = user_data_of(subject.type, subject.props)
    if not found:
        return
    # The Step2 Lambda replaces the token as text, so every occurrence counts, comment or not.
    tokens = placeholder_tokens(found)
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
        literal = [a.value for user_data in found for a in named(user_data.assignments, "INTERNAL_API_URL")
                   if a.value and not is_shell_reference(a.value)]
        if literal:
            yield (f"the template is marked NLB mode on-failover but "
                   f"INTERNAL_API_URL={shorten(literal[0])!r} has no NLB_DNS_PLACEHOLDER: Step2 would "
                   f"find nothing to replace (the version-2 incident). Render "
                   f"INTERNAL_API_URL=http://NLB_DNS_PLACEHOLDER:3001.")


PLACEHOLDER_POLICY = resource_policy(
    name="no-unresolved-placeholder-in-user-data",
    description=("User data carries no unresolved *PLACEHOLDER*, except a launch template marked for NLB "
                 "mode on-failover (whose INTERNAL_API_URL then must hold NLB_DNS_PLACEHOLDER). Mandatory: "
                 "an unreplaced placeholder is a dead backend address."),
    level=EnforcementLevel.MANDATORY,
    types=TYPES,
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
    # A secret is leaked by being there (launch template versions, IMDS), so comments count too.
    text = "\n".join(user_data.text for user_data in user_data_of(subject.type, subject.props))
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
    types=TYPES,
    rule=_credential_findings,
)

# ---------------------------------------------------------------- what the pack cannot see


def _hidden_findings(subject: Subject) -> Iterator[str]:
    for user_data in user_data_of(subject.type, subject.props):
        for hidden in user_data.hidden:
            yield (f"cannot see what the instance runs: {hidden}. The guardrails on user data "
                   f"(NEXT_PUBLIC_*, AWS_REGION, INTERNAL_API_URL, credentials) cannot judge it; put the "
                   f"script in the user data itself (a MIME part or cloud-config write_files).")


HIDDEN_POLICY = resource_policy(
    name="user-data-fully-visible",
    description=("User data does not pull in code the program does not show (#include, "
                 "text/x-include-url, `curl … | bash`, a downloaded script run at boot). Advisory: "
                 "what the pack cannot see it cannot call clean."),
    level=EnforcementLevel.ADVISORY,
    types=TYPES,
    rule=lambda s: first_messages(_hidden_findings(s)),
)
