"""Readiness checks for the Tokyo pilot light: the 001 document's checklists as functions.

Each check takes a client factory (`clients(service, region)` returning a boto3 client) and a
`CheckSettings`, and returns a `CheckResult`; on failure `fix` carries the remedy the document
gives. `drctl doctor` prints them; the readiness Lambda (`readiness.py`) publishes one metric per
check. Nothing here reads the environment or stack files, so both callers share the logic.
"""

from __future__ import annotations

import base64
import functools
import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

PLACEHOLDER_MARK = "PLACEHOLDER"  # 3.4: the scripts grep for this word, not the full token
NLB_PLACEHOLDER = "NLB_DNS_PLACEHOLDER"
_INTERNAL_API_URL = re.compile(r"""INTERNAL_API_URL=['"]?([^\s'"\\;]+)""")

ClientFactory = Callable[[str, str], Any]
HttpGet = Callable[[str, float], int]


@dataclass(frozen=True)
class CheckResult:
    name: str
    ok: bool
    detail: str
    fix: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail, "fix": self.fix}


@dataclass(frozen=True)
class CheckSettings:
    """Names and thresholds the checks need; defaults are the documents' names."""

    dr_region: str = "ap-northeast-1"
    primary_region: str = "ap-northeast-2"
    alarm_region: str = "us-east-1"
    domain: str = "pilotlight-test.click"
    health_check_id: str = ""  # empty: read it from the detection alarm's HealthCheckId dimension
    alarm_name: str = "MegaTicket-Primary-HealthCheck-Alarm"
    observation_rule_name: str = "ssw-dr-failover-observation-alarm-rule"
    event_bus_name: str = "ssw-dr-failover-dr-event-bus"
    failover_rule_name: str = "pldr-dr-failover-rule"
    state_machine_name: str = "stfc-stepfunction-dev-an1"
    approval_topic_name: str = "stfc-topic-dev-an1-approval"
    min_confirmed_subscriptions: int = 2
    web_launch_template: str = "MegaTicket-DR-Web-LT"
    app_launch_template: str = "MegaTicket-DR-App-LT"
    web_asg: str = "MegaTicket-DR-Web-ASG"
    app_asg: str = "MegaTicket-DR-App-ASG"
    nlb_name: str = "MegaTicket-DR-NLB"
    nlb_mode: str = "standby"
    alb_name: str = "MegaTicket-DR-ALB"
    app_port: int = 3001
    table_names: tuple[str, ...] = tuple(
        f"KDT-Msp4-PLDR-{s}" for s in ("performances", "reservations", "schedules", "venues"))
    max_replication_latency_ms: float = 60_000.0
    primary_launch_template: str = "MegaTicket-Web-LT"  # where the primary's AMI is found
    golden_ami_id: str = ""  # Tokyo AMI; empty: the one the web launch template's $Latest uses
    primary_ami_id: str = ""  # Seoul Golden AMI; empty: the primary web launch template's image
    expected_build: str = ""  # empty: the build tag on the primary's AMI
    build_tag_key: str = "Build"
    web_url: str = "https://pilotlight-test.click/"
    lock_namespace: str = "MegaTicket/DR"
    lock_metric: str = "FailoverLock"
    lock_alarm_name: str = "MegaTicket-Failback-Lock"
    http_timeout_seconds: float = 5.0
    now: Callable[[], datetime] = field(default=lambda: datetime.now(UTC), compare=False)


class _CheckFailedError(Exception):
    """Raised inside a check to return a failed result with a fix."""

    def __init__(self, detail: str, fix: str = ""):
        super().__init__(detail)
        self.detail = detail
        self.fix = fix


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def _account(clients: ClientFactory, s: CheckSettings) -> str:
    return str(clients("sts", s.dr_region).get_caller_identity()["Account"])


def state_machine_arn(clients: ClientFactory, s: CheckSettings, name: str = "") -> str:
    return f"arn:aws:states:{s.dr_region}:{_account(clients, s)}:stateMachine:{name or s.state_machine_name}"


def topic_arn(clients: ClientFactory, s: CheckSettings) -> str:
    return f"arn:aws:sns:{s.dr_region}:{_account(clients, s)}:{s.approval_topic_name}"


# --- detection: Route53 -> CloudWatch (us-east-1) -> EventBridge -> Step Functions ---------


