"""Deploy what the program declares into moto: the fixture that cannot drift from the stack.

`record(stack)` runs the real program under the offline preview's mock engine (update mode, so
computed values are `⟨label.prop⟩` placeholders) and keeps the recorded resources. `Deployer`
creates those resources through boto3, in registration order (the engine registers a resource
only after everything it reads), and maps each placeholder to the value moto returns, so a
later resource receives real ids and ARNs. `deploy_pair` deploys seoul, then tokyo with seoul's
real outputs in place of its `⟨seoul.*⟩` StackReference placeholders.

Only the resource types the checks read are created (`HANDLERS`); the rest (routes, VPC
endpoints, security-group rules, the Lambda permission...) get stand-in ids and are listed in
`Deployer.skipped`. Where moto cannot represent AWS, `tests/moto_gaps.py` fills in.
"""

from __future__ import annotations

import base64
import functools
import io
import json
import re
import zipfile
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from failover import approval_pin
from offline_preview.engine import PROJECT_DIR, ProgramRun, RecordedResource, run_program
from offline_preview.placeholders import label_of
from stack_config import apply_overrides, stack_file_values
from tests import moto_gaps

ACCOUNT = "123456789012"  # moto's default account
_TOKEN = re.compile(r"⟨([^⟨⟩]*)⟩")
ClientFactory = Callable[[str, str], Any]


@functools.lru_cache(maxsize=8)
def record(stack: str, overrides: tuple[str, ...] = ()) -> ProgramRun:
    """The program's registrations for `stack` (cached: the program is deterministic)."""
    config = apply_overrides(stack_file_values(PROJECT_DIR, stack), list(overrides))
    return run_program(config, stack)


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("failover/__init__.py", "")
    return buf.getvalue()


def cached(factory: ClientFactory) -> ClientFactory:
    """One client per (service, region): creating a boto3 client costs far more than a moto call."""
    cache: dict[tuple[str, str], Any] = {}

    def get(service: str, region: str) -> Any:
        if (service, region) not in cache:
            cache[(service, region)] = factory(service, region)
        return cache[(service, region)]

    return get


@dataclass
class Deployer:
    clients: ClientFactory
    values: dict[str, Any] = field(default_factory=dict)  # "label.prop" -> deployed value
    skipped: list[str] = field(default_factory=list)
    images: dict[str, str] = field(default_factory=dict)  # AMI name prefix -> id (get_ami lookups)
    zones: dict[str, str] = field(default_factory=dict)

    # --- placeholders ------------------------------------------------------------------------

    def _token(self, inner: str, region: str) -> Any:
        if inner in self.values:
            return self.values[inner]
        if inner.startswith("aws."):
            return ACCOUNT
        if inner.startswith("az."):
            return f"{region}{'acd'[int(inner[3:]) - 1 if inner[3:].isdigit() else 0]}"
        if inner.startswith("zone "):
            name = inner[len("zone "):].rsplit(".", 1)[0]
            return self.zone(name)
        if inner.startswith("ami "):
            prefix = inner[len("ami "):].split("*")[0]
            if prefix in self.images:
                return self.images[prefix]
        raise KeyError(f"no deployed value for ⟨{inner}⟩ (its resource type is not deployed)")

    def resolve(self, value: Any, region: str) -> Any:
        if isinstance(value, str):
            # JSON documents built with json.dumps carry the marks escaped.
            value = value.replace("\\u27e8", "⟨").replace("\\u27e9", "⟩")
            while "⟨" in value:
                match = _TOKEN.search(value)
                if match is None:
                    break
                found = self._token(match[1], region)
                if match[0] == value and not isinstance(found, str):
                    return found
                value = value[:match.start()] + str(found) + value[match.end():]
            return value
        if isinstance(value, dict):
            return {k: self.resolve(v, region) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(v, region) for v in value]
        return value

    def zone(self, name: str) -> str:
        if name not in self.zones:
            zone = self.clients("route53", "us-east-1").create_hosted_zone(
                Name=name, CallerReference=f"zone-{name}")["HostedZone"]
            self.zones[name] = zone["Id"].rsplit("/", 1)[-1]
        return self.zones[name]

    def golden_ami(self, region: str, name: str, build: str) -> str:
        """The Seoul Golden AMI the primary stack looks up by name (built outside Pulumi)."""
        ec2 = self.clients("ec2", region)
        image = ec2.register_image(Name=name, RootDeviceName="/dev/xvda", Architecture="x86_64")["ImageId"]
        ec2.create_tags(Resources=[image], Tags=[{"Key": "Build", "Value": build}])
        self.images[name] = image
        return image

    # --- deploying ---------------------------------------------------------------------------

    def deploy(self, run: ProgramRun, stack_region: str,
               stack_outputs: Mapping[str, Any] | None = None) -> dict[str, Any]:
        for key, value in _flatten(stack_outputs or {}, "seoul").items():
            self.values[key] = value
        for resource in run.resources:
            if not resource.custom or resource.type.startswith("pulumi:"):
                continue
            region = run.region_of(resource) or stack_region
            inputs = self.resolve(resource.inputs, region)
            label = self.resolve(label_of(resource.name, resource.inputs), region)
            handler = HANDLERS.get(resource.type)
            if handler is None:
                self.skipped.append(f"{resource.type} {resource.name}")
                produced: dict[str, Any] = {"id": f"{resource.name}-id", "arn": f"arn:aws:{resource.name}"}
            else:
                produced = handler(self, inputs, region, label)
            for prop, value in produced.items():
                self.values[f"{label}.{prop}"] = value
        return self.resolve(run.outputs, stack_region)


