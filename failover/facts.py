"""Facts the program declares that the doctor compares with what AWS returns, in one place.

The components build resources from these (the event pattern, DLQ names, target group names,
the public listener layout, each Lambda's memory and timeout field) and `failover/checks*.py`
derive their expectations from the same functions, so a change to the stack changes what
`drctl doctor` and the readiness Lambda expect. Pure Python, no Pulumi, no boto3: the readiness
Lambda ships this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# The derived-name rules live in the contract (with the AWS limits they cut to); re-exported here
# for the checks that read them as facts.
from failover.contract import GATE_ALARM_PERIOD_SECONDS as GATE_ALARM_PERIOD_SECONDS
from failover.contract import READINESS_FUNCTION, STEP_FUNCTIONS
from failover.contract import dlq_name as dlq_name
from failover.contract import function_name as function_name
from failover.contract import role_name as role_name
from failover.contract import target_group_name as target_group_name

# Lambda name suffix -> (handler in failover/handlers.py, timeout field of the lambdaTimeouts
# settings); every function is `<lambda prefix>-<suffix>` with role `<function name>-role`.
FUNCTIONS: dict[str, tuple[str, str]] = {  # keys: contract.STEP_FUNCTIONS, in order
    "step0": ("failover.handlers.step0_request_approval", "approval"),
    "step1": ("failover.handlers.step1_nlb", "nlb"),
    "step2": ("failover.handlers.step2_launch_template", "launch_template"),
    "step3": ("failover.handlers.step3_scale", "scale"),
    "step4": ("failover.handlers.step4_verify", "verify"),
    "failback": ("failover.handlers.failback", "failback"),
}
LAMBDA_MEMORY_MB = 256
READINESS_SUFFIX = READINESS_FUNCTION
READINESS_HANDLER = "failover.readiness.handler"
EVENT_TARGET_RETRY_AGE_SECONDS = 3600
TASK_TIMEOUT_MARGIN_SECONDS = 30  # a polled step's Task timeout: its Lambda's timeout plus this


def event_pattern(alarm_name: str) -> dict[str, Any]:
    """Both hops of the event path match exactly this: the detection alarm entering ALARM."""
    return {
        "source": ["aws.cloudwatch"],
        "detail-type": ["CloudWatch Alarm State Change"],
        "detail": {"alarmName": [alarm_name], "state": {"value": ["ALARM"]}},
    }


def polled_task_timeout(step_timeouts: list[int]) -> int:
    return max(step_timeouts) + TASK_TIMEOUT_MARGIN_SECONDS


@dataclass(frozen=True)
class Listener:
    port: int
    protocol: str
    action: str  # "forward" (to the tier's target group) or "redirect"
    redirect_port: str = ""
    redirect_protocol: str = ""


def public_listeners(has_certificate: bool) -> tuple[Listener, ...]:
    """The ALB's listeners: with a certificate 80 redirects to 443 HTTPS, else 80 forwards."""
    if has_certificate:
        return (Listener(80, "HTTP", "redirect", "443", "HTTPS"), Listener(443, "HTTPS", "forward"))
    return (Listener(80, "HTTP", "forward"),)


def public_url(record_name: str, has_certificate: bool) -> str:
    """Where users arrive, per the forwarding listener: https://name/ only with a certificate."""
    listener = next(x for x in public_listeners(has_certificate) if x.action == "forward")
    scheme = listener.protocol.lower()
    default = {"http": 80, "https": 443}[scheme]
    port = "" if listener.port == default else f":{listener.port}"
    return f"{scheme}://{record_name}{port}/"


