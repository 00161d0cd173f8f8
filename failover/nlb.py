"""Step 1: the internal NLB in front of the app tier.

Mode `on-failover`: create NLB, target group and listener, reusing any that already carry the
configured names (a re-run after a half-finished execution hit "name already exists" in the
incident notes). Mode `standby`: the NLB is deployed ahead; only check it exists.
Both modes return the NLB's current state; the state machine polls `check_nlb` until `active`.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from failover.contract import NLB_STANDBY
from failover.errors import NlbConflictError, NlbMissingError, error_code, translate_throttling
from failover.settings import Settings

# Marks what the pipeline created, so failback removes only those.
CREATED_BY_TAG = {"Key": "megaticket-dr:created-by", "Value": "failover-pipeline"}
# The same shape components/app_nlb.py gives the standby NLB: cross-zone on (one app instance must
# serve both NLB nodes), and a health check that accepts exactly 200 (the API defaults accept any
# 2xx/3xx, so a redirecting app would count as healthy).
CROSS_ZONE = {"Key": "load_balancing.cross_zone.enabled", "Value": "true"}
HEALTH_CHECK = {
    "HealthCheckProtocol": "HTTP",
    "HealthCheckPort": "traffic-port",
    "HealthCheckIntervalSeconds": 10,
    "HealthyThresholdCount": 2,
    "UnhealthyThresholdCount": 2,
    "Matcher": {"HttpCode": "200"},
}


def find_load_balancer(elbv2: Any, name: str) -> dict[str, Any] | None:
    try:
        found = elbv2.describe_load_balancers(Names=[name])["LoadBalancers"]
    except ClientError as err:
        if error_code(err) == "LoadBalancerNotFound":
            return None
        raise
    return found[0] if found else None


def find_target_group(elbv2: Any, name: str) -> dict[str, Any] | None:
    try:
        found = elbv2.describe_target_groups(Names=[name])["TargetGroups"]
    except ClientError as err:
        if error_code(err) == "TargetGroupNotFound":
            return None
        raise
    return found[0] if found else None


def _was_created_by_pipeline(elbv2: Any, arn: str) -> bool:
    descriptions = elbv2.describe_tags(ResourceArns=[arn])["TagDescriptions"]
    tags = descriptions[0]["Tags"] if descriptions else []
    return any(t["Key"] == CREATED_BY_TAG["Key"] and t["Value"] == CREATED_BY_TAG["Value"] for t in tags)


def _summary(lb: dict[str, Any], target_group_arn: str | None, created: bool) -> dict[str, Any]:
    return {
        "nlb_arn": lb["LoadBalancerArn"],
        "nlb_dns": lb["DNSName"],
        "state": lb["State"]["Code"],
        "target_group_arn": target_group_arn,
        "created_by_pipeline": created,
    }


def _ensure_load_balancer(elbv2: Any, s: Settings) -> dict[str, Any]:
    lb = find_load_balancer(elbv2, s.nlb_name)
    if lb is None:
        lb = elbv2.create_load_balancer(
            Name=s.nlb_name,
            Type="network",
            Scheme="internal",
            Subnets=list(s.app_subnet_ids),
            Tags=[CREATED_BY_TAG, {"Key": "Name", "Value": s.nlb_name}],
        )["LoadBalancers"][0]
        return lb
    if lb.get("Type") != "network" or lb.get("VpcId") != s.vpc_id:
        raise NlbConflictError(
            f"load balancer {s.nlb_name} exists but is type {lb.get('Type')} in {lb.get('VpcId')}; "
            f"expected a network load balancer in {s.vpc_id} (delete or rename it, then retry)"
        )
    return lb


def _ensure_target_group(elbv2: Any, s: Settings) -> dict[str, Any]:
    tg = find_target_group(elbv2, s.target_group_name)
    if tg is None:
        return elbv2.create_target_group(
            Name=s.target_group_name,
            Protocol="TCP",
            Port=s.app_port,
            VpcId=s.vpc_id,
            TargetType="instance",
            HealthCheckPath=s.health_path,
            **HEALTH_CHECK,
            Tags=[CREATED_BY_TAG],
        )["TargetGroups"][0]
    if tg.get("Port") != s.app_port or tg.get("VpcId") != s.vpc_id or tg.get("Protocol") != "TCP":
        raise NlbConflictError(
            f"target group {s.target_group_name} exists with {tg.get('Protocol')}:{tg.get('Port')} in "
            f"{tg.get('VpcId')}; expected TCP:{s.app_port} in {s.vpc_id}"
        )
    return tg


def _ensure_listener(elbv2: Any, lb_arn: str, tg_arn: str, port: int) -> None:
    for listener in elbv2.describe_listeners(LoadBalancerArn=lb_arn)["Listeners"]:
        if listener["Port"] != port:
            continue
        forwards = [a.get("TargetGroupArn") for a in listener.get("DefaultActions", [])]
        if tg_arn in forwards:
            return
        raise NlbConflictError(f"listener on port {port} of {lb_arn} forwards to {forwards}, not to {tg_arn}")
    elbv2.create_listener(
        LoadBalancerArn=lb_arn,
        Protocol="TCP",
        Port=port,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
    )


@translate_throttling
def ensure_nlb(elbv2: Any, s: Settings) -> dict[str, Any]:
    """Make sure NLB, target group and listener exist (creating in mode on-failover); report state."""
    if s.nlb_mode == NLB_STANDBY:
        return check_nlb(elbv2, s)
    lb = _ensure_load_balancer(elbv2, s)
    # Every run, not only on create: a retry after a crash between the two calls still sets it.
    if _was_created_by_pipeline(elbv2, lb["LoadBalancerArn"]):
        elbv2.modify_load_balancer_attributes(LoadBalancerArn=lb["LoadBalancerArn"], Attributes=[CROSS_ZONE])
    tg = _ensure_target_group(elbv2, s)
    _ensure_listener(elbv2, lb["LoadBalancerArn"], tg["TargetGroupArn"], s.app_port)
    # Describe again: the create call reports `provisioning`; the poll loop needs the live state.
    return check_nlb(elbv2, s)


@translate_throttling
def check_nlb(elbv2: Any, s: Settings) -> dict[str, Any]:
    """Current NLB state (`active` ends the poll loop). Missing NLB is an error in either mode here."""
    lb = find_load_balancer(elbv2, s.nlb_name)
    if lb is None:
        hint = (
            "deploy it with the tokyo stack" if s.nlb_mode == NLB_STANDBY else "step 1 should have created it"
        )
        raise NlbMissingError(f"load balancer {s.nlb_name} not found in this region ({hint})")
    if lb.get("Type") != "network":
        raise NlbConflictError(f"load balancer {s.nlb_name} is type {lb.get('Type')}, expected network")
    tg = find_target_group(elbv2, s.target_group_name)
    return _summary(
        lb, tg["TargetGroupArn"] if tg else None, _was_created_by_pipeline(elbv2, lb["LoadBalancerArn"])
    )


@translate_throttling
def remove_pipeline_nlb(elbv2: Any, s: Settings) -> dict[str, Any]:
    """Failback: delete listener, NLB and target group, but only those the pipeline tagged as its own."""
    removed: list[str] = []
    lb = find_load_balancer(elbv2, s.nlb_name)
    if lb is not None and _was_created_by_pipeline(elbv2, lb["LoadBalancerArn"]):
        for listener in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]:
            elbv2.delete_listener(ListenerArn=listener["ListenerArn"])
        elbv2.delete_load_balancer(LoadBalancerArn=lb["LoadBalancerArn"])
        removed.append(lb["LoadBalancerArn"])
    tg = find_target_group(elbv2, s.target_group_name)
    if tg is not None and _was_created_by_pipeline(elbv2, tg["TargetGroupArn"]):
        elbv2.delete_target_group(TargetGroupArn=tg["TargetGroupArn"])
        removed.append(tg["TargetGroupArn"])
    kept = lb is not None and lb["LoadBalancerArn"] not in removed
    return {"removed": removed, "kept_foreign_nlb": kept}