def _detection_alarm(clients: ClientFactory, s: CheckSettings) -> dict[str, Any] | None:
    alarms = clients("cloudwatch", s.alarm_region).describe_alarms(AlarmNames=[s.alarm_name])
    found = alarms.get("MetricAlarms", [])
    return found[0] if found else None


def _health_check_id(clients: ClientFactory, s: CheckSettings) -> str:
    if s.health_check_id:
        return s.health_check_id
    alarm = _detection_alarm(clients, s)
    for dim in (alarm or {}).get("Dimensions", []):
        if dim.get("Name") == "HealthCheckId":
            return str(dim["Value"])
    # 7.4: list the checks and pick the one for the domain.
    for hc in clients("route53", "us-east-1").list_health_checks().get("HealthChecks", []):
        if hc.get("HealthCheckConfig", {}).get("FullyQualifiedDomainName") == s.domain:
            return str(hc["Id"])
    raise _CheckFailedError(
        f"no health check found for {s.domain} (alarm {s.alarm_name} has no HealthCheckId dimension)",
        "deploy the seoul stack (it owns the endpoint health check), then "
                "`pulumi up` the tokyo stack so the alarm watches it")


def check_route53_health(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "route53-health-check"
    hc_id = _health_check_id(clients, s)
    observations = clients("route53", "us-east-1").get_health_check_status(
        HealthCheckId=hc_id).get("HealthCheckObservations", [])
    passing = [o for o in observations
               if str(o.get("StatusReport", {}).get("Status", "")).startswith("Success")]
    detail = f"{hc_id}: {len(passing)}/{len(observations)} checkers report Success"
    if observations and len(passing) * 2 > len(observations):
        return CheckResult(name, True, detail)
    return CheckResult(name, False, detail, fix=(
        "7.4: allow the Route53 health checker ranges (ROUTE53_HEALTHCHECKS in ip-ranges.json) on "
        "the ALB security group, confirm the path /api/health answers 200, check the certificate "
        "for HTTPS checks, and check the ALB target group health"))


def check_detection_alarm(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "detection-alarm"
    alarm = _detection_alarm(clients, s)
    if alarm is None:
        return CheckResult(name, False, f"{s.alarm_name} not found in {s.alarm_region}", fix=(
            f"Route53 health-check metrics exist only in us-east-1: `pulumi up` the tokyo stack to "
            f"create {s.alarm_name} there"))
    state = alarm.get("StateValue", "")
    detail = f"{s.alarm_name} in {s.alarm_region} is {state}"
    if state == "OK":
        return CheckResult(name, True, detail)
    if state == "ALARM":
        return CheckResult(name, False, detail + " (the primary is failing)", fix=(
            "section 5: follow the failover checklist; `drctl status` shows the pipeline run"))
    return CheckResult(name, False, detail, fix=(
        "the alarm has no data: check its HealthCheckId dimension matches the primary endpoint "
        "health check (`aws route53 list-health-checks`) and that it is in us-east-1"))


def _pattern_names_alarm(pattern: str | None, alarm_name: str) -> bool:
    return bool(pattern) and alarm_name in str(pattern)


def check_observation_rule(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "observation-rule"
    events = clients("events", s.alarm_region)
    bus_arn = f"arn:aws:events:{s.dr_region}:{_account(clients, s)}:event-bus/{s.event_bus_name}"
    put_targets = (
        f'aws events put-targets --rule "{s.observation_rule_name}" --targets '
        f'"Id"="TokyoEventBus","Arn"="{bus_arn}","RoleArn"="<EventBridge-CrossRegion-Role ARN>" '
        f"--region {s.alarm_region}")
    try:
        rule = events.describe_rule(Name=s.observation_rule_name)
    except ClientError as err:
        if _code(err) != "ResourceNotFoundException":
            raise
        return CheckResult(name, False, f"{s.observation_rule_name} not found in {s.alarm_region}",
                           fix="`pulumi up` the tokyo stack (it owns the us-east-1 rule)")
    if rule.get("State") != "ENABLED":
        return CheckResult(name, False, f"{s.observation_rule_name} is {rule.get('State')}", fix=(
            f"aws events enable-rule --name {s.observation_rule_name} --region {s.alarm_region}"))
    if not _pattern_names_alarm(rule.get("EventPattern"), s.alarm_name):
        return CheckResult(name, False, f"{s.observation_rule_name} pattern does not match "
                           f"{s.alarm_name}", fix=(
                               "7.1: the pattern must match source aws.cloudwatch, detail-type "
                               f"CloudWatch Alarm State Change, alarmName {s.alarm_name}, state "
                               "ALARM; `pulumi up` restores it"))
    targets = events.list_targets_by_rule(Rule=s.observation_rule_name).get("Targets", [])
    if not any(t.get("Arn") == bus_arn for t in targets):
        found = ", ".join(t.get("Arn", "?") for t in targets) or "no targets"
        return CheckResult(name, False, f"{s.observation_rule_name} targets {found}, not the "
                           f"Tokyo bus {s.event_bus_name}", fix="7.1: " + put_targets)
    return CheckResult(name, True, f"{s.observation_rule_name} ENABLED in {s.alarm_region} -> "
                       f"{s.event_bus_name}")


def check_failover_rule(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "failover-rule"
    events = clients("events", s.dr_region)
    sm_arn = state_machine_arn(clients, s)
    try:
        rule = events.describe_rule(Name=s.failover_rule_name, EventBusName=s.event_bus_name)
    except ClientError as err:
        if _code(err) != "ResourceNotFoundException":
            raise
        return CheckResult(name, False, f"{s.failover_rule_name} not found on {s.event_bus_name}",
                           fix="7.1: `pulumi up` the tokyo stack (it owns the bus and rule)")
    if rule.get("State") != "ENABLED":
        return CheckResult(name, False, f"{s.failover_rule_name} is {rule.get('State')}", fix=(
            f"aws events enable-rule --name {s.failover_rule_name} --event-bus-name "
            f"{s.event_bus_name} --region {s.dr_region}"))
    targets = events.list_targets_by_rule(Rule=s.failover_rule_name,
                                          EventBusName=s.event_bus_name).get("Targets", [])
    if not any(t.get("Arn") == sm_arn for t in targets):
        found = ", ".join(t.get("Arn", "?") for t in targets) or "no targets"
        return CheckResult(name, False, f"{s.failover_rule_name} targets {found}, not "
                           f"{s.state_machine_name}", fix=(
                               f"7.1: aws events list-targets-by-rule --rule {s.failover_rule_name} "
                               f"--event-bus-name {s.event_bus_name} --region {s.dr_region}; "
                               "`pulumi up` restores the state machine target"))
    return CheckResult(name, True, f"{s.failover_rule_name} ENABLED on {s.event_bus_name} -> "
                       f"{s.state_machine_name}")


def check_last_execution(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "last-execution"
    sfn = clients("stepfunctions", s.dr_region)
    try:
        executions = sfn.list_executions(stateMachineArn=state_machine_arn(clients, s),
                                         maxResults=1).get("executions", [])
    except ClientError as err:
        if _code(err) != "StateMachineDoesNotExist":
            raise
        return CheckResult(name, False, f"state machine {s.state_machine_name} not found",
                           fix="`pulumi up` the tokyo stack")
    if not executions:
        return CheckResult(name, True, f"{s.state_machine_name}: no executions yet")
    last = executions[0]
    status = last.get("status", "")
    detail = f"{last.get('name')} {status} (started {_iso(last.get('startDate'))})"
    if status in ("SUCCEEDED", "RUNNING"):
        return CheckResult(name, True, detail)
    return CheckResult(name, False, detail, fix=(
        f"7.2.2: `drctl report {last.get('executionArn')}` shows the failed step; read its log "
        f"with `aws logs tail /aws/lambda/stfc-lambda-dev-stepN --since 1h --region "
        f"{s.dr_region}`; 7.2.3: clean up and retry with `drctl failover --reason ...`"))


def check_approval_subscriptions(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "approval-subscriptions"
    arn = topic_arn(clients, s)
    sns = clients("sns", s.dr_region)
    subs: list[dict[str, Any]] = []
    try:
        for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=arn):
            subs.extend(page.get("Subscriptions", []))
    except ClientError as err:
        if _code(err) != "NotFound":
            raise
        return CheckResult(name, False, f"topic {s.approval_topic_name} not found",
                           fix="`pulumi up` the tokyo stack")
    pending = [x for x in subs if x.get("SubscriptionArn") == "PendingConfirmation"]
    confirmed = [x for x in subs if x not in pending and x.get("SubscriptionArn", "").startswith("arn:")]
    detail = f"{len(confirmed)} confirmed, {len(pending)} pending on {s.approval_topic_name}"
    if pending:
        who = ", ".join(f"{x.get('Protocol')}:{x.get('Endpoint')}" for x in pending)
        detail += f" (pending: {who})"
    if len(confirmed) >= s.min_confirmed_subscriptions and not pending:
        return CheckResult(name, True, detail)
    return CheckResult(name, False, detail, fix=(
        "7.3.1: SNS deletes email subscriptions left unconfirmed for 3 days; click the Confirm link "
        f"or re-subscribe: aws sns subscribe --topic-arn {arn} --protocol email "
        f"--notification-endpoint <address> --region {s.dr_region}; keep at least "
        f"{s.min_confirmed_subscriptions} confirmed channels (7.3.2: add SMS as a backup)"))


# --- launch templates, ASGs, load balancers -------------------------------------------------


def _lt_versions(clients: ClientFactory, region: str, lt_name: str) -> list[dict[str, Any]]:
    ec2 = clients("ec2", region)
    versions: list[dict[str, Any]] = []
    for page in ec2.get_paginator("describe_launch_template_versions").paginate(
            LaunchTemplateName=lt_name):
        versions.extend(page.get("LaunchTemplateVersions", []))
    return sorted(versions, key=lambda v: int(v["VersionNumber"]))


def decode_user_data(version: dict[str, Any]) -> str:
    raw = version.get("LaunchTemplateData", {}).get("UserData") or ""
    try:
        return base64.b64decode(raw).decode("utf-8", errors="replace")
    except ValueError:
        return ""


def _nlb(clients: ClientFactory, s: CheckSettings) -> dict[str, Any] | None:
    try:
        lbs = clients("elbv2", s.dr_region).describe_load_balancers(Names=[s.nlb_name])
    except ClientError as err:
        if _code(err) == "LoadBalancerNotFound":
            return None
        raise
    found = lbs.get("LoadBalancers", [])
    return found[0] if found else None


def _scan(clients: ClientFactory, s: CheckSettings, lt_name: str) -> tuple[list[int], dict[str, Any]]:
    try:
        versions = _lt_versions(clients, s.dr_region, lt_name)
    except ClientError as err:
        if "NotFound" not in _code(err) and "Malformed" not in _code(err):
            raise
        versions = []
    if not versions:
        raise _CheckFailedError(f"launch template {lt_name} not found in {s.dr_region}",
                    "`pulumi up` the tokyo stack")
    marked = [int(v["VersionNumber"]) for v in versions if PLACEHOLDER_MARK in decode_user_data(v)]
    return marked, versions[-1]


def check_launch_template_placeholder(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """3.4: which versions carry PLACEHOLDER, and whether $Latest is what the pipeline needs."""
    name = "launch-template-placeholder"
    nlb = _nlb(clients, s)
    lines, problems = [], []
    for lt_name in (s.web_launch_template, s.app_launch_template):
        marked, latest = _scan(clients, s, lt_name)
        number = int(latest["VersionNumber"])
        in_latest = PLACEHOLDER_MARK in decode_user_data(latest)
        where = ", ".join(str(v) for v in marked) or "none"
        lines.append(f"{lt_name}: PLACEHOLDER in versions [{where}], $Latest=v{number} "
                     f"{'has' if in_latest else 'has no'} PLACEHOLDER")
        is_web = lt_name == s.web_launch_template
        if is_web and nlb is None and not in_latest:
            problems.append(f"{lt_name} $Latest v{number} has no {NLB_PLACEHOLDER} but the NLB "
                            "does not exist yet: step 2 would have nothing to replace")
        elif in_latest and (nlb is not None or not is_web):
            problems.append(f"{lt_name} $Latest v{number} still holds PLACEHOLDER")
    detail = "; ".join(lines)
    if not problems:
        return CheckResult(name, True, detail)
    dns = nlb["DNSName"] if nlb else "<NLB DNS>"
    return CheckResult(name, False, "; ".join(problems) + " — " + detail, fix=(
        "3.4: step 2 must read Versions=['$Latest'], never a pinned number; create a new version "
        f"from $Latest with {NLB_PLACEHOLDER} replaced by {dns} (run `drctl failover --reason ...`, or "
        f"aws ec2 create-launch-template-version --launch-template-name {s.web_launch_template} "
        "--source-version '$Latest' --launch-template-data UserData=<fixed base64>), and keep "
        f"{NLB_PLACEHOLDER} in the template the stack renders when nlb.mode is on-failover"))


def check_internal_api_url(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "internal-api-url"
    nlb = _nlb(clients, s)
    _, latest = _scan(clients, s, s.web_launch_template)
    urls = sorted(set(_INTERNAL_API_URL.findall(decode_user_data(latest))))
    number = latest["VersionNumber"]
    if nlb is None:
        if s.nlb_mode == "on-failover" and urls and all(NLB_PLACEHOLDER in u for u in urls):
            return CheckResult(name, True, f"$Latest v{number} waits for the NLB "
                               f"({NLB_PLACEHOLDER}; nlb.mode on-failover)")
        return CheckResult(name, False, f"NLB {s.nlb_name} not found; $Latest v{number} has "
                           f"INTERNAL_API_URL={', '.join(urls) or 'nothing'}", fix=(
                               f"section 5 step 2: aws elbv2 describe-load-balancers --names "
                               f"{s.nlb_name} --region {s.dr_region}; nlb.mode standby keeps it up "
                               "(`pulumi up`), on-failover lets step 1 create it"))
    expected = f"http://{nlb['DNSName']}:{s.app_port}"
    detail = f"$Latest v{number} INTERNAL_API_URL={', '.join(urls) or 'missing'}"
    if urls == [expected]:
        return CheckResult(name, True, detail + " (matches the NLB)")
    return CheckResult(name, False, detail + f", expected {expected}", fix=(
        f"6.3: the current NLB DNS is {nlb['DNSName']}; create a launch template version from "
        f"$Latest with INTERNAL_API_URL={expected} (step 2 does this from {NLB_PLACEHOLDER}); on "
        f"running web instances: pm2 delete web-frontend; INTERNAL_API_URL={expected} pm2 start "
        "npm --name 'web-frontend' -- start; pm2 save"))


def _asgs(clients: ClientFactory, s: CheckSettings) -> dict[str, dict[str, Any]]:
    names = [s.web_asg, s.app_asg]
    groups = clients("autoscaling", s.dr_region).describe_auto_scaling_groups(
        AutoScalingGroupNames=names).get("AutoScalingGroups", [])
    return {g["AutoScalingGroupName"]: g for g in groups}


def check_asg_latest(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "asg-launch-template-version"
    groups = _asgs(clients, s)
    lines, fixes = [], []
    for asg, lt in ((s.web_asg, s.web_launch_template), (s.app_asg, s.app_launch_template)):
        group = groups.get(asg)
        if group is None:
            lines.append(f"{asg} missing")
            fixes.append("`pulumi up` the tokyo stack")
            continue
        spec = group.get("LaunchTemplate") or group.get("MixedInstancesPolicy", {}).get(
            "LaunchTemplate", {}).get("LaunchTemplateSpecification", {})
        version = spec.get("Version", "$Default")
        lines.append(f"{asg} -> {spec.get('LaunchTemplateName', '?')} {version}")
        if version != "$Latest":
            fixes.append(f"aws autoscaling update-auto-scaling-group --auto-scaling-group-name {asg} "
                         f"--launch-template LaunchTemplateName={lt},Version='$Latest' "
                         f"--region {s.dr_region}")
    detail = "; ".join(lines)
    if not fixes:
        return CheckResult(name, True, detail)
    return CheckResult(name, False, detail, fix="3.1/3.4: ASGs must follow $Latest so they launch "
                       "what step 2 writes: " + " && ".join(fixes))


def check_target_health(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "target-health"
    elbv2 = clients("elbv2", s.dr_region)
    desired = sum(int(g.get("DesiredCapacity", 0)) for g in _asgs(clients, s).values())
    lb_arns = []
    for lb_name in (s.alb_name, s.nlb_name):
        try:
            lb_arns += [lb["LoadBalancerArn"] for lb in
                        elbv2.describe_load_balancers(Names=[lb_name]).get("LoadBalancers", [])]
        except ClientError as err:
            if _code(err) != "LoadBalancerNotFound":
                raise
    counts: dict[str, int] = {}
    bad: list[str] = []
    for arn in lb_arns:
        for tg in elbv2.describe_target_groups(LoadBalancerArn=arn).get("TargetGroups", []):
            for desc in elbv2.describe_target_health(TargetGroupArn=tg["TargetGroupArn"]).get(
                    "TargetHealthDescriptions", []):
                state = desc.get("TargetHealth", {}).get("State", "unknown")
                counts[state] = counts.get(state, 0) + 1
                if state != "healthy":
                    bad.append(f"{tg['TargetGroupName']}:{desc['Target']['Id']}={state}")
    summary = ", ".join(f"{n} {state}" for state, n in sorted(counts.items())) or "no targets"
    detail = f"{summary}; ASG desired total {desired}"
    if not bad and (desired == 0 or counts.get("healthy", 0) > 0):
        return CheckResult(name, True, detail + (" (pilot light at 0)" if desired == 0 else ""))
    return CheckResult(name, False, detail + (f" — {'; '.join(bad)}" if bad else ""), fix=(
        "section 5 step 3: aws elbv2 describe-target-health --target-group-arn <TG_ARN> --region "
        f"{s.dr_region}; on the instance: cat /var/log/user-data.log, pm2 list, "
        "curl localhost:3001/api/health (6.5)"))


# --- data and image --------------------------------------------------------------------------


def check_dynamodb_replicas(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "dynamodb-replica"
    ddb = clients("dynamodb", s.primary_region)
    missing = []
    for table in s.table_names:
        try:
            replicas = ddb.describe_table(TableName=table)["Table"].get("Replicas", [])
        except ClientError as err:
            if _code(err) != "ResourceNotFoundException":
                raise
            missing.append(f"{table} (table missing in {s.primary_region})")
            continue
        status = next((r.get("ReplicaStatus") for r in replicas
                       if r.get("RegionName") == s.dr_region), None)
        if status != "ACTIVE":
            missing.append(f"{table} ({status or 'no replica'})")
    if not missing:
        return CheckResult(name, True, f"{len(s.table_names)} tables ACTIVE in {s.dr_region}")
    first = missing[0].split(" ")[0]
    return CheckResult(name, False, f"not ACTIVE in {s.dr_region}: {', '.join(missing)}", fix=(
        f"section 5 step 4: aws dynamodb describe-table --table-name {first} --region "
        f"{s.primary_region} --query 'Table.Replicas'; add the replica with aws dynamodb "
        f"update-table --table-name {first} --replica-updates "
        f"'Create={{RegionName={s.dr_region}}}' --region {s.primary_region} (or `pulumi up` the "
        "seoul stack, which declares the replicas)"))


def check_replication_latency(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "replication-latency"
    cw = clients("cloudwatch", s.primary_region)
    now = s.now()
    worst: tuple[float, str, datetime] | None = None
    for table in s.table_names:
        points = cw.get_metric_statistics(
            Namespace="AWS/DynamoDB", MetricName="ReplicationLatency",
            Dimensions=[{"Name": "TableName", "Value": table},
                        {"Name": "ReceivingRegion", "Value": s.dr_region}],
            StartTime=now - timedelta(minutes=15), EndTime=now, Period=300,
            Statistics=["Maximum"]).get("Datapoints", [])
        if points:
            latest = max(points, key=lambda p: p["Timestamp"])
            if worst is None or latest["Maximum"] > worst[0]:
                worst = (float(latest["Maximum"]), table, latest["Timestamp"])
    if worst is None:
        return CheckResult(name, True, "no datapoints in the last 15 min (DynamoDB emits "
                           "ReplicationLatency only while writes replicate)")
    value, table, at = worst
    detail = f"{table} -> {s.dr_region}: {value:.0f} ms at {_iso(at)}"
    if value <= s.max_replication_latency_ms:
        return CheckResult(name, True, detail)
    return CheckResult(name, False, detail + f" (> {s.max_replication_latency_ms:.0f} ms)", fix=(
        "section 5 step 4: check data consistency before failing over (recent reservations present "
        "in Tokyo); high latency usually follows a write burst or a throttled replica — check "
        f"ReplicationLatency and the replica's write capacity in {s.dr_region}"))


def _image(clients: ClientFactory, region: str, image_id: str) -> dict[str, Any] | None:
    try:
        images = clients("ec2", region).describe_images(ImageIds=[image_id]).get("Images", [])
    except ClientError as err:
        if "NotFound" in _code(err) or "Malformed" in _code(err):
            return None
        raise
    return images[0] if images else None


def _tag(image: dict[str, Any], key: str) -> str:
    return next((t["Value"] for t in image.get("Tags", []) if t.get("Key") == key), "")


def check_golden_ami(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    name = "golden-ami"
    copy_fix = ("2.3: aws ec2 copy-image --source-image-id <Seoul Golden AMI> --source-region "
                f"{s.primary_region} --region {s.dr_region} --name \"MegaTicket-Golden-AMI-DR\" "
                "(or `pulumi up` the tokyo stack, which copies it)")
    image_id = s.golden_ami_id
    if not image_id:
        _, latest = _scan(clients, s, s.web_launch_template)
        image_id = latest.get("LaunchTemplateData", {}).get("ImageId", "")
    image = _image(clients, s.dr_region, image_id) if image_id else None
    if image is None:
        return CheckResult(name, False, f"AMI {image_id or '(none in $Latest)'} not found in "
                           f"{s.dr_region}", fix=copy_fix)
    if image.get("State") != "available":
        return CheckResult(name, False, f"{image_id} is {image.get('State')}", fix=copy_fix)
    build = _tag(image, s.build_tag_key)
    expected = s.expected_build
    source = "config"
    if not expected:
        primary_id = s.primary_ami_id
        if not primary_id:
            try:
                primary_lt = _lt_versions(clients, s.primary_region, s.primary_launch_template)
            except ClientError:
                primary_lt = []
            primary_id = primary_lt[-1].get("LaunchTemplateData", {}).get("ImageId", "") \
                if primary_lt else ""
        primary = _image(clients, s.primary_region, primary_id) if primary_id else None
        if primary is None:
            return CheckResult(name, False, f"{image_id} available, but the primary's AMI "
                               f"{primary_id or '(unknown)'} was not found in {s.primary_region}",
                               fix="set megaticket-dr:primary.goldenAmiBuild (or ami.build) so "
                                   "the build can be compared without Seoul")
        expected, source = _tag(primary, s.build_tag_key), f"primary {primary_id}"
    detail = f"{image_id} available, {s.build_tag_key}={build or 'missing'}"
    if build and build == expected:
        return CheckResult(name, True, detail + f" (matches {source})")
    return CheckResult(name, False, detail + f", {source} has {expected or 'no build tag'}",
                       fix="2.3/000: Tokyo must run the same Golden AMI build as Seoul; copy the "
                           "new Seoul image and `pulumi up` the tokyo stack: " + copy_fix)


# --- the site and the lock -------------------------------------------------------------------


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def http_status(url: str, timeout: float) -> int:
    """Status of GET url without following redirects (a 307 must show as 307)."""
    if not url.startswith(("http://", "https://")):
        raise urllib.error.URLError(f"{url!r} is not an http(s) URL")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        request = urllib.request.Request(url, method="GET")  # noqa: S310 - scheme checked above
        with opener.open(request, timeout=timeout) as resp:  # noqa: S310
            return int(resp.status)
    except urllib.error.HTTPError as err:
        return int(err.code)


def check_web_root(s: CheckSettings, http_get: HttpGet = http_status) -> CheckResult:
    name = "web-root"
    try:
        status = http_get(s.web_url, s.http_timeout_seconds)
    except (urllib.error.URLError, OSError) as err:
        reason = getattr(err, "reason", err)
        return CheckResult(name, False, f"GET {s.web_url} failed: {reason}", fix=(
            "section 5 step 6: check DNS (nslookup), the ALB listener and target health"))
    detail = f"GET {s.web_url} -> {status}"
    if status == 200:
        return CheckResult(name, True, detail)
    if 300 <= status < 400:
        return CheckResult(name, False, detail, fix=(
            "6.1: apps/web/src/middleware.ts redirects '/' (NextResponse.redirect to /performances); "
            "remove that redirect and keep the matcher '/((?!api|_next/static|_next/image|"
            "favicon.ico).*)' (6.2), then rebuild the Golden AMI"))
    return CheckResult(name, False, detail, fix=(
        "4.3/6.5: check the web process (pm2 logs web-frontend) and the route handler "
        "apps/web/app/api/[...path]/route.ts"))


def lock_state(clients: ClientFactory, s: CheckSettings) -> dict[str, Any]:
    """The failback lock: latest FailoverLock datapoint (last 24 h) and the lock alarm."""
    cw = clients("cloudwatch", s.alarm_region)
    now = s.now()
    points = cw.get_metric_statistics(
        Namespace=s.lock_namespace, MetricName=s.lock_metric, StartTime=now - timedelta(days=1),
        EndTime=now + timedelta(minutes=1), Period=60, Statistics=["Maximum"]).get("Datapoints", [])
    latest = max(points, key=lambda p: p["Timestamp"]) if points else None
    alarms = cw.describe_alarms(AlarmNames=[s.lock_alarm_name]).get("MetricAlarms", [])
    value = None if latest is None else float(latest["Maximum"])
    alarm_state = alarms[0].get("StateValue") if alarms else None
    # Same rule as failover/lock.py: the datapoint decides; without one, the alarm (which keeps
    # its state through missing data) does.
    locked = value >= 1 if value is not None else alarm_state == "ALARM"
    return {
        "locked": locked,
        "value": value,
        "at": _iso(latest["Timestamp"]) if latest else None,
        "alarm": s.lock_alarm_name,
        "alarm_state": alarm_state,
    }


def check_failback_lock(clients: ClientFactory, s: CheckSettings) -> CheckResult:
    """Informational unless the lock alarm is missing: a held lock is a decision, not a fault."""
    name = "failback-lock"
    state = lock_state(clients, s)
    if state["alarm_state"] is None:
        return CheckResult(name, False, f"{s.lock_alarm_name} not found in {s.alarm_region}", fix=(
            "`pulumi up` the seoul stack (it owns the lock alarm and the calculated health check)"))
    if state["locked"]:
        return CheckResult(name, True, f"LOCKED ({s.lock_metric}={state['value']} at {state['at']}, alarm "
                           f"{state['alarm_state']}): Seoul stays out of DNS until an operator "
                           "checks the data and runs `drctl release-lock --yes`")
    return CheckResult(name, True, f"released ({s.lock_metric}="
                       f"{'no data' if state['value'] is None else int(state['value'])}, alarm "
                       f"{state['alarm_state']})")


# --- running them ---------------------------------------------------------------------------

Check = Callable[[ClientFactory, CheckSettings], CheckResult]

CHECKS: tuple[tuple[str, Check], ...] = (
    ("route53-health-check", check_route53_health),
    ("detection-alarm", check_detection_alarm),
    ("observation-rule", check_observation_rule),
    ("failover-rule", check_failover_rule),
    ("last-execution", check_last_execution),
    ("approval-subscriptions", check_approval_subscriptions),
    ("launch-template-placeholder", check_launch_template_placeholder),
    ("internal-api-url", check_internal_api_url),
    ("asg-launch-template-version", check_asg_latest),
    ("target-health", check_target_health),
    ("dynamodb-replica", check_dynamodb_replicas),
    ("replication-latency", check_replication_latency),
    ("golden-ami", check_golden_ami),
    ("failback-lock", check_failback_lock),
)
CHECK_NAMES = tuple(n for n, _ in CHECKS) + ("web-root",)


def _guarded(name: str, fn: Callable[[], CheckResult]) -> CheckResult:
    """An AWS error inside one check fails that check, not the whole run."""
    try:
        return fn()
    except _CheckFailedError as failure:
        return CheckResult(name, False, failure.detail, failure.fix)
    except ClientError as err:
        code = _code(err)
        fix = ("grant the caller read access to this service (see the readiness role in "
               "components/readiness.py)") if "AccessDenied" in code or "Unauthorized" in code \
            else "retry; if it persists, check the service health in the region"
        return CheckResult(name, False, f"{code}: {err.response.get('Error', {}).get('Message', '')}",
                           fix)
    except BotoCoreError as err:
        return CheckResult(name, False, f"{type(err).__name__}: {err}",
                           "check network access to the AWS endpoint")


def run_checks(clients: ClientFactory, s: CheckSettings, http_get: HttpGet = http_status,
               only: tuple[str, ...] = (),
               progress: Callable[[int, int, str], None] | None = None) -> list[CheckResult]:
    selected: list[tuple[str, Callable[[], CheckResult]]] = [
        (n, functools.partial(fn, clients, s)) for n, fn in CHECKS]
    selected.append(("web-root", lambda: check_web_root(s, http_get)))
    if only:
        selected = [(n, fn) for n, fn in selected if n in only]
    results = []
    for index, (check_name, fn) in enumerate(selected):
        if progress:
            progress(index, len(selected), check_name)
        results.append(_guarded(check_name, fn))
    if progress:
        progress(len(selected), len(selected), "")
    return results


def _iso(value: Any) -> str:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    return str(value) if value is not None else "-"


def iter_failed(results: list[CheckResult]) -> Iterator[CheckResult]:
    return (r for r in results if not r.ok)
