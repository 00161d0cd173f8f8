"""A healthy Tokyo pilot light seeded into moto over HTTP, from the names drctl itself reads.

`seed(endpoint, names)` builds what the tokyo stack deploys (plus the seoul pieces the checks look
at) in the standby NLB mode; `Broken` switches exactly one thing off so each test proves one
check catches one fault. The web launch template keeps the incident's history (001 section 3.4):
v1 hard-coded, v2 with NLB_DNS_PLACEHOLDER, v3 ($Latest) pointing at the real NLB.
"""

from __future__ import annotations

import base64
import io
import json
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from failover.checks import CheckSettings
from tests import moto_gaps

ACCOUNT = "123456789012"
APPROVAL_STATE = "Step0_WaitForApproval"


@dataclass(frozen=True)
class Broken:
    placeholder_in_latest: bool = False
    pinned_asg: bool = False
    pending_subscription: bool = False
    disabled_rule: bool = False
    missing_replica: bool = False
    wrong_internal_api_url: bool = False
    latest_without_placeholder: bool = False  # on-failover: the 3.4 incident, step 2 finds nothing


def web_user_data(internal_api_url: str) -> str:
    """The shape of 001 section 1.4's web user data (what the checks parse)."""
    return "\n".join([
        "#!/bin/bash",
        "set -x",
        'echo "export AWS_REGION=ap-northeast-1" > /home/ec2-user/dr-web-env.sh',
        f'echo "export INTERNAL_API_URL={internal_api_url}" >> /home/ec2-user/dr-web-env.sh',
        "sudo -u ec2-user bash -c \"cd $HOME/megaticket/apps/web && AWS_REGION=ap-northeast-1 "
        f"INTERNAL_API_URL={internal_api_url} pm2 start npm --name 'web-frontend' -- start\"",
        "",
    ])


APP_USER_DATA = "#!/bin/bash\necho 'export PORT=3001' > /home/ec2-user/dr-env.sh\n"


def _b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


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


