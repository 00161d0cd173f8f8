"""`primaryStack` and the `primary.*` fallback values the DR stack reads seoul's outputs from, and
`tags`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Optional

from failover.contract import PRIMARY_OUTPUTS, TABLE_NAME, TABLE_SUFFIXES, TAG_KEY, TAG_VALUE
from stack_config import shapes
from stack_config.errors import NAMESPACE, ConfigError, fail
from stack_config.model import PrimaryReference
from stack_config.reader import Section
from stack_config.regions import known_regions

_TEXT_SHAPES: dict[str, tuple[re.Pattern[str], str]] = {
    "albDnsName": (shapes.HOST_NAME, "the seoul ALB's DNS name"),
    "nlbDnsName": (shapes.HOST_NAME, "the seoul NLB's DNS name"),
    "albZoneId": (shapes.ZONE_ID, 'the ALB\'s canonical hosted zone id such as "ZWKZPGTI48KDX"'),
    "hostedZoneId": (shapes.ZONE_ID, 'a Route53 hosted zone id such as "Z0123456789ABC"'),
    "healthCheckId": (shapes.HEALTH_CHECK_ID, "a Route53 health check id (a UUID)"),
    "detectionHealthCheckId": (shapes.HEALTH_CHECK_ID, "a Route53 health check id (a UUID)"),
    "calculatedHealthCheckId": (shapes.HEALTH_CHECK_ID, "a Route53 health check id (a UUID)"),
    "goldenAmiId": (shapes.AMI_ID, 'an AMI id such as "ami-0abc1234def567890"'),
    "goldenAmiBuild": (shapes.BUILD_LABEL, "a build label of 1-64 letters, digits, . _ : + -"),
}


def _table_map(section: Section, name: str, is_valid: Any, expected: str) -> Optional[dict[str, str]]:
    value = section.raw(name)
    if value is None:
        return None
    suffixes = ", ".join(TABLE_SUFFIXES)
    if not isinstance(value, Mapping) or set(value) != set(TABLE_SUFFIXES):
        raise fail(section.key(name), f"an object with exactly the keys {suffixes}", value)
    for suffix, item in value.items():
        if not isinstance(item, str) or not is_valid(item):
            raise fail(f"{section.key(name)}.{suffix}", expected, item)
    return dict(value)


def read_fallback(root: Section, primary_region: str) -> dict[str, Any]:
    primary = root.section("primary").only(*PRIMARY_OUTPUTS)
    values: dict[str, Any] = {}
    for key, (pattern, expected) in _TEXT_SHAPES.items():
        text = primary.optional_text(key, pattern, expected)
        if text is not None:
            values[key] = text
    region = primary.optional_text("primaryRegion", re.compile(r"[a-z0-9-]{1,32}"), "an AWS region")
    if region is not None:
        if region not in known_regions() or region != primary_region:
            raise fail(primary.key("primaryRegion"), f"primaryRegion ({primary_region})", region)
        values["primaryRegion"] = region
    names = _table_map(primary, "tableNames", lambda v: TABLE_NAME.problem(v) is None,
                       f"{TABLE_NAME.what}: {TABLE_NAME.expected()}")
    arns = _table_map(primary, "tableArns", shapes.TABLE_ARN.fullmatch,
                      "a DynamoDB table ARN (arn:aws:dynamodb:<region>:<account>:table/<name>)")
    for key, found in (("tableNames", names), ("tableArns", arns)):
        if found is not None:
            values[key] = found
    return values


def _names_itself(reference: str, project: str, stack: str) -> bool:
    parts = reference.split("/")
    if parts[-1] != stack:
        return False
    return len(parts) < 3 or parts[-2] == project


def read_primary(root: Section, stack: str, project: str, is_dr: bool, primary_region: str,
                 ami_given: bool) -> PrimaryReference:
    stack_name = root.optional_text("primaryStack", shapes.STACK_REF,
                                    'a stack name such as "organization/megaticket-dr/seoul"')
    if stack_name is not None and _names_itself(stack_name, project, stack):
        raise fail("primaryStack", f"the primary stack, not this stack ({stack})", stack_name)
    fallback = read_fallback(root, primary_region)
    if is_dr and stack_name is None:
        # Without a StackReference every value tokyo needs must come from config, before anything
        # is declared (a missing one found mid-program would leave a half-declared stack).
        needed = ["healthCheckId"] + ([] if ami_given else ["goldenAmiId"])
        for key in needed:
            if key not in fallback:
                raise ConfigError(f"{NAMESPACE}:primary.{key} must be set when {NAMESPACE}:primaryStack "
                                  f"is not (got nothing)")
    return PrimaryReference(stack_name, fallback)


def read_tags(root: Section, stack: str) -> dict[str, str]:
    tags = root.raw("tags")
    if tags is None:
        tags = {}
    if not isinstance(tags, Mapping):
        raise fail("tags", "an object of string keys and string values", tags)
    for key, value in tags.items():
        if not isinstance(key, str) or TAG_KEY.problem(key):
            raise fail("tags", f"an object whose keys are {TAG_KEY.plural} ({TAG_KEY.expected()})", key)
        if not isinstance(value, str) or value != value.strip() or TAG_VALUE.problem(value):
            raise fail(f"tags.{key}", f"{TAG_VALUE.what}: {TAG_VALUE.expected()}", value)
    return {"Project": "MegaTicket", "ManagedBy": "pulumi", "Stack": stack, **dict(tags)}
