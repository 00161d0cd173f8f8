"""failover/settings.py: the environment contract of every failover Lambda."""

from __future__ import annotations

import pytest

from failover.settings import Settings, SettingsError


def _env(tokyo_settings: Settings, **changes: str) -> dict[str, str]:
    env = tokyo_settings.to_env()
    env.update(changes)
    return {k: v for k, v in env.items() if v != "<unset>"}


@pytest.fixture
def base() -> Settings:
    env = {
        "NLB_NAME": "MegaTicket-DR-NLB",
        "NLB_MODE": "standby",
        "VPC_ID": "vpc-1",
        "APP_SUBNET_IDS": "subnet-a, subnet-b",
        "APP_PORT": "3001",
        "HEALTH_PATH": "/api/health",
        "WEB_LAUNCH_TEMPLATE_NAME": "MegaTicket-DR-Web-LT",
        "APP_ASG_NAME": "MegaTicket-DR-App-ASG",
        "WEB_ASG_NAME": "MegaTicket-DR-Web-ASG",
        "APP_MIN": "1",
        "APP_DESIRED": "1",
        "APP_MAX": "2",
        "WEB_MIN": "1",
        "WEB_DESIRED": "2",
        "WEB_MAX": "2",
        "ALB_DNS_NAME": "alb.example.invalid",
        "EXPECTED_REGION": "ap-northeast-1",
        "APPROVAL_TOPIC_ARN": "arn:aws:sns:ap-northeast-1:123456789012:stfc-topic-dev-an1-approval",
        "LOCK_NAMESPACE": "MegaTicket/DR",
        "LOCK_METRIC": "FailoverLock",
        "LOCK_REGION": "us-east-1",
        "LOCK_ALARM_NAME": "MegaTicket-Failback-Lock",
    }
    return Settings.from_env(env)


def test_settings_read_every_documented_variable(base: Settings) -> None:
    # GIVEN the documented variables WHEN read THEN lists are split and defaults filled in
    assert base.app_subnet_ids == ("subnet-a", "subnet-b")
    assert base.web_capacity.desired == 2
    assert base.target_group_name == "MegaTicket-DR-NLB-TG"
    assert base.health_url == "http://alb.example.invalid/api/health"
    # AND to_env is the exact inverse (what the component sets)
    assert Settings.from_env(base.to_env()) == base


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"NLB_NAME": "<unset>"}, "NLB_NAME is missing"),
        ({"APP_PORT": "web"}, "APP_PORT='web' is not an integer"),
        ({"NLB_MODE": "always"}, "NLB_MODE='always' must be one of standby, on-failover"),
        ({"APP_SUBNET_IDS": "a,b"}, "APP_SUBNET_IDS must be a comma-separated list of subnet-"),
        ({"WEB_DESIRED": "3"}, "min=1 desired=3 max=2"),
        ({"HEALTH_PATH": "api/health"}, "HEALTH_PATH='api/health' must start with '/'"),
        ({"APPROVAL_TOPIC_ARN": "stfc-topic"}, "APPROVAL_TOPIC_ARN='stfc-topic' must be an SNS topic ARN"),
    ],
)
def test_bad_environment_fails_with_one_line_naming_the_variable(
    base: Settings, change: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env(_env(base, **change))
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_long_nlb_name_gets_a_valid_target_group_name(base: Settings) -> None:
    s = Settings.from_env(_env(base, NLB_NAME="A" * 30, NLB_TARGET_GROUP_NAME=""))
    assert len(s.target_group_name) <= 32
    assert not s.target_group_name.endswith("-")


def test_handler_with_a_missing_variable_fails_with_the_variable_name(
    base: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a Lambda whose environment lacks only ALB_DNS_NAME WHEN step 4 runs THEN the error names it
    from failover import handlers

    for key, value in base.to_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("ALB_DNS_NAME")
    with pytest.raises(SettingsError, match="^environment variable ALB_DNS_NAME is missing or empty$"):
        handlers.step4_verify({}, None)
