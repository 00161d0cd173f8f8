"""Step 3 against moto: app first (attached to the NLB target group, targets healthy), then web."""

from __future__ import annotations

from typing import Any

import pytest

from failover.errors import ScalingError, ThrottledError
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
