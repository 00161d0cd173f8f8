"""User data rules through the protocol: region, INTERNAL_API_URL, PLACEHOLDER, credentials."""

from __future__ import annotations

import pytest

from policies.analyzer_harness import UNKNOWN, PolicyPackProcess
from tests.policies.resources import (
    INSTANCE,
    SEOUL,
    TOKYO,
    launch_template,
    resource,
    violations_of,
    web_user_data,
)

REGION = "user-data-region-matches-provider"
INTERNAL = "internal-api-url-in-own-region"
PLACEHOLDER = "no-unresolved-placeholder-in-user-data"
CREDENTIALS = "no-credentials-in-user-data"
TOKYO_NLB = "http://MegaTicket-DR-NLB-0a1b.elb.ap-northeast-1.amazonaws.com:3001"
SEOUL_NLB = "http://MegaTicket-NLB-9f8e.elb.ap-northeast-2.amazonaws.com:3001"
ON_FAILOVER = {"megaticket-dr:nlbMode": "on-failover"}

# ---------------------------------------------------------------- AWS_REGION


def test_tokyo_user_data_in_tokyo_passes(any_pack):
    assert violations_of(any_pack, REGION, launch_template(web_user_data(TOKYO))) == []


def test_seoul_region_in_tokyo_user_data_is_mandatory_violation(pack):
    # GIVEN the Golden AMI's Seoul environment copied into Tokyo's template
    violations = violations_of(pack, REGION, launch_template(web_user_data(SEOUL, TOKYO_NLB)))
    assert len(violations) == 1
    assert violations[0].level == "mandatory"
    assert "AWS_REGION=ap-northeast-2" in violations[0].message
    assert "AWS_REGION=ap-northeast-1" in violations[0].message  # what to write instead


@pytest.mark.parametrize(
    "text",
    [
        "#!/bin/bash\nexport AWS_REGION=${aws_region}\n",
        "#!/bin/bash\nexport AWS_REGION=$(curl -s http://169.254.169.254/latest/meta-data/placement/region)\n",
        "#!/bin/bash\necho no region here\n",
    ],
    ids=["template-variable", "metadata-lookup", "missing"],
)
def test_region_computed_on_the_instance_or_missing_passes(any_pack, text):
    assert violations_of(any_pack, REGION, launch_template(text)) == []


def test_unknown_provider_region_is_not_a_violation(preview_pack):
    template = resource(
        "aws:ec2/launchTemplate:LaunchTemplate", "lt", {"userData": web_user_data(SEOUL)}, with_provider=False
    )
    assert violations_of(preview_pack, REGION, template) == []


# ---------------------------------------------------------------- INTERNAL_API_URL


def test_tokyo_nlb_in_tokyo_passes(any_pack):
    assert violations_of(any_pack, INTERNAL, launch_template(web_user_data(TOKYO, TOKYO_NLB))) == []


def test_seoul_nlb_in_tokyo_user_data_is_mandatory_violation(pack):
    violations = violations_of(pack, INTERNAL, launch_template(web_user_data(TOKYO, SEOUL_NLB)))
    assert len(violations) == 1
    assert "ap-northeast-2" in violations[0].message and "MegaTicket-DR-NLB" in violations[0].message


def test_seoul_alb_style_host_is_recognised(pack):
    url = "http://internal-MegaTicket-ALB-1.ap-northeast-2.elb.amazonaws.com"
    assert len(violations_of(pack, INTERNAL, launch_template(web_user_data(TOKYO, url)))) == 1


@pytest.mark.parametrize("url", ["http://localhost:3001", "http://127.0.0.1:3001", "localhost:3001"])
def test_localhost_is_mandatory_violation(pack, url):
    violations = violations_of(pack, INTERNAL, launch_template(web_user_data(TOKYO, url)))
    assert len(violations) == 1 and "ECONNREFUSED" in violations[0].message


@pytest.mark.parametrize(
    "url",
    ["http://NLB_DNS_PLACEHOLDER:3001", "$INTERNAL_API_URL", ""],
    ids=["failover-placeholder", "shell-reference", "empty"],
)
def test_values_known_only_later_are_not_violations(any_pack, url):
    assert violations_of(any_pack, INTERNAL, launch_template(web_user_data(TOKYO, url))) == []


