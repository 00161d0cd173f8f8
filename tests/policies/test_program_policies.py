"""The real program of both stacks through the pack, as the offline preview runs it; and the broken
variant (tests/policies/fixtures/broken_program) failing the preview with messages that say what to change."""

from __future__ import annotations

import contextlib
import functools
import io
import json
from pathlib import Path

import pytest

import offline_preview.__main__ as preview_cli
from offline_preview.policy_run import check
from tests.conftest import run_program

BROKEN = Path(__file__).parent / "fixtures" / "broken_program" / "__main__.py"


@functools.cache
def _run(stack: str, preview: bool, program: Path | None = None):  # noqa: ANN202 - ProgramRun
    return run_program(stack, preview=preview, program=program)


@pytest.mark.parametrize("stack", ["seoul", "tokyo"])
@pytest.mark.parametrize("mode", ["update", "preview"])
def test_stack_program_passes_every_mandatory_policy(stack, mode, pack, preview_pack):
    # GIVEN the stack's real program, with placeholders (update) or unknowns (preview)
    run = _run(stack, mode == "preview")
    # WHEN the pack analyzes every resource and the stack, as the offline preview does
    report = check(preview_pack if mode == "preview" else pack, run)
    # THEN it ran, and nothing is mandatory or skipped for unknowns
    assert report.error is None
    assert [(f.policy, f.resource, f.message) for f in report.mandatory] == []
    assert [f.message for f in report.findings if "can't run policy" in f.message] == []


def test_program_exercises_the_rules_it_claims_to(pack):
    # GIVEN the tokyo program: the rules must have real resources to judge, not an empty stack
    types = {r.type for r in _run("tokyo", False).resources}
    assert {"aws:ec2/launchTemplate:LaunchTemplate", "aws:autoscaling/group:Group",
            "aws:route53/record:Record", "aws:cloudwatch/metricAlarm:MetricAlarm",
            "aws:lambda/function:Function", "aws:sfn/stateMachine:StateMachine", "aws:sns/topic:Topic",
            "aws:sns/topicSubscription:TopicSubscription"} <= types
    assert "aws:dynamodb/table:Table" in {r.type for r in _run("seoul", False).resources}


@pytest.fixture(scope="module")
def broken_preview() -> tuple[int, dict]:
    """`python -m offline_preview tokyo --json` evaluating the broken variant: exit code, document."""
    broken_run = functools.partial(preview_cli.run_program, program=BROKEN)
    with pytest.MonkeyPatch.context() as patch, contextlib.redirect_stdout(io.StringIO()) as out:
        patch.setattr(preview_cli, "run_program", broken_run)
        code = preview_cli.main(["tokyo", "--json"])
    return code, json.loads(out.getvalue())


def _messages(document: dict, policy: str) -> list[str]:
    return [v["message"] for v in document["policies"]["violations"]
            if v["policy"] == policy and v["level"] == "mandatory"]


def test_broken_program_fails_the_offline_preview(broken_preview):
    # GIVEN the broken variant WHEN previewed THEN exit 1 with exactly the three incidents, all mandatory
    code, document = broken_preview
    assert code == 1
    assert document["policies"]["error"] is None
    assert sorted(v["policy"] for v in document["policies"]["violations"]) == [
        "internal-api-url-in-own-region", "no-next-public-build-time-urls",
        "no-pinned-launch-template-version"]


def test_broken_program_pinned_version_is_reported_with_the_fix(broken_preview):
    [message] = _messages(broken_preview[1], "no-pinned-launch-template-version")
    assert "launchTemplate.version = '2'" in message and "'$Latest'" in message


def test_broken_program_next_public_url_is_reported_with_the_runtime_alternative(broken_preview):
    [message] = _messages(broken_preview[1], "no-next-public-build-time-urls")
    assert "NEXT_PUBLIC_API_URL" in message
    assert "INTERNAL_API_URL" in message and "route.ts" in message


def test_broken_program_seoul_nlb_in_tokyo_user_data_is_reported(broken_preview):
    [message] = _messages(broken_preview[1], "internal-api-url-in-own-region")
    assert "ap-northeast-2" in message and "this region's NLB" in message

@pytest.mark.parametrize("mode", ["update", "preview"])
def test_tokyo_with_nlb_created_on_failover_passes(mode, pack, preview_pack):
    # GIVEN nlb.mode=on-failover: the web template carries NLB_DNS_PLACEHOLDER and is tagged for it
    run = run_program("tokyo", preview=mode == "preview", overrides=["nlb.mode=on-failover"])
    report = check(preview_pack if mode == "preview" else pack, run)
    assert report.error is None and report.mandatory == []
