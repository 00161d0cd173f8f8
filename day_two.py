"""Day-two safety: what a routine `pulumi up` must never replace, and the guard that refuses it.

Two facts live here, used by the program, the offline preview and the tests alike:

- `FORCE_NEW`: per resource type, the inputs whose change makes the provider *replace* the
  resource instead of updating it. pulumi-aws 7.x bridges terraform-provider-aws, whose schemas
  mark these `ForceNew` (or `RequiresReplace` for framework resources); the installed Python SDK
  carries no schema, so the lists are copied here from those schemas (`internal/service/<svc>/`),
  for the types this program declares. The offline engine diffs two program runs on exactly
  these properties, as the real engine's diff would.
- the stack's *stateful identity* (`identity_of`): the force-new inputs of what a replacement
  would lose or cannot replace - the tables (data), and the ALB name while deletion protection
  pins the ALB. Each run exports it as `statefulIdentity`; the next run reads the previous
  deployment's value back through a StackReference to its own stack (`previous_identity`) and
  refuses, with one line saying what to do instead, a config change that would replace them.
  `protect` on the same resources is the engine's own hard stop; this guard names the fix.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Optional

import pulumi

from stack_config import NAMESPACE, ConfigError, Settings

IDENTITY_OUTPUT = "statefulIdentity"
DOCS = "docs/day-two.md"

# Inputs (camelCase, as the engine sees them) whose change replaces the resource.
FORCE_NEW: Mapping[str, tuple[str, ...]] = {
    "aws:dynamodb/table:Table": ("name", "hashKey", "rangeKey", "localSecondaryIndexes",
                                 "importTable", "restoreSourceName", "restoreSourceTableArn",
                                 "restoreDateTime", "restoreToLatestTime"),
    "aws:route53/healthCheck:HealthCheck": ("type", "requestInterval", "measureLatency",
                                            "referenceName", "routingControlArn"),
    "aws:route53/record:Record": ("zoneId", "name"),
    "aws:lb/targetGroup:TargetGroup": ("name", "namePrefix", "port", "protocol", "protocolVersion",
                                       "targetType", "vpcId", "ipAddressType"),
    "aws:lb/loadBalancer:LoadBalancer": ("name", "namePrefix", "internal", "loadBalancerType",
                                         "customerOwnedIpv4Pool"),
    "aws:lb/listener:Listener": ("loadBalancerArn",),
    "aws:ec2/amiCopy:AmiCopy": ("name", "sourceAmiId", "sourceAmiRegion", "encrypted", "kmsKeyId",
                                "destinationOutpostArn", "ebsBlockDevices", "ephemeralBlockDevices"),
    "aws:ec2/launchTemplate:LaunchTemplate": ("name", "namePrefix"),
    "aws:ec2/securityGroup:SecurityGroup": ("name", "namePrefix", "description", "vpcId"),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("securityGroupId",),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("securityGroupId",),
    "aws:ec2/vpc:Vpc": ("cidrBlock", "ipv4IpamPoolId"),
    "aws:ec2/subnet:Subnet": ("vpcId", "cidrBlock", "availabilityZone", "availabilityZoneId",
                              "outpostArn"),
    "aws:ec2/routeTable:RouteTable": ("vpcId",),
    "aws:ec2/internetGateway:InternetGateway": (),
    "aws:ec2/natGateway:NatGateway": ("allocationId", "subnetId", "connectivityType"),
    "aws:ec2/eip:Eip": ("address", "customerOwnedIpv4Pool", "networkBorderGroup", "publicIpv4Pool"),
    "aws:ec2/route:Route": ("routeTableId", "destinationCidrBlock"),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ("subnetId", "gatewayId"),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("vpcId", "serviceName", "vpcEndpointType"),
    "aws:autoscaling/group:Group": ("name", "namePrefix"),
    "aws:apigatewayv2/api:Api": ("protocolType",),
    "aws:apigatewayv2/stage:Stage": ("apiId", "name"),
    "aws:apigatewayv2/route:Route": ("apiId",),
    "aws:apigatewayv2/integration:Integration": ("apiId", "integrationType"),
    "aws:iam/policy:Policy": ("name", "namePrefix", "path", "description"),
    "aws:cloudwatch/metricAlarm:MetricAlarm": ("name",),
    "aws:cloudwatch/logGroup:LogGroup": ("name", "namePrefix", "logGroupClass"),
    "aws:cloudwatch/eventBus:EventBus": ("name", "eventSourceName"),
    "aws:cloudwatch/eventRule:EventRule": ("name", "namePrefix", "eventBusName"),
    "aws:cloudwatch/eventTarget:EventTarget": ("rule", "eventBusName", "targetId"),
    "aws:iam/role:Role": ("name", "namePrefix", "path"),
    "aws:iam/instanceProfile:InstanceProfile": ("name", "namePrefix", "path"),
    "aws:iam/rolePolicy:RolePolicy": ("name", "namePrefix", "role"),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("role", "policyArn"),
    "aws:kms/key:Key": ("customerMasterKeySpec", "keyUsage", "multiRegion", "customKeyStoreId",
                        "xksKeyId"),
    "aws:kms/alias:Alias": ("name", "namePrefix"),
    "aws:lambda/function:Function": ("name", "packageType"),
    "aws:lambda/permission:Permission": ("action", "function", "principal", "sourceArn",
                                         "sourceAccount", "statementId", "qualifier"),
    "aws:sfn/stateMachine:StateMachine": ("name", "namePrefix", "type"),
    "aws:sns/topic:Topic": ("name", "namePrefix", "fifoTopic"),
    "aws:sns/topicSubscription:TopicSubscription": ("topic", "protocol", "endpoint"),
    "aws:sqs/queue:Queue": ("name", "namePrefix", "fifoQueue"),
    "aws:sqs/queuePolicy:QueuePolicy": ("queueUrl",),
    # the reports bucket (reports.bucket) and its settings, each bound to the bucket it configures
    "aws:s3/bucket:Bucket": ("bucket", "bucketPrefix", "objectLockEnabled", "region"),
    "aws:s3/bucketVersioning:BucketVersioning": ("bucket", "expectedBucketOwner"),
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration":
        ("bucket", "expectedBucketOwner"),
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": ("bucket", "expectedBucketOwner"),
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ("bucket",),
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ("bucket",),
    "aws:s3/bucketPolicy:BucketPolicy": ("bucket",),
}

# What a replacement loses (data or history): these carry `protect`, and a run that would
# replace one is a defect, not a routine change.
STATEFUL_TYPES = ("aws:dynamodb/table:Table", "aws:kms/key:Key", "aws:ec2/amiCopy:AmiCopy",
                  "aws:s3/bucket:Bucket")


def force_new_properties(type_: str, inputs: Mapping[str, Any]) -> dict[str, Any]:
    """The inputs of one resource that, changed, replace it (network LB subnets included: for
    load balancer type `network` the provider's CustomizeDiff forces a new NLB on a subnet change)."""
    names = FORCE_NEW.get(type_, ())
    if type_ == "aws:lb/loadBalancer:LoadBalancer" and inputs.get("loadBalancerType") == "network":
        names = (*names, "subnets")
    return {n: inputs.get(n) for n in names}


# --- the stateful identity and the guard ----------------------------------------------------------


def identity_of(settings: Settings) -> dict[str, Any]:
    """The force-new inputs of this stack's stateful resources, as plain data (the next run's
    reference point)."""
    lbs = settings.load_balancers
    identity: dict[str, Any] = {
        "alb": {"name": lbs.alb_name, "deletionProtection": lbs.deletion_protection},
    }
    if not settings.is_dr:  # the primary owns the tables
        identity["tables"] = {
            t.suffix: {"name": settings.data.table_name(t.suffix), "hashKey": t.hash_key,
                       "rangeKey": t.range_key}
            for t in settings.data.tables
        }
    else:  # the DR stack owns the reports bucket, when there is one
        identity["reportsBucket"] = settings.reports.bucket
    return identity


def refusals(previous: Optional[Mapping[str, Any]], current: Mapping[str, Any],
             table_prefix: str) -> list[str]:
    """One line per stateful replacement the change from `previous` to `current` would cause."""
    if not isinstance(previous, Mapping):
        return []  # first deployment, or a state written before this guard existed
    found: list[str] = []
    before_tables = previous.get("tables") or {}
    after_tables = current.get("tables") or {}
    for suffix, before in sorted(before_tables.items()):
        after = after_tables.get(suffix)
        if not isinstance(before, Mapping) or not isinstance(after, Mapping):
            continue
        old_name = before.get("name")
        if after.get("name") != old_name:
            old_prefix = str(old_name).removesuffix(f"-{suffix}")
            found.append(
                f"{NAMESPACE}:tablePrefix {table_prefix!r} would replace the protected global table "
                f"{old_name} with a new, empty {after.get('name')} (the data stays in the old one); "
                f"keep tablePrefix {old_prefix!r}, or migrate the data first ({DOCS})")
            continue
        for key in ("hashKey", "rangeKey"):
            if after.get(key) != before.get(key):
                found.append(
                    f"{NAMESPACE}:tables.{suffix}.{key} {after.get(key)!r} would replace the protected "
                    f"table {old_name} (DynamoDB cannot change a key schema in place; deployed: "
                    f"{before.get(key)!r}); keep {before.get(key)!r}, or copy the data into a new "
                    f"table ({DOCS})")
    before_alb, after_alb = previous.get("alb") or {}, current.get("alb") or {}
    if isinstance(before_alb, Mapping) and before_alb.get("deletionProtection") and \
            before_alb.get("name") not in (None, after_alb.get("name")):
        found.append(
            f"{NAMESPACE}:alb.name {after_alb.get('name')!r} would replace the ALB "
            f"{before_alb.get('name')}, whose deletion protection stops the old one from being "
            f"deleted; set {NAMESPACE}:alb.deletionProtection false and `pulumi up` first, then "
            f"rename ({DOCS})")
    before_bucket = previous.get("reportsBucket")
    if before_bucket and current.get("reportsBucket") != before_bucket:
        after_bucket = current.get("reportsBucket")
        change = f"{after_bucket!r} would replace" if after_bucket else "unset would delete"
        found.append(
            f"{NAMESPACE}:reports.bucket {change} the protected reports bucket {before_bucket} (every "
            f"report so far is in it); keep reports.bucket {before_bucket!r}, or copy the reports and "
            f"`pulumi state unprotect` the old bucket first ({DOCS})")
    return found


def own_stack_name() -> str:
    """This stack as a StackReference names it (`organization/<project>/<stack>` on a self-managed
    backend; the real organization on Pulumi Cloud)."""
    return f"{pulumi.get_organization()}/{pulumi.get_project()}/{pulumi.get_stack()}"


def previous_identity() -> pulumi.Output[Any]:
    """The identity the previous deployment of this very stack exported (None on the first)."""
    reference = pulumi.StackReference(f"{NAMESPACE}-previous-deployment", stack_name=own_stack_name())
    return reference.get_output(IDENTITY_OUTPUT)


def guarded_identity(settings: Settings) -> pulumi.Output[dict[str, Any]]:
    """This run's identity, once checked against the previous deployment's; exported, so a
    refused change fails the run with one line (a `ConfigError`, no traceback)."""
    current = identity_of(settings)

    def check(previous: Any) -> dict[str, Any]:
        found = refusals(previous, current, settings.data.table_prefix)
        if found:
            raise ConfigError(found[0])
        return current

    return previous_identity().apply(check)