# What each step's code calls (failover/<step>.py), as IAM actions. The doctor simulates each
# step role against these; a test proves the component's policies allow every one of them.
# Resource keys: the doctor substitutes the deployed ARNs ("*" for calls IAM cannot scope).
STEP_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "step0": (("sns:Publish", "topic"), ("states:ListExecutions", "failover_machine")),
    "step1": (
        ("elasticloadbalancing:DescribeLoadBalancers", "*"),
        ("elasticloadbalancing:DescribeTargetGroups", "*"),
        ("elasticloadbalancing:DescribeListeners", "*"),
        ("elasticloadbalancing:DescribeTags", "*"),
        ("elasticloadbalancing:CreateLoadBalancer", "nlb"),
        ("elasticloadbalancing:CreateTargetGroup", "nlb_target_group"),
        ("elasticloadbalancing:CreateListener", "nlb_listener"),
        ("elasticloadbalancing:AddTags", "nlb"),
        ("elasticloadbalancing:ModifyLoadBalancerAttributes", "nlb"),
    ),
    "step2": (
        ("ec2:DescribeLaunchTemplateVersions", "*"),
        ("ec2:CreateLaunchTemplateVersion", "web_launch_template"),
        ("ec2:ModifyLaunchTemplate", "web_launch_template"),
    ),
    "step3": (
        ("autoscaling:DescribeAutoScalingGroups", "*"),
        ("elasticloadbalancing:DescribeTargetHealth", "*"),
        ("autoscaling:UpdateAutoScalingGroup", "app_asg"),
        ("autoscaling:UpdateAutoScalingGroup", "web_asg"),
        ("autoscaling:AttachLoadBalancerTargetGroups", "app_asg"),
        ("cloudwatch:PutMetricData", "lock_metric"),
    ),
    "step4": (("cloudwatch:PutMetricData", "lock_metric"),),
    "failback": (
        ("states:ListExecutions", "failover_machine"),
        ("cloudwatch:GetMetricStatistics", "*"),
        ("cloudwatch:DescribeAlarms", "lock_alarm"),
        ("autoscaling:DescribeAutoScalingGroups", "*"),
        ("autoscaling:UpdateAutoScalingGroup", "app_asg"),
        ("autoscaling:UpdateAutoScalingGroup", "web_asg"),
        ("autoscaling:DetachLoadBalancerTargetGroups", "app_asg"),
        ("elasticloadbalancing:DescribeLoadBalancers", "*"),
        ("elasticloadbalancing:DescribeTargetGroups", "*"),
        ("elasticloadbalancing:DescribeListeners", "*"),
        ("elasticloadbalancing:DeleteLoadBalancer", "nlb"),
        ("elasticloadbalancing:DeleteTargetGroup", "nlb_target_group"),
        ("elasticloadbalancing:DeleteListener", "nlb_listener"),
        ("ec2:DescribeLaunchTemplateVersions", "*"),
        ("ec2:CreateLaunchTemplateVersion", "web_launch_template"),
        ("ec2:ModifyLaunchTemplate", "web_launch_template"),
    ),
}

# What the fast profile's steps call beside STEP_ACTIONS (failover/warm_up.py, failover/gate.py):
# step 3 finds the standby NLB's target group and writes the gate; failback closes it.
GATE_STEP_ACTIONS: dict[str, tuple[tuple[str, str], ...]] = {
    "step3": (
        ("elasticloadbalancing:DescribeTargetGroups", "*"),
        ("cloudwatch:SetAlarmState", "gate_alarm"),
    ),
    "failback": (
        ("cloudwatch:PutMetricData", "lock_metric"),
        ("cloudwatch:SetAlarmState", "gate_alarm"),
    ),
}


def step_actions(approval_gate: bool) -> dict[str, tuple[tuple[str, str], ...]]:
    """Each step's calls (action, resource key) in the stack's recovery profile."""
    if not approval_gate:
        return dict(STEP_ACTIONS)
    return {k: (*v, *GATE_STEP_ACTIONS.get(k, ())) for k, v in STEP_ACTIONS.items()}


@dataclass(frozen=True)
class AlarmShape:
    namespace: str
    metric_name: str
    statistic: str
    threshold: float
    comparison: str
    treat_missing_data: str


def detection_alarm_shape() -> AlarmShape:
    """The us-east-1 alarm on the Seoul endpoint check (components/detection_alarm.py): it fires
    when the endpoint check's HealthCheckStatus drops below 1."""
    return AlarmShape("AWS/Route53", "HealthCheckStatus", "Minimum", 1, "LessThanThreshold", "missing")


def lock_alarm_shape(namespace: str, metric_name: str) -> AlarmShape:
    """The failback lock alarm (components/primary_dns.py): ALARM while the lock metric >= 1; its
    state persists through missing data, so a held lock never lapses."""
    return AlarmShape(namespace, metric_name, "Maximum", 1, "GreaterThanOrEqualToThreshold", "ignore")


def gate_alarm_shape(namespace: str, metric_name: str) -> AlarmShape:
    """The approval gate alarm (components/approval_gate.py, fast profile): ALARM (gate closed)
    while the gate metric < 1, over GATE_ALARM_PERIOD_SECONDS; missing data keeps the state."""
    return AlarmShape(namespace, metric_name, "Maximum", 1, "LessThanThreshold", "ignore")


WARM_POOL_STATE = "Stopped"  # stopped instances bill only their EBS volumes


@dataclass(frozen=True)
class WarmPoolShape:
    """A DR tier's warm pool (components/tier.py): `size` instances kept stopped, none required
    (a failover draws the pool down instead of refilling it), scale-in returns instances to it."""

    size: int
    pool_state: str = WARM_POOL_STATE
    min_size: int = 0
    reuse_on_scale_in: bool = True

    @property
    def max_group_prepared_capacity(self) -> int:
        # Explicit, so the pool stays when failback sets the group's max to 0.
        return self.size

    @property
    def pool_state_lifecycle(self) -> str:
        return f"Warmed:{self.pool_state}"


def warm_pool_shape(size: int) -> WarmPoolShape:
    return WarmPoolShape(size)

assert tuple(FUNCTIONS) == STEP_FUNCTIONS  # noqa: S101 - import-time guard: one list of functions
