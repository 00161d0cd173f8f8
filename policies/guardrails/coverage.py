"""Every pulumi-aws resource type that boots instances: where its user data is, and which of its
fields select a launch template version.

Taken from the provider schema (`tests/policies/provider_schema.py` walks the installed SDK's
resource and input types); `tests/policies/test_coverage.py` fails when a provider upgrade adds a
type or a path that is not listed here, so a new way to boot an instance cannot slip past the pack.
Paths are camelCase as the engine sends them; `[]` walks every element of a list.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

USER_DATA_PATHS: dict[str, tuple[str, ...]] = {
    "aws:ec2/instance:Instance": ("userData", "userDataBase64"),
    "aws:ec2/launchConfiguration:LaunchConfiguration": ("userData", "userDataBase64"),
    "aws:ec2/launchTemplate:LaunchTemplate": ("userData",),
    "aws:ec2/spotFleetRequest:SpotFleetRequest": ("launchSpecifications[].userData",),
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": ("userData", "userDataBase64"),
    "aws:imagebuilder/imageRecipe:ImageRecipe": ("userDataBase64",),
    "aws:lightsail/instance:Instance": ("userData",),
}

VERSION_PATHS: dict[str, tuple[str, ...]] = {
    "aws:autoscaling/group:Group": (
        "launchTemplate.version",
        "mixedInstancesPolicy.launchTemplate.launchTemplateSpecification.version",
        "mixedInstancesPolicy.launchTemplate.overrides[].launchTemplateSpecification.version",
    ),
    "aws:batch/computeEnvironment:ComputeEnvironment": ("computeResources.launchTemplate.version",),
    "aws:ec2/fleet:Fleet": ("launchTemplateConfigs[].launchTemplateSpecification.version",),
    "aws:ec2/instance:Instance": ("launchTemplate.version",),
    # A template's own default: `$Default` then means this number forever, whatever Step2 writes.
    "aws:ec2/launchTemplate:LaunchTemplate": ("defaultVersion",),
    "aws:ec2/spotFleetRequest:SpotFleetRequest": (
        "launchTemplateConfigs[].launchTemplateSpecification.version",
    ),
    "aws:ec2/spotInstanceRequest:SpotInstanceRequest": ("launchTemplate.version",),
    "aws:eks/nodeGroup:NodeGroup": ("launchTemplate.version",),
    "aws:gamelift/gameServerGroup:GameServerGroup": ("launchTemplate.version",),
    "aws:imagebuilder/distributionConfiguration:DistributionConfiguration": (
        "distributions[].fastLaunchConfigurations[].launchTemplate.launchTemplateVersion",
    ),
}

USER_DATA_TYPES = frozenset(USER_DATA_PATHS)
VERSION_TYPES = frozenset(VERSION_PATHS)


def values_at(props: Any, path: str) -> Iterator[tuple[str, Any]]:
    """(concrete path, value) for every value at `path`; an unknown list or object is yielded as
    the unknown it is, so a rule can decide what an unknown means."""
    yield from _walk(props, path.split("."), "")


def _walk(node: Any, steps: list[str], prefix: str) -> Iterator[tuple[str, Any]]:
    if not steps:
        yield prefix, node
        return
    step, rest = steps[0], steps[1:]
    many = step.endswith("[]")
    key = step[:-2] if many else step
    if not isinstance(node, dict):
        if isinstance(node, str) and prefix:  # an unknown object on the way
            yield prefix, node
        return
    here = f"{prefix}.{key}" if prefix else key
    value = node.get(key)
    if value is None:
        return
    if many:
        if not isinstance(value, list):
            if isinstance(value, str):
                yield here, value
            return
        for index, item in enumerate(value):
            yield from _walk(item, rest, f"{here}[{index}]")
    else:
        yield from _walk(value, rest, here)
