"""Lambda entry points (handler strings `failover.handlers.<name>`): parse, build clients, call one function.

Event shapes are set by `asl.py` (Parameters of each Task state); every handler returns the dict the
state machine stores under `$.steps.<step>`.
"""

from __future__ import annotations

import logging
import os
import time
from typing import Any

import boto3
from botocore.config import Config

from failover import (
    approval,
    approval_html,
    approval_link,
    drill,
    gate,
    idle,
    launch_template,
    lock,
    nlb,
    scale,
    verify,
    warm_up,
)
from failover import approval_page as approval_page_module
from failover.contract import AWS_CLIENT_CONFIG, NLB_ON_FAILOVER
from failover.settings import Capacity, Settings
from failover.stamps import stamp

# In-Lambda retries stay short: Step Functions owns the long backoff (Retry on `ThrottledError`).
_BOTO_CONFIG = Config(**AWS_CLIENT_CONFIG)

# Seam for tests of the whole machine: replaced by a fake HTTP client.
http_get: verify.HttpGet = verify.urllib_get


def _client(service: str, region: str | None = None) -> Any:
    return boto3.client(service, region_name=region or os.environ.get("AWS_REGION"), config=_BOTO_CONFIG)


def _previous(event: dict[str, Any]) -> dict[str, Any]:
    prev = event.get("previous")
    return prev if isinstance(prev, dict) else {}


def step0_request_approval(event: dict[str, Any], context: Any) -> dict[str, Any]:
    s = Settings.from_env()
    page_url = os.environ.get("APPROVAL_PAGE_URL", "").strip()
    if page_url:
        # The approval page is deployed: the token goes to its table, the notification gets a link.
        return approval_link.request_approval_with_link(
            _client("sns"),
            _client("stepfunctions"),
            _client("dynamodb"),
            topic_arn=s.approval_topic_arn,
            table=approval_page_module.PageSettings.from_env(os.environ).table,
            base_url=page_url,
            task_token=str(event["taskToken"]),
            execution_arn=event["execution_arn"],
            state_machine_arn=event["state_machine_arn"],
            execution_input=event.get("input"),
            timeout_seconds=int(event["timeout_seconds"]),
            timeout_action=str(event["timeout_action"]),
            now=time.time(),
        )
    return approval.request_approval(
        _client("sns"),
        _client("stepfunctions"),
        s.approval_topic_arn,
        execution_arn=event["execution_arn"],
        state_machine_arn=event["state_machine_arn"],
        execution_input=event.get("input"),
        timeout_seconds=int(event["timeout_seconds"]),
        timeout_action=str(event["timeout_action"]),
    )


def step1_nlb(event: dict[str, Any], context: Any) -> dict[str, Any]:
    s = Settings.from_env()
    elbv2 = _client("elbv2")
    prev = _previous(event)
    result = nlb.ensure_nlb(elbv2, s) if event.get("action") == "ensure" else nlb.check_nlb(elbv2, s)
    polls = int(prev.get("polls", 0)) + (0 if event.get("action") == "ensure" else 1)
    return stamp(prev, **result, mode=s.nlb_mode, polls=polls, ready=result["state"] == "active")


def step2_launch_template(event: dict[str, Any], context: Any) -> dict[str, Any]:
    s = Settings.from_env()
    result = launch_template.point_template_at_nlb(
        _client("ec2"), s.web_launch_template_name, str(event["nlb_dns"])
    )
    return stamp(_previous(event), template=s.web_launch_template_name, **result)


