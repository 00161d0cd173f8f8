"""InstanceRole: the 6.4 permissions on this stack's tables and region, Bedrock invoke, SSM core."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.instance_role import InstanceRole, InstanceRoleArgs, policy_document
from offline_preview.engine import UNKNOWN, ProgramRun
from tests.conftest import run_component

POLICY = "aws:iam/rolePolicy:RolePolicy"
SUFFIXES = ("performances", "reservations", "schedules", "venues")
TABLES = {s: f"KDT-Msp4-PLDR-{s}" for s in SUFFIXES}


def _run(preview: bool, **overrides: Any) -> ProgramRun:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=tokyo))
        args = InstanceRoleArgs(**{"role_name_prefix": "MegaTicket-DR", "region": "ap-northeast-1",
                                   "account_id": identity.account_id, "table_names": TABLES,
                                   **overrides})
        role = InstanceRole("instance-role", args, pulumi.ResourceOptions(provider=tokyo))
        pulumi.export("profile_arn", role.instance_profile_arn)
    return run_component(body, preview)


def _statements(run: ProgramRun) -> dict[str, dict[str, Any]]:
    document = json.loads(run.one(POLICY, "instance-role-app-access").inputs["policy"])
    assert document["Version"] == "2012-10-17"
    return {s["Sid"]: s for s in document["Statement"]}


def test_role_is_assumed_by_ec2_only(preview: bool) -> None:
    run = _run(preview)
    role = run.one("aws:iam/role:Role", "instance-role-role")
    assert role.parent == run.one("megaticket-dr:compute:InstanceRole", "instance-role").urn
    assert role.inputs["name"] == "MegaTicket-DR-EC2-Role"
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert trust["Statement"] == [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                   "Principal": {"Service": "ec2.amazonaws.com"}}]


def test_dynamodb_item_actions_on_the_four_tables_and_indexes_in_this_region(preview: bool) -> None:
    tables = _statements(_run(preview))["MegaTicketTables"]
    assert tables["Effect"] == "Allow"
    assert sorted(tables["Action"]) == sorted([
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem",
        "dynamodb:Query", "dynamodb:Scan"])
    account = "⟨aws.accountId⟩"  # the caller identity lookup (same in both modes)
    expected = []
    for name in sorted(TABLES.values()):
        arn = f"arn:aws:dynamodb:ap-northeast-1:{account}:table/{name}"
        expected += [arn, f"{arn}/index/*"]
    assert tables["Resource"] == expected
    # Tighter than the documents' table/KDT-Msp4-PLDR-*: every resource is under that prefix.
    assert all(r.split(":table/")[1].startswith("KDT-Msp4-PLDR-") for r in tables["Resource"])


def test_describe_table_on_the_four_tables_so_the_documents_check_works(preview: bool) -> None:
    # 001 1.3 / section 5 step 4: `aws dynamodb describe-table` from a Tokyo instance.
    describe = _statements(_run(preview))["MegaTicketTablesDescribe"]
    assert describe["Action"] == ["dynamodb:DescribeTable"]
    assert describe["Resource"] == [f"arn:aws:dynamodb:ap-northeast-1:⟨aws.accountId⟩:table/{n}"
                                    for n in sorted(TABLES.values())]


def test_bedrock_invoke_on_foundation_models_of_this_region(preview: bool) -> None:
    bedrock = _statements(_run(preview))["BedrockInvoke"]
    assert sorted(bedrock["Action"]) == ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    assert bedrock["Resource"] == "arn:aws:bedrock:ap-northeast-1::foundation-model/*"


# The APAC and Japan cross-region profiles' destination regions (Bedrock user guide).
APAC = {"ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
        "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
        "ap-southeast-7", "me-central-1"}


def _statements_for(region: str) -> dict[str, dict[str, Any]]:
    document = json.loads(policy_document(region, "111122223333", TABLES))
    return {s["Sid"]: s for s in document["Statement"]}


def test_tokyo_may_invoke_the_apac_and_jp_inference_profiles_of_its_own_region() -> None:
    profiles = _statements_for("ap-northeast-1")["BedrockInferenceProfiles"]
    assert sorted(profiles["Action"]) == ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    assert profiles["Resource"] == [
        "arn:aws:bedrock:ap-northeast-1:111122223333:inference-profile/apac.*",
        "arn:aws:bedrock:ap-northeast-1:111122223333:inference-profile/jp.*"]


def test_seoul_may_invoke_only_the_apac_profiles() -> None:
    profiles = _statements_for("ap-northeast-2")["BedrockInferenceProfiles"]
    assert profiles["Resource"] == ["arn:aws:bedrock:ap-northeast-2:111122223333:inference-profile/apac.*"]


@pytest.mark.parametrize("region", ["ap-northeast-1", "ap-northeast-2"])
def test_models_in_every_destination_region_only_through_this_regions_profiles(region: str) -> None:
    # GIVEN the policy for a source region
    statements = _statements_for(region)
    routed = statements["BedrockProfileRoutedModels"]
    # THEN the foundation models are allowed in every region an APAC profile may route to (Bedrock
    # authorizes the model in the region it picks), and nowhere else
    regions = {arn.split(":")[3] for arn in routed["Resource"]}
    assert regions == APAC
    assert all(arn.endswith("::foundation-model/*") for arn in routed["Resource"])
    # AND only when the call came through one of this region's profiles (not a direct call to Sydney)
    assert routed["Condition"] == {"StringLike": {
        "bedrock:InferenceProfileArn": statements["BedrockInferenceProfiles"]["Resource"]}}


def test_a_region_in_no_profile_geography_gets_no_profile_statements() -> None:
    statements = _statements_for("sa-east-1")
    assert "BedrockInferenceProfiles" not in statements
    assert "BedrockProfileRoutedModels" not in statements
    assert statements["BedrockInvoke"]["Resource"] == "arn:aws:bedrock:sa-east-1::foundation-model/*"


def test_nothing_broader_no_wildcard_action_or_resource(preview: bool) -> None:
    statements = _statements(_run(preview)).values()
    assert {s["Sid"] for s in statements} == {
        "MegaTicketTables", "MegaTicketTablesDescribe", "BedrockInvoke", "BedrockInferenceProfiles",
        "BedrockProfileRoutedModels"}
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert all(not a.endswith("*") for a in statement["Action"])
        resource = statement["Resource"]
        resources = resource if isinstance(resource, list) else [resource]
        assert "*" not in resources
        # every resource names a service, region and resource type: no account- or region-wide ARN
        assert all(r.count(":") >= 5 and not r.endswith(":*") for r in resources)


def test_ssm_core_for_access_without_ssh(preview: bool) -> None:
    run = _run(preview)
    (attachment,) = run.by_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"


def test_instance_profile_wraps_the_role(preview: bool) -> None:
    run = _run(preview)
    profile = run.one("aws:iam/instanceProfile:InstanceProfile", "instance-role-profile")
    assert profile.inputs["name"] == "MegaTicket-DR-EC2-Profile"
    assert run.one("aws:iam/role:Role").urn in profile.options["dependencies"]
    assert run.outputs["profile_arn"] == (UNKNOWN if preview else "⟨MegaTicket-DR-EC2-Profile.arn⟩")


def test_table_names_from_the_primary_stack_output(preview: bool) -> None:
    # The tokyo stack reads the names from seoul's outputs (an Output of a dict).
    names = pulumi.Output.from_input({s: f"⟨seoul.tableNames.{s}⟩" for s in SUFFIXES})
    resources = _statements(_run(preview, table_names=names))["MegaTicketTables"]["Resource"]
    assert "arn:aws:dynamodb:ap-northeast-1:⟨aws.accountId⟩:table/⟨seoul.tableNames.venues⟩" in resources


def test_unknown_table_names_leave_the_document_unknown_in_preview() -> None:
    # GIVEN table names known only after deploy (in preview, any resource's computed arn is unknown)
    def body() -> None:
        other = aws.sqs.Queue("other")
        InstanceRole("instance-role", InstanceRoleArgs(
            role_name_prefix="MegaTicket-DR", region="ap-northeast-1", account_id="111122223333",
            table_names=other.arn.apply(lambda arn: {"venues": arn})))
    # THEN the policy is unknown, not wrong
    run = run_component(body, preview=True)
    assert run.one(POLICY, "instance-role-app-access").inputs["policy"] == UNKNOWN


def test_policy_document_as_a_function_accepts_a_list() -> None:
    document = json.loads(policy_document("ap-northeast-2", "111122223333", ["T-a", "T-b"]))
    assert document["Statement"][0]["Resource"][0] == "arn:aws:dynamodb:ap-northeast-2:111122223333:table/T-a"


@pytest.mark.parametrize(("overrides", "message"), [
    ({"table_names": {}}, "table_names must name at least one table"),
])
def test_bad_instance_role_args_fail_with_one_line(overrides: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as error:
        InstanceRoleArgs(**{"role_name_prefix": "MegaTicket-DR", "region": "ap-northeast-1",
                            "account_id": "111122223333", "table_names": TABLES, **overrides})
    assert "\n" not in str(error.value)