def _flatten(outputs: Mapping[str, Any], prefix: str) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in outputs.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}.{key}"))
        flat[f"{prefix}.{key}"] = value
    return flat


# --- one function per resource type: boto3 calls with the engine's (camelCase) inputs ---------------


def _tags(inputs: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": str(v)} for k, v in (inputs.get("tags") or {}).items()]


def _vpc(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    ec2 = d.clients("ec2", region)
    vpc = ec2.create_vpc(CidrBlock=i["cidrBlock"])["Vpc"]
    return {"id": vpc["VpcId"], "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:vpc/{vpc['VpcId']}"}


def _subnet(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    subnet = d.clients("ec2", region).create_subnet(
        VpcId=i["vpcId"], CidrBlock=i["cidrBlock"], AvailabilityZone=i["availabilityZone"])["Subnet"]
    return {"id": subnet["SubnetId"], "arn": subnet.get("SubnetArn", "")}


def _security_group(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    group = d.clients("ec2", region).create_security_group(
        GroupName=label, Description=i.get("description") or label, VpcId=i["vpcId"])
    return {"id": group["GroupId"], "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:security-group/{group['GroupId']}"}


def _load_balancer(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    kind = i.get("loadBalancerType", "application")
    lb = d.clients("elbv2", region).create_load_balancer(
        Name=i["name"], Subnets=i.get("subnets", []), SecurityGroups=i.get("securityGroups", []),
        Scheme="internal" if i.get("internal") else "internet-facing", Type=kind, Tags=_tags(i),
    )["LoadBalancers"][0]
    arn = lb["LoadBalancerArn"]
    return {"id": arn, "arn": arn, "dnsName": lb["DNSName"], "zoneId": lb["CanonicalHostedZoneId"],
            "arnSuffix": arn.split(":loadbalancer/", 1)[-1]}


def _prefixed_name(i: dict[str, Any], label: str) -> str:
    """`name`, or what the provider makes of `namePrefix`: the prefix and 26 unique characters
    (terraform's PrefixedUniqueId: a timestamp and a counter), here derived from the label."""
    if "name" in i:
        return str(i["name"])
    return f"{i['namePrefix']}2026112800000000{zlib.crc32(label.encode()):010d}"


def _target_group(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    hc = i.get("healthCheck") or {}
    name = _prefixed_name(i, label)
    args: dict[str, Any] = {"Name": name, "Protocol": i["protocol"], "Port": int(i["port"]),
                            "VpcId": i["vpcId"], "TargetType": i.get("targetType", "instance")}
    if hc.get("path"):
        args.update(HealthCheckPath=hc["path"], HealthCheckProtocol=hc.get("protocol", "HTTP"))
    if hc.get("matcher") and i["protocol"] in ("HTTP", "HTTPS"):
        args["Matcher"] = {"HttpCode": hc["matcher"]}
    if i.get("tags"):
        args["Tags"] = [{"Key": k, "Value": v} for k, v in i["tags"].items()]
    tg = d.clients("elbv2", region).create_target_group(**args)["TargetGroups"][0]
    arn = tg["TargetGroupArn"]
    return {"id": arn, "arn": arn, "arnSuffix": arn.split(":", 5)[-1], "name": name}


def _listener(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    actions = []
    for action in i.get("defaultActions", []):
        if action["type"] == "redirect":
            r = action["redirect"]
            actions.append({"Type": "redirect", "RedirectConfig": {
                "Port": r.get("port"), "Protocol": r.get("protocol"), "StatusCode": r.get("statusCode")}})
        else:
            actions.append({"Type": "forward", "TargetGroupArn": action["targetGroupArn"]})
    args: dict[str, Any] = {"LoadBalancerArn": i["loadBalancerArn"], "Port": int(i["port"]),
                            "Protocol": i["protocol"], "DefaultActions": actions}
    if i.get("certificateArn"):
        args.update(Certificates=[{"CertificateArn": i["certificateArn"]}], SslPolicy=i.get("sslPolicy"))
    listener = d.clients("elbv2", region).create_listener(**args)["Listeners"][0]
    return {"id": listener["ListenerArn"], "arn": listener["ListenerArn"]}


def _resolve_user_data(d: Deployer, encoded: str, region: str) -> str:
    """User data is base64 (EC2 requires it): resolve the placeholders inside the script."""
    script = base64.b64decode(encoded).decode("utf-8")
    return base64.b64encode(d.resolve(script, region).encode("utf-8")).decode("ascii")


def _launch_template(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    data: dict[str, Any] = {"ImageId": i["imageId"], "InstanceType": i.get("instanceType", "t3.small"),
                            "UserData": _resolve_user_data(d, i.get("userData", ""), region)}
    if i.get("iamInstanceProfile"):
        data["IamInstanceProfile"] = {"Arn": i["iamInstanceProfile"]["arn"]}
    if i.get("vpcSecurityGroupIds"):
        data["SecurityGroupIds"] = i["vpcSecurityGroupIds"]
    meta = i.get("metadataOptions") or {}
    if meta:
        data["MetadataOptions"] = {"HttpTokens": meta.get("httpTokens"), "HttpEndpoint": meta.get("httpEndpoint"),
                                   "HttpPutResponseHopLimit": int(meta.get("httpPutResponseHopLimit", 1))}
    lt = d.clients("ec2", region).create_launch_template(
        LaunchTemplateName=i["name"], LaunchTemplateData=data)["LaunchTemplate"]
    return {"id": lt["LaunchTemplateId"], "latestVersion": lt["LatestVersionNumber"],
            "arn": f"arn:aws:ec2:{region}:{ACCOUNT}:launch-template/{lt['LaunchTemplateId']}"}


def _asg(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    spec = i["launchTemplate"]
    template = {"Version": spec.get("version", "$Latest")}
    if spec.get("id"):
        template["LaunchTemplateId"] = spec["id"]
    else:
        template["LaunchTemplateName"] = spec["name"]
    asg = d.clients("autoscaling", region)
    asg.create_auto_scaling_group(
        AutoScalingGroupName=i["name"], MinSize=int(i["minSize"]), MaxSize=int(i["maxSize"]),
        DesiredCapacity=int(i.get("desiredCapacity", i["minSize"])),
        VPCZoneIdentifier=",".join(i.get("vpcZoneIdentifiers", [])), LaunchTemplate=template,
        TargetGroupARNs=i.get("targetGroupArns", []),
        HealthCheckGracePeriod=int(i.get("healthCheckGracePeriod", 300)))
    pool = i.get("warmPool")
    if pool:  # the DR tiers' stopped warm pools (recovery.warmPool)
        reuse = (pool.get("instanceReusePolicy") or {}).get("reuseOnScaleIn")
        asg.put_warm_pool(
            AutoScalingGroupName=i["name"], PoolState=pool["poolState"],
            MaxGroupPreparedCapacity=int(pool["maxGroupPreparedCapacity"]), MinSize=int(pool.get("minSize", 0)),
            **({"InstanceReusePolicy": {"ReuseOnScaleIn": bool(reuse)}} if reuse is not None else {}))
    group = asg.describe_auto_scaling_groups(AutoScalingGroupNames=[i["name"]])["AutoScalingGroups"][0]
    return {"id": i["name"], "arn": group["AutoScalingGroupARN"], "name": i["name"]}


def _ami_copy(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    ec2 = d.clients("ec2", region)
    image = ec2.copy_image(SourceImageId=i["sourceAmiId"], SourceRegion=i["sourceAmiRegion"],
                           Name=i["name"], Description=i.get("description", ""))["ImageId"]
    ec2.create_tags(Resources=[image], Tags=_tags(i))
    return {"id": image, "imageId": image, "arn": f"arn:aws:ec2:{region}::image/{image}"}


def _role(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    role = d.clients("iam", "us-east-1").create_role(
        RoleName=label, AssumeRolePolicyDocument=i["assumeRolePolicy"])["Role"]
    return {"id": role["RoleName"], "arn": role["Arn"], "name": role["RoleName"], "uniqueId": role["RoleId"]}


def _role_policy(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    d.clients("iam", "us-east-1").put_role_policy(
        RoleName=i["role"], PolicyName=label, PolicyDocument=i["policy"])
    return {"id": f"{i['role']}:{label}", "name": label}


def _instance_profile(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    iam = d.clients("iam", "us-east-1")
    profile = iam.create_instance_profile(InstanceProfileName=label)["InstanceProfile"]
    iam.add_role_to_instance_profile(InstanceProfileName=label, RoleName=i["role"])
    return {"id": label, "arn": profile["Arn"], "name": label}


def _function(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    fn = d.clients("lambda", region).create_function(
        FunctionName=i["name"], Runtime=i.get("runtime", "python3.12"), Role=i["role"],
        Handler=i["handler"], Code={"ZipFile": _zip()}, Timeout=int(i.get("timeout", 3)),
        MemorySize=int(i.get("memorySize", 128)),
        Environment={"Variables": {k: str(v) for k, v in ((i.get("environment") or {}).get("variables") or {}).items()}})
    return {"id": fn["FunctionName"], "arn": fn["FunctionArn"], "name": fn["FunctionName"],
            "invokeArn": f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{fn['FunctionArn']}/invocations",
            "qualifiedArn": fn["FunctionArn"]}


def _state_machine(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    arn = d.clients("stepfunctions", region).create_state_machine(
        name=i["name"], definition=i["definition"], roleArn=i["roleArn"])["stateMachineArn"]
    return {"id": arn, "arn": arn, "name": i["name"]}


def _topic(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    attributes = {"KmsMasterKeyId": i["kmsMasterKeyId"]} if i.get("kmsMasterKeyId") else {}
    arn = d.clients("sns", region).create_topic(Name=i["name"], Attributes=attributes)["TopicArn"]
    return {"id": arn, "arn": arn, "name": i["name"]}


def _subscription(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    arn = d.clients("sns", region).subscribe(TopicArn=i["topic"], Protocol=i["protocol"],
                                             Endpoint=i["endpoint"])["SubscriptionArn"]
    return {"id": arn, "arn": arn}


def _kms_key(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    key = d.clients("kms", region).create_key(Description=i.get("description", ""))["KeyMetadata"]
    return {"id": key["KeyId"], "keyId": key["KeyId"], "arn": key["Arn"]}


def _kms_alias(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    if i.get("targetKeyId"):  # the preview leaves the key id unknown (not a computed placeholder)
        d.clients("kms", region).create_alias(AliasName=i["name"], TargetKeyId=i["targetKeyId"])
    return {"id": i["name"], "arn": f"arn:aws:kms:{region}:{ACCOUNT}:{i['name']}"}


def _event_bus(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    arn = d.clients("events", region).create_event_bus(Name=i["name"])["EventBusArn"]
    return {"id": i["name"], "arn": arn, "name": i["name"]}


def _event_rule(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    args: dict[str, Any] = {"Name": i["name"], "State": i.get("state", "ENABLED")}
    for key, arg in (("eventPattern", "EventPattern"), ("scheduleExpression", "ScheduleExpression"),
                     ("eventBusName", "EventBusName"), ("description", "Description")):
        if i.get(key):
            args[arg] = i[key]
    arn = d.clients("events", region).put_rule(**args)["RuleArn"]
    return {"id": i["name"], "arn": arn, "name": i["name"]}


def _event_target(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    target: dict[str, Any] = {"Id": i.get("targetId") or label, "Arn": i["arn"]}
    if i.get("roleArn"):
        target["RoleArn"] = i["roleArn"]
    if i.get("deadLetterConfig"):
        target["DeadLetterConfig"] = {"Arn": i["deadLetterConfig"]["arn"]}
    if i.get("retryPolicy"):
        target["RetryPolicy"] = {"MaximumEventAgeInSeconds": int(i["retryPolicy"]["maximumEventAgeInSeconds"]),
                                 "MaximumRetryAttempts": int(i["retryPolicy"]["maximumRetryAttempts"])}
    args: dict[str, Any] = {"Rule": i["rule"], "Targets": [target]}
    if i.get("eventBusName"):
        args["EventBusName"] = i["eventBusName"]
    d.clients("events", region).put_targets(**args)
    return {"id": f"{i['rule']}-{target['Id']}"}


def _metric_alarm(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    region = i.get("region") or region
    args: dict[str, Any] = {
        "AlarmName": i["name"], "Namespace": i["namespace"], "MetricName": i["metricName"],
        "Statistic": i["statistic"], "Period": int(i["period"]), "EvaluationPeriods": int(i["evaluationPeriods"]),
        "Threshold": float(i["threshold"]), "ComparisonOperator": i["comparisonOperator"],
        "Dimensions": [{"Name": k, "Value": str(v)} for k, v in (i.get("dimensions") or {}).items()],
        "AlarmActions": i.get("alarmActions", []), "OKActions": i.get("okActions", []),
        "TreatMissingData": i.get("treatMissingData", "missing"),
    }
    if i.get("datapointsToAlarm"):
        args["DatapointsToAlarm"] = int(i["datapointsToAlarm"])
    d.clients("cloudwatch", region).put_metric_alarm(**args)
    if not str(i["namespace"]).startswith("AWS/"):
        moto_gaps.start_without_data(d.clients("cloudwatch", region), i["name"])
    return {"id": i["name"], "arn": f"arn:aws:cloudwatch:{region}:{ACCOUNT}:alarm:{i['name']}"}


def _log_group(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    return {"id": label, "arn": f"arn:aws:logs:{region}:{ACCOUNT}:log-group:{label}"}


def _queue(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    attributes = {"MessageRetentionPeriod": str(int(i.get("messageRetentionSeconds", 345600)))}
    if i.get("sqsManagedSseEnabled"):
        attributes["SqsManagedSseEnabled"] = "true"
    sqs = d.clients("sqs", region)
    url = sqs.create_queue(QueueName=i["name"], Attributes=attributes)["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"id": url, "url": url, "arn": arn, "name": i["name"]}


def _queue_policy(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    d.clients("sqs", region).set_queue_attributes(QueueUrl=i["queueUrl"], Attributes={"Policy": i["policy"]})
    return {"id": i["queueUrl"]}


def _record(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    record: dict[str, Any] = {"Name": i["name"], "Type": i["type"]}
    if i.get("setIdentifier"):
        record["SetIdentifier"] = i["setIdentifier"]
    if i.get("failoverRoutingPolicies"):
        record["Failover"] = i["failoverRoutingPolicies"][0]["type"]
    if i.get("healthCheckId"):
        record["HealthCheckId"] = i["healthCheckId"]
    if i.get("aliases"):
        alias = i["aliases"][0]
        record["AliasTarget"] = {"HostedZoneId": alias["zoneId"], "DNSName": alias["name"],
                                 "EvaluateTargetHealth": bool(alias.get("evaluateTargetHealth"))}
    else:
        record.update(TTL=int(i.get("ttl", 60)), ResourceRecords=[{"Value": v} for v in i.get("records", [])])
    d.clients("route53", "us-east-1").change_resource_record_sets(
        HostedZoneId=i["zoneId"], ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]})
    return {"id": f"{i['zoneId']}_{i['name']}_{i['type']}", "fqdn": i["name"]}


def _health_check(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    kind = i["type"]
    config: dict[str, Any] = {"Type": kind}
    if kind == "CALCULATED":
        config.update(ChildHealthChecks=i["childHealthchecks"], HealthThreshold=int(i["childHealthThreshold"]))
    elif kind == "CLOUDWATCH_METRIC":
        config.update(AlarmIdentifier={"Region": i["cloudwatchAlarmRegion"], "Name": i["cloudwatchAlarmName"]},
                      InsufficientDataHealthStatus=i.get("insufficientDataHealthStatus", "LastKnownStatus"))
    else:
        config.update(FullyQualifiedDomainName=i["fqdn"], Port=int(i["port"]), ResourcePath=i.get("resourcePath", "/"),
                      RequestInterval=int(i.get("requestInterval", 30)),
                      FailureThreshold=int(i.get("failureThreshold", 3)))
    check = d.clients("route53", "us-east-1").create_health_check(
        CallerReference=label, HealthCheckConfig=config)["HealthCheck"]
    if kind == "CLOUDWATCH_METRIC":  # moto drops the alarm from GetHealthCheck (moto_gaps gap 3)
        moto_gaps.set_alarm_identifier(check["Id"], config["AlarmIdentifier"],
                                       config["InsufficientDataHealthStatus"])
    return {"id": check["Id"], "arn": f"arn:aws:route53:::healthcheck/{check['Id']}"}


def _table(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    keys = [{"AttributeName": i["hashKey"], "KeyType": "HASH"}]
    if i.get("rangeKey"):
        keys.append({"AttributeName": i["rangeKey"], "KeyType": "RANGE"})
    definition = {"TableName": i["name"], "BillingMode": i.get("billingMode", "PAY_PER_REQUEST"), "KeySchema": keys,
                  "AttributeDefinitions": [{"AttributeName": a["name"], "AttributeType": a["type"]}
                                           for a in i.get("attributes", [])]}
    if i.get("streamEnabled"):
        definition["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": i["streamViewType"]}
    replicas = [r["regionName"] for r in i.get("replicas", [])]
    regions = [region, *replicas]
    arn = ""
    for where in regions:
        ddb = d.clients("dynamodb", where)
        table = ddb.create_table(**definition)["TableDescription"]
        arn = arn or table["TableArn"]
        pitr = (i.get("pointInTimeRecovery") or {}).get("enabled") if where == region else next(
            r.get("pointInTimeRecovery") for r in i["replicas"] if r["regionName"] == where)
        if pitr:
            ddb.update_continuous_backups(TableName=i["name"], PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True})
        ttl = i.get("ttl") or {}
        if ttl.get("enabled"):
            ddb.update_time_to_live(TableName=i["name"], TimeToLiveSpecification={
                "Enabled": True, "AttributeName": ttl["attributeName"]})
        # moto keeps each region's table apart: describe it as one global table (moto_gaps).
        moto_gaps.set_replicas(where, i["name"], [{"RegionName": r, "ReplicaStatus": "ACTIVE"}
                                                  for r in regions if r != where])
    return {"id": i["name"], "arn": arn, "name": i["name"], "streamArn": f"{arn}/stream/0"}


def _managed_policy(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    policy = d.clients("iam", "us-east-1").create_policy(
        PolicyName=i["name"], PolicyDocument=i["policy"], Description=i.get("description", ""))["Policy"]
    return {"id": policy["Arn"], "arn": policy["Arn"], "name": policy["PolicyName"]}


def _policy_attachment(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    # moto loads no AWS-managed policies unless asked (slow): those attachments are not modelled.
    if not i["policyArn"].startswith("arn:aws:iam::aws:policy/"):
        d.clients("iam", "us-east-1").attach_role_policy(RoleName=i["role"], PolicyArn=i["policyArn"])
    return {"id": f"{i['role']}/{i['policyArn']}"}


def _permission(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    extra = {"SourceArn": i["sourceArn"]} if i.get("sourceArn") else {}
    d.clients("lambda", region).add_permission(
        FunctionName=i["function"], StatementId=label, Action=i["action"], Principal=i["principal"], **extra)
    return {"id": f"{i['function']}/{label}", "statementId": label}


def _http_api(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    api = d.clients("apigatewayv2", region).create_api(
        Name=i["name"], ProtocolType=i["protocolType"], Description=i.get("description", ""),
        Tags={k: str(v) for k, v in (i.get("tags") or {}).items()})
    return {"id": api["ApiId"], "apiEndpoint": api["ApiEndpoint"], "name": i["name"],
            "executionArn": f"arn:aws:execute-api:{region}:{ACCOUNT}:{api['ApiId']}"}


def _integration(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    made = d.clients("apigatewayv2", region).create_integration(
        ApiId=i["apiId"], IntegrationType=i["integrationType"], IntegrationUri=i["integrationUri"],
        IntegrationMethod=i["integrationMethod"], PayloadFormatVersion=i["payloadFormatVersion"],
        TimeoutInMillis=int(i["timeoutMilliseconds"]))
    return {"id": made["IntegrationId"]}


def _route(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    made = d.clients("apigatewayv2", region).create_route(
        ApiId=i["apiId"], RouteKey=i["routeKey"], Target=i["target"])
    return {"id": made["RouteId"]}


def _stage(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    route = i.get("defaultRouteSettings") or {}
    logs = i.get("accessLogSettings") or {}
    d.clients("apigatewayv2", region).create_stage(
        ApiId=i["apiId"], StageName=i["name"], AutoDeploy=bool(i.get("autoDeploy")),
        DefaultRouteSettings={"ThrottlingRateLimit": float(route["throttlingRateLimit"]),
                              "ThrottlingBurstLimit": int(route["throttlingBurstLimit"])},
        AccessLogSettings={"DestinationArn": logs["destinationArn"], "Format": logs["format"]})
    path = "" if i["name"] == "$default" else i["name"]
    return {"id": i["name"], "invokeUrl": f"https://{i['apiId']}.execute-api.{region}.amazonaws.com/{path}"}


def _bucket(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    d.clients("s3", region).create_bucket(Bucket=i["bucket"],
                                          CreateBucketConfiguration={"LocationConstraint": region})
    return {"id": i["bucket"], "bucket": i["bucket"], "arn": f"arn:aws:s3:::{i['bucket']}"}


def _bucket_versioning(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    d.clients("s3", region).put_bucket_versioning(
        Bucket=i["bucket"], VersioningConfiguration={"Status": i["versioningConfiguration"]["status"]})
    return {"id": i["bucket"]}


def _bucket_encryption(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    rules = [{"ApplyServerSideEncryptionByDefault": {
        "SSEAlgorithm": r["applyServerSideEncryptionByDefault"]["sseAlgorithm"]}} for r in i["rules"]]
    d.clients("s3", region).put_bucket_encryption(
        Bucket=i["bucket"], ServerSideEncryptionConfiguration={"Rules": rules})
    return {"id": i["bucket"]}


def _bucket_lifecycle(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    rules = [{"ID": r["id"], "Status": r["status"], "Filter": {"Prefix": r["filter"]["prefix"]},
              "NoncurrentVersionExpiration": {
                  "NoncurrentDays": int(r["noncurrentVersionExpiration"]["noncurrentDays"])},
              "AbortIncompleteMultipartUpload": {
                  "DaysAfterInitiation": int(r["abortIncompleteMultipartUpload"]["daysAfterInitiation"])}}
             for r in i["rules"]]
    d.clients("s3", region).put_bucket_lifecycle_configuration(
        Bucket=i["bucket"], LifecycleConfiguration={"Rules": rules})
    return {"id": i["bucket"]}


def _public_access_block(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    keys = {"blockPublicAcls": "BlockPublicAcls", "ignorePublicAcls": "IgnorePublicAcls",
            "blockPublicPolicy": "BlockPublicPolicy", "restrictPublicBuckets": "RestrictPublicBuckets"}
    d.clients("s3", region).put_public_access_block(
        Bucket=i["bucket"], PublicAccessBlockConfiguration={v: bool(i.get(k)) for k, v in keys.items()})
    return {"id": i["bucket"]}


def _ownership(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    d.clients("s3", region).put_bucket_ownership_controls(
        Bucket=i["bucket"], OwnershipControls={"Rules": [{"ObjectOwnership": i["rule"]["objectOwnership"]}]})
    return {"id": i["bucket"]}


def _bucket_policy(d: Deployer, i: dict[str, Any], region: str, label: str) -> dict[str, Any]:
    d.clients("s3", region).put_bucket_policy(Bucket=i["bucket"], Policy=i["policy"])
    return {"id": i["bucket"]}


OPERATOR_PIN = "482915"


HANDLERS: dict[str, Callable[[Deployer, dict[str, Any], str, str], dict[str, Any]]] = {
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _subnet,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:lb/listener:Listener": _listener,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:autoscaling/group:Group": _asg,
    "aws:ec2/amiCopy:AmiCopy": _ami_copy,
    "aws:iam/role:Role": _role,
    "aws:iam/rolePolicy:RolePolicy": _role_policy,
    "aws:iam/instanceProfile:InstanceProfile": _instance_profile,
    "aws:lambda/function:Function": _function,
    "aws:sfn/stateMachine:StateMachine": _state_machine,
    "aws:sns/topic:Topic": _topic,
    "aws:sns/topicSubscription:TopicSubscription": _subscription,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:cloudwatch/eventBus:EventBus": _event_bus,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:cloudwatch/eventTarget:EventTarget": _event_target,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _metric_alarm,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:sqs/queue:Queue": _queue,
    "aws:sqs/queuePolicy:QueuePolicy": _queue_policy,
    "aws:route53/record:Record": _record,
    "aws:route53/healthCheck:HealthCheck": _health_check,
    "aws:dynamodb/table:Table": _table,
    "aws:iam/policy:Policy": _managed_policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _policy_attachment,
    "aws:lambda/permission:Permission": _permission,
    "aws:apigatewayv2/api:Api": _http_api,
    "aws:apigatewayv2/integration:Integration": _integration,
    "aws:apigatewayv2/route:Route": _route,
    "aws:apigatewayv2/stage:Stage": _stage,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketVersioning:BucketVersioning": _bucket_versioning,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _bucket_encryption,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _bucket_lifecycle,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _public_access_block,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _ownership,
    "aws:s3/bucketPolicy:BucketPolicy": _bucket_policy,
}


@dataclass(frozen=True)
class Deployed:
    seoul: dict[str, Any]
    tokyo: dict[str, Any]
    skipped: tuple[str, ...]


def deploy_pair(clients: ClientFactory, tokyo_overrides: tuple[str, ...] = (),
                seoul_overrides: tuple[str, ...] = ()) -> Deployed:
    """Seoul, then Tokyo reading Seoul's real outputs: both stacks as the program declares them."""
    seoul_run, tokyo_run = record("seoul", seoul_overrides), record("tokyo", tokyo_overrides)
    d = Deployer(cached(clients))
    from stack_config import settings_for_stack

    seoul = settings_for_stack(PROJECT_DIR, "seoul", list(seoul_overrides))
    d.golden_ami(seoul.region, seoul.ami.name, seoul.ami.build or "unknown")
    seoul_outputs = d.deploy(seoul_run, seoul.region)
    tokyo_outputs = d.deploy(tokyo_run, "ap-northeast-1", stack_outputs=json.loads(json.dumps(seoul_outputs)))
    page = settings_for_stack(PROJECT_DIR, "tokyo", list(tokyo_overrides)).approval_page
    if page.enabled and page.pin_required:
        # The operator's step after the first `pulumi up` (README): `drctl approval-pin set`.
        approval_pin.store_pin_hash(d.clients("ssm", "ap-northeast-1"), page.pin_parameter, OPERATOR_PIN,
                                    iterations=approval_pin.MIN_ITERATIONS)
    return Deployed(seoul_outputs, tokyo_outputs, tuple(d.skipped))


__all__ = ["ACCOUNT", "Deployed", "Deployer", "HANDLERS", "RecordedResource", "deploy_pair", "record"]