def step3_scale(event: dict[str, Any], context: Any) -> dict[str, Any]:
    s = Settings.from_env()
    action = event.get("action")
    prev = _previous(event)
    autoscaling = _client("autoscaling")
    details = {k: prev[k] for k in ("app", "web") if k in prev}
    if action in ("scale_app", "check_app"):
        tg_arn = str(event["target_group_arn"])
        app = dict(details.get("app", {}))
        if action == "scale_app" and drill.is_drill_state(event.get("drill")):
            app["lock"] = {"skipped": "drill: the failback lock is never set"}
            app["attached_target_group"] = scale.attach_target_group(autoscaling, s.app_asg_name, tg_arn)
            app.update(scale.scale_group(autoscaling, s.app_asg_name, s.app_capacity))
        elif action == "scale_app":
            # Lock first: once web targets turn healthy Route53's SECONDARY may already send users to
            # Tokyo, and a Seoul recovery must not pull them back after Tokyo took writes. Step 4
            # re-asserts it; putting 1 twice is harmless.
            app["lock"] = lock.set_lock(_client("cloudwatch", s.lock_region), s, 1)
            app["attached_target_group"] = scale.attach_target_group(autoscaling, s.app_asg_name, tg_arn)
            app.update(scale.scale_group(autoscaling, s.app_asg_name, s.app_capacity))
        else:
            app["polls"] = int(app.get("polls", 0)) + 1
        app.update(scale.app_targets_ready(_client("elbv2"), tg_arn, s.app_capacity.desired))
        details["app"] = app
    elif action in ("scale_web", "check_web"):
        web = dict(details.get("web", {}))
        if action == "scale_web":
            web.update(scale.scale_group(autoscaling, s.web_asg_name, s.web_capacity))
        else:
            web["polls"] = int(web.get("polls", 0)) + 1
        web.update(scale.group_in_service(autoscaling, s.web_asg_name, s.web_capacity.desired))
        details["web"] = web
    elif action in WARM_UP_ACTIONS:
        return stamp(prev, **_warm_up(action, autoscaling, s, prev))
    else:
        raise ValueError(f"step3 action {action!r} is not one of scale_app, check_app, scale_web, check_web, "
                         + ", ".join(WARM_UP_ACTIONS))
    return stamp(prev, **details)


# The fast profile's step 3 actions (failover/warm_up.py; failover/warm_up_asl.py).
WARM_UP_ACTIONS = ("warm_start", "check_warm", "open_gate", "return_to_pool")


def _warm_up(action: str, autoscaling: Any, s: Settings, prev: dict[str, Any]) -> dict[str, Any]:
    if action == "warm_start":
        return {**warm_up.warm_start(autoscaling, _client("elbv2"), s), "polls": 0}
    if action == "check_warm":
        polls = int(prev.get("polls", 0)) + 1
        return {**warm_up.warm_ready(autoscaling, _client("elbv2"), s), "polls": polls}
    cloudwatch = _client("cloudwatch", s.lock_region)
    if action == "open_gate":
        return {**{k: v for k, v in prev.items() if k not in ("started_at", "finished_at")},
                **warm_up.open_gate(cloudwatch, s)}
    return warm_up.return_to_pool(autoscaling, cloudwatch, s)


def step4_verify(event: dict[str, Any], context: Any) -> dict[str, Any]:
    s = Settings.from_env()
    health = verify.check_health(http_get, s.health_url, s.expected_region, s.http_timeout_seconds)
    steps = dict(event.get("steps") or {})
    if drill.is_drill_state(steps.get("drill")):
        locked: dict[str, Any] = {"skipped": "drill: the failback lock is never set"}
    else:
        locked = lock.set_lock(_client("cloudwatch", s.lock_region), s, 1)
    result = stamp(_previous(event), health=health, lock=locked)
    steps["step4"] = result
    result["summary"] = verify.success_summary(str(event.get("execution_arn", "")), steps)
    return result