def test_user_data_without_internal_api_url_passes(any_pack):
    app = "#!/bin/bash\nexport AWS_REGION=ap-northeast-1\nexport PORT=3001\nexport DR_RECOVERY_MODE=true\n"
    assert violations_of(any_pack, INTERNAL, launch_template(app, name="MegaTicket-DR-App-LT")) == []


# ---------------------------------------------------------------- PLACEHOLDER

PLACEHOLDER_URL = "http://NLB_DNS_PLACEHOLDER:3001"


def test_placeholder_in_template_marked_on_failover_passes(any_pack):
    template = launch_template(web_user_data(TOKYO, PLACEHOLDER_URL), tags=ON_FAILOVER)
    assert violations_of(any_pack, PLACEHOLDER, template) == []


def test_placeholder_in_unmarked_template_is_mandatory_violation(pack):
    template = launch_template(web_user_data(TOKYO, PLACEHOLDER_URL), tags={"Name": "web"})
    violations = violations_of(pack, PLACEHOLDER, template)
    assert len(violations) == 1
    assert "NLB_DNS_PLACEHOLDER" in violations[0].message and "on-failover" in violations[0].message


def test_placeholder_in_instance_user_data_is_always_a_violation(pack):
    instance = resource(
        INSTANCE, "web", {"userData": web_user_data(TOKYO, PLACEHOLDER_URL), "tags": ON_FAILOVER}
    )
    assert len(violations_of(pack, PLACEHOLDER, instance)) == 1


def test_on_failover_template_without_placeholder_is_the_version_2_incident(pack):
    # GIVEN a template marked on-failover whose INTERNAL_API_URL was hard-coded (001 §3.4, version 2)
    template = launch_template(web_user_data(TOKYO, TOKYO_NLB), tags=ON_FAILOVER)
    violations = violations_of(pack, PLACEHOLDER, template)
    assert len(violations) == 1 and "nothing to replace" in violations[0].message


def test_unknown_tags_or_missing_user_data_are_not_violations(preview_pack):
    template = launch_template(web_user_data(TOKYO, PLACEHOLDER_URL))
    unknown_tags = type(template)(
        **{**template.__dict__, "properties": {**template.properties, "tags": UNKNOWN}}
    )
    assert violations_of(preview_pack, PLACEHOLDER, unknown_tags, launch_template(None)) == []


def test_stack_config_nlb_mode_on_failover_allows_the_placeholder():
    # GIVEN the stack config the engine passes (megaticket-dr:nlb.mode) instead of a tag
    config = {"megaticket-dr:nlb": {"mode": "on-failover", "name": "MegaTicket-DR-NLB"}}
    with PolicyPackProcess(stack="tokyo", config=config) as configured:
        template = launch_template(web_user_data(TOKYO, PLACEHOLDER_URL))
        assert violations_of(configured, PLACEHOLDER, template) == []


# ---------------------------------------------------------------- credentials


@pytest.mark.parametrize(
    "line",
    [
        "export AWS_ACCESS_KEY_ID=AKIAABCDEFGHIJKLMNOP\n",
        "export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n",
        "aws configure set aws_secret_access_key abc\n",
        "export DB_PASSWORD=hunter2hunter2\n",
        "cat > key <<EOF\n-----BEGIN RSA PRIVATE KEY-----\nMII\nEOF\n",
    ],
    ids=["access-key-id", "secret-key", "aws-configure", "password", "private-key"],
)
def test_credentials_in_user_data_are_mandatory_violation(pack, line):
    violations = violations_of(pack, CREDENTIALS, launch_template(web_user_data(extra=line)))
    assert len(violations) == 1
    assert violations[0].level == "mandatory" and "IAM role" in violations[0].message


@pytest.mark.parametrize(
    "line",
    [
        "",
        "export DB_PASSWORD=$(aws secretsmanager get-secret-value --secret-id x)\n",
        "export AWS_SECRET_ACCESS_KEY=$SECRET\n",
    ],
    ids=["none", "fetched-at-boot", "shell-reference"],
)
def test_user_data_without_literal_credentials_passes(any_pack, line):
    assert violations_of(any_pack, CREDENTIALS, launch_template(web_user_data(extra=line))) == []


def test_missing_or_unknown_user_data_has_no_credentials_to_find(any_pack):
    unknown = launch_template(UNKNOWN, encode=False)
    assert violations_of(any_pack, CREDENTIALS, launch_template(None), unknown) == []
