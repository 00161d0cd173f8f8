"""Step 3 against moto: the failback lock first, then app (attached to the NLB target group, targets
healthy), then web."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from failover import handlers
from failover.errors import ScalingError, ThrottledError
from failover.lock import read_lock
from failover.nlb import ensure_nlb
from failover.scale import (
    app_targets_ready,
    attach_target_group,
    detach_target_group,
    group_empty,
    group_in_service,
    scale_group,
)
from failover.settings import Capacity
from tests.failover.fakes import ThrottleOnce

APP = "MegaTicket-DR-App-ASG"
WEB = "MegaTicket-DR-Web-ASG"


def _group(tokyo: Any, name: str) -> dict[str, Any]:
    return tokyo.autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][
        0
    ]


def test_step3_app_joins_the_nlb_target_group_and_becomes_healthy(tokyo: Any) -> None:
    tg = ensure_nlb(tokyo.elbv2, tokyo.settings)["target_group_arn"]
    assert app_targets_ready(tokyo.elbv2, tg, 1)["ready"] is False  # pilot light: nothing yet

    assert attach_target_group(tokyo.autoscaling, APP, tg) is True
    scaled = scale_group(tokyo.autoscaling, APP, Capacity(1, 1, 2))

    assert scaled["changed"] is True
    assert app_targets_ready(tokyo.elbv2, tg, 1) == {
        "ready": True,
        "healthy": 1,
        "registered": 1,
        "desired": 1,
    }


def test_step3_twice_changes_nothing_the_second_time(tokyo: Any) -> None:
    tg = ensure_nlb(tokyo.elbv2, tokyo.settings)["target_group_arn"]
    attach_target_group(tokyo.autoscaling, APP, tg)
    scale_group(tokyo.autoscaling, APP, Capacity(1, 1, 2))

    assert attach_target_group(tokyo.autoscaling, APP, tg) is False
    assert scale_group(tokyo.autoscaling, APP, Capacity(1, 1, 2))["changed"] is False
    group = _group(tokyo, APP)
    assert group["TargetGroupARNs"] == [tg] and len(group["Instances"]) == 1


def test_step3_web_in_service_after_scaling(tokyo: Any) -> None:
    assert group_in_service(tokyo.autoscaling, WEB, 1)["ready"] is False
    scale_group(tokyo.autoscaling, WEB, Capacity(1, 2, 2))
    assert group_in_service(tokyo.autoscaling, WEB, 2) == {"ready": True, "in_service": 2, "desired": 2}


def test_step3_missing_group_is_named(tokyo: Any) -> None:
    with pytest.raises(ScalingError, match="MegaTicket-DR-Nope-ASG not found"):
        scale_group(tokyo.autoscaling, "MegaTicket-DR-Nope-ASG", Capacity(1, 1, 1))


def test_step3_throttled_then_succeeds(tokyo: Any) -> None:
    flaky = ThrottleOnce(tokyo.autoscaling, "update_auto_scaling_group", code="Throttling")
    with pytest.raises(ThrottledError):
        scale_group(flaky, WEB, Capacity(1, 1, 2))
    assert scale_group(flaky, WEB, Capacity(1, 1, 2))["desired"] == 1
    assert _group(tokyo, WEB)["DesiredCapacity"] == 1


def test_failback_scales_to_zero_and_detaches_once(tokyo: Any) -> None:
    tg = ensure_nlb(tokyo.elbv2, tokyo.settings)["target_group_arn"]
    attach_target_group(tokyo.autoscaling, APP, tg)
    scale_group(tokyo.autoscaling, APP, Capacity(1, 1, 2))

    scale_group(tokyo.autoscaling, APP, Capacity(0, 0, 0))
    assert group_empty(tokyo.autoscaling, APP) == {"ready": True, "remaining": 0}
    assert detach_target_group(tokyo.autoscaling, APP, tg) is True
    assert detach_target_group(tokyo.autoscaling, APP, tg) is False


def _scale_app(tg: str, previous: dict[str, Any] | None = None) -> dict[str, Any]:
    return handlers.step3_scale(
        {"action": "scale_app", "target_group_arn": tg, "previous": previous or {}}, None
    )


def test_step3_scale_app_sets_the_failback_lock_before_tokyo_can_serve(tokyo: Any) -> None:
    # GIVEN the NLB from step 1 and no lock yet
    tg = ensure_nlb(tokyo.elbv2, tokyo.settings)["target_group_arn"]
    assert read_lock(tokyo.cloudwatch, tokyo.settings)["latest_value"] is None
    # WHEN step 3 starts the app tier (and again, as a Retry would)
    first = _scale_app(tg)
    again = _scale_app(tg, previous=first)
    # THEN the lock is held in us-east-1, the app is scaled once, and the second run changes nothing
    assert first["app"]["lock"] == {
        "lock": 1,
        "namespace": "MegaTicket/DR",
        "metric": "FailoverLock",
        "region": "us-east-1",
    }
    assert read_lock(tokyo.cloudwatch, tokyo.settings)["latest_value"] == 1.0
    assert first["app"]["changed"] is True and again["app"]["changed"] is False
    assert again["app"]["attached_target_group"] is False
    assert _group(tokyo, APP)["DesiredCapacity"] == 1


def test_step3_scales_nothing_when_the_lock_cannot_be_set(
    tokyo: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN a step 3 role that may not write the lock metric
    tg = ensure_nlb(tokyo.elbv2, tokyo.settings)["target_group_arn"]
    real_client = handlers._client

    def client(service: str, region: str | None = None) -> Any:
        made = real_client(service, region)
        if service != "cloudwatch":
            return made
        return ThrottleOnce(made, "put_metric_data", code="AccessDenied")

    monkeypatch.setattr(handlers, "_client", client)
    # WHEN step 3 starts the app tier, THEN it fails before touching the group
    with pytest.raises(ClientError, match="AccessDenied"):
        _scale_app(tg)
    group = _group(tokyo, APP)
    assert group["DesiredCapacity"] == 0 and group["TargetGroupARNs"] == []