def seed(endpoint: str, s: CheckSettings, broken: Broken = Broken(),
         failback_state_machine: str = "", on_failover: bool = False,
         with_lambdas: bool = False) -> dict[str, Any]:
    """`on_failover`: nlb.mode on-failover before a failover - no NLB yet, and the web template's
    $Latest still carries NLB_DNS_PLACEHOLDER for step 2 to fill."""
    def client(service: str, region: str) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=endpoint)

    dr, primary, alarm_region = s.dr_region, s.primary_region, s.alarm_region
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
    if broken.pending_subscription:
        sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="new-oncall@example.com")
        moto_gaps.mark_pending(dr, topic, "new-oncall@example.com")

    # --- detection in us-east-1: health check, alarm, observation rule, lock alarm ---
    r53 = client("route53", "us-east-1")
    hc_id = r53.create_health_check(CallerReference="drctl-test", HealthCheckConfig={
        "Type": "HTTPS", "FullyQualifiedDomainName": s.domain, "Port": 443,
        "ResourcePath": "/api/health", "RequestInterval": 30, "FailureThreshold": 3})["HealthCheck"]["Id"]
    out["health_check_id"] = hc_id
    cw_us = client("cloudwatch", alarm_region)
    cw_us.put_metric_alarm(AlarmName=s.alarm_name, Namespace="AWS/Route53", MetricName="HealthCheckStatus",
                           Dimensions=[{"Name": "HealthCheckId", "Value": hc_id}], Statistic="Minimum",
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
                       State="DISABLED" if broken.disabled_rule else "ENABLED")
    events_us.put_targets(Rule=s.observation_rule_name, Targets=[
        {"Id": "TokyoEventBus", "Arn": bus_arn, "RoleArn": role_arn}])
    events_dr.put_rule(Name=s.failover_rule_name, EventBusName=s.event_bus_name, EventPattern=pattern)
    events_dr.put_targets(Rule=s.failover_rule_name, EventBusName=s.event_bus_name, Targets=[
        {"Id": "StateMachine", "Arn": sm_arn, "RoleArn": role_arn}])

    # --- Golden AMI: Seoul build, Tokyo copy with the same Build tag ---
    ec2_primary, ec2 = client("ec2", primary), client("ec2", dr)
    seoul_ami = ec2_primary.register_image(Name="MegaTicket-Golden-AMI", RootDeviceName="/dev/xvda",
                                           Architecture="x86_64")["ImageId"]
    ec2_primary.create_tags(Resources=[seoul_ami], Tags=[{"Key": s.build_tag_key, "Value": "2026.11.1"}])
    tokyo_ami = ec2.copy_image(SourceImageId=seoul_ami, SourceRegion=primary,
                               Name="MegaTicket-Golden-AMI-DR")["ImageId"]
    ec2.create_tags(Resources=[tokyo_ami], Tags=[{"Key": s.build_tag_key, "Value": "2026.11.1"}])
    ec2_primary.create_launch_template(LaunchTemplateName=s.primary_launch_template,
                                       LaunchTemplateData={"ImageId": seoul_ami})
    out["tokyo_ami"] = tokyo_ami

    # --- network and load balancers (standby NLB) ---
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{i}.0/24", AvailabilityZone=f"{dr}{az}")[
        "Subnet"]["SubnetId"] for i, az in ((1, "a"), (2, "c"))]
    elbv2 = client("elbv2", dr)
    alb = elbv2.create_load_balancer(Name=s.alb_name, Subnets=subnets, Type="application")[
        "LoadBalancers"][0]
    listeners = [(alb, 3000, "HTTP", "MegaTicket-DR-Web-TG")]
    nlb = {"DNSName": "NLB_DNS_PLACEHOLDER"}
    if not on_failover:
        nlb = elbv2.create_load_balancer(Name=s.nlb_name, Subnets=subnets, Type="network",
                                         Scheme="internal")["LoadBalancers"][0]
        listeners.append((nlb, s.app_port, "TCP", "MegaTicket-DR-App-TG"))
    out["nlb_dns"] = nlb["DNSName"]
    for lb, port, proto, tg_name in listeners:
        tg = elbv2.create_target_group(Name=tg_name, Protocol=proto, Port=port, VpcId=vpc,
                                       TargetType="instance")["TargetGroups"][0]["TargetGroupArn"]
        elbv2.create_listener(LoadBalancerArn=lb["LoadBalancerArn"], Protocol=proto, Port=port,
                              DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}])

    # --- launch templates with the 3.4 history, ASGs at 0 ---
    url = f"http://{nlb['DNSName']}:{s.app_port}"
    if broken.wrong_internal_api_url:
        url = f"http://MegaTicket-NLB-0123456789abcdef.elb.{primary}.amazonaws.com:{s.app_port}"
    latest = "http://NLB_DNS_PLACEHOLDER:3001" if broken.placeholder_in_latest else url
    if broken.latest_without_placeholder:
        latest = "http://seoul-nlb.example.internal:3001"
    ec2.create_launch_template(LaunchTemplateName=s.web_launch_template, LaunchTemplateData={
        "ImageId": tokyo_ami, "UserData": _b64(web_user_data("http://seoul-nlb.example.internal:3001"))})
    for user_data in ("http://NLB_DNS_PLACEHOLDER:3001", latest):
        ec2.create_launch_template_version(LaunchTemplateName=s.web_launch_template, LaunchTemplateData={
            "ImageId": tokyo_ami, "UserData": _b64(web_user_data(user_data))})
    ec2.create_launch_template(LaunchTemplateName=s.app_launch_template, LaunchTemplateData={
        "ImageId": tokyo_ami, "UserData": _b64(APP_USER_DATA)})
    asg = client("autoscaling", dr)
    for name, lt in ((s.web_asg, s.web_launch_template), (s.app_asg, s.app_launch_template)):
        version = "2" if broken.pinned_asg and name == s.web_asg else "$Latest"
        asg.create_auto_scaling_group(AutoScalingGroupName=name, MinSize=0, MaxSize=2, DesiredCapacity=0,
                                      VPCZoneIdentifier=",".join(subnets),
                                      LaunchTemplate={"LaunchTemplateName": lt, "Version": version})

    # --- DynamoDB global tables (Seoul, replicas in Tokyo) and replication latency ---
    ddb = client("dynamodb", primary)
    for table in s.table_names:
        ddb.create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                         AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                         KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
        replicas = [{"RegionName": dr, "ReplicaStatus": "ACTIVE"}]
        if broken.missing_replica and table.endswith("-reservations"):
            replicas = []
        moto_gaps.set_replicas(primary, table, replicas)
    client("cloudwatch", primary).put_metric_data(Namespace="AWS/DynamoDB", MetricData=[{
        "MetricName": "ReplicationLatency", "Value": 850.0, "Unit": "Milliseconds",
        "Timestamp": datetime.now(UTC),
        "Dimensions": [{"Name": "TableName", "Value": s.table_names[1]},
                       {"Name": "ReceivingRegion", "Value": dr}]}])
    return out
