"""The role the web and app instances run with (001 section 6.4), and nothing broader.

- DynamoDB item actions (Get/Put/Update/Delete item, Query, Scan) on each MegaTicket table in
  this stack's region and on its indexes: the documents grant `table/<prefix>-*`; naming the
  tables is tighter and covers every table the app uses.
- DescribeTable on those tables (not their indexes: the action is on tables only), so the
  documents' own check `aws dynamodb describe-table` works from an instance (001 1.3, 5 step 4).
- Bedrock InvokeModel(+WithResponseStream) (the documents grant `*`): on foundation models in this
  region; on the cross-region (system-defined) inference profiles of the geographies this region
  belongs to (`apac.*`, and `jp.*` in Tokyo); and on the foundation models those profiles route to,
  in their destination regions, only when the request came through one of those profiles
  (`bedrock:InferenceProfileArn`). Newer models (Claude Sonnet 4 and later) are invocable only
  through a profile.
- AmazonSSMManagedInstanceCore, so operators reach instances with Session Manager, not SSH.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Optional, Union

import pulumi
import pulumi_aws as aws

_PREFIX = re.compile(r"^[A-Za-z0-9+=,.@_-]{1,40}$")
_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
DYNAMODB_ACTIONS = (
    "dynamodb:GetItem",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:Query",
    "dynamodb:Scan",
)
DESCRIBE_ACTIONS = ("dynamodb:DescribeTable",)
BEDROCK_ACTIONS = ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream")
# Destination regions of the cross-region (system-defined) inference profiles, by the profile id's
# geography prefix (AWS Bedrock user guide, "Supported Regions and models for inference profiles";
# the union over models: a model's profile routes to a subset). A source region may use a
# geography's profiles when it is one of its regions; the routed-to models must be allowed in
# every destination region or the call fails with AccessDenied on whichever region Bedrock picks.
INFERENCE_PROFILE_GEOGRAPHIES: Mapping[str, tuple[str, ...]] = {
    "apac": ("ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1",
             "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4",
             "ap-southeast-5", "ap-southeast-7", "me-central-1"),
    "jp": ("ap-northeast-1", "ap-northeast-3"),
    "au": ("ap-southeast-2", "ap-southeast-4"),
    "us": ("us-east-1", "us-east-2", "us-west-1", "us-west-2"),
    "eu": ("eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1",
           "eu-west-2", "eu-west-3"),
}
SSM_CORE = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"

TableNames = Union[Mapping[str, str], Sequence[str]]


@dataclass(frozen=True)
class InstanceRoleArgs:
    role_name_prefix: str
    region: str
    account_id: pulumi.Input[str]
    table_names: pulumi.Input[TableNames]
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The prefix and region come from stack_config (checked there).
        if isinstance(self.table_names, (Mapping, list, tuple)) and not _names(self.table_names):
            raise ValueError("table_names must name at least one table (got none)")


def _names(table_names: Any) -> list[str]:
    values = table_names.values() if isinstance(table_names, Mapping) else table_names
    return sorted({str(v) for v in values})


def inference_geographies(region: str) -> list[str]:
    """The profile prefixes a caller in `region` may use: the geographies that include it."""
    return sorted(geo for geo, regions in INFERENCE_PROFILE_GEOGRAPHIES.items() if region in regions)


def policy_document(region: str, account_id: str, table_names: Any) -> str:
    """The inline policy JSON for the given (resolved) account and table names."""
    names = _names(table_names)
    if not names:
        raise ValueError("table_names must name at least one table (got none)")
    tables = [f"arn:aws:dynamodb:{region}:{account_id}:table/{n}" for n in names]
    statements: list[dict[str, Any]] = [
        {"Sid": "MegaTicketTables", "Effect": "Allow", "Action": list(DYNAMODB_ACTIONS),
         "Resource": [arn for t in tables for arn in (t, f"{t}/index/*")]},
        {"Sid": "MegaTicketTablesDescribe", "Effect": "Allow", "Action": list(DESCRIBE_ACTIONS),
         "Resource": tables},
        {"Sid": "BedrockInvoke", "Effect": "Allow", "Action": list(BEDROCK_ACTIONS),
         "Resource": f"arn:aws:bedrock:{region}::foundation-model/*"},
    ]
    geographies = inference_geographies(region)
    if geographies:
        profiles = [f"arn:aws:bedrock:{region}:{account_id}:inference-profile/{geo}.*"
                    for geo in geographies]
        destinations = sorted({r for geo in geographies for r in INFERENCE_PROFILE_GEOGRAPHIES[geo]})
        statements += [
            {"Sid": "BedrockInferenceProfiles", "Effect": "Allow", "Action": list(BEDROCK_ACTIONS),
             "Resource": profiles},
            # Bedrock authorizes the routed call against the model in the region it picked; the
            # condition keeps these regions reachable only through this region's profiles.
            {"Sid": "BedrockProfileRoutedModels", "Effect": "Allow", "Action": list(BEDROCK_ACTIONS),
             "Resource": [f"arn:aws:bedrock:{r}::foundation-model/*" for r in destinations],
             "Condition": {"StringLike": {"bedrock:InferenceProfileArn": profiles}}},
        ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, ensure_ascii=False)


class InstanceRole(pulumi.ComponentResource):
    instance_profile_arn: pulumi.Output[str]
    instance_profile_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: InstanceRoleArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:compute:InstanceRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        role_name = f"{args.role_name_prefix}-EC2-Role"
        role = aws.iam.Role(
            f"{name}-role", name=role_name,
            description="MegaTicket web/app instances: their tables, Bedrock, SSM",
            assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "ec2.amazonaws.com"}}],
            }),
            tags={**tags, "Name": role_name}, opts=child)
        document = pulumi.Output.all(args.account_id, args.table_names).apply(
            lambda values: policy_document(args.region, values[0], values[1]))
        aws.iam.RolePolicy(f"{name}-app-access", role=role.id, name="megaticket-app-access",
                           policy=document, opts=child)
        aws.iam.RolePolicyAttachment(f"{name}-ssm-core", role=role.name, policy_arn=SSM_CORE,
                                     opts=child)
        profile_name = f"{args.role_name_prefix}-EC2-Profile"
        profile = aws.iam.InstanceProfile(f"{name}-profile", name=profile_name, role=role.name,
                                          tags={**tags, "Name": profile_name}, opts=child)
        self.instance_profile_arn = profile.arn
        self.instance_profile_name = profile.name
        self.role_arn = role.arn
        self.register_outputs({"instance_profile_arn": self.instance_profile_arn,
                               "instance_profile_name": self.instance_profile_name,
                               "role_arn": self.role_arn})
