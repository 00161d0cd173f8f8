"""The fast profile's warm-up (step 3 actions), run while the approval is pending.

- `warm_start`: both tiers to their failover capacity at once, drawn from their stopped warm pools.
  No lock and no gate: traffic stays on Seoul (the gate is closed), so a reject costs nothing.
- `warm_ready`: the app's NLB targets are healthy and the web tier is in service.
- `open_gate`: after the approval. The failback lock first (Tokyo may serve from here on, and a
  Seoul recovery must not pull users back), then the gate.
- `return_to_pool`: after a reject, a timeout or a failed warm-up: the gate is closed (again) and
  both tiers scale in; with `reuseOnScaleIn` their instances go back to the warm pool stopped.

Every action is safe to run twice.
"""

from __future__ import annotations

from typing import Any, Protocol

from failover import gate, lock, nlb, scale
from failover.errors import ScalingError, translate_throttling
from failover.settings import Capacity


class WarmUpSettings(gate.GateNames, lock.LockNames, Protocol):
    @property
    def app_asg_name(self) -> str: ...

    @property
    def web_asg_name(self) -> str: ...

    @property
    def app_capacity(self) -> Capacity: ...

    @property
    def web_capacity(self) -> Capacity: ...

    @property
    def target_group_name(self) -> str: ...


def _target_group_arn(elbv2: Any, s: WarmUpSettings) -> str:
    tg = nlb.find_target_group(elbv2, s.target_group_name)
    if tg is None:
        raise ScalingError(f"target group {s.target_group_name} not found: the fast profile needs the "
                           "standby NLB (nlb.mode standby)")
    return str(tg["TargetGroupArn"])


def warm_start(autoscaling: Any, elbv2: Any, s: WarmUpSettings) -> dict[str, Any]:
    tg_arn = _target_group_arn(elbv2, s)
    attached = scale.attach_target_group(autoscaling, s.app_asg_name, tg_arn)
    app = scale.scale_group(autoscaling, s.app_asg_name, s.app_capacity)
    web = scale.scale_group(autoscaling, s.web_asg_name, s.web_capacity)
    return {"app": {**app, "attached_target_group": attached}, "web": web, "target_group_arn": tg_arn}


def warm_ready(autoscaling: Any, elbv2: Any, s: WarmUpSettings) -> dict[str, Any]:
    app = scale.app_targets_ready(elbv2, _target_group_arn(elbv2, s), s.app_capacity.desired)
    web = scale.group_in_service(autoscaling, s.web_asg_name, s.web_capacity.desired)
    return {"ready": bool(app["ready"] and web["ready"]), "app": app, "web": web}


def open_gate(cloudwatch: Any, s: WarmUpSettings) -> dict[str, Any]:
    locked = lock.set_lock(cloudwatch, s, lock.LOCKED)
    return {"lock": locked, "gate": gate.set_gate(cloudwatch, s, gate.OPEN)}


def return_to_pool(autoscaling: Any, cloudwatch: Any, s: WarmUpSettings) -> dict[str, Any]:
    closed = gate.set_gate(cloudwatch, s, gate.CLOSED)
    out: dict[str, Any] = {"gate": closed}
    for role, name, capacity in (("web", s.web_asg_name, s.web_capacity),
                                 ("app", s.app_asg_name, s.app_capacity)):
        # Keep the max: the warm pool's prepared capacity and the next failover's scale-out use it.
        out[role] = scale.scale_group(autoscaling, name, Capacity(0, 0, capacity.maximum))
    return out


@translate_throttling
def pool_state(autoscaling: Any, name: str) -> dict[str, Any]:
    """The warm pool's configuration and how many instances sit in each warmed state."""
    answer = autoscaling.describe_warm_pool(AutoScalingGroupName=name)
    states: dict[str, int] = {}
    for instance in answer.get("Instances", []):
        states[instance["LifecycleState"]] = states.get(instance["LifecycleState"], 0) + 1
    config = answer.get("WarmPoolConfiguration") or {}
    return {"asg": name, "pool_state": config.get("PoolState"), "min_size": config.get("MinSize"),
            "instances": states}
