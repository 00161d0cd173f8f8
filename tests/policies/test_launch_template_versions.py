"""Mandatory rule 1 through the Analyzer protocol: no pinned launch template version anywhere."""

from __future__ import annotations

import json

import pytest

from policies.analyzer_harness import UNKNOWN
from tests.policies.resources import (
    ASG,
    FLEET,
    INSTANCE,
    LAMBDA,
    SPOT_FLEET,
    STATE_MACHINE,
    resource,
    violations_of,
)

POLICY = "no-pinned-launch-template-version"


def asg(version: object = None, *, mixed: bool = False) -> object:
    reference = {"id": "lt-0a1b2c3d4e5f6a7b8"}
    if version is not None:
        reference["version"] = version
    if mixed:
        props = {
            "mixedInstancesPolicy": {
                "launchTemplate": {
                    "launchTemplateSpecification": {
                        "launchTemplateId": reference["id"],
                        **({"version": version} if version is not None else {}),
                    }
                }
            }
        }
    else:
        props = {"launchTemplate": reference}
    return resource(
        ASG,
        "MegaTicket-DR-Web-ASG",
        {"name": "MegaTicket-DR-Web-ASG", "maxSize": 2, "minSize": 0, **props},
        options={"ignoreChanges": ["minSize", "maxSize", "desiredCapacity"]},
    )


@pytest.mark.parametrize("version", ["$Latest", "$Default"])
@pytest.mark.parametrize("mixed", [False, True], ids=["launchTemplate", "mixedInstancesPolicy"])
def test_asg_following_latest_or_default_passes(any_pack, version, mixed):
    # GIVEN an ASG whose launch template reference follows $Latest/$Default
    # WHEN the pack analyzes it THEN rule 1 is silent
    assert violations_of(any_pack, POLICY, asg(version, mixed=mixed)) == []


@pytest.mark.parametrize("version", ["2", 2, " 7 "], ids=["string", "number", "padded"])
@pytest.mark.parametrize("mixed", [False, True], ids=["launchTemplate", "mixedInstancesPolicy"])
def test_asg_pinned_to_a_number_is_mandatory_violation(pack, version, mixed):
    # GIVEN an ASG pinned to a version number (string or number, as lt.latest_version yields)
    violations = violations_of(pack, POLICY, asg(version, mixed=mixed))
    # THEN one mandatory violation that names the path and tells the user to use $Latest
    assert len(violations) == 1
    violation = violations[0]
    assert violation.level == "mandatory"
    assert violation.resource_name == "MegaTicket-DR-Web-ASG"
    assert "version" in violation.message and "'$Latest'" in violation.message
    assert "pins launch template version" in violation.message


def test_asg_without_version_uses_default_and_passes(any_pack):
    # GIVEN no version at all (AWS then uses $Default) THEN nothing to report
    assert violations_of(any_pack, POLICY, asg(None)) == []
    assert violations_of(any_pack, POLICY, asg(None, mixed=True)) == []


@pytest.mark.parametrize("mixed", [False, True], ids=["launch-template", "mixed-instances"])
def test_version_from_the_templates_latest_version_output_is_a_violation(preview_pack, mixed):
    # GIVEN `version=lt.latest_version` during preview: the engine sends the unknown sentinel, and
    # a literal '$Latest' is always known, so the unknown is an Output: a number at deploy
    violations = violations_of(preview_pack, POLICY, asg(UNKNOWN, mixed=mixed))
    assert len(violations) == 1
    assert "latestVersion" in violations[0].message and "pin under another name" in violations[0].message


def test_other_strings_are_rejected_with_the_allowed_values(pack):
    violations = violations_of(pack, POLICY, asg("latest"))
    assert len(violations) == 1 and "neither '$Latest' nor '$Default'" in violations[0].message


def test_mixed_instances_override_specification_is_checked(pack):
    props = {
        "mixedInstancesPolicy": {
            "launchTemplate": {
                "launchTemplateSpecification": {"launchTemplateId": "lt-1", "version": "$Latest"},
                "overrides": [
                    {"instanceType": "t3.small"},
                    {
                        "instanceType": "t3.large",
                        "launchTemplateSpecification": {"launchTemplateId": "lt-2", "version": "3"},
                    },
                ],
            }
        }
    }
    violations = violations_of(pack, POLICY, resource(ASG, "asg", props, options={"ignoreChanges": ["*"]}))
    assert [v.message.split(" =")[0] for v in violations] == [
        "mixedInstancesPolicy.launchTemplate.overrides[1].launchTemplateSpecification.version"
    ]


