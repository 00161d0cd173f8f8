"""IMDSv2 and DR ASG capacity ownership through the protocol."""

from __future__ import annotations

import pytest

from policies.analyzer_harness import UNKNOWN
from tests.policies.resources import (
    ASG,
    INSTANCE,
    LAUNCH_CONFIG,
    SEOUL,
    launch_template,
    resource,
    violations_of,
)

IMDS = "imdsv2-required"
DR_ASG = "dr-asg-ignores-desired-capacity"


def test_launch_template_requiring_tokens_passes(any_pack):
    assert violations_of(any_pack, IMDS, launch_template("#!/bin/bash\n", http_tokens="required")) == []


@pytest.mark.parametrize("tokens", ["optional", None], ids=["optional", "missing"])
def test_launch_template_allowing_imdsv1_is_mandatory_violation(pack, tokens):
    violations = violations_of(pack, IMDS, launch_template("#!/bin/bash\n", http_tokens=tokens))
    assert len(violations) == 1
    assert violations[0].level == "mandatory" and "http_tokens='required'" in violations[0].message


def test_disabled_metadata_endpoint_and_unknown_options_pass(any_pack):
    disabled = resource(INSTANCE, "i", {"metadataOptions": {"httpEndpoint": "disabled"}})
    unknown = resource(LAUNCH_CONFIG, "lc", {"metadataOptions": UNKNOWN})
    assert violations_of(any_pack, IMDS, disabled, unknown) == []


@pytest.mark.parametrize("type_", [INSTANCE, LAUNCH_CONFIG])
def test_instances_and_launch_configurations_need_imdsv2_too(pack, type_):
    assert len(violations_of(pack, IMDS, resource(type_, "x", {}))) == 1
    assert (
        violations_of(pack, IMDS, resource(type_, "x", {"metadataOptions": {"httpTokens": "required"}})) == []
    )


def dr_asg(ignore_changes: object, *, region: str = "ap-northeast-1", name: str = "MegaTicket-DR-Web-ASG"):
    options = {} if ignore_changes is None else {"ignoreChanges": ignore_changes}
    return resource(
        ASG,
        name,
        {
            "name": name,
            "minSize": 0,
            "maxSize": 2,
            "desiredCapacity": 0,
            "launchTemplate": {"id": "lt-1", "version": "$Latest"},
        },
        region=region,
        options=options,
    )


@pytest.mark.parametrize("ignored", [["minSize", "maxSize", "desiredCapacity"],
                                     ["min_size", "max_size", "desired_capacity", "tags"], ["*"]])
def test_dr_asg_ignoring_every_size_the_pipeline_sets_passes(any_pack, ignored):
    assert violations_of(any_pack, DR_ASG, dr_asg(ignored)) == []


@pytest.mark.parametrize("ignored", [None, [], ["tags"]], ids=["no-options", "empty", "other-property"])
def test_dr_asg_managing_its_capacity_is_mandatory_violation(pack, ignored):
    violations = violations_of(pack, DR_ASG, dr_asg(ignored))
    assert len(violations) == 1
    assert "ignore_changes=['minSize', 'maxSize', 'desiredCapacity']" in violations[0].message


@pytest.mark.parametrize("ignored, missing", [
    (["desiredCapacity"], "minSize, maxSize"),  # the old option: an up mid-failover resets min to 0
    (["desiredCapacity", "minSize"], "maxSize"),  # after failback an up resets max
    (["minSize", "maxSize"], "desiredCapacity"),
])
def test_dr_asg_ignoring_only_some_sizes_names_the_rest(pack, ignored, missing):
    violations = violations_of(pack, DR_ASG, dr_asg(ignored))
    assert len(violations) == 1
    assert f"does not ignore changes to {missing}:" in violations[0].message


def test_primary_asg_may_manage_its_capacity(any_pack):
    # GIVEN Seoul's ASG (seoul stack, role primary): Pulumi owns its capacity
    assert violations_of(any_pack, DR_ASG, dr_asg(None, region=SEOUL, name="MegaTicket-Web-ASG")) == []
