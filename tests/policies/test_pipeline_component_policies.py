"""The real FailoverPipeline component through the pack: clean as configured, and a single-channel
approval topic or a 3 s Step1 is caught (the documents' §7.3 and §7.2.2 incidents)."""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.failover_pipeline import FailoverPipeline
from offline_preview.engine import ProgramRun
from offline_preview.policy_run import check
from stack_config import Approvers
from tests.components.pipeline_args import pipeline_args, tokyo_settings, with_failover
from tests.conftest import run_component


def _pipeline(preview: bool, **overrides: Any) -> ProgramRun:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        virginia = aws.Provider("us-east-1", region="us-east-1")
        args = pipeline_args(virginia, **overrides)
        FailoverPipeline("failover", args, pulumi.ResourceOptions(provider=tokyo))

    return run_component(body, preview)


@pytest.mark.parametrize("mode", ["update", "preview"])
def test_pipeline_as_configured_passes_every_policy(mode, pack, preview_pack):
    report = check(preview_pack if mode == "preview" else pack, _pipeline(mode == "preview"))
    assert report.error is None
    assert [(f.policy, f.resource, f.message) for f in report.findings] == []


def test_email_only_approval_is_a_mandatory_violation(pack):
    # A programmatic caller going around stack_config (which refuses a single channel).
    settings = with_failover(tokyo_settings(), approvers=Approvers(("a@example.com", "b@example.com"), ()))
    emails_only = _pipeline(False, settings=settings)
    report = check(pack, emails_only)
    [finding] = report.mandatory
    assert finding.policy == "approval-topic-redundant-subscriptions"
    assert "stfc-topic-dev-an1-approval" in finding.message and "protocols: email" in finding.message


def test_step1_with_a_three_second_timeout_is_a_mandatory_violation(pack):
    # A programmatic caller going around stack_config (which refuses nlb below the shared minimum).
    settings = tokyo_settings()
    timeouts = dataclasses.replace(settings.failover.lambda_timeouts, nlb=3)
    report = check(pack, _pipeline(False, settings=with_failover(settings, lambda_timeouts=timeouts)))
    [finding] = report.mandatory
    assert finding.policy == "failover-lambda-timeout-fits-step" and "timeout=120" in finding.message
