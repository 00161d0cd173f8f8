"""The identity-policy evaluator the step-roles check uses (moto has no SimulatePrincipalPolicy)."""

from __future__ import annotations

import json
import urllib.parse

import pytest

from failover.iam_eval import decide, statements

LT = "arn:aws:ec2:ap-northeast-1:123456789012:launch-template/lt-0abc"


def _allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


@pytest.mark.parametrize("policy, action, resource, context, decision", [
    ([_allow("ec2:CreateLaunchTemplateVersion", LT)], "ec2:CreateLaunchTemplateVersion", LT, {}, "allowed"),
    ([_allow("ec2:createlaunchtemplateversion", LT)], "ec2:CreateLaunchTemplateVersion", LT, {}, "allowed"),
    ([_allow("ec2:Describe*", "*")], "ec2:DescribeLaunchTemplateVersions", LT, {}, "allowed"),
    ([_allow("ec2:Describe*", "*")], "ec2:CreateLaunchTemplateVersion", LT, {}, "implicitDeny"),
    ([_allow("ec2:*", "arn:aws:ec2:ap-northeast-1:123456789012:launch-template/*")],
     "ec2:ModifyLaunchTemplate", LT, {}, "allowed"),
    ([_allow("ec2:*", "arn:aws:ec2:ap-northeast-2:*")], "ec2:ModifyLaunchTemplate", LT, {}, "implicitDeny"),
    ([_allow("*", "*"), {"Effect": "Deny", "Action": "ec2:*", "Resource": "*"}],
     "ec2:ModifyLaunchTemplate", LT, {}, "explicitDeny"),
    ([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], "sns:Publish", "arn:x", {}, "allowed"),
    ([{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}], "iam:PassRole", "arn:x", {}, "implicitDeny"),
    ([{"Effect": "Allow", "Action": "sns:Publish", "NotResource": "arn:x"}], "sns:Publish", "arn:y", {},
     "allowed"),
    ([_allow("cloudwatch:PutMetricData", "*", Condition={"StringEquals": {"cloudwatch:namespace": "MegaTicket/DR"}})],
     "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "MegaTicket/DR"}, "allowed"),
    ([_allow("cloudwatch:PutMetricData", "*", Condition={"StringEquals": {"cloudwatch:namespace": "MegaTicket/DR"}})],
     "cloudwatch:PutMetricData", "*", {"cloudwatch:namespace": "Other"}, "implicitDeny"),
    ([_allow("cloudwatch:PutMetricData", "*", Condition={"StringEquals": {"cloudwatch:namespace": "MegaTicket/DR"}})],
     "cloudwatch:PutMetricData", "*", {}, "implicitDeny"),
    ([_allow("sns:Publish", "*", Condition={"StringLikeIfExists": {"aws:SourceArn": "arn:aws:*"}})],
     "sns:Publish", "*", {}, "allowed"),
    ([_allow("sns:Publish", "*", Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}})],
     "sns:Publish", "*", {"aws:MultiFactorAuthAge": "10"}, "implicitDeny"),
], ids=lambda v: v if isinstance(v, str) else None)
def test_decisions_follow_the_identity_policy_rules(policy, action, resource, context, decision):
    assert decide(statements([{"Statement": policy}]), action, resource, context) == decision


def test_documents_arrive_as_dicts_json_or_url_encoded_json():
    doc = {"Version": "2012-10-17", "Statement": _allow("sns:Publish", "*")}
    for form in (doc, json.dumps(doc), urllib.parse.quote(json.dumps(doc))):
        assert statements([form]) == [doc["Statement"]]
