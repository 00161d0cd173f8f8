"""Step 3 (and failback's scale-down): Auto Scaling group capacities and readiness checks.

App first: attach the NLB target group, scale, and let the state machine poll `app_targets_ready`
until enough targets are healthy; only then scale web (whose user data needs the app behind the NLB).
"""

from __future__ import annotations

from typing import Any

from failover.errors import ScalingError, translate_throttling
from failover.settings import Capacity


def _group(autoscaling: Any, name: str) -> dict[str, Any]:
    groups = autoscaling.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"]
    if not groups:
        raise ScalingError(f"Auto Scaling group {name} not found in this region")
    return groups[0]


@translate_throttling
def scale_group(autoscaling: Any, name: str, capacity: Capacity) -> dict[str, Any]:
    """Set min/desired/max; a no-op when they already match (safe to run twice)."""
    group = _group(autoscaling, name)
    current = (group["MinSize"], group["DesiredCapacity"], group["MaxSize"])
    wanted = (capacity.minimum, capacity.desired, capacity.maximum)
    if current != wanted:
        autoscaling.update_auto_scaling_group(
            AutoScalingGroupName=name,
            MinSize=capacity.minimum,
            DesiredCapacity=capacity.desired,
            MaxSize=capacity.maximum,
        )
    return {
        "asg": name,
        "min": wanted[0],
        "desired": wanted[1],
        "max": wanted[2],
        "changed": current != wanted,
    }


@translate_throttling
def attach_target_group(autoscaling: Any, name: str, target_group_arn: str) -> bool:
    group = _group(autoscaling, name)
    if target_group_arn in group.get("TargetGroupARNs", []):
        return False
    autoscaling.attach_load_balancer_target_groups(
        AutoScalingGroupName=name, TargetGroupARNs=[target_group_arn]
    )
    return True


@translate_throttling
def detach_target_group(autoscaling: Any, name: str, target_group_arn: str | None) -> bool:
    if not target_group_arn:
        return False
    group = _group(autoscaling, name)
    if target_group_arn not in group.get("TargetGroupARNs", []):
        return False
    autoscaling.detach_load_balancer_target_groups(
        AutoScalingGroupName=name, TargetGroupARNs=[target_group_arn]
    )
    return True


@translate_throttling
def app_targets_ready(elbv2: Any, target_group_arn: str, desired: int) -> dict[str, Any]:
    """Ready when at least `desired` targets of the NLB target group report healthy."""
    health = elbv2.describe_target_health(TargetGroupArn=target_group_arn)["TargetHealthDescriptions"]
    healthy = sum(1 for h in health if h["TargetHealth"]["State"] == "healthy")
    return {"ready": healthy >= desired, "healthy": healthy, "registered": len(health), "desired": desired}


@translate_throttling
def group_in_service(autoscaling: Any, name: str, desired: int) -> dict[str, Any]:
    """Ready when at least `desired` instances are InService and Healthy."""
    instances = _group(autoscaling, name).get("Instances", [])
    in_service = sum(
        1 for i in instances if i.get("LifecycleState") == "InService" and i.get("HealthStatus") == "Healthy"
    )
    return {"ready": in_service >= desired, "in_service": in_service, "desired": desired}


@translate_throttling
def group_empty(autoscaling: Any, name: str) -> dict[str, Any]:
    """Failback: ready when the group has no instances left."""
    instances = _group(autoscaling, name).get("Instances", [])
    return {"ready": not instances, "remaining": len(instances)}
