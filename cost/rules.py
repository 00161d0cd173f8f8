"""Resource type -> line items. One rule per priced type; free types say why they are free.

A rule gets one declared resource and the `Context` (usage settings, price table, the other
resources) and returns `LineItem`s, or `Unpriced` entries for what it cannot price. Usage that
several resources share (log GB, endpoint GB) is split evenly between them, and the basis says so.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any, Optional

from cost.model import Context, LineItem, ResourceView, Unpriced
from cost.table import GLOBAL
from stack_config import NAMESPACE

Found = list[LineItem | Unpriced]
Rule = Callable[[ResourceView, Context], Found]

_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_MINUTES = {"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}
_ARN_REGION = re.compile(r"^arn:aws[a-z-]*:[a-z0-9-]+:([a-z0-9-]+):")
_KB_PER_WRITE = 1  # one replicated write request unit covers up to 1 KB


def _n(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.4g}"


def _share(total: float, count: int, what: str, setting: str) -> tuple[float, str]:
    """An even share of a stack-wide usage setting, and how the basis explains it."""
    if count <= 1:
        return total, f"{_n(total)} {what} (cost.{setting})"
    return total / count, f"{_n(total)} {what} (cost.{setting}) / {count}"


# --- free types ------------------------------------------------------------------------------

FREE: dict[str, str] = {
    "aws:ec2/vpc:Vpc": "no charge for a VPC",
    "aws:ec2/subnet:Subnet": "no charge for a subnet",
    "aws:ec2/internetGateway:InternetGateway": "no charge for an internet gateway (traffic is)",
    "aws:ec2/routeTable:RouteTable": "no charge for a route table",
    "aws:ec2/route:Route": "no charge for a route",
    "aws:ec2/routeTableAssociation:RouteTableAssociation": "no charge for a route table association",
    "aws:ec2/securityGroup:SecurityGroup": "no charge for a security group",
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": "no charge for a rule",
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": "no charge for a rule",
    "aws:ec2/launchTemplate:LaunchTemplate": "no charge for a launch template (instances are)",
    "aws:lb/listener:Listener": "included in the load balancer hours",
    "aws:lb/targetGroup:TargetGroup": "included in the load balancer hours",
    "aws:iam/role:Role": "IAM is free",
    "aws:iam/rolePolicy:RolePolicy": "IAM is free",
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "IAM is free",
    "aws:iam/instanceProfile:InstanceProfile": "IAM is free",
    "aws:kms/alias:Alias": "no charge for an alias (the key is priced)",
    "aws:lambda/permission:Permission": "no charge for a resource policy",
    "aws:sqs/queuePolicy:QueuePolicy": "no charge for a queue policy",
    "aws:sns/topicPolicy:TopicPolicy": "no charge for a topic policy",
    "aws:cloudwatch/eventBus:EventBus":
        "a custom bus costs nothing itself; events are priced where they are sent",
    "aws:cloudwatch/eventRule:EventRule":
        "rules are free; scheduled invocations are priced on their target, AWS service events are free",
    "pulumi:pulumi:StackReference": "reads another stack's outputs",
    "aws:iam/policy:Policy": "IAM is free",
    "aws:apigatewayv2/stage:Stage": "included in the HTTP API's request price",
    "aws:apigatewayv2/route:Route": "included in the HTTP API's request price",
    "aws:apigatewayv2/integration:Integration": "included in the HTTP API's request price",
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": "no charge for a bucket setting",
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": "no charge for a bucket setting",
    "aws:s3/bucketVersioning:BucketVersioning": "no charge for versioning (the versions kept are storage)",
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        "SSE-S3 encryption has no charge",
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration":
        "no charge for expiration rules (transitions would be)",
    "aws:s3/bucketPolicy:BucketPolicy": "no charge for a bucket policy",
}
_COMPONENT = "a component resource: it groups the resources below and is no AWS resource"
_PROVIDER = "a Pulumi provider: no AWS resource"


# --- network -----------------------------------------------------------------------------------

def vpc_endpoint(r: ResourceView, ctx: Context) -> Found:
    kind = r.inputs.get("vpcEndpointType") or "Gateway"
    if kind == "Gateway":
        return [ctx.free("gateway endpoint", r, "gateway endpoints (DynamoDB, S3) have no charge")]
    if kind != "Interface":
        return [Unpriced(r.type, r.label, f"{kind} endpoints are not in the price table")]
    subnets = r.inputs.get("subnetIds")
    azs, where = (len(subnets), f"{len(subnets)} AZ") if isinstance(subnets, list) and subnets \
        else (2, "2 AZ (subnets unknown until deploy: 2 assumed)")
    interface = [e for e in ctx.of_type(r.type) if e.inputs.get("vpcEndpointType") == "Interface"]
    gb, how = _share(ctx.usage.endpoint_gb_per_month, len(interface), "GB", "endpointGbPerMonth")
    return [ctx.charge("interface endpoint hours", r, "vpc.interfaceEndpoint.azHour",
                       azs * ctx.hours, f"{where} × {_n(ctx.hours)} h"),
            ctx.charge("interface endpoint data", r, "vpc.interfaceEndpoint.gb", gb, how)]


def nat_gateway(r: ResourceView, ctx: Context) -> Found:
    gb, how = _share(ctx.usage.nat_gb_per_month, len(ctx.of_type(r.type)), "GB", "natGbPerMonth")
    return [ctx.charge("NAT gateway hours", r, "vpc.natGateway.hour", ctx.hours,
                       f"{_n(ctx.hours)} h"),
            ctx.charge("NAT gateway data", r, "vpc.natGateway.gb", gb, how)]


def elastic_ip(r: ResourceView, ctx: Context) -> Found:
    return [ctx.charge("public IPv4 address", r, "vpc.publicIpv4.hour", ctx.hours,
                       f"{_n(ctx.hours)} h (charged attached or not)")]


def load_balancer(r: ResourceView, ctx: Context) -> Found:
    kind = r.inputs.get("loadBalancerType") or "application"
    if kind not in ("application", "network"):
        return [Unpriced(r.type, r.label, f"{kind} load balancers are not in the price table")]
    short = "ALB" if kind == "application" else "NLB"
    lcu = ctx.usage.load_balancer_lcu_per_hour
    return [ctx.charge(f"{short} hours", r, f"elb.{kind}.hour", ctx.hours, f"{_n(ctx.hours)} h"),
            ctx.charge(f"{short} capacity units", r, f"elb.{kind}.lcuHour", lcu * ctx.hours,
                       f"{_n(lcu)} per hour (cost.loadBalancerLcuPerHour) × {_n(ctx.hours)} h")]


# --- compute --------------------------------------------------------------------------------------

def auto_scaling_group(r: ResourceView, ctx: Context) -> Found:
    desired = r.inputs.get("desiredCapacity")
    found: Found = []
    if isinstance(desired, int | float) and desired == 0:
        found.append(ctx.free("instances", r, "desired capacity 0: no instances until a failover"))
    else:
        found.append(Unpriced(r.type, r.label,
                              f"desired capacity {desired}: EC2 instance-hours are not in the price table"))
    return found + _warm_pool(r, ctx)


def _warm_pool(r: ResourceView, ctx: Context) -> Found:
    """A stopped warm pool bills only its instances' volumes (root volumes from the Golden AMI).
    At idle it holds max(MinSize, MaxGroupPreparedCapacity (else the group's max) - desired)."""
    pool = r.inputs.get("warmPool")
    if not isinstance(pool, dict):
        return []
    state = pool.get("poolState") or "Stopped"
    if state != "Stopped":
        return [Unpriced(r.type, r.label, f"a {state} warm pool bills instance-hours, which are not in "
                         "the price table")]
    minimum = pool.get("minSize") or 0
    prepared = pool.get("maxGroupPreparedCapacity")
    prepared = r.inputs.get("maxSize") if prepared is None else prepared
    desired = r.inputs.get("desiredCapacity") or 0
    if not all(isinstance(v, int | float) for v in (minimum, prepared, desired)):
        return [Unpriced(r.type, r.label, "warm pool size unknown until deploy")]
    size = max(minimum, prepared - desired)
    gb = ctx.usage.ami_snapshot_gb
    return [ctx.charge("warm pool volumes (stopped)", r, "ebs.gp3.gbMonth", size * gb,
                       f"{_n(size)} stopped instance(s) × {_n(gb)} GB root volume (cost.amiSnapshotGb)")]


def ami_copy(r: ResourceView, ctx: Context) -> Found:
    gb = ctx.usage.ami_snapshot_gb
    return [ctx.charge("Golden AMI snapshot", r, "ebs.snapshot.gbMonth", gb,
                       f"{_n(gb)} GB (cost.amiSnapshotGb)")]


def kms_key(r: ResourceView, ctx: Context) -> Found:
    rotation = (" (automatic rotation: each rotated backing key adds a key-month from the "
                "first rotation, a year after creation)") if r.inputs.get("enableKeyRotation") else ""
    return [ctx.charge("KMS key", r, "kms.key.month", 1, f"1 key{rotation}")]


# --- DNS ---------------------------------------------------------------------------------------------

def _aws_endpoint(r: ResourceView, ctx: Context) -> Optional[bool]:
    """Route53's 'AWS endpoint': a resource in AWS such as an ELB. None when unknown."""
    target = r.inputs.get("fqdn") or r.inputs.get("ipAddress")
    if not isinstance(target, str) or not target:
        return None
    referenced = ctx.referenced(target)
    if referenced is not None:
        return referenced.type.startswith("aws:")
    return target.rstrip(".").endswith(".amazonaws.com") or None


def health_check(r: ResourceView, ctx: Context) -> Found:
    kind = str(r.inputs.get("type") or "")
    if kind in ("CALCULATED", "CLOUDWATCH_METRIC"):
        return [ctx.charge("health check", r, "route53.healthCheck.calculatedOrMetric", 1,
                           f"1 {kind.lower()} check", region=GLOBAL)]
    aws = _aws_endpoint(r, ctx)
    endpoint = "AWS endpoint" if aws else (
        "non-AWS endpoint" if aws is False else "endpoint unknown until deploy: non-AWS price assumed")
    suffix = "AwsEndpoint" if aws else "NonAwsEndpoint"
    base = "awsEndpoint" if aws else "nonAwsEndpoint"
    found: Found = [ctx.charge("health check", r, f"route53.healthCheck.{base}", 1,
                               f"1 {kind} check of an {endpoint}", region=GLOBAL)]
    options = [("HTTPS", kind.startswith("HTTPS")),
               ("string matching", kind.endswith("STR_MATCH")),
               ("fast interval (10 s)", r.inputs.get("requestInterval") == 10),
               ("latency measurement", bool(r.inputs.get("measureLatency")))]
    for label, used in options:
        if used:
            found.append(ctx.charge(f"health check option: {label}", r,
                                    f"route53.healthCheck.option{suffix}", 1,
                                    f"1 optional feature of an {endpoint}", region=GLOBAL))
    return found


def dns_record(r: ResourceView, ctx: Context) -> Found:
    if r.inputs.get("aliases"):
        return [ctx.free("DNS queries", r, "queries to an alias of an AWS resource are free")]
    return [Unpriced(r.type, r.label, "queries to a plain record are priced per million queries; "
                     "query volume is not modelled")]


# --- monitoring ---------------------------------------------------------------------------------

def _custom_metric_count(namespace: str) -> int:
    """Metrics the program's own code publishes into `namespace` (the readiness Lambda: one per
    check plus Ready and FailedChecks); any other custom namespace: the alarm's one metric."""
    from components.readiness import DEFAULT_NAMESPACE

    if namespace == DEFAULT_NAMESPACE:
        from failover.checks import CHECK_NAMES

        return len(CHECK_NAMES) + 2
    return 1


def metric_alarm(r: ResourceView, ctx: Context) -> Found:
    queries = r.inputs.get("metricQueries") or []
    metrics = max(1, sum(1 for q in queries if isinstance(q, dict) and q.get("metric")))
    period = r.inputs.get("period")
    if not queries and isinstance(period, int | float) and period < 60:
        key, kind = "cloudwatch.alarm.highResolution", "high-resolution"
    else:
        key, kind = "cloudwatch.alarm.standard", "standard-resolution"
    found: Found = [ctx.charge("alarm", r, key, metrics, f"{metrics} {kind} alarm metric"
                               + ("s" if metrics > 1 else ""))]
    namespace = r.inputs.get("namespace")
    if isinstance(namespace, str) and not namespace.startswith("AWS/"):
        count = _custom_metric_count(namespace)
        key_seen = (r.region, namespace) if count > 1 else (r.region, namespace, r.inputs.get("metricName"))
        if ctx.first_time(key_seen):
            what = (f"{count} metrics in {namespace}" if count > 1
                    else f"1 metric {namespace} {r.inputs.get('metricName')}")
            found.append(ctx.charge("custom metrics", r, "cloudwatch.customMetric.month", count,
                                    f"{what} (published by this program's code)"))
    return found


def log_group(r: ResourceView, ctx: Context) -> Found:
    groups = len(ctx.of_type(r.type))
    ingest, ingest_how = _share(ctx.usage.log_gb_per_month, groups, "GB", "logGbPerMonth")
    stored, stored_how = _share(ctx.usage.log_stored_gb, groups, "GB", "logStoredGb")
    return [ctx.charge("log ingestion", r, "logs.ingest.gb", ingest, ingest_how),
            ctx.charge("log storage", r, "logs.storage.gbMonth", stored, stored_how)]


# --- failover pipeline ------------------------------------------------------------------------------

def _definitions(ctx: Context) -> list[Optional[dict[str, Any]]]:
    found = []
    for machine in ctx.of_type("aws:sfn/stateMachine:StateMachine"):
        try:
            found.append(json.loads(machine.inputs.get("definition")))  # type: ignore[arg-type]
        except (TypeError, ValueError):
            found.append(None)  # unknown until deploy (`--unknowns`)
    return found


def state_machine(r: ResourceView, ctx: Context) -> Found:
    try:
        states = len(json.loads(r.inputs["definition"])["States"])
    except (KeyError, TypeError, ValueError):
        return [Unpriced(r.type, r.label, "the definition is unknown until deploy")]
    drills = ctx.usage.failover_drills_per_month
    return [ctx.charge("state transitions", r, "sfn.standard.thousandTransitions",
                       drills * states / 1000,
                       f"{drills} run(s) (cost.failoverDrillsPerMonth) × at most {states} "
                       f"states ÷ 1,000")]


def _is_reference(value: Any) -> bool:
    """A placeholder for a declared resource or a literal ARN (not the engine's unknown)."""
    return isinstance(value, str) and (value.startswith("⟨") or value.startswith("arn:"))


def _mentions(value: Any, wanted: str) -> int:
    """How many task states name `wanted` (as Resource or FunctionName) in a definition."""
    if isinstance(value, dict):
        return sum(_mentions(v, wanted) for v in value.values())
    if isinstance(value, list):
        return sum(_mentions(v, wanted) for v in value)
    return int(value == wanted)


def _schedule_per_month(expression: Any, hours: float) -> Optional[float]:
    match = _RATE.match(expression) if isinstance(expression, str) else None
    if not match:
        return None
    return hours * 60 / (int(match[1]) * _MINUTES[match[2]])


def lambda_function(r: ResourceView, ctx: Context) -> Found:
    name = r.inputs.get("name")
    arn = f"⟨{name}.arn⟩"
    scheduled = 0.0
    notes = []
    rules = {rule.inputs.get("name"): rule for rule in ctx.of_type("aws:cloudwatch/eventRule:EventRule")}
    for target in ctx.of_type("aws:cloudwatch/eventTarget:EventTarget"):
        rule = rules.get(target.inputs.get("rule"))
        expression = rule.inputs.get("scheduleExpression") if rule else None
        if expression and not _is_reference(target.inputs.get("arn")):
            return [Unpriced(r.type, r.label, f"the target of schedule {expression} is unknown "
                             "until deploy, so its invocations cannot be counted")]
        if target.inputs.get("arn") != arn:
            continue
        per_month = _schedule_per_month(expression, ctx.hours)
        if per_month is None and expression:
            return [Unpriced(r.type, r.label, f"schedule {expression} is not a rate() expression")]
        if per_month:
            scheduled += per_month
            notes.append(f"{_n(per_month)} scheduled ({expression})")
    drills = ctx.usage.failover_drills_per_month
    for target in ctx.of_type("aws:cloudwatch/eventTarget:EventTarget"):
        rule = rules.get(target.inputs.get("rule"))
        if target.inputs.get("arn") == arn and rule is not None and rule.inputs.get("eventPattern"):
            # an AWS service event per run (a finished or stopped execution): at most one each
            scheduled += drills
            notes.append(f"{drills} run(s) (cost.failoverDrillsPerMonth) × 1 event of rule "
                         f"{rule.inputs.get('name')}")
    definitions = _definitions(ctx)
    tasks = sum(_mentions(d, arn) for d in definitions if d is not None)
    if not tasks and not scheduled and any(d is None for d in definitions):
        tasks = 1  # definitions unknown until deploy: once per run
    if tasks:
        notes.append(f"{drills} run(s) (cost.failoverDrillsPerMonth) × at most {tasks} "
                     "task(s) naming it")
    invocations = scheduled + drills * tasks
    memory = r.inputs.get("memorySize") or 128
    seconds = ctx.usage.lambda_seconds_per_invocation
    how = " + ".join(notes) or "0 invocations (nothing schedules or runs it)"
    return [ctx.charge("Lambda requests", r, "lambda.requests.million", invocations / 1e6,
                       f"{how} ÷ 1,000,000"),
            ctx.charge("Lambda compute", r, "lambda.compute.gbSecond",
                       invocations * seconds * memory / 1024,
                       f"{_n(invocations)} invocations × {_n(seconds)} s "
                       f"(cost.lambdaSecondsPerInvocation) × {_n(memory)} MB")]


def event_target(r: ResourceView, ctx: Context) -> Found:
    arn = r.inputs.get("arn")
    target = ctx.referenced(arn)
    region = target.region if target is not None else None
    if region is None and isinstance(arn, str) and _ARN_REGION.match(arn):
        region = _ARN_REGION.match(arn)[1]  # type: ignore[index]
    if region is None:
        return [Unpriced(r.type, r.label, "the target's region is unknown until deploy")]
    if region == r.region:
        return [ctx.free("event delivery", r, "delivery to a target in the same region is included")]
    events = 2 * ctx.usage.failover_drills_per_month
    return [ctx.charge("cross-region events", r, "events.crossRegion.million", events / 1e6,
                       f"{events} alarm state changes (ALARM and OK per cost.failoverDrillsPerMonth) "
                       f"sent to {region} ÷ 1,000,000")]


def topic(r: ResourceView, ctx: Context) -> Found:
    count = ctx.usage.notifications_per_month
    return [ctx.charge("SNS publishes", r, "sns.publish.million", count / 1e6,
                       f"{count} (cost.notificationsPerMonth) ÷ 1,000,000")]


def topic_subscription(r: ResourceView, ctx: Context) -> Found:
    protocol = r.inputs.get("protocol")
    count = ctx.usage.notifications_per_month
    if protocol in ("email", "email-json"):
        return [ctx.charge("email deliveries", r, "sns.email.hundredThousand", count / 1e5,
                           f"{count} (cost.notificationsPerMonth) ÷ 100,000")]
    if protocol in ("lambda", "sqs"):
        return [ctx.free("deliveries", r, f"SNS charges nothing to deliver to {protocol}")]
    reason = ("SMS prices depend on the destination country" if protocol == "sms"
              else f"{protocol} deliveries are not in the price table")
    return [Unpriced(r.type, r.label, reason)]


def queue(r: ResourceView, ctx: Context) -> Found:
    return [ctx.charge("SQS requests", r, "sqs.standard.million", 0,
                       "0 requests (a dead-letter queue nobody polls: only failed deliveries "
                       "write to it)")]


# --- data ----------------------------------------------------------------------------------------

HTTP_API_USAGE = "usage-priced (HTTP API requests, per million): nothing while idle, a few per approval"
APPROVAL_TABLE_USAGE = ("usage-priced (on-demand requests and GB stored): a few short-lived rows per "
                        "approval, nothing while idle")


def http_api(r: ResourceView, ctx: Context) -> Found:  # noqa: ARG001 - same shape as a rule
    # The approval page: idle costs nothing; a failover (or a drill) makes a few requests.
    return [Unpriced(r.type, r.label, HTTP_API_USAGE)]


REPORTS_USAGE = ("usage-priced (GB stored and PUT requests): two objects of a few KB per run, "
                 "well under a cent a month")


def bucket(r: ResourceView, ctx: Context) -> Found:  # noqa: ARG001 - same shape as a rule
    # The reports bucket: the only bucket the program declares.
    return [Unpriced(r.type, r.label, REPORTS_USAGE)]


def table(r: ResourceView, ctx: Context) -> Found:
    replicas = [rep for rep in r.inputs.get("replicas") or [] if isinstance(rep, dict)]
    ttl = r.inputs.get("ttl")
    if not replicas and r.inputs.get("billingMode") == "PAY_PER_REQUEST" and isinstance(ttl, dict) \
            and ttl.get("enabled"):
        # The approval page's one-time ids: rows that expire within one approval timeout.
        return [Unpriced(r.type, r.label, APPROVAL_TABLE_USAGE)]
    if not replicas:
        return [Unpriced(r.type, r.label, "a table without replicas is production data, "
                         "not a standby cost; its own storage and requests are not modelled")]
    tables = [t for t in ctx.of_type(r.type) if t.inputs.get("replicas")]
    usage = ctx.usage
    writes, writes_how = _share(usage.replicated_writes_per_month, len(tables), "writes",
                                "replicatedWritesPerMonth")
    gb, gb_how = _share(usage.replica_gb, len(tables), "GB", "replicaGb")
    found: Found = []
    for replica in replicas:
        region = replica.get("regionName")
        if not isinstance(region, str):
            found.append(Unpriced(r.type, r.label, "a replica region unknown until deploy"))
            continue
        found.append(ctx.charge(f"replicated writes to {region}", r,
                                "dynamodb.replicatedWrite.million", writes / 1e6,
                                f"{writes_how} ÷ 1,000,000", region=region, for_dr=True))
        found.append(ctx.charge(f"replica storage in {region}", r, "dynamodb.storage.gbMonth",
                                gb, gb_how, region=region, for_dr=True))
        if replica.get("pointInTimeRecovery"):
            found.append(ctx.charge(f"replica PITR in {region}", r, "dynamodb.pitr.gbMonth", gb,
                                    gb_how, region=region, for_dr=True))
        found.append(ctx.charge(f"replication transfer to {region}", r,
                                "dataTransfer.interRegion.gb", writes * _KB_PER_WRITE / 1024 ** 2,
                                f"{writes_how} × {_KB_PER_WRITE} KB", for_dr=True))
    return found


RULES: dict[str, Rule] = {
    "aws:ec2/vpcEndpoint:VpcEndpoint": vpc_endpoint,
    "aws:ec2/natGateway:NatGateway": nat_gateway,
    "aws:ec2/eip:Eip": elastic_ip,
    "aws:lb/loadBalancer:LoadBalancer": load_balancer,
    "aws:autoscaling/group:Group": auto_scaling_group,
    "aws:ec2/amiCopy:AmiCopy": ami_copy,
    "aws:kms/key:Key": kms_key,
    "aws:route53/healthCheck:HealthCheck": health_check,
    "aws:route53/record:Record": dns_record,
    "aws:cloudwatch/metricAlarm:MetricAlarm": metric_alarm,
    "aws:cloudwatch/logGroup:LogGroup": log_group,
    "aws:cloudwatch/eventTarget:EventTarget": event_target,
    "aws:sfn/stateMachine:StateMachine": state_machine,
    "aws:lambda/function:Function": lambda_function,
    "aws:sns/topic:Topic": topic,
    "aws:sns/topicSubscription:TopicSubscription": topic_subscription,
    "aws:sqs/queue:Queue": queue,
    "aws:dynamodb/table:Table": table,
    "aws:apigatewayv2/api:Api": http_api,
    "aws:s3/bucket:Bucket": bucket,
}


def rule_for(type_: str) -> Optional[Rule]:
    """The rule for a type: priced, explicitly free, or None (the model lists it unpriced)."""
    if type_ in RULES:
        return RULES[type_]
    why = FREE.get(type_) or (_COMPONENT if type_.startswith(f"{NAMESPACE}:") else None) or (
        _PROVIDER if type_.startswith("pulumi:providers:") else None)
    if why is None:
        return None
    return lambda r, ctx: [ctx.free("free", r, why)]  # noqa: ARG005 - same shape as a rule


def is_known(type_: str) -> bool:
    return rule_for(type_) is not None
