"""Mandatory rule 2 through the Analyzer protocol: no NEXT_PUBLIC_* build-time URL anywhere."""

from __future__ import annotations

import pytest

from policies.analyzer_harness import UNKNOWN
from tests.policies.resources import (
    INSTANCE,
    LAMBDA,
    LAUNCH_CONFIG,
    SSM_PARAMETER,
    b64,
    launch_template,
    resource,
    violations_of,
    web_user_data,
)

POLICY = "no-next-public-build-time-urls"
ADVISORY = "next-public-set-at-boot"


@pytest.mark.parametrize(
    "line",
    [
        "export NEXT_PUBLIC_API_URL=http://MegaTicket-NLB-9z.elb.ap-northeast-2.amazonaws.com:3001\n",
        "echo \"NEXT_PUBLIC_API_URL='https://api.pilotlight-test.click'\" >> .env.production\n",
        "NEXT_PUBLIC_BACKEND_HOST=api.pilotlight-test.click pm2 start npm --name web-frontend -- start\n",
        "export NEXT_PUBLIC_API_URL=$INTERNAL_API_URL\n",
        "export NEXT_PUBLIC_AWS_REGION=ap-northeast-1\n",
        "export NEXT_PUBLIC_TOPIC=arn:aws:sns:ap-northeast-1:123456789012:stfc-topic-dev-an1-approval\n",
        "export NEXT_PUBLIC_AWS_ACCOUNT_ID=123456789012\n",
        "export NEXT_PUBLIC_USER_POOL=ap-northeast-2_AbCdEf123\n",
        "export NEXT_PUBLIC_AZ=ap-northeast-1a\n",
        "export NEXT_PUBLIC_REGION=$(curl -s http://169.254.169.254/latest/meta-data/placement/region)\n",
    ],
    ids=["seoul-nlb-url", "quoted-https", "bare-host", "copied-from-internal-url", "region-name", "arn",
         "account-id", "cognito-pool-id-with-region", "availability-zone", "region-from-instance-metadata"],
)
def test_region_specific_next_public_value_in_user_data_is_mandatory_violation(pack, line):
    # GIVEN the Web launch template's (base64) user data setting a NEXT_PUBLIC_* to a value that
    # differs between Seoul and Tokyo (001 §2.3: NEXT_PUBLIC_AWS_REGION is fixed at build time)
    template = launch_template(web_user_data(extra=line))
    violations = violations_of(pack, POLICY, template)
    # THEN a mandatory violation whose message explains the runtime alternative
    assert len(violations) == 1
    message = violations[0].message
    assert violations[0].level == "mandatory"
    assert "NEXT_PUBLIC_" in message and "build" in message
    assert "INTERNAL_API_URL" in message and "route.ts" in message
    # ... and it is not reported twice
    assert violations_of(pack, ADVISORY, template) == []


@pytest.mark.parametrize(
    "line",
    [
        "export NEXT_PUBLIC_FEATURE_FLAG=true\n",
        "export NEXT_PUBLIC_BUILD=2026.11.1\n",
        "export NEXT_PUBLIC_API_BASE=/api\n",
        "export NEXT_PUBLIC_BUILD_TIME=202611281230\n",
        "export NEXT_PUBLIC_APP_NAME='MegaTicket'\n",
    ],
    ids=["flag", "version-number", "relative-path", "timestamp-not-an-account", "name"],
)
def test_other_next_public_values_set_at_boot_are_advisory(pack, line):
    template = launch_template(web_user_data(extra=line))
    assert violations_of(pack, POLICY, template) == []
    [advisory] = violations_of(pack, ADVISORY, template)
    assert advisory.level == "advisory" and "npm run build" in advisory.message


@pytest.mark.parametrize(
    "line",
    [
        "# export NEXT_PUBLIC_API_URL=http://MegaTicket-NLB-9z.elb.ap-northeast-2.amazonaws.com:3001\n",
        "echo 'set NEXT_PUBLIC_API_URL=https://api.example.com in the build'\n",
        "export PUBLIC_API_URL=https://api.example.com\n",
        "",
    ],
    ids=["commented-out", "log-line", "unrelated-variable", "none"],
)
def test_user_data_without_next_public_settings_passes(any_pack, line):
    template = launch_template(web_user_data(extra=line))
    assert violations_of(any_pack, POLICY, template) == []
    assert violations_of(any_pack, ADVISORY, template) == []


def test_missing_or_unknown_user_data_passes(any_pack):
    assert violations_of(any_pack, POLICY, launch_template(None)) == []
    assert violations_of(any_pack, POLICY, launch_template(UNKNOWN, encode=False)) == []


@pytest.mark.parametrize(
    ("type_", "field", "encode"),
    [
        (INSTANCE, "userData", False),
        (INSTANCE, "userDataBase64", True),
        (LAUNCH_CONFIG, "userData", False),
        (LAUNCH_CONFIG, "userDataBase64", True),
    ],
    ids=["instance", "instance-base64", "launch-configuration", "launch-configuration-base64"],
)
def test_instances_and_launch_configurations_are_checked(pack, type_, field, encode):
    text = web_user_data(extra="export NEXT_PUBLIC_API_URL=http://10.0.1.25:3001\n")
    value = b64(text) if encode else text
    assert len(violations_of(pack, POLICY, resource(type_, "web", {field: value}))) == 1
    assert (
        violations_of(
            pack, POLICY, resource(type_, "web", {field: b64(web_user_data()) if encode else web_user_data()})
        )
        == []
    )


def test_lambda_environment_next_public_url_is_a_violation(pack):
    bad = resource(
        LAMBDA,
        "renderer",
        {
            "name": "renderer",
            "environment": {
                "variables": {
                    "NEXT_PUBLIC_API_URL": "http://localhost:3001",
                    "INTERNAL_API_URL": "http://nlb:3001",
                    "NEXT_PUBLIC_REGION": "ap-northeast-1",
                }
            },
        },
    )
    good = resource(
        LAMBDA,
        "renderer",
        {
            "name": "renderer",
            "environment": {
                "variables": {
                    "INTERNAL_API_URL": "http://nlb.example.com:3001",
                    "AWS_REGION": "ap-northeast-1",
                }
            },
        },
    )
    missing = resource(LAMBDA, "renderer", {"name": "renderer"})
    assert [v.message.split("=")[0] for v in violations_of(pack, POLICY, bad)] == [
        "Lambda environment sets NEXT_PUBLIC_API_URL", "Lambda environment sets NEXT_PUBLIC_REGION"
    ]
    assert violations_of(pack, POLICY, good, missing) == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("/megaticket/web/NEXT_PUBLIC_API_URL", "https://api.pilotlight-test.click", 1),
        ("/megaticket/web/env", "AWS_REGION=ap-northeast-1\nNEXT_PUBLIC_API_URL=http://a.b.com:3001\n", 1),
        ("/megaticket/web/INTERNAL_API_URL", "http://nlb.example.com:3001", 0),
        ("/megaticket/web/NEXT_PUBLIC_REGION", "ap-northeast-1", 1),
        ("/megaticket/web/NEXT_PUBLIC_THEME", "dark", 0),
    ],
    ids=["named-parameter", "env-file-parameter", "runtime-variable", "region-name", "not-region-specific"],
)
def test_ssm_parameters_are_checked(pack, name, value, expected):
    parameter = resource(
        SSM_PARAMETER, name.rsplit("/", 1)[-1], {"name": name, "type": "String", "value": value}
    )
    assert len(violations_of(pack, POLICY, parameter)) == expected
