"""Rules on instances and Auto Scaling groups (IMDSv2, pilot-light capacity ownership)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from pulumi_policy import EnforcementLevel

from .context import DR
from .kit import Subject, resource_policy
from .values import get_path, is_unknown

# ---------------------------------------------------------------- IMDSv2


def _imdsv2_findings(subject: Subject) -> Iterator[str]:
    options = subject.props.get("metadataOptions")
    if is_unknown(options):
        return
    tokens = get_path(options, "httpTokens")
    endpoint = get_path(options, "httpEndpoint")
    if is_unknown(tokens) or endpoint == "disabled" or is_unknown(endpoint):
        return
    if tokens != "required":
        shown = "not set (AWS defaults to optional)" if tokens is None else f"{tokens!r}"
        yield (f"metadataOptions.httpTokens is {shown}: IMDSv1 lets any SSRF in the web tier read the "
               f"instance role's credentials. Set metadata_options.http_tokens='required' (IMDSv2; the "
               f"user data only needs the AWS CLI/SDK, which speak IMDSv2).")


IMDSV2_POLICY = resource_policy(
    name="imdsv2-required",
    description=("Launch templates, launch configurations and instances require IMDSv2 "
                 "(metadataOptions.httpTokens = required). Mandatory: security by default."),
    level=EnforcementLevel.MANDATORY,
    types=("aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/launchConfiguration:LaunchConfiguration",
           "aws:ec2/instance:Instance", "aws:ec2/spotInstanceRequest:SpotInstanceRequest"),
    rule=_imdsv2_findings,
)

# ---------------------------------------------------------------- DR ASGs: the pipeline owns capacity

# Everything the pipeline changes on a DR group: step 3 raises min/desired/max to the failover
# capacity, failback sets them back to 0. Each name in the engine's and the SDK's spelling.
PIPELINE_OWNED_SIZES = {"minSize": "min_size", "maxSize": "max_size", "desiredCapacity": "desired_capacity"}


def is_dr_group(subject: Subject) -> bool:
    name = subject.props.get("name")
    named_dr = isinstance(name, str) and not is_unknown(name) and re.search(r"(^|[-_])DR([-_]|$)", name)
    return subject.role == DR or bool(named_dr) or bool(re.search(r"(^|[-_])dr([-_]|$)", subject.name))


def _ignore_desired_findings(subject: Subject) -> Iterator[str]:
    if not is_dr_group(subject):
        return
    ignored = set(subject.ignore_changes)
    if "*" in ignored:
        return
    missing = [camel for camel, snake in PIPELINE_OWNED_SIZES.items() if not ignored & {camel, snake}]
    if missing:
        yield (f"this DR Auto Scaling group does not ignore changes to {', '.join(missing)}: Step3 scales "
               "it up during a failover (min, desired and max), and the next `pulumi up` would set them "
               "back to the pilot-light values - desired 0 terminates the serving fleet, min 0 lets it "
               "shrink, and after failback a reset max fights the pipeline. Add "
               "ResourceOptions(ignore_changes=['minSize', 'maxSize', 'desiredCapacity']).")


DR_ASG_POLICY = resource_policy(
    name="dr-asg-ignores-desired-capacity",
    description=("Auto Scaling groups of the DR stack ignore changes to minSize, maxSize and "
                 "desiredCapacity (the failover pipeline owns them). Mandatory: otherwise a routine "
                 "deploy scales Tokyo to 0 mid-failover."),
    level=EnforcementLevel.MANDATORY,
    types=("aws:autoscaling/group:Group",),
    rule=_ignore_desired_findings,
)
