"""The pack covers every pulumi-aws resource type that carries user data or selects a launch
template version, as the installed provider declares them, and reads every such path."""

from __future__ import annotations

import pytest

from policies.guardrails import coverage, launch_template_versions, next_public, user_data_rules
from tests.policies.evasion import b64, script
from tests.policies.provider_schema import instance_paths
from tests.policies.resources import resource, violations_of


def _declared(kind: str) -> dict[str, frozenset[str]]:
    return {t: paths[kind] for t, paths in instance_paths().items() if paths[kind]}


def test_user_data_paths_match_the_installed_provider():
    # A provider upgrade that adds a type or a field carrying user data fails here until it is listed.
    listed = {t: frozenset(p) for t, p in coverage.USER_DATA_PATHS.items()}
    assert listed == _declared("userData")


def test_launch_template_version_paths_match_the_installed_provider():
    listed = {t: frozenset(p) for t, p in coverage.VERSION_PATHS.items()}
    assert listed == _declared("version")


def test_the_provider_walk_finds_the_types_everyone_knows():
    # Guards the walk itself: an SDK layout change must not make both sides silently empty.
    assert {"aws:ec2/launchTemplate:LaunchTemplate", "aws:ec2/instance:Instance",
            "aws:ec2/spotFleetRequest:SpotFleetRequest"} <= set(_declared("userData"))
    assert {"aws:autoscaling/group:Group", "aws:eks/nodeGroup:NodeGroup"} <= set(_declared("version"))


def test_every_user_data_rule_and_the_version_rule_apply_to_every_covered_type():
    for rule_types in (user_data_rules.TYPES, next_public.TYPES):
        assert coverage.USER_DATA_TYPES <= set(rule_types)
    assert coverage.VERSION_TYPES <= set(launch_template_versions.TYPES)


def _at(path: str, value: object) -> dict:
    """Inputs with `value` at a coverage path, lists of one element for `[]`."""
    steps = path.split(".")
    node: object = value
    for step in reversed(steps):
        key = step.removesuffix("[]")
        node = {key: [node] if step.endswith("[]") else node}
    assert isinstance(node, dict)
    return node


USER_DATA_CASES = [(t, p) for t, paths in sorted(coverage.USER_DATA_PATHS.items()) for p in paths]
VERSION_CASES = [(t, p) for t, paths in sorted(coverage.VERSION_PATHS.items()) for p in paths]


@pytest.mark.parametrize(("type_", "path"), USER_DATA_CASES, ids=[f"{t}:{p}" for t, p in USER_DATA_CASES])
def test_user_data_at_every_covered_path_is_read(pack, type_, path):
    text = script("export NEXT_PUBLIC_API_URL=https://api.pilotlight-test.click\n")
    value = b64(text) if path.endswith("Base64") or type_.endswith("LaunchTemplate") else text
    violations = violations_of(pack, "no-next-public-build-time-urls", resource(type_, "r", _at(path, value)))
    assert len(violations) == 1


@pytest.mark.parametrize(("type_", "path"), VERSION_CASES, ids=[f"{t}:{p}" for t, p in VERSION_CASES])
def test_a_pinned_version_at_every_covered_path_is_reported(pack, type_, path):
    props = _at(path, "2")
    violations = violations_of(pack, "no-pinned-launch-template-version", resource(type_, "r", props))
    assert len(violations) == 1
    latest = violations_of(pack, "no-pinned-launch-template-version", resource(type_, "r", _at(path, "$Latest")))
    assert latest == [] or type_.endswith("LaunchTemplate")  # a template's own default is never '$Latest'
