"""Step 2 against moto: `$Latest` of the web launch template points INTERNAL_API_URL at the NLB."""

from __future__ import annotations

from typing import Any

import pytest

from failover.errors import LaunchTemplateError, ThrottledError
from failover.launch_template import point_template_at_nlb, restore_template_placeholder
from tests.failover.conftest import WEB_USER_DATA, decode
from tests.failover.fakes import ThrottleOnce

NLB = "MegaTicket-DR-NLB-0123abcd.elb.ap-northeast-1.amazonaws.com"
OLD = "MegaTicket-DR-NLB-deadbeef.elb.ap-northeast-1.amazonaws.com"
LT = "MegaTicket-DR-Web-LT"


def _versions(tokyo: Any) -> dict[int, dict[str, Any]]:
    got = tokyo.ec2.describe_launch_template_versions(LaunchTemplateId=tokyo.template_id)[
        "LaunchTemplateVersions"
    ]
    return {int(v["VersionNumber"]): v for v in got}


def _default(tokyo: Any) -> int:
    return int([v for v in _versions(tokyo).values() if v["DefaultVersion"]][0]["VersionNumber"])


def test_step2_replaces_placeholder_in_latest_and_makes_it_default(tokyo: Any) -> None:
    result = point_template_at_nlb(tokyo.ec2, LT, NLB)

    assert result == {"changed": True, "version": 2, "source_version": 1, "nlb_dns": NLB}
    text = tokyo.latest_user_data()
    assert f"INTERNAL_API_URL=http://{NLB}:3001" in text and "NLB_DNS_PLACEHOLDER" not in text
    assert _default(tokyo) == 2
    # the rest of the launch template data is carried over
    assert _versions(tokyo)[2]["LaunchTemplateData"]["InstanceType"] == "t3.micro"


def test_step2_twice_creates_one_version(tokyo: Any) -> None:
    point_template_at_nlb(tokyo.ec2, LT, NLB)
    again = point_template_at_nlb(tokyo.ec2, LT, NLB)

    assert again["changed"] is False
    assert sorted(_versions(tokyo)) == [1, 2]


def test_step2_rewrites_a_hardcoded_stale_nlb_without_placeholder(tokyo: Any) -> None:
    tokyo.add_template_version(WEB_USER_DATA.replace("NLB_DNS_PLACEHOLDER", OLD))

    result = point_template_at_nlb(tokyo.ec2, LT, NLB)

    assert result["changed"] is True and result["source_version"] == 2
    assert OLD not in tokyo.latest_user_data() and NLB in tokyo.latest_user_data()


def test_step2_does_nothing_when_latest_already_points_at_the_nlb(tokyo: Any) -> None:
    tokyo.add_template_version(WEB_USER_DATA.replace("NLB_DNS_PLACEHOLDER", NLB))
    before = sorted(_versions(tokyo))

    result = point_template_at_nlb(tokyo.ec2, LT, NLB)

    assert result["changed"] is False and sorted(_versions(tokyo)) == before


def test_step2_fails_clearly_when_user_data_has_no_placeholder_and_no_api_url(tokyo: Any) -> None:
    tokyo.add_template_version("#!/bin/bash\necho hello\n")

    with pytest.raises(LaunchTemplateError, match="neither NLB_DNS_PLACEHOLDER nor INTERNAL_API_URL"):
        point_template_at_nlb(tokyo.ec2, LT, NLB)


def test_step2_reads_latest_not_the_pinned_version_of_the_incident(tokyo: Any) -> None:
    # GIVEN the document's history: v2 hard-coded (the default), placeholder from v7, v8 is $Latest
    tokyo.add_template_version(WEB_USER_DATA.replace("NLB_DNS_PLACEHOLDER", OLD))  # v2
    tokyo.ec2.modify_launch_template(LaunchTemplateId=tokyo.template_id, DefaultVersion="2")
    for _ in range(3, 8):
        tokyo.add_template_version(WEB_USER_DATA)  # v3..v7 hold the placeholder
    tokyo.add_template_version(WEB_USER_DATA.replace("3001", "3001 # v8"))  # v8 = $Latest
    # WHEN step 2 runs
    result = point_template_at_nlb(tokyo.ec2, LT, NLB)
    # THEN it derived the new version from v8 ($Latest), not from v2, and made it the default
    assert (result["source_version"], result["version"]) == (8, 9)
    assert "# v8" in tokyo.latest_user_data() and NLB in tokyo.latest_user_data()
    assert _default(tokyo) == 9
    # AND the old versions are untouched
    assert OLD in decode(_versions(tokyo)[2]["LaunchTemplateData"]["UserData"])


def test_step2_refuses_to_write_a_placeholder_as_the_nlb_dns(tokyo: Any) -> None:
    with pytest.raises(LaunchTemplateError, match="refusing"):
        point_template_at_nlb(tokyo.ec2, LT, "NLB_DNS_PLACEHOLDER")


def test_step2_missing_template_is_named(tokyo: Any) -> None:
    with pytest.raises(LaunchTemplateError, match="MegaTicket-DR-Nope-LT not found"):
        point_template_at_nlb(tokyo.ec2, "MegaTicket-DR-Nope-LT", NLB)


def test_step2_throttled_then_succeeds_with_one_new_version(tokyo: Any) -> None:
    flaky = ThrottleOnce(tokyo.ec2, "create_launch_template_version", code="RequestLimitExceeded")

    with pytest.raises(ThrottledError):
        point_template_at_nlb(flaky, LT, NLB)
    assert point_template_at_nlb(flaky, LT, NLB)["version"] == 2
    assert sorted(_versions(tokyo)) == [1, 2]


def test_failback_restores_the_placeholder_once(tokyo: Any) -> None:
    point_template_at_nlb(tokyo.ec2, LT, NLB)

    restored = restore_template_placeholder(tokyo.ec2, LT)
    again = restore_template_placeholder(tokyo.ec2, LT)

    assert restored["changed"] is True and again["changed"] is False
    assert "INTERNAL_API_URL=http://NLB_DNS_PLACEHOLDER:3001" in tokyo.latest_user_data()
    assert _default(tokyo) == restored["version"]
