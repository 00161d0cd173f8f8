"""The documents' deployment, built in moto from what the program declares, in Terraform's shape.

`deploy(program, clients, shape)` walks the resources the program registers (in order, so every
reference is already built) and creates each one with boto3 from the program's own inputs:
names, CIDRs, key schemas, ports, targets. Placeholders (`⟨network-vpc.id⟩`) are filled with what
was created. Where Terraform chose differently from Pulumi, so does this deployment:
  - what Pulumi would auto-name gets Terraform's names (`terraform-<name>` security groups,
    inline policies, the readiness role, the Lambda permission and the schedule's target id);
  - `shape` adds the Terraform-era faults: an ASG pinned to a numbered launch-template version,
    a table with another key schema, resources left out, and resources the program does not
    declare (a legacy Lambda, a stray rule, a subscription, an inline policy).

It returns, per engine URN, the id `pulumi import` needs for that resource (written from the
pulumi-aws import formats, independently of drctl's locators), so tests compare ids one by one.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from drctl.import_program import Declared, Program
from tests import moto_gaps

_PLACEHOLDER = re.compile(r"⟨([^⟨⟩]*)⟩")
TF = "terraform-"  # Terraform's auto-name prefix


@dataclass(frozen=True)
class Shape:
    """How the Terraform deployment differs from the program."""

    pinned_asg: str | None = None  # logical name of an ASG pinned to launch template version "2"
    table_keys: dict[str, tuple[str, str]] = field(default_factory=dict)  # logical name -> (hash key, type)
    skip: frozenset[str] = frozenset()  # logical names never created
    extras: bool = False  # add resources the program does not declare


# --- the deployer -----------------------------------------------------------------------------


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("handler.py", "def handler(event, context):\n    return event\n")
    return buf.getvalue()


class Deployer:
    def __init__(self, program: Program, clients: Callable[[str, str], Any], shape: Shape):
        self.program = program
        self.clients = clients
        self.shape = shape
        self.account = clients("sts", program.settings.region).get_caller_identity()["Account"]
        self.attrs: dict[str, dict[str, str]] = {}  # label -> created attributes
        self.expected: dict[str, str] = {}  # engine URN -> import id
        self.azs: dict[str, list[str]] = {}

    # placeholders: what was created, the zone, the account; seoul's outputs as stand-ins
    def fill(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.fill(v) for v in value]
        if isinstance(value, dict):
            return {k: self.fill(v) for k, v in value.items()}
        if not isinstance(value, str):
            return value
        if value.startswith(("{", "[")) and "\\u27e8" in value:  # a JSON document (policy, definition)
            return json.dumps(self.fill(json.loads(value)))
        while (m := _PLACEHOLDER.search(value)) is not None:
            label, _, prop = m.group(1).rpartition(".")
            if label == "aws":
                text = self.account
            elif label.startswith("zone "):
                text = self.attrs[label]["zoneId"]
            elif label == "az":
                azs = self.azs[self.program.settings.region]
                text = azs[(int(prop) - 1) % len(azs)] if prop.isdigit() else azs[0]
            elif label in self.attrs and prop in self.attrs[label]:
                text = self.attrs[label][prop]
            elif "arn" in f"{label}.{prop}".lower():  # seoul's table ARNs in the instance policy
                text = f"arn:aws:dynamodb:{self.program.settings.primary_region}:{self.account}:table/{prop}"
            else:
                text = f"stand-in-{label}-{prop}".replace(" ", "-").replace("/", "-")
            value = value[:m.start()] + text + value[m.end():]
        return value

    def get(self, d: Declared, key: str) -> Any:
        return self.fill(d.inputs.get(key))

    def deploy(self) -> dict[str, str]:
        for region in {r.region for r in self.program.resources}:
            self.azs[region] = sorted(z["ZoneName"] for z in self.clients("ec2", region)
                                      .describe_availability_zones()["AvailabilityZones"])
        self._zones()
        for d in self.program.cloud_resources:
            if d.name in self.shape.skip or d.type.startswith("aws:apigatewayv2/"):
                # The approval page's API is new in this program: the documents' deployment has none
                # (its `Route` would otherwise dispatch to the EC2 route creator).
                continue
            create = getattr(self, "_" + d.type.rsplit(":", 1)[-1][0].lower() + d.type.rsplit(":", 1)[-1][1:], None)
            if create is None:
                continue
            created = create(d, self.clients(_service(d.type), d.region) if _service(d.type) else None)
            if created is None:
                continue
            import_id, attrs = created
            self.attrs[d.label] = attrs
            self.expected[d.urn] = import_id
        if self.shape.extras:
            self._extras()
        return self.expected

    def _zones(self) -> None:
        for invoke_label in {m for d in self.program.resources for m in _PLACEHOLDER.findall(json.dumps(
                d.inputs, ensure_ascii=False)) if m.startswith("zone ")}:
            domain = invoke_label[len("zone "):].rsplit(".", 1)[0]
            zone = self.clients("route53", "us-east-1").create_hosted_zone(
                Name=domain, CallerReference=domain)["HostedZone"]["Id"].rsplit("/", 1)[-1]
            self.attrs[f"zone {domain}"] = {"zoneId": zone, "id": zone}

    # --- one creator per type (named after the type's last token) -------------------------------

    def _table(self, d: Declared, ddb: Any) -> tuple[str, dict[str, str]]:
        keys = [{"AttributeName": d.inputs["hashKey"], "KeyType": "HASH"}]
        if d.inputs.get("rangeKey"):
            keys.append({"AttributeName": d.inputs["rangeKey"], "KeyType": "RANGE"})
        attributes = [{"AttributeName": a["name"], "AttributeType": a["type"]} for a in d.inputs["attributes"]]
        if d.name in self.shape.table_keys:
            key, kind = self.shape.table_keys[d.name]
            keys = [{"AttributeName": key, "KeyType": "HASH"}]
            attributes = [{"AttributeName": key, "AttributeType": kind}]
        table = ddb.create_table(TableName=d.inputs["name"], KeySchema=keys, AttributeDefinitions=attributes,
                                 BillingMode="PAY_PER_REQUEST",
                                 StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})
        return d.inputs["name"], {"id": d.inputs["name"], "arn": table["TableDescription"]["TableArn"]}

    def _tags(self, d: Declared) -> list[dict[str, str]]:
        return [{"Key": k, "Value": v} for k, v in (d.inputs.get("tags") or {}).items() if k == "Name"]

    def _vpc(self, d: Declared, ec2: Any) -> tuple[str, dict[str, str]]:
        vpc = ec2.create_vpc(CidrBlock=d.inputs["cidrBlock"])["Vpc"]["VpcId"]
        ec2.create_tags(Resources=[vpc], Tags=self._tags(d) or [{"Key": "Name", "Value": d.name}])
        return vpc, {"id": vpc}

    def _subnet(self, d: Declared, ec2: Any) -> tuple[str, dict[str, str]]:
        subnet = ec2.create_subnet(VpcId=self.get(d, "vpcId"), CidrBlock=d.inputs["cidrBlock"],
                                   AvailabilityZone=self.get(d, "availabilityZone"))["Subnet"]["SubnetId"]
        if self._tags(d):
            ec2.create_tags(Resources=[subnet], Tags=self._tags(d))
        return subnet, {"id": subnet}

    def _internetGateway(self, d: Declared, ec2: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=self.get(d, "vpcId"))
        return igw, {"id": igw}

    def _routeTable(self, d: Declared, ec2: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        rtb = ec2.create_route_table(VpcId=self.get(d, "vpcId"))["RouteTable"]["RouteTableId"]
        ec2.create_tags(Resources=[rtb], Tags=self._tags(d))
        return rtb, {"id": rtb}

    def _route(self, d: Declared, ec2: Any) -> tuple[str, dict[str, str]]:
        rtb, cidr = self.get(d, "routeTableId"), d.inputs["destinationCidrBlock"]
        ec2.create_route(RouteTableId=rtb, DestinationCidrBlock=cidr, GatewayId=self.get(d, "gatewayId"))
        return f"{rtb}_{cidr}", {"id": f"{rtb}_{cidr}"}

    def _routeTableAssociation(self, d: Declared, ec2: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        subnet, rtb = self.get(d, "subnetId"), self.get(d, "routeTableId")
        assoc = ec2.associate_route_table(SubnetId=subnet, RouteTableId=rtb)["AssociationId"]
        return f"{subnet}/{rtb}", {"id": assoc}

    def _securityGroup(self, d: Declared, ec2: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        group = ec2.create_security_group(GroupName=f"{TF}{d.name}", Description=d.inputs["description"],
                                          VpcId=self.get(d, "vpcId"))["GroupId"]
        ec2.create_tags(Resources=[group], Tags=self._tags(d))
        return group, {"id": group}

    def _sg_rule(self, d: Declared, ec2: Any, egress: bool) -> tuple[str, dict[str, str]]:
        group = self.get(d, "securityGroupId")
        permission: dict[str, Any] = {"IpProtocol": str(d.inputs["ipProtocol"])}
        if d.inputs["ipProtocol"] != "-1":
            permission.update(FromPort=d.inputs["fromPort"], ToPort=d.inputs["toPort"])
        if d.inputs.get("referencedSecurityGroupId"):
            permission["UserIdGroupPairs"] = [{"GroupId": self.get(d, "referencedSecurityGroupId")}]
        else:
            permission["IpRanges"] = [{"CidrIp": d.inputs["cidrIpv4"]}]
        call = ec2.authorize_security_group_egress if egress else ec2.authorize_security_group_ingress
        try:
            rule = call(GroupId=group, IpPermissions=[permission])["SecurityGroupRules"][0]["SecurityGroupRuleId"]
        except ec2.exceptions.ClientError as err:  # the default egress rule Terraform keeps is this one
            if "Duplicate" not in str(err):
                raise
            rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group]}])
            rule = next(r["SecurityGroupRuleId"] for r in rules["SecurityGroupRules"] if r["IsEgress"] == egress)
        return rule, {"id": rule}

    def _securityGroupIngressRule(self, d: Declared, ec2: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        return self._sg_rule(d, ec2, egress=False)

    def _securityGroupEgressRule(self, d: Declared, ec2: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        return self._sg_rule(d, ec2, egress=True)

    def _vpcEndpoint(self, d: Declared, ec2: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        kwargs: dict[str, Any] = {"VpcId": self.get(d, "vpcId"), "ServiceName": d.inputs["serviceName"],
                                  "VpcEndpointType": d.inputs["vpcEndpointType"]}
        if d.inputs.get("routeTableIds"):
            kwargs["RouteTableIds"] = self.get(d, "routeTableIds")
        if d.inputs.get("subnetIds"):
            kwargs.update(SubnetIds=self.get(d, "subnetIds"), SecurityGroupIds=self.get(d, "securityGroupIds"))
        endpoint = ec2.create_vpc_endpoint(**kwargs)["VpcEndpoint"]["VpcEndpointId"]
        return endpoint, {"id": endpoint}

    def _launchTemplate(self, d: Declared, ec2: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        image = "ami-0123456789abcdef0"  # the Golden AMI stand-in (moto's AMI catalogue takes seconds)
        # No user data: moto cannot launch an ASG instance from a template that has some, and the
        # import plan never reads it (doctor's checks do, on their own fixture).
        data = {"ImageId": image, "InstanceType": d.inputs.get("instanceType", "t3.small")}
        lt = ec2.create_launch_template(LaunchTemplateName=d.inputs["name"], LaunchTemplateData=data)
        lt_id = lt["LaunchTemplate"]["LaunchTemplateId"]
        # Terraform's history: v2 is the version step 2 once read (see the 3.4 incident)
        ec2.create_launch_template_version(LaunchTemplateId=lt_id, LaunchTemplateData=data)
        return lt_id, {"id": lt_id, "name": d.inputs["name"]}

    def _amiCopy(self, d: Declared, ec2: Any) -> None:  # noqa: N802
        # The documents' Tokyo copy of the Golden AMI, tagged as the program tags it. pulumi-aws
        # cannot import an AMI copy, so it is never an expected import id (None).
        image = ec2.register_image(Name=self.fill(d.inputs["name"]), RootDeviceName="/dev/xvda",
                                   BlockDeviceMappings=[{"DeviceName": "/dev/xvda", "Ebs": {"VolumeSize": 8}}])
        ec2.create_tags(Resources=[image["ImageId"]], Tags=self._tags(d))

    def _role(self, d: Declared, iam: Any) -> tuple[str, dict[str, str]]:
        name = d.inputs.get("name") or f"{TF}{d.name}"
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=d.inputs["assumeRolePolicy"])["Role"]
        return name, {"id": name, "arn": role["Arn"], "name": name}

    def _rolePolicy(self, d: Declared, iam: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        role, name = self.get(d, "role"), d.inputs.get("name") or f"{TF}{d.name}"
        iam.put_role_policy(RoleName=role, PolicyName=name, PolicyDocument=self.fill(d.inputs["policy"]))
        return f"{role}:{name}", {"id": f"{role}:{name}"}

    def _policy(self, d: Declared, iam: Any) -> tuple[str, dict[str, str]]:
        doc = self.get(d, "policy")
        made = iam.create_policy(PolicyName=d.inputs["name"],
                                 PolicyDocument=doc if isinstance(doc, str) else json.dumps(doc))["Policy"]
        return made["Arn"], {"id": made["Arn"], "arn": made["Arn"]}

    def _rolePolicyAttachment(self, d: Declared, iam: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        role, arn = self.get(d, "role"), self.get(d, "policyArn")
        if ":aws:policy/" in arn:
            moto_gaps.add_aws_managed_policy(arn)
        iam.attach_role_policy(RoleName=role, PolicyArn=arn)
        return f"{role}/{arn}", {"id": f"{role}/{arn}"}

    def _instanceProfile(self, d: Declared, iam: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        profile = iam.create_instance_profile(InstanceProfileName=d.inputs["name"])["InstanceProfile"]
        iam.add_role_to_instance_profile(InstanceProfileName=d.inputs["name"], RoleName=self.get(d, "role"))
        return d.inputs["name"], {"id": d.inputs["name"], "arn": profile["Arn"]}

    def _loadBalancer(self, d: Declared, elb: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        kwargs: dict[str, Any] = {"Name": d.inputs["name"], "Subnets": self.get(d, "subnets"),
                                  "Scheme": "internal" if d.inputs.get("internal") else "internet-facing",
                                  "Type": d.inputs.get("loadBalancerType", "application")}
        if d.inputs.get("securityGroups"):
            kwargs["SecurityGroups"] = self.get(d, "securityGroups")
        lb = elb.create_load_balancer(**kwargs)["LoadBalancers"][0]
        return lb["LoadBalancerArn"], {"id": lb["LoadBalancerArn"], "arn": lb["LoadBalancerArn"],
                                       "dnsName": lb["DNSName"], "zoneId": lb["CanonicalHostedZoneId"]}

    def _targetGroup(self, d: Declared, elb: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        # Terraform's group has the documents' name: the program's Name tag (it declares a prefix).
        name = d.inputs.get("name") or d.inputs["tags"]["Name"]
        tg = elb.create_target_group(Name=name, Protocol=d.inputs["protocol"], Port=d.inputs["port"],
                                     VpcId=self.get(d, "vpcId"), TargetType=d.inputs["targetType"])["TargetGroups"][0]
        return tg["TargetGroupArn"], {"id": tg["TargetGroupArn"], "arn": tg["TargetGroupArn"]}

    def _listener(self, d: Declared, elb: Any) -> tuple[str, dict[str, str]]:
        actions = [{"Type": a["type"], "TargetGroupArn": self.fill(a["targetGroupArn"])}
                   for a in d.inputs["defaultActions"]]
        listener = elb.create_listener(LoadBalancerArn=self.get(d, "loadBalancerArn"), Protocol=d.inputs["protocol"],
                                       Port=d.inputs["port"], DefaultActions=actions)["Listeners"][0]["ListenerArn"]
        return listener, {"id": listener, "arn": listener}

    def _group(self, d: Declared, asg: Any) -> tuple[str, dict[str, str]]:
        template = self.get(d, "launchTemplate")
        version = "2" if d.name == self.shape.pinned_asg else template.get("version", "$Latest")
        asg.create_auto_scaling_group(
            AutoScalingGroupName=d.inputs["name"], MinSize=d.inputs["minSize"], MaxSize=d.inputs["maxSize"],
            DesiredCapacity=d.inputs.get("desiredCapacity", 0),
            LaunchTemplate={"LaunchTemplateId": template["id"], "Version": version},
            VPCZoneIdentifier=",".join(self.get(d, "vpcZoneIdentifiers")),
            TargetGroupARNs=self.get(d, "targetGroupArns"))
        return d.inputs["name"], {"id": d.inputs["name"]}

    def _eventBus(self, d: Declared, events: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        arn = events.create_event_bus(Name=d.inputs["name"])["EventBusArn"]
        return d.inputs["name"], {"id": d.inputs["name"], "arn": arn}

    def _eventRule(self, d: Declared, events: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        kwargs: dict[str, Any] = {"Name": d.inputs["name"]}
        for key, api in (("eventPattern", "EventPattern"), ("scheduleExpression", "ScheduleExpression"),
                         ("eventBusName", "EventBusName"), ("description", "Description")):
            if d.inputs.get(key):
                kwargs[api] = self.fill(d.inputs[key])
        arn = events.put_rule(**kwargs)["RuleArn"]
        bus = d.inputs.get("eventBusName")
        import_id = f"{bus}/{d.inputs['name']}" if bus else d.inputs["name"]
        return import_id, {"id": import_id, "arn": arn}

    def _eventTarget(self, d: Declared, events: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        target_id = d.inputs.get("targetId") or f"{TF}{d.name}"
        target: dict[str, Any] = {"Id": target_id, "Arn": self.get(d, "arn")}
        if d.inputs.get("roleArn"):
            target["RoleArn"] = self.get(d, "roleArn")
        if d.inputs.get("deadLetterConfig"):
            target["DeadLetterConfig"] = {"Arn": self.fill(d.inputs["deadLetterConfig"]["arn"])}
        bus = d.inputs.get("eventBusName")
        events.put_targets(Rule=d.inputs["rule"], Targets=[target], **({"EventBusName": bus} if bus else {}))
        import_id = f"{bus}/{d.inputs['rule']}/{target_id}" if bus else f"{d.inputs['rule']}/{target_id}"
        return import_id, {"id": import_id}

    def _queue(self, d: Declared, sqs: Any) -> tuple[str, dict[str, str]]:
        url = sqs.create_queue(QueueName=d.inputs["name"])["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        return url, {"id": url, "arn": arn, "url": url}

    def _queuePolicy(self, d: Declared, sqs: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        url = self.get(d, "queueUrl")
        policy = self.fill(d.inputs["policy"])
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"Policy": json.loads(policy) and policy})
        return url, {"id": url}

    def _key(self, d: Declared, kms: Any) -> tuple[str, dict[str, str]]:
        meta = kms.create_key(Description=d.inputs.get("description", ""))["KeyMetadata"]
        return meta["KeyId"], {"id": meta["KeyId"], "arn": meta["Arn"], "keyId": meta["KeyId"]}

    def _alias(self, d: Declared, kms: Any) -> tuple[str, dict[str, str]]:
        # targetKeyId reads the key's `keyId` output (⟨<key>.keyId⟩ in the recording)
        key = self.get(d, "targetKeyId")
        kms.create_alias(AliasName=d.inputs["name"], TargetKeyId=key)
        return d.inputs["name"], {"id": d.inputs["name"]}

    def _topic(self, d: Declared, sns: Any) -> tuple[str, dict[str, str]]:
        arn = sns.create_topic(Name=d.inputs["name"], Attributes={
            "KmsMasterKeyId": self.get(d, "kmsMasterKeyId")})["TopicArn"]
        return arn, {"id": arn, "arn": arn}

    def _topicSubscription(self, d: Declared, sns: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        arn = sns.subscribe(TopicArn=self.get(d, "topic"), Protocol=d.inputs["protocol"],
                            Endpoint=d.inputs["endpoint"], ReturnSubscriptionArn=True)["SubscriptionArn"]
        return arn, {"id": arn, "arn": arn}

    def _function(self, d: Declared, lam: Any) -> tuple[str, dict[str, str]]:
        fn = lam.create_function(FunctionName=d.inputs["name"], Runtime=d.inputs.get("runtime", "python3.12"),
                                 Role=self.get(d, "role"), Handler=d.inputs.get("handler", "handler.handler"),
                                 Code={"ZipFile": _zip()})
        return d.inputs["name"], {"id": d.inputs["name"], "arn": fn["FunctionArn"]}

    def _permission(self, d: Declared, lam: Any) -> tuple[str, dict[str, str]]:
        function, sid = self.get(d, "function"), d.inputs.get("statementId") or f"{TF}{d.name}"
        lam.add_permission(FunctionName=function, StatementId=sid, Action=d.inputs["action"],
                           Principal=d.inputs["principal"], SourceArn=self.get(d, "sourceArn"))
        return f"{function}/{sid}", {"id": sid}

    def _stateMachine(self, d: Declared, sfn: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        definition = self.fill(d.inputs["definition"])
        arn = sfn.create_state_machine(name=d.inputs["name"], definition=definition,
                                       roleArn=self.get(d, "roleArn"))["stateMachineArn"]
        return arn, {"id": arn, "arn": arn}

    def _logGroup(self, d: Declared, logs: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        logs.create_log_group(logGroupName=d.inputs["name"])
        arn = f"arn:aws:logs:{d.region}:{self.account}:log-group:{d.inputs['name']}"
        return d.inputs["name"], {"id": d.inputs["name"], "arn": arn}

    def _metricAlarm(self, d: Declared, cw: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        cw.put_metric_alarm(AlarmName=d.inputs["name"], EvaluationPeriods=d.inputs["evaluationPeriods"],
                            ComparisonOperator=d.inputs["comparisonOperator"], Threshold=float(d.inputs["threshold"]),
                            MetricName=d.inputs.get("metricName", "HealthCheckStatus"), Namespace=d.inputs["namespace"],
                            Period=d.inputs["period"], Statistic=d.inputs["statistic"])
        arn = cw.describe_alarms(AlarmNames=[d.inputs["name"]])["MetricAlarms"][0]["AlarmArn"]
        return d.inputs["name"], {"id": d.inputs["name"], "arn": arn}

    def _healthCheck(self, d: Declared, _: Any) -> tuple[str, dict[str, str]]:  # noqa: N802
        r53 = self.clients("route53", "us-east-1")
        kind = d.inputs["type"]
        config: dict[str, Any] = {"Type": kind}
        if kind == "CALCULATED":
            config.update(ChildHealthChecks=self.get(d, "childHealthchecks"),
                          HealthThreshold=d.inputs["childHealthThreshold"])
        elif kind == "CLOUDWATCH_METRIC":
            config.update(AlarmIdentifier={"Region": d.inputs["cloudwatchAlarmRegion"],
                                           "Name": d.inputs["cloudwatchAlarmName"]},
                          InsufficientDataHealthStatus=d.inputs.get("insufficientDataHealthStatus", "LastKnownStatus"))
        else:
            config.update(FullyQualifiedDomainName=self.get(d, "fqdn"), ResourcePath=d.inputs["resourcePath"],
                          Port=d.inputs["port"], RequestInterval=d.inputs["requestInterval"],
                          FailureThreshold=d.inputs["failureThreshold"])
        check = r53.create_health_check(CallerReference=d.urn, HealthCheckConfig=config)["HealthCheck"]["Id"]
        if kind == "CLOUDWATCH_METRIC":
            moto_gaps.set_alarm_identifier(check, config["AlarmIdentifier"])
        return check, {"id": check}

    def _record(self, d: Declared, _: Any) -> tuple[str, dict[str, str]]:
        zone, name, kind = self.get(d, "zoneId"), d.inputs["name"], d.inputs["type"]
        alias = self.fill(d.inputs["aliases"][0])
        record: dict[str, Any] = {"Name": name, "Type": kind, "SetIdentifier": d.inputs["setIdentifier"],
                                  "Failover": d.inputs["failoverRoutingPolicies"][0]["type"],
                                  "AliasTarget": {"HostedZoneId": alias["zoneId"], "DNSName": alias["name"],
                                                  "EvaluateTargetHealth": alias["evaluateTargetHealth"]}}
        if d.inputs.get("healthCheckId"):
            record["HealthCheckId"] = self.get(d, "healthCheckId")
        self.clients("route53", "us-east-1").change_resource_record_sets(
            HostedZoneId=zone, ChangeBatch={"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]})
        import_id = f"{zone}_{name}_{kind}_{d.inputs['setIdentifier']}"
        return import_id, {"id": import_id}

    # --- what Terraform also created, which the program does not declare ---------------------

    def _extras(self) -> None:
        s = self.program.settings
        if self.program.of_type("aws:lambda/function:Function"):
            role = next(a["arn"] for label, a in self.attrs.items() if "arn" in a and ":role/" in a["arn"])
            self.clients("lambda", s.region).create_function(
                FunctionName=f"{s.failover.lambda_prefix}-legacy-step5", Runtime="python3.12", Role=role,
                Handler="handler.handler", Code={"ZipFile": _zip()})
            events = self.clients("events", s.region)
            events.put_rule(Name="terraform-stray-rule", EventBusName=s.failover.event_bus_name,
                            EventPattern=json.dumps({"source": ["aws.cloudwatch"]}))
            topic = f"arn:aws:sns:{s.region}:{self.account}:{s.failover.approval_topic_name}"
            self.clients("sns", s.region).subscribe(TopicArn=topic, Protocol="email",
                                                    Endpoint="former-oncall@example.com")
            step0_role = f"{s.failover.lambda_prefix}-step0-role"
            self.clients("iam", s.region).put_role_policy(
                RoleName=step0_role, PolicyName="terraform-admin",
                PolicyDocument=json.dumps({"Version": "2012-10-17", "Statement": [
                    {"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        if self.program.of_type("aws:dynamodb/table:Table"):
            self.clients("dynamodb", s.region).create_table(
                TableName=f"{s.data.table_prefix}-legacy-sessions", BillingMode="PAY_PER_REQUEST",
                KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
                AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])


_SERVICES = {"dynamodb": "dynamodb", "ec2": "ec2", "vpc": "ec2", "iam": "iam", "lb": "elbv2",
             "autoscaling": "autoscaling", "cloudwatch": "", "sqs": "sqs", "kms": "kms", "sns": "sns",
             "lambda": "lambda", "sfn": "stepfunctions", "route53": "route53"}
_CLOUDWATCH = {"eventBus": "events", "eventRule": "events", "eventTarget": "events", "logGroup": "logs",
               "metricAlarm": "cloudwatch"}


def _service(type_: str) -> str:
    module, _, rest = type_.split(":", 1)[1].partition("/")
    if module == "cloudwatch":
        return _CLOUDWATCH[rest.split(":")[0]]
    return _SERVICES.get(module, "")


def deploy(program: Program, clients: Callable[[str, str], Any], shape: Shape = Shape()) -> dict[str, str]:
    """Build `program`'s resources in moto, shaped like `shape`; return URN -> expected import id."""
    return Deployer(program, clients, shape).deploy()
