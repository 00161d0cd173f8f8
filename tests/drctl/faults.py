"""One fault at a time on the generated fixture: each fault changes one deployed fact through the
same AWS APIs an operator (or drift) would, and returns how to put it back.

A `Fault` names the checks that must fail (and only those), a text the failing detail must hold
(the fact, the expected and the actual value) and a text its fix must hold.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.drctl.generated import Env

Revert = Callable[[], None]
TOKYO, SEOUL, EAST = "ap-northeast-1", "ap-northeast-2", "us-east-1"


@dataclass(frozen=True)
class Fault:
    id: str
    apply: Callable[[Env], Revert]
    fails: frozenset[str]
    detail: str
    fix: str
    settings: str = "drctl"  # or "lambda": the readiness Lambda's environment (knows ids and build)


def _fault(id: str, fails: set[str] | str, detail: str, fix: str, settings: str = "drctl"
           ) -> Callable[[Callable[[Env], Revert]], Fault]:
    def wrap(fn: Callable[[Env], Revert]) -> Fault:
        return Fault(id, fn, frozenset({fails} if isinstance(fails, str) else fails), detail, fix, settings)
    return wrap


# --- helpers -----------------------------------------------------------------------------------


def _rule(env: Env, region: str, name: str, bus: str = "") -> tuple[Any, dict[str, Any]]:
    events = env.clients("events", region)
    kwargs = {"EventBusName": bus} if bus else {}
    return events, {**events.describe_rule(Name=name, **kwargs), **kwargs}


def _put_pattern(env: Env, region: str, name: str, bus: str, change: Callable[[dict[str, Any]], None]) -> Revert:
    events, rule = _rule(env, region, name, bus)
    original = rule["EventPattern"]
    pattern = json.loads(original)
    change(pattern)
    extra = {"EventBusName": bus} if bus else {}
    events.put_rule(Name=name, EventPattern=json.dumps(pattern), **extra)
    return lambda: events.put_rule(Name=name, EventPattern=original, **extra)


def _retarget(env: Env, region: str, rule: str, bus: str, change: Callable[[dict[str, Any]], None]) -> Revert:
    events = env.clients("events", region)
    extra = {"EventBusName": bus} if bus else {}
    target = events.list_targets_by_rule(Rule=rule, **extra)["Targets"][0]
    changed = json.loads(json.dumps(target))
    change(changed)
    events.put_targets(Rule=rule, Targets=[changed], **extra)
    return lambda: events.put_targets(Rule=rule, Targets=[target], **extra)


def _alarm(env: Env, name: str) -> tuple[Any, dict[str, Any]]:
    cw = env.clients("cloudwatch", EAST)
    return cw, cw.describe_alarms(AlarmNames=[name])["MetricAlarms"][0]


def _put_alarm(cw: Any, alarm: dict[str, Any], **changes: Any) -> None:
    keys = ("AlarmName", "Namespace", "MetricName", "Dimensions", "Statistic", "Period", "EvaluationPeriods",
            "Threshold", "ComparisonOperator", "TreatMissingData", "DatapointsToAlarm", "AlarmActions")
    args = {k: alarm[k] for k in keys if alarm.get(k) is not None}
    cw.put_metric_alarm(**{**args, **changes})


def _policy(env: Env, role: str) -> tuple[Any, str, dict[str, Any]]:
    iam = env.clients("iam", EAST)
    names = [n for n in iam.list_role_policies(RoleName=role)["PolicyNames"] if "logs" not in n]
    name = names[0]
    return iam, name, iam.get_role_policy(RoleName=role, PolicyName=name)["PolicyDocument"]


def _without_action(document: dict[str, Any], action: str) -> dict[str, Any]:
    doc = json.loads(json.dumps(document))
    for statement in doc["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        statement["Action"] = [a for a in actions if a != action] or ["sts:GetCallerIdentity"]
    return doc


def _latest_user_data(env: Env, lt: str) -> tuple[Any, dict[str, Any], str]:
    ec2 = env.clients("ec2", TOKYO)
    versions = ec2.describe_launch_template_versions(LaunchTemplateName=lt, Versions=["$Latest"])
    data = versions["LaunchTemplateVersions"][0]["LaunchTemplateData"]
    return ec2, data, base64.b64decode(data["UserData"]).decode()


def _new_version(env: Env, lt: str, change: Callable[[str], str], image: str | None = None) -> Revert:
    ec2, data, script = _latest_user_data(env, lt)
    # The whole data, not SourceVersion: moto does not merge the source version's data in.
    changed = {**data, "UserData": base64.b64encode(change(script).encode()).decode()}
    if image:
        changed["ImageId"] = image
    ec2.create_launch_template_version(LaunchTemplateName=lt, LaunchTemplateData=changed)
    return lambda: ec2.create_launch_template_version(LaunchTemplateName=lt, LaunchTemplateData=data) and None


def _sub(pattern: str, replacement: str) -> Callable[[str], str]:
    def change(script: str) -> str:
        changed = re.sub(pattern, replacement, script)
        assert changed != script, f"fault did not apply: {pattern}"
        return changed
    return change


def _machine(env: Env, name: str) -> tuple[Any, str, str]:
    sfn = env.clients("stepfunctions", TOKYO)
    arn = f"arn:aws:states:{TOKYO}:123456789012:stateMachine:{name}"
    return sfn, arn, sfn.describe_state_machine(stateMachineArn=arn)["definition"]


def _edit_machine(env: Env, name: str, change: Callable[[dict[str, Any]], None]) -> Revert:
    sfn, arn, original = _machine(env, name)
    definition = json.loads(original)
    change(definition)
    sfn.update_state_machine(stateMachineArn=arn, definition=json.dumps(definition))
    return lambda: sfn.update_state_machine(stateMachineArn=arn, definition=original)


def _queue(env: Env, region: str, name: str) -> tuple[Any, str]:
    sqs = env.clients("sqs", region)
    return sqs, sqs.get_queue_url(QueueName=name)["QueueUrl"]


def _lb(env: Env, name: str) -> dict[str, Any]:
    return dict(env.clients("elbv2", TOKYO).describe_load_balancers(Names=[name])["LoadBalancers"][0])


def _secondary(env: Env) -> tuple[Any, str, dict[str, Any]]:
    r53 = env.clients("route53", EAST)
    zone = r53.list_hosted_zones_by_name(DNSName="pilotlight-test.click")["HostedZones"][0]["Id"]
    record = next(r for r in r53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
                  if r.get("Failover") == "SECONDARY")
    return r53, zone, record


def _change(r53: Any, zone: str, action: str, record: dict[str, Any]) -> None:
    r53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": action, "ResourceRecordSet": record}]})


S = "ssw-dr-failover-observation-alarm-rule"
F = "pldr-dr-failover-rule"
BUS = "ssw-dr-failover-dr-event-bus"
ALARM = "MegaTicket-Primary-HealthCheck-Alarm"
WEB_LT, APP_LT = "MegaTicket-DR-Web-LT", "MegaTicket-DR-App-LT"


# --- the event path ------------------------------------------------------------------------------


@_fault("tokyo-rule-matches-another-alarm", "failover-rule", 'alarmName ["MegaTicket-Readiness"]',
        "`pulumi up --stack tokyo` restores it")
def tokyo_rule_other_alarm(env: Env) -> Revert:
    return _put_pattern(env, TOKYO, F, BUS, lambda p: p["detail"].update(alarmName=["MegaTicket-Readiness"]))


@_fault("tokyo-rule-matches-state-ok", "failover-rule", 'state.value ["OK"] (expected ["ALARM"])', "state ALARM")
def tokyo_rule_state_ok(env: Env) -> Revert:
    return _put_pattern(env, TOKYO, F, BUS, lambda p: p["detail"]["state"].update(value=["OK"]))


@_fault("tokyo-rule-matches-alarm-by-prefix", "failover-rule", "alarmName", "alarmName exactly")
def tokyo_rule_prefix(env: Env) -> Revert:
    return _put_pattern(env, TOKYO, F, BUS, lambda p: p["detail"].update(alarmName=[{"prefix": "MegaTicket"}]))


@_fault("observation-rule-matches-another-alarm", "observation-rule", 'alarmName ["Other"]',
        "`pulumi up --stack tokyo`")
def observation_other_alarm(env: Env) -> Revert:
    return _put_pattern(env, EAST, S, "", lambda p: p["detail"].update(alarmName=["Other"]))


@_fault("observation-rule-disabled", "observation-rule", f"{S} is DISABLED",
        f"`aws events enable-rule --name {S} --region us-east-1`")
def observation_disabled(env: Env) -> Revert:
    events = env.clients("events", EAST)
    events.disable_rule(Name=S)
    return lambda: events.enable_rule(Name=S)


@_fault("tokyo-rule-disabled", "failover-rule", f"{F} is DISABLED",
        f"`aws events enable-rule --name {F} --event-bus-name {BUS} --region ap-northeast-1`")
def tokyo_disabled(env: Env) -> Revert:
    events = env.clients("events", TOKYO)
    events.disable_rule(Name=F, EventBusName=BUS)
    return lambda: events.enable_rule(Name=F, EventBusName=BUS)


@_fault("tokyo-rule-targets-the-failback-machine", "failover-rule",
        "stateMachine:stfc-stepfunction-dev-an1-failback (expected only", "7.1")
def tokyo_target_failback(env: Env) -> Revert:
    return _retarget(env, TOKYO, F, BUS, lambda t: t.update(Arn=t["Arn"] + "-failback"))


@_fault("observation-target-without-dead-letter-queue", "observation-rule",
        "dead-letter queue none (expected arn:aws:sqs:us-east-1:123456789012:"
        "ssw-dr-failover-observation-alarm-rule-dlq)", "`pulumi up --stack tokyo`")
def observation_no_dlq(env: Env) -> Revert:
    return _retarget(env, EAST, S, "", lambda t: t.pop("DeadLetterConfig"))


@_fault("tokyo-target-dead-letters-to-the-other-region", "failover-rule",
        "dead-letter queue arn:aws:sqs:us-east-1", "`pulumi up --stack tokyo`")
def tokyo_dlq_elsewhere(env: Env) -> Revert:
    return _retarget(env, TOKYO, F, BUS, lambda t: t.update(DeadLetterConfig={
        "Arn": f"arn:aws:sqs:{EAST}:123456789012:{S}-dlq"}))


@_fault("observation-target-uses-another-role", "observation-rule",
        "role arn:aws:iam::123456789012:role/pldr-dr-failover-rule-role (expected "
        "ssw-dr-failover-observation-alarm-rule-role)", "`pulumi up --stack tokyo`")
def observation_other_role(env: Env) -> Revert:
    return _retarget(env, EAST, S, "", lambda t: t.update(RoleArn=t["RoleArn"].replace(
        "ssw-dr-failover-observation-alarm-rule-role", "pldr-dr-failover-rule-role")))


@_fault("observation-role-cannot-put-events", "observation-rule",
        "may not events:PutEvents on arn:aws:events:ap-northeast-1:123456789012:event-bus/"
        "ssw-dr-failover-dr-event-bus (implicitDeny)", "`pulumi up --stack tokyo`")
def observation_role_denied(env: Env) -> Revert:
    iam, name, doc = _policy(env, f"{S}-role")
    iam.put_role_policy(RoleName=f"{S}-role", PolicyName=name,
                        PolicyDocument=json.dumps(_without_action(doc, "events:PutEvents")))
    return lambda: iam.put_role_policy(RoleName=f"{S}-role", PolicyName=name, PolicyDocument=json.dumps(doc))


@_fault("undelivered-event-in-the-us-east-1-dlq", "event-dlq",
        "ssw-dr-failover-observation-alarm-rule-dlq in us-east-1 holds 1 undelivered event",
        "`aws sqs purge-queue --queue-url")
def east_dlq_message(env: Env) -> Revert:
    sqs, url = _queue(env, EAST, f"{S}-dlq")
    sqs.send_message(QueueUrl=url, MessageBody='{"detail-type": "CloudWatch Alarm State Change"}')
    return lambda: sqs.purge_queue(QueueUrl=url)


@_fault("undelivered-event-in-the-tokyo-dlq", "event-dlq",
        "pldr-dr-failover-rule-dlq in ap-northeast-1 holds 2 undelivered event", "aws sqs receive-message")
def tokyo_dlq_message(env: Env) -> Revert:
    sqs, url = _queue(env, TOKYO, f"{F}-dlq")
    for _ in range(2):
        sqs.send_message(QueueUrl=url, MessageBody="{}")
    return lambda: sqs.purge_queue(QueueUrl=url)


@_fault("us-east-1-dlq-deleted", "event-dlq", "ssw-dr-failover-observation-alarm-rule-dlq not found in us-east-1",
        "`pulumi up --stack tokyo`")
def east_dlq_deleted(env: Env) -> Revert:
    sqs, url = _queue(env, EAST, f"{S}-dlq")
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["MessageRetentionPeriod"])["Attributes"]
    sqs.delete_queue(QueueUrl=url)
    return lambda: sqs.create_queue(QueueName=f"{S}-dlq", Attributes=attributes) and None


# --- alarms ---------------------------------------------------------------------------------------


@_fault("detection-alarm-watches-the-calculated-check", "detection-alarm",
        "is a CALCULATED check (expected seoul's detection check", "of seoul's detection check")
def alarm_on_calculated(env: Env) -> Revert:
    cw, alarm = _alarm(env, ALARM)
    calculated = env.deployed.seoul["calculatedHealthCheckId"]
    _put_alarm(cw, alarm, Dimensions=[{"Name": "HealthCheckId", "Value": calculated}])
    return lambda: _put_alarm(cw, alarm)


@_fault("detection-alarm-watches-the-calculated-check-lambda", "detection-alarm",
        "(expected seoul's detection check", "`pulumi up --stack tokyo`", settings="lambda")
def alarm_on_calculated_lambda(env: Env) -> Revert:
    return alarm_on_calculated.apply(env)


@_fault("detection-alarm-watches-the-endpoint-check", "detection-alarm",
        "check (expected seoul's detection check: CALCULATED over the endpoint check alone",
        "(output detectionHealthCheckId)")
def alarm_on_endpoint(env: Env) -> Revert:
    # The wiring from before day two: a replaced endpoint check would leave it without data.
    cw, alarm = _alarm(env, ALARM)
    _put_alarm(cw, alarm, Dimensions=[{"Name": "HealthCheckId", "Value": env.deployed.seoul["healthCheckId"]}])
    return lambda: _put_alarm(cw, alarm)


@_fault("detection-alarm-on-another-metric", "detection-alarm",
        "MetricName HealthCheckPercentageHealthy (expected HealthCheckStatus)", "HealthCheckStatus (Minimum < 1)")
def alarm_other_metric(env: Env) -> Revert:
    cw, alarm = _alarm(env, ALARM)
    _put_alarm(cw, alarm, MetricName="HealthCheckPercentageHealthy")
    return lambda: _put_alarm(cw, alarm)


@_fault("detection-alarm-deleted", "detection-alarm", f"{ALARM} not found in us-east-1", "`pulumi up --stack tokyo`")
def alarm_deleted(env: Env) -> Revert:
    cw, alarm = _alarm(env, ALARM)
    cw.delete_alarms(AlarmNames=[ALARM])
    return lambda: _put_alarm(cw, alarm)


@_fault("lock-alarm-deleted", "failback-lock", "MegaTicket-Failback-Lock not found in us-east-1",
        "`pulumi up --stack seoul`")
def lock_deleted(env: Env) -> Revert:
    cw, alarm = _alarm(env, "MegaTicket-Failback-Lock")
    cw.delete_alarms(AlarmNames=["MegaTicket-Failback-Lock"])
    return lambda: _put_alarm(cw, alarm)


@_fault("lock-alarm-treats-missing-data-as-ok", "failback-lock",
        "TreatMissingData notBreaching (expected ignore", "`pulumi up --stack seoul`")
def lock_missing_ok(env: Env) -> Revert:
    cw, alarm = _alarm(env, "MegaTicket-Failback-Lock")
    _put_alarm(cw, alarm, TreatMissingData="notBreaching")
    return lambda: _put_alarm(cw, alarm)


@_fault("lock-alarm-threshold-2", "failback-lock", "Threshold 2.0 (expected 1.0)", "Maximum >= 1")
def lock_threshold(env: Env) -> Revert:
    cw, alarm = _alarm(env, "MegaTicket-Failback-Lock")
    _put_alarm(cw, alarm, Threshold=2.0)
    return lambda: _put_alarm(cw, alarm)


# --- approval and state machines -------------------------------------------------------------------


@_fault("approval-subscriptions-of-a-single-protocol", "approval-subscriptions",
        "2 confirmed (email), 0 pending on stfc-topic-dev-an1-approval: every confirmed subscription uses one "
        "protocol", "megaticket-dr:approvers")
def single_protocol(env: Env) -> Revert:
    sns = env.clients("sns", TOKYO)
    topic = f"arn:aws:sns:{TOKYO}:123456789012:stfc-topic-dev-an1-approval"
    sms = next(s for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] if s["Protocol"] == "sms")
    sns.unsubscribe(SubscriptionArn=sms["SubscriptionArn"])
    extra = sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="second@example.com")["SubscriptionArn"]

    def revert() -> None:
        sns.unsubscribe(SubscriptionArn=extra)
        sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=sms["Endpoint"])
    return revert


@_fault("approval-channel-unsubscribed", "approval-subscriptions", "1 confirmed (email)", "megaticket-dr:approvers")
def one_channel(env: Env) -> Revert:
    sns = env.clients("sns", TOKYO)
    topic = f"arn:aws:sns:{TOKYO}:123456789012:stfc-topic-dev-an1-approval"
    sms = next(s for s in sns.list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"] if s["Protocol"] == "sms")
    sns.unsubscribe(SubscriptionArn=sms["SubscriptionArn"])
    return lambda: sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint=sms["Endpoint"]) and None


@_fault("approval-state-without-timeout", "state-machines",
        "Step0_WaitForApproval TimeoutSeconds None (expected 3600)", "approvalTimeoutSeconds")
def approval_no_timeout(env: Env) -> Revert:
    return _edit_machine(env, "stfc-stepfunction-dev-an1",
                         lambda d: d["States"]["Step0_WaitForApproval"].pop("TimeoutSeconds"))


@_fault("approval-state-waits-a-day", "state-machines", "TimeoutSeconds 86400 (expected 3600)",
        "`pulumi up --stack tokyo`")
def approval_day(env: Env) -> Revert:
    return _edit_machine(env, "stfc-stepfunction-dev-an1",
                         lambda d: d["States"]["Step0_WaitForApproval"].update(TimeoutSeconds=86400))


@_fault("step-task-calls-another-lambda", "state-machines", "calls arn:aws:lambda:ap-northeast-1:123456789012:"
        "function:stfc-lambda-dev-step2 (expected arn:aws:lambda:ap-northeast-1:123456789012:function:"
        "stfc-lambda-dev-step1)", "failover/asl.py")
def task_wrong_lambda(env: Env) -> Revert:
    def change(d: dict[str, Any]) -> None:
        for state in d["States"].values():
            if state.get("Resource", "").endswith(":stfc-lambda-dev-step1"):
                state["Resource"] = state["Resource"].replace("step1", "step2")
    return _edit_machine(env, "stfc-stepfunction-dev-an1", change)


@_fault("failback-task-calls-a-missing-lambda", "state-machines", "stfc-stepfunction-dev-an1-failback:",
        "`pulumi up --stack tokyo`")
def failback_wrong_lambda(env: Env) -> Revert:
    def change(d: dict[str, Any]) -> None:
        for state in d["States"].values():
            if state.get("Resource", "").endswith(":stfc-lambda-dev-failback"):
                state["Resource"] += "-old"
    return _edit_machine(env, "stfc-stepfunction-dev-an1-failback", change)


# --- Lambdas and roles ------------------------------------------------------------------------------


def _function_config(env: Env, name: str, **changes: Any) -> Revert:
    lam = env.clients("lambda", TOKYO)
    before = lam.get_function_configuration(FunctionName=name)
    lam.update_function_configuration(FunctionName=name, **changes)
    return lambda: lam.update_function_configuration(
        FunctionName=name, **{k: before[k] for k in changes}) and None


@_fault("step-lambda-left-at-3-s", "step-lambdas", "stfc-lambda-dev-step3: timeout 3 s (expected 60)",
        "`aws lambda update-function-configuration --function-name stfc-lambda-dev-step3 --timeout 60 "
        "--memory-size 256 --region ap-northeast-1`")
def lambda_timeout(env: Env) -> Revert:
    return _function_config(env, "stfc-lambda-dev-step3", Timeout=3)


@_fault("step-lambda-at-128-mb", "step-lambdas", "stfc-lambda-dev-step1: memory 128 MB (expected 256)",
        "--function-name stfc-lambda-dev-step1")
def lambda_memory(env: Env) -> Revert:
    return _function_config(env, "stfc-lambda-dev-step1", MemorySize=128)


@_fault("readiness-lambda-timeout", "step-lambdas", "stfc-lambda-dev-readiness: timeout 30 s (expected 120)",
        "--function-name stfc-lambda-dev-readiness")
def readiness_timeout(env: Env) -> Revert:
    return _function_config(env, "stfc-lambda-dev-readiness", Timeout=30)


def _deny(env: Env, role: str, action: str) -> Revert:
    iam, name, doc = _policy(env, role)
    iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(_without_action(doc, action)))
    return lambda: iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(doc))


@_fault("step2-role-cannot-create-a-template-version", "step-roles",
        "stfc-lambda-dev-step2-role may not ec2:CreateLaunchTemplateVersion on arn:aws:ec2:ap-northeast-1:"
        "123456789012:launch-template/lt-", "components/failover_pipeline.py")
def step2_denied(env: Env) -> Revert:
    return _deny(env, "stfc-lambda-dev-step2-role", "ec2:CreateLaunchTemplateVersion")


@_fault("step0-role-cannot-publish", "step-roles", "stfc-lambda-dev-step0-role may not sns:Publish",
        "`pulumi up --stack tokyo`")
def step0_denied(env: Env) -> Revert:
    return _deny(env, "stfc-lambda-dev-step0-role", "sns:Publish")


@_fault("step3-role-cannot-set-the-lock", "step-roles", "stfc-lambda-dev-step3-role may not cloudwatch:PutMetricData",
        "`pulumi up --stack tokyo`")
def step3_denied(env: Env) -> Revert:
    return _deny(env, "stfc-lambda-dev-step3-role", "cloudwatch:PutMetricData")


@_fault("step-role-explicit-deny", "step-roles", "stfc-lambda-dev-step4-role may not cloudwatch:PutMetricData",
        "`pulumi up --stack tokyo`")
def step4_explicit_deny(env: Env) -> Revert:
    iam = env.clients("iam", EAST)
    iam.put_role_policy(RoleName="stfc-lambda-dev-step4-role", PolicyName="deny-metrics", PolicyDocument=json.dumps(
        {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "cloudwatch:*", "Resource": "*"}]}))
    return lambda: iam.delete_role_policy(RoleName="stfc-lambda-dev-step4-role", PolicyName="deny-metrics")


@_fault("machine-role-cannot-invoke-step4", "step-roles", "stfc-stepfunction-dev-an1-role may not lambda:InvokeFunction",
        "`pulumi up --stack tokyo`")
def sfn_denied(env: Env) -> Revert:
    role = "stfc-stepfunction-dev-an1-role"
    iam, name, doc = _policy(env, role)
    changed = json.loads(json.dumps(doc))
    for statement in changed["Statement"]:
        if statement.get("Action") == "lambda:InvokeFunction":
            statement["Resource"] = [r for r in statement["Resource"] if "step4" not in r]
    iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(changed))
    return lambda: iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=json.dumps(doc))


# --- compute ------------------------------------------------------------------------------------------


def _asg(env: Env, name: str, template: dict[str, str]) -> Revert:
    asg = env.clients("autoscaling", TOKYO)
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[name])["AutoScalingGroups"][0]
    before = {k: v for k, v in group["LaunchTemplate"].items() if k in ("LaunchTemplateId", "Version")}
    asg.update_auto_scaling_group(AutoScalingGroupName=name, LaunchTemplate=template)
    return lambda: asg.update_auto_scaling_group(AutoScalingGroupName=name, LaunchTemplate=before)


@_fault("web-asg-launches-the-app-template", "asg-launch-template-version",
        "MegaTicket-DR-Web-ASG -> MegaTicket-DR-App-LT $Latest (expected MegaTicket-DR-Web-LT $Latest)",
        "--launch-template LaunchTemplateName=MegaTicket-DR-Web-LT,Version='$Latest'")
def web_asg_app_template(env: Env) -> Revert:
    return _asg(env, "MegaTicket-DR-Web-ASG", {"LaunchTemplateName": APP_LT, "Version": "$Latest"})


@_fault("app-asg-pinned-to-version-1", "asg-launch-template-version",
        "MegaTicket-DR-App-ASG -> MegaTicket-DR-App-LT 1 (expected MegaTicket-DR-App-LT $Latest)",
        "--auto-scaling-group-name MegaTicket-DR-App-ASG")
def app_asg_pinned(env: Env) -> Revert:
    return _asg(env, "MegaTicket-DR-App-ASG", {"LaunchTemplateName": APP_LT, "Version": "1"})


@_fault("app-template-without-recovery-mode", "user-data",
        "env file: DR_RECOVERY_MODE missing (expected true)",
        "`pulumi up --stack tokyo --refresh`")
def no_recovery_mode(env: Env) -> Revert:
    return _new_version(env, APP_LT, _sub(r"(?m)^.*DR_RECOVERY_MODE.*\n", ""))


@_fault("app-template-recovery-mode-in-pm2-only-missing", "user-data",
        "pm2 app-backend: DR_RECOVERY_MODE missing", "start-instance-refresh")
def recovery_mode_pm2(env: Env) -> Revert:
    return _new_version(env, APP_LT, _sub(r" \\\n  DR_RECOVERY_MODE=true", ""))


@_fault("app-template-points-at-seoul", "user-data", "AWS_REGION=ap-northeast-2 (expected ap-northeast-1)",
        "userdata/render.py")
def app_in_seoul(env: Env) -> Revert:
    return _new_version(env, APP_LT, _sub("ap-northeast-1", "ap-northeast-2"))


@_fault("app-template-wrong-table", "user-data",
        "DYNAMODB_RESERVATIONS_TABLE=KDT-Msp4-PLDR-reservations-old (expected KDT-Msp4-PLDR-reservations)",
        "`pulumi up --stack tokyo --refresh`")
def app_wrong_table(env: Env) -> Revert:
    return _new_version(env, APP_LT, _sub("KDT-Msp4-PLDR-reservations", "KDT-Msp4-PLDR-reservations-old"))


@_fault("app-template-wrong-port", "user-data", "PORT=3002 (expected 3001)", "`pulumi up --stack tokyo --refresh`")
def app_wrong_port(env: Env) -> Revert:
    return _new_version(env, APP_LT, _sub("PORT=3001", "PORT=3002"))


@_fault("web-template-wrong-pm2-name", "user-data", "PM2 starts ['web'] (expected ['web-frontend'])",
        "`pulumi up --stack tokyo --refresh`")
def web_pm2(env: Env) -> Revert:
    return _new_version(env, WEB_LT, _sub("'web-frontend'|web-frontend", "web"))


@_fault("web-template-internal-api-url-at-seoul", "internal-api-url",
        "expected http://MegaTicket-DR-NLB-1.ap-northeast-1.elb.amazonaws.com:3001",
        "the current NLB DNS is MegaTicket-DR-NLB-1.ap-northeast-1.elb.amazonaws.com")
def web_url_seoul(env: Env) -> Revert:
    return _new_version(env, WEB_LT, _sub(r"MegaTicket-DR-NLB-1\.ap-northeast-1",
                                          "MegaTicket-NLB-1.ap-northeast-2"))


@_fault("web-template-placeholder-left-in-latest", {"launch-template-placeholder", "internal-api-url"},
        "still holds PLACEHOLDER", "Versions=['$Latest']")
def placeholder_in_latest(env: Env) -> Revert:
    return _new_version(env, WEB_LT, _sub(r"MegaTicket-DR-NLB-1\.ap-northeast-1\.elb\.amazonaws\.com",
                                          "NLB_DNS_PLACEHOLDER"))


@_fault("templates-launch-another-ami", "golden-ami", "$Latest launches ami-", "copies the Seoul Golden AMI",
        settings="lambda")
def other_ami(env: Env) -> Revert:
    ec2 = env.clients("ec2", TOKYO)
    image = ec2.register_image(Name="someone-elses-ami", RootDeviceName="/dev/xvda")["ImageId"]
    revert_web = _new_version(env, WEB_LT, lambda s: s, image=image)

    def revert() -> None:
        revert_web()
        ec2.deregister_image(ImageId=image)
    return revert


@_fault("tokyo-ami-of-another-build", "golden-ami", "Build=2026.10.9 (expected 2026.11.1)", "2.3/000",
        settings="lambda")
def other_build(env: Env) -> Revert:
    ec2 = env.clients("ec2", TOKYO)
    image = env.deployed.tokyo["goldenAmiId"]
    ec2.create_tags(Resources=[image], Tags=[{"Key": "Build", "Value": "2026.10.9"}])
    return lambda: ec2.create_tags(Resources=[image], Tags=[{"Key": "Build", "Value": "2026.11.1"}])


@_fault("nlb-listener-on-the-wrong-port", "nlb-listener",
        "no listener on 3001 (listeners on [3002])", "`pulumi up --stack tokyo` restores the declared listener")
def nlb_port(env: Env) -> Revert:
    elbv2 = env.clients("elbv2", TOKYO)
    listener = elbv2.describe_listeners(LoadBalancerArn=_lb(env, "MegaTicket-DR-NLB")["LoadBalancerArn"])[
        "Listeners"][0]
    elbv2.modify_listener(ListenerArn=listener["ListenerArn"], Port=3002)
    return lambda: elbv2.modify_listener(ListenerArn=listener["ListenerArn"], Port=3001) and None


@_fault("alb-listener-on-8080", "alb-listeners", "listener 80 missing", "restores the declared listeners")
def alb_port(env: Env) -> Revert:
    elbv2 = env.clients("elbv2", TOKYO)
    listener = elbv2.describe_listeners(LoadBalancerArn=_lb(env, "MegaTicket-DR-ALB")["LoadBalancerArn"])[
        "Listeners"][0]
    elbv2.modify_listener(ListenerArn=listener["ListenerArn"], Port=8080)
    return lambda: elbv2.modify_listener(ListenerArn=listener["ListenerArn"], Port=80) and None


# --- data and DNS --------------------------------------------------------------------------------------


@_fault("tokyo-replica-without-pitr", "dynamodb-pitr", "KDT-Msp4-PLDR-venues (DISABLED)",
        "`aws dynamodb update-continuous-backups --table-name KDT-Msp4-PLDR-venues "
        "--point-in-time-recovery-specification PointInTimeRecoveryEnabled=true --region ap-northeast-1`")
def no_pitr(env: Env) -> Revert:
    ddb = env.clients("dynamodb", TOKYO)
    ddb.update_continuous_backups(TableName="KDT-Msp4-PLDR-venues",
                                  PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": False})
    return lambda: ddb.update_continuous_backups(
        TableName="KDT-Msp4-PLDR-venues", PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True}
    ) and None


@_fault("tokyo-table-is-not-a-replica", "dynamodb-replica",
        "KDT-Msp4-PLDR-venues (a separate table: ap-northeast-2 lists no ap-northeast-1 replica)",
        "--replica-updates 'Create={RegionName=ap-northeast-1}' --region ap-northeast-2")
def not_a_replica(env: Env) -> Revert:
    from tests import moto_gaps

    moto_gaps.set_replicas(TOKYO, "KDT-Msp4-PLDR-venues", None)
    moto_gaps.set_replicas(SEOUL, "KDT-Msp4-PLDR-venues", [])

    def revert() -> None:
        moto_gaps.set_replicas(TOKYO, "KDT-Msp4-PLDR-venues", [{"RegionName": SEOUL, "ReplicaStatus": "ACTIVE"}])
        moto_gaps.set_replicas(SEOUL, "KDT-Msp4-PLDR-venues", [{"RegionName": TOKYO, "ReplicaStatus": "ACTIVE"}])
    return revert


@_fault("secondary-record-missing", "secondary-record", "no SECONDARY A record pilotlight-test.click",
        "`pulumi up --stack tokyo` restores it")
def no_secondary(env: Env) -> Revert:
    r53, zone, record = _secondary(env)
    _change(r53, zone, "DELETE", record)
    return lambda: _change(r53, zone, "CREATE", record)


@_fault("secondary-record-aliases-seoul", "secondary-record",
        "aliases megaticket-alb-1.ap-northeast-2.elb.amazonaws.com (expected the Tokyo ALB", "`pulumi up --stack tokyo`")
def secondary_seoul(env: Env) -> Revert:
    r53, zone, record = _secondary(env)
    changed = json.loads(json.dumps(record))
    changed["AliasTarget"]["DNSName"] = env.deployed.seoul["albDnsName"]
    _change(r53, zone, "UPSERT", changed)
    return lambda: _change(r53, zone, "UPSERT", record)


REVERSIBLE: tuple[Fault, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Fault))