def failback(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Failback's steps, and the drill's snapshot and cleanup (same clients, same permissions)."""
    s = Settings.from_env()
    if event.get("detail-type") == drill.STATUS_CHANGE:  # EventBridge: a drill was stopped
        return drill.cleanup_after_stop(event, _client("autoscaling"), _client("ec2"), _client("elbv2"),
                                        _client("stepfunctions"), _client("cloudwatch", s.lock_region), s)
    action = event.get("action")
    prev = _previous(event)
    if action == "drill_snapshot":
        # Keeps Drill_Start's kind and hold_seconds beside the snapshot.
        taken = drill.snapshot(_client("autoscaling"), _client("ec2"), _client("elbv2"), s)
        return stamp(prev, **{**prev, **taken})
    if action == "drill_cleanup":
        return stamp({}, **drill.cleanup(
            _client("autoscaling"), _client("ec2"), _client("elbv2"), _client("stepfunctions"),
            _client("cloudwatch", s.lock_region), s, event.get("before"),
            execution_arn=str(event["execution_arn"]), state_machine_arn=str(event["state_machine_arn"])))
    if action == "check_failover_idle":
        arn = str(event["failover_state_machine_arn"])
        return stamp(prev, **idle.require_failover_idle(_client("stepfunctions"), arn))
    if action == "check_lock":
        return stamp(prev, **lock.require_lock_released(_client("cloudwatch", s.lock_region), s))
    autoscaling = _client("autoscaling")
    if action == "scale_down":
        # Fast profile: close the approval gate first; with reuseOnScaleIn the instances go back
        # to their warm pools stopped.
        closed = (gate.set_gate(_client("cloudwatch", s.lock_region), s, gate.CLOSED)
                  if s.approval_gate else None)
        zero = Capacity(0, 0, 0)
        web = scale.scale_group(autoscaling, s.web_asg_name, zero)
        app = scale.scale_group(autoscaling, s.app_asg_name, zero)
        return stamp(prev, web=web, app=app, gate=closed, **_empty(autoscaling, s), polls=0)
    if action == "check_empty":
        return stamp(prev, **{**prev, **_empty(autoscaling, s), "polls": int(prev.get("polls", 0)) + 1})
    if action == "remove_nlb":
        if s.nlb_mode != NLB_ON_FAILOVER:
            return stamp(prev, skipped="NLB_MODE is standby: the NLB stays")
        elbv2 = _client("elbv2")
        tg = nlb.find_target_group(elbv2, s.target_group_name)
        detached = scale.detach_target_group(
            autoscaling, s.app_asg_name, tg["TargetGroupArn"] if tg else None
        )
        return stamp(prev, detached_target_group=detached, **nlb.remove_pipeline_nlb(elbv2, s))
    if action == "restore_template":
        if s.nlb_mode != NLB_ON_FAILOVER:
            return stamp(prev, skipped="NLB_MODE is standby: the template keeps the standing NLB")
        return stamp(
            prev, **launch_template.restore_template_placeholder(_client("ec2"), s.web_launch_template_name)
        )
    raise ValueError(
        f"failback action {action!r} is not one of "
        "check_failover_idle, check_lock, scale_down, check_empty, remove_nlb, restore_template, "
        "drill_snapshot, drill_cleanup"
    )


def _empty(autoscaling: Any, s: Settings) -> dict[str, Any]:
    web = scale.group_empty(autoscaling, s.web_asg_name)
    app = scale.group_empty(autoscaling, s.app_asg_name)
    return {"ready": web["ready"] and app["ready"], "remaining": web["remaining"] + app["remaining"]}


def approval_page(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """API Gateway HTTP API (payload 2.0) -> the approval page; never a trace, whatever the input."""
    try:
        settings = approval_page_module.PageSettings.from_env(os.environ)
        request = approval_page_module.parse_event(event)
        response = approval_page_module.handle(
            request, ddb=_client("dynamodb"), sfn=_client("stepfunctions"), ssm=_client("ssm"),
            settings=settings, now=time.time(),
        )
    except Exception:  # the trace goes to CloudWatch Logs, never to the phone
        logging.getLogger(__name__).exception("approval page failed")
        response = approval_page_module.Response(
            500, approval_html.problem("Something went wrong", "No decision was made. Use `drctl approve` "
                                       "or `drctl reject --reason '<why>'`, or try the link again."))
    return response.as_api_gateway()
