"""The harness speaks the Analyzer protocol like the engine: info, config, unknowns, secrets, failures."""

from __future__ import annotations

import base64
import dataclasses
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from policies.analyzer_harness import (
    UNKNOWN,
    AnalyzedResource,
    PolicyPackError,
    PolicyPackProcess,
    Secret,
    pack_python,
)
from tests.policies.compliant import seoul_resources, tokyo_resources
from tests.policies.resources import TOKYO, launch_template, violations_of, web_user_data

EXPECTED_POLICIES = {
    "no-pinned-launch-template-version",
    "warm-pool-boots-final-template",
    "fast-profile-has-approval-gate",
    "no-next-public-build-time-urls",
    "user-data-region-matches-provider",
    "internal-api-url-in-own-region",
    "no-unresolved-placeholder-in-user-data",
    "no-credentials-in-user-data",
    "imdsv2-required",
    "dr-asg-ignores-desired-capacity",
    "primary-failover-record-has-health-check",
    "failover-record-ttl",
    "route53-health-check-alarm-in-us-east-1",
    "primary-tables-replicated-to-dr",
    "primary-tables-point-in-time-recovery",
    "approval-topic-redundant-subscriptions",
    "approval-task-has-timeout",
    "failover-lambda-timeout-fits-step",
    "no-task-token-in-notifications",
    "next-public-set-at-boot",
    "user-data-fully-visible",
}
ADVISORY_POLICIES = {"next-public-set-at-boot", "user-data-fully-visible"}
# Replacing one of these with an unknown is itself a finding: a version computed from an Output
# (lt.latest_version) is a number at deploy, a pin under another name.
VERSION_SELECTORS = {("launchTemplate", "version"), ("environment", "variables", "LAUNCH_TEMPLATE_VERSION")}


def test_pack_describes_itself_like_the_cli_expects(pack):
    info = pack.info()
    assert info.name == "megaticket-dr-guardrails"
    assert {p.name for p in info.policies} == EXPECTED_POLICIES
    assert {p.name for p in info.policies if p.level == "advisory"} == ADVISORY_POLICIES
    assert {p.level for p in info.policies if p.name not in ADVISORY_POLICIES} == {"mandatory"}
    assert {p.name for p in info.policies if p.kind == "stack"} == {
        "approval-topic-redundant-subscriptions", "warm-pool-boots-final-template", "fast-profile-has-approval-gate"}
    # each level is justified in its description
    assert all(f"{p.level.capitalize()}:" in p.description for p in info.policies)


def test_pack_runs_in_the_virtualenv_named_by_pulumipolicy_yaml():
    assert pack_python().endswith("/.venv/bin/python")


def test_compliant_stacks_have_no_violations_in_either_mode(any_pack):
    for resources in (tokyo_resources(), seoul_resources()):
        assert any_pack.analyze_many(resources) == []
        assert any_pack.analyze_stack(resources) == []


def _leaves(value: Any, path: tuple = ()) -> Iterator[tuple]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaves(item, (*path, index))
    if path:
        yield path


def _replaced(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {k: _replaced(v, rest, new) if k == head else v for k, v in value.items()}
    return [_replaced(v, rest, new) if i == head else v for i, v in enumerate(value)]


def _one_unknown_variants(resources: list[AnalyzedResource]) -> list[tuple[tuple, AnalyzedResource]]:
    variants = []
    for item in resources:
        if item.provider is not None:
            region = dataclasses.replace(item.provider, properties={"region": UNKNOWN})
            variants.append((("provider", "region"), dataclasses.replace(item, provider=region)))
        for path in _leaves(dict(item.properties)):
            properties = _replaced(dict(item.properties), path, UNKNOWN)
            variants.append((path, dataclasses.replace(item, properties=properties)))
    return variants


def test_any_single_unknown_value_never_crashes_a_rule_nor_creates_a_violation(preview_pack):
    # GIVEN every compliant resource with one value (leaf or whole object) replaced by an unknown
    variants = _one_unknown_variants(tokyo_resources() + seoul_resources())
    assert len(variants) > 80
    plain = [variant for path, variant in variants if path not in VERSION_SELECTORS]
    versions = [variant for path, variant in variants if path in VERSION_SELECTORS]
    # THEN the pack answers every request, with nothing to report (no "can't run policy" either) ...
    assert preview_pack.analyze_many(plain) == []
    # ... except a launch template version that only the deploy will know: an Output reference
    assert len(versions) == len(VERSION_SELECTORS)
    assert [v.policy_name for v in preview_pack.analyze_many(versions)] == [
        "no-pinned-launch-template-version"] * len(versions)


def test_secret_values_are_unwrapped_before_rules_read_them(pack):
    text = web_user_data(TOKYO, "http://localhost:3001")
    template = launch_template(None)
    secret = dataclasses.replace(
        template,
        properties={**template.properties, "userData": Secret(base64.b64encode(text.encode()).decode())},
    )
    assert len(violations_of(pack, "internal-api-url-in-own-region", secret)) == 1


def test_analyze_many_matches_one_call_per_resource(pack):
    resources = [launch_template(web_user_data(TOKYO, "http://localhost:3001")), *tokyo_resources()] * 3
    assert pack.analyze_many(resources) == [v for r in resources for v in pack.analyze(r)]


def test_policy_config_changes_levels_and_properties_like_policy_pack_config():
    bad_imds = launch_template("#!/bin/bash\n", http_tokens="optional")
    config = {
        "imdsv2-required": "advisory",
        "no-credentials-in-user-data": {"enforcementLevel": "disabled"},
        "failover-record-ttl": {"maxFailoverTtl": 30},
    }
    with PolicyPackProcess(policy_config=config) as configured:
        levels = {p.name: p.level for p in configured.info().policies}
        assert levels["imdsv2-required"] == "mandatory"  # what the pack declares ...
        [violation] = violations_of(configured, "imdsv2-required", bad_imds)
        assert violation.level == "advisory"  # ... and what the configured run enforces
        leaked = launch_template(web_user_data(extra="export AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n"))
        assert violations_of(configured, "no-credentials-in-user-data", leaked) == []
        from tests.policies.test_dns_rules import record

        assert (
            len(
                violations_of(
                    configured,
                    "failover-record-ttl",
                    record("PRIMARY", aliases=None, ttl=60, records=["203.0.113.1"]),
                )
            )
            == 1
        )


def test_a_pack_that_fails_to_start_reports_its_error(tmp_path):
    # GIVEN a pack whose rule module does not import
    (tmp_path / "__main__.py").write_text("import guardrails_oops\n")
    broken = PolicyPackProcess(tmp_path, python=sys.executable, startup_timeout=30).start()
    # THEN the first call says so, with the pack's own traceback line
    with pytest.raises(PolicyPackError, match="No module named 'guardrails_oops'"):
        broken.info()
    broken.close()


def test_close_stops_the_process(tmp_path):
    process = PolicyPackProcess().start()
    process.info()
    child = process._process
    process.close()
    assert child is not None and child.poll() is not None
