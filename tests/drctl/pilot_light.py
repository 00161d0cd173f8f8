"""The failover machinery in small, for the execution and lock commands (status, approve, reject,
report, failback, release-lock): state machines whose steps are echoing Lambdas, the approval
topic, the detection and lock alarms and the event path, seeded into moto over HTTP.

Doctor does not use this: its fixture is generated from the program (tests/drctl/generated.py).
"""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import boto3

from failover.checks import CheckSettings

ACCOUNT = "123456789012"
APPROVAL_STATE = "Step0_WaitForApproval"


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


def state_machine_definition(region: str) -> dict[str, Any]:
    """The failover/asl.py state-name contract in small: a real step-0 callback (token in
    Payload.taskToken), ManualReject routed to Step0_Rejected, steps 1-4 as single Lambda calls
    (the docker-less Lambda echoes) so a run finishes in moments."""

    def fn(n: str) -> str:
        return f"arn:aws:lambda:{region}:{ACCOUNT}:function:stfc-lambda-dev-{n}"

    def step(n: str, nxt: str) -> dict[str, Any]:
        return {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                "Parameters": {"FunctionName": fn(n), "Payload": {"step": n}},
                "ResultSelector": {"done": True}, "ResultPath": f"$.steps.{n}", "Next": nxt}

    return {
        "StartAt": "Init",
        "States": {
            "Init": {"Type": "Pass", "Result": {}, "ResultPath": "$.steps", "Next": APPROVAL_STATE},
            APPROVAL_STATE: {
                "Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                "Parameters": {"FunctionName": fn("step0"),
                               "Payload": {"taskToken.$": "$$.Task.Token", "input.$": "$"}},
                "ResultPath": "$.approval", "Next": "Step0_CheckDecision",
                "Catch": [{"ErrorEquals": ["ManualReject"], "ResultPath": "$.error",
                           "Next": "Step0_Rejected"}]},
            "Step0_CheckDecision": {"Type": "Choice", "Choices": [
                {"Variable": "$.approval.approved", "BooleanEquals": True, "Next": "Step0_Approved"}],
                "Default": "Step0_Rejected"},
            "Step0_Approved": {"Type": "Pass", "Next": "Step1_EnsureNlb"},
            "Step1_EnsureNlb": step("step1", "Step2_PointLaunchTemplate"),
            "Step2_PointLaunchTemplate": step("step2", "Step3_ScaleApp"),
            "Step3_ScaleApp": step("step3", "Step4_Verify"),
            "Step4_Verify": step("step4", "Step4_NotifySuccess"),
            "Step4_NotifySuccess": {"Type": "Pass", "Next": "FailoverSucceeded"},
            "FailoverSucceeded": {"Type": "Succeed"},
            "Step0_Rejected": {"Type": "Pass", "Next": "FailoverRejected"},
            "FailoverRejected": {"Type": "Succeed"},
        },
    }


def seed(endpoint: str, s: CheckSettings, failback_state_machine: str = "",
         with_lambdas: bool = False) -> dict[str, Any]:
    def client(service: str, region: str) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=endpoint)

    dr, alarm_region = s.dr_region, s.alarm_region
    out: dict[str, Any] = {}

    # --- IAM, Lambdas, state machines (Tokyo) ---
    iam = client("iam", "us-east-1")
    role_arn = iam.create_role(RoleName="drctl-test-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                 "Principal": {"Service": "lambda.amazonaws.com"}}]}),
    )["Role"]["Arn"]
    lam = client("lambda", dr)
    # Only runs that execute need the (echoing) step Lambdas; doctor reads definitions, not code.
    for n in ("step0", "step1", "step2", "step3", "step4", "failback") if with_lambdas else ():
        lam.create_function(FunctionName=f"stfc-lambda-dev-{n}", Runtime="python3.11", Role=role_arn,
                            Handler="handler.handler", Code={"ZipFile": _zip()})
    sfn = client("stepfunctions", dr)
    sm_arn = sfn.create_state_machine(name=s.state_machine_name, roleArn=role_arn,
                                      definition=json.dumps(state_machine_definition(dr)))["stateMachineArn"]
    out["state_machine_arn"] = sm_arn
    if failback_state_machine:
        sfn.create_state_machine(name=failback_state_machine, roleArn=role_arn, definition=json.dumps(
            {"StartAt": "Failback", "States": {"Failback": {"Type": "Pass", "End": True}}}))

    # --- approval topic: two confirmed channels (7.3.3 wants >= 2) ---
    sns = client("sns", dr)
    topic = sns.create_topic(Name=s.approval_topic_name)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="dr-oncall@example.com")
    sns.subscribe(TopicArn=topic, Protocol="sms", Endpoint="+821012345678")

    # --- detection in us-east-1: health check, alarm, observation rule, lock alarm ---
    r53 = client("route53", "us-east-1")
    hc_id = r53.create_health_check(CallerReference="drctl-test", HealthCheckConfig={
        "Type": "HTTPS", "FullyQualifiedDomainName": s.domain, "Port": 443,
        "ResourcePath": "/api/health", "RequestInterval": 30, "FailureThreshold": 3})["HealthCheck"]["Id"]
    out["health_check_id"] = hc_id
    # As seoul declares it: the alarm watches the calculated detection check (endpoint alone).
    detection_id = r53.create_health_check(CallerReference="drctl-test-detection", HealthCheckConfig={
        "Type": "CALCULATED", "ChildHealthChecks": [hc_id], "HealthThreshold": 1})["HealthCheck"]["Id"]
    out["detection_health_check_id"] = detection_id
    cw_us = client("cloudwatch", alarm_region)
    cw_us.put_metric_alarm(AlarmName=s.alarm_name, Namespace="AWS/Route53", MetricName="HealthCheckStatus",
                           Dimensions=[{"Name": "HealthCheckId", "Value": detection_id}], Statistic="Minimum",
                           Period=60, EvaluationPeriods=1, Threshold=1,
                           ComparisonOperator="LessThanThreshold")
    cw_us.put_metric_alarm(AlarmName=s.lock_alarm_name, Namespace=s.lock_namespace,
                           MetricName=s.lock_metric, Statistic="Maximum", Period=60, EvaluationPeriods=1,
                           Threshold=1, ComparisonOperator="GreaterThanOrEqualToThreshold",
                           TreatMissingData="ignore")
    events_dr = client("events", dr)
    bus_arn = events_dr.create_event_bus(Name=s.event_bus_name)["EventBusArn"]
    pattern = json.dumps({"source": ["aws.cloudwatch"], "detail-type": ["CloudWatch Alarm State Change"],
                          "detail": {"alarmName": [s.alarm_name], "state": {"value": ["ALARM"]}}})
    events_us = client("events", alarm_region)
    events_us.put_rule(Name=s.observation_rule_name, EventPattern=pattern,
                       State="ENABLED")
    events_us.put_targets(Rule=s.observation_rule_name, Targets=[
        {"Id": "TokyoEventBus", "Arn": bus_arn, "RoleArn": role_arn}])
    events_dr.put_rule(Name=s.failover_rule_name, EventBusName=s.event_bus_name, EventPattern=pattern)
    events_dr.put_targets(Rule=s.failover_rule_name, EventBusName=s.event_bus_name, Targets=[
        {"Id": "StateMachine", "Arn": sm_arn, "RoleArn": role_arn}])

    return out
