"""Settings -> the Lambdas' environment -> the Lambda's own settings: one derivation, and the round
trip loses nothing (the component sets `to_env()`, the Lambda reads `from_env()`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from failover.checks import CheckSettings
from failover.settings import Settings as LambdaSettings
from stack_config import settings_for_stack
from stack_config.derive import check_settings_for, lambda_env_keys, lambda_settings

ROOT = Path(__file__).resolve().parent.parent
CERT = "alb.certificateArn=arn:aws:acm:ap-northeast-1:000000000000:certificate/00000000-0000-0000-0000-000000000000"
VARIANTS = [[], ["nlb.mode=on-failover"], [CERT], ["nlb.name=N" + "n" * 31, "app.port=4001"],
            ["web.failoverCapacity.max=4", "web.failoverCapacity.desired=3", "web.capacity.max=4"]]


@pytest.mark.parametrize("assignments", VARIANTS, ids=[" ".join(v) or "as committed" for v in VARIANTS])
def test_lambda_environment_round_trips_through_from_env(assignments: list[str]) -> None:
    settings = settings_for_stack(ROOT, "tokyo", assignments)
    derived = lambda_settings(settings, vpc_id="vpc-0abc1234", app_subnet_ids=["subnet-0abc1234", "subnet-0abc1235"],
                              verify_host="pilotlight-test.click",
                              approval_topic_arn="arn:aws:sns:ap-northeast-1:111122223333:stfc-topic-dev-an1-approval")
    env = derived.to_env()
    assert tuple(env) == lambda_env_keys()
    assert LambdaSettings.from_env(env) == derived
    # the derivation carries the stack's own values, not defaults
    assert (derived.nlb_name, derived.nlb_mode) == (settings.load_balancers.nlb_name, settings.load_balancers.nlb_mode)
    assert derived.app_port == settings.app.port
    assert derived.web_capacity.maximum == settings.web.failover_capacity.max
    assert derived.health_scheme == ("https" if settings.load_balancers.certificate_arn else "http")


def test_doctor_checks_the_names_the_stack_deploys() -> None:
    settings = settings_for_stack(ROOT, "tokyo", ["failover.stateMachineName=sm-x", "lock.alarmName=lock-x"])
    checks = check_settings_for(settings)
    assert isinstance(checks, CheckSettings)
    assert (checks.state_machine_name, checks.lock_alarm_name) == ("sm-x", "lock-x")
    assert checks.table_names == tuple(settings.data.table_names.values())
