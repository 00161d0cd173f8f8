"""Evasion fixtures through the Analyzer protocol, as the CLI sends them: what a careful reviewer
expects, per category (tests/policies/evasion.py), in `pulumi up` and `pulumi preview` mode."""

from __future__ import annotations

import collections
from typing import Any

import pytest

from policies.analyzer_harness import UNKNOWN, AnalyzedResource, PolicyPackProcess
from tests.policies.evasion import FIXTURES, FROM_OUTPUT, JUDGED, NEXT_ADVISORY, Fixture
from tests.policies.resources import resource

ADVISORY = {NEXT_ADVISORY, "user-data-fully-visible"}


def engine_value(value: Any) -> Any:
    """A fixture's inputs as the engine sends them: an Output of another resource is unknown."""
    if value is FROM_OUTPUT:
        return UNKNOWN
    if isinstance(value, dict):
        return {k: engine_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [engine_value(v) for v in value]
    return value


def as_sent(fixture: Fixture) -> AnalyzedResource:
    options = {"ignoreChanges": list(fixture.ignore_changes)} if fixture.ignore_changes else {}
    return resource(fixture.type, fixture.name, engine_value(fixture.props), region=fixture.region,
                    options=options)


def test_fixture_ids_are_unique_and_every_category_has_several():
    assert len({f.id for f in FIXTURES}) == len(FIXTURES)
    per_category = collections.Counter(f.category for f in FIXTURES)
    assert min(per_category.values()) >= 3, per_category


@pytest.mark.parametrize("fixture", FIXTURES, ids=[f"{f.category}-{f.id}" for f in FIXTURES])
def test_evasion_fixture_is_judged_as_a_reviewer_would(any_pack: PolicyPackProcess, fixture: Fixture):
    # GIVEN one resource hiding (or not) a guardrail's incident WHEN the CLI sends it to the pack
    violations = any_pack.analyze(as_sent(fixture))
    # THEN exactly the expected findings of the guardrails under test, at their levels
    judged = collections.Counter(v.policy_name for v in violations if v.policy_name in JUDGED)
    assert dict(judged) == fixture.expected, [v.message for v in violations]
    for violation in violations:
        expected_level = "advisory" if violation.policy_name in ADVISORY else "mandatory"
        assert violation.level == expected_level
    # ... and nothing else: every fixture is otherwise compliant
    assert [v for v in violations if v.policy_name not in JUDGED] == []