@pytest.mark.parametrize(
    ("type_", "props"),
    [
        (INSTANCE, {"launchTemplate": {"id": "lt-1", "version": "{v}"}}),
        (
            FLEET,
            {
                "launchTemplateConfigs": [
                    {"launchTemplateSpecification": {"launchTemplateId": "lt-1", "version": "{v}"}}
                ]
            },
        ),
        (
            SPOT_FLEET,
            {"launchTemplateConfigs": [{"launchTemplateSpecification": {"id": "lt-1", "version": "{v}"}}]},
        ),
    ],
    ids=["instance", "ec2-fleet", "spot-fleet"],
)
def test_instances_and_fleets_follow_the_same_rule(pack, type_, props):
    pinned = json.loads(json.dumps(props).replace("{v}", "4"))
    latest = json.loads(json.dumps(props).replace("{v}", "$Latest"))
    assert len(violations_of(pack, POLICY, resource(type_, "pinned", pinned))) == 1
    assert violations_of(pack, POLICY, resource(type_, "latest", latest)) == []
    assert violations_of(pack, POLICY, resource(type_, "missing", {})) == []


def step2_lambda(variables: object) -> object:
    props = {"name": "stfc-lambda-dev-step2", "timeout": 60, "runtime": "python3.12"}
    if variables is not None:
        props["environment"] = {"variables": variables}
    return resource(LAMBDA, "stfc-lambda-dev-step2", props)


@pytest.mark.parametrize(
    "variables",
    [
        {"LAUNCH_TEMPLATE_VERSION": "2"},
        {"WEB_LT_VERSION": "2"},
        {"LaunchTemplateVersions": "['2']"},
        {"STEP2_NOTE": "describe_launch_template_versions(LaunchTemplateId=lt, Versions=['2'])"},
    ],
    ids=["LAUNCH_TEMPLATE_VERSION", "WEB_LT_VERSION", "list-literal", "code-in-env"],
)
def test_step2_lambda_pinned_to_version_2_is_the_document_incident(pack, variables):
    # GIVEN the Step2 Lambda configured with Versions=['2'] (001 §3.4)
    violations = violations_of(pack, POLICY, step2_lambda(variables))
    assert len(violations) == 1
    assert violations[0].level == "mandatory"
    assert "$Latest" in violations[0].message


@pytest.mark.parametrize(
    "variables",
    [
        {"LAUNCH_TEMPLATE_VERSION": "$Latest"},
        {"TABLE_VERSION": "2"},
        {"WEB_LAUNCH_TEMPLATE_ID": "lt-0123"},
        None,
        {},
    ],
    ids=["latest", "unrelated-version", "template-id", "no-environment", "empty"],
)
def test_step2_lambda_following_latest_passes(any_pack, variables):
    assert violations_of(any_pack, POLICY, step2_lambda(variables)) == []


def state_machine(parameters: dict) -> object:
    definition = {
        "StartAt": "UpdateLaunchTemplate",
        "States": {
            "UpdateLaunchTemplate": {
                "Type": "Task",
                "Resource": "arn:aws:states:::aws-sdk:ec2:describeLaunchTemplateVersions",
                "Parameters": parameters,
                "End": True,
            }
        },
    }
    return resource(STATE_MACHINE, "stfc-stepfunction-dev-an1", {"definition": json.dumps(definition)})


def test_state_machine_sdk_call_pinned_to_version_2_is_a_violation(pack):
    machine = state_machine({"LaunchTemplateId": "lt-1", "Versions": ["2"]})
    violations = violations_of(pack, POLICY, machine)
    assert len(violations) == 1
    assert "States.UpdateLaunchTemplate.Parameters.Versions" in violations[0].message


@pytest.mark.parametrize(
    "parameters",
    [
        {"LaunchTemplateId": "lt-1", "Versions": ["$Latest"]},
        {"LaunchTemplateId": "lt-1", "Versions.$": "$.versions"},
        {"LaunchTemplateId": "lt-1"},
        {"FunctionName": "stfc-lambda-dev-step3", "Payload": {"Version": "2"}},
    ],
    ids=["latest", "jsonpath", "missing", "unrelated-version"],
)
def test_state_machine_without_pinned_template_version_passes(any_pack, parameters):
    assert violations_of(any_pack, POLICY, state_machine(parameters)) == []


def test_unknown_state_machine_definition_in_preview_is_skipped(preview_pack):
    machine = resource(STATE_MACHINE, "stfc-stepfunction-dev-an1", {"definition": UNKNOWN})
    assert preview_pack.analyze(machine) == []


def test_unrelated_version_assignments_in_lambda_environment_pass(any_pack):
    # GIVEN strings that merely contain "Version=" (an API version, a schema version)
    variables = {"NOTE": "apiVersion=2", "CONFIG": "SchemaVersion=3", "BUILD": "Version=7"}
    assert violations_of(any_pack, POLICY, step2_lambda(variables)) == []
