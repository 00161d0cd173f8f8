"""Every evasion fixture judged identically through the CLI's path and the offline preview's path.

CLI path: the resource exactly as the engine sends it over the Analyzer protocol (an Output of
another resource is the engine's unknown). Preview path: the same resource declared in a program
run under the mock engine, then handed to the pack by `offline_preview.policy_run` — so Outputs
become ⟨markers⟩ (update mode) or unknowns (preview mode) first, and the preview must map them.
"""

from __future__ import annotations

import collections
import functools
from typing import Any

import pulumi
import pytest

from offline_preview.engine import ProgramRun, run_function
from offline_preview.policy_run import check
from policies.analyzer_harness import PolicyPackProcess
from tests.policies.evasion import FIXTURES, FROM_OUTPUT, Fixture
from tests.policies.test_evasion import as_sent

Verdict = collections.Counter[tuple[str, str, str]]


def _declare_fixtures() -> None:
    providers = {region: pulumi.ProviderResource("aws", f"aws-{region}", {"region": region})
                 for region in sorted({f.region for f in FIXTURES})}
    # A resource none of the rules judge, whose id stands for "an Output of another resource".
    source = pulumi.CustomResource("aws:s3/bucket:Bucket", "fx-output-source", {"bucket": "fx-output-source"})

    def inputs(value: Any) -> Any:
        if value is FROM_OUTPUT:
            return source.id
        if isinstance(value, dict):
            return {k: inputs(v) for k, v in value.items()}
        if isinstance(value, list):
            return [inputs(v) for v in value]
        return value

    for fixture in FIXTURES:
        pulumi.CustomResource(fixture.type, fixture.name, inputs(fixture.props),
                              pulumi.ResourceOptions(provider=providers[fixture.region],
                                                     ignore_changes=list(fixture.ignore_changes) or None))


@functools.cache
def _program(preview: bool) -> ProgramRun:
    return run_function(_declare_fixtures, {"aws:region": "ap-northeast-1"}, "tokyo", preview=preview)


def _through_the_preview(pack: PolicyPackProcess, preview: bool) -> dict[str, Verdict]:
    report = check(pack, _program(preview))
    assert report.error is None
    verdicts: dict[str, Verdict] = collections.defaultdict(collections.Counter)
    for finding in report.findings:
        verdicts[finding.resource][(finding.policy, finding.level, finding.message)] += 1
    return verdicts


def _through_the_protocol(pack: PolicyPackProcess, fixture: Fixture) -> Verdict:
    return collections.Counter((v.policy_name, v.level, v.message) for v in pack.analyze(as_sent(fixture)))


@pytest.mark.parametrize("mode", ["update", "preview"])
def test_every_fixture_is_judged_the_same_by_the_cli_path_and_the_offline_preview(mode, pack, preview_pack):
    chosen = preview_pack if mode == "preview" else pack
    # GIVEN every fixture declared by a program and previewed offline, and sent as the CLI sends it
    previewed = _through_the_preview(chosen, mode == "preview")
    # THEN each gets the same findings, message for message, both ways
    differing = {f.id: (dict(_through_the_protocol(chosen, f)), dict(previewed.get(f.name, {})))
                 for f in FIXTURES if _through_the_protocol(chosen, f) != previewed.get(f.name, Verdict())}
    assert differing == {}
    # ... and the comparison is not empty: the fixtures do produce findings on the preview path
    assert sum(1 for f in FIXTURES if previewed.get(f.name)) == sum(1 for f in FIXTURES if f.expected)


def test_the_preview_path_never_hands_the_pack_a_marker():
    # GIVEN the program in update mode: Outputs of other resources are ⟨markers⟩ in what it records
    run = _program(False)
    recorded = repr([r.inputs for r in run.resources])
    assert "⟨fx-output-source.id⟩" in recorded
    # WHEN the preview builds what it sends to the pack THEN no marker is left in it
    from offline_preview.policy_run import _analyzed

    sent = repr([(_analyzed(run, r).properties, _analyzed(run, r).provider) for r in run.resources])
    assert "⟨" not in sent
