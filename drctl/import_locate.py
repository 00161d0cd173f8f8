"""Find the live resource behind each declared one, read-only, and the id `pulumi import` needs.

Every locator gets the declared resource (type, inputs as the program passes them) and looks the
resource up by the names those inputs carry. Inputs that point at other resources arrive as
placeholders (`⟨network-vpc.id⟩`); they are resolved with what was already found, so a subnet is
looked for in the VPC that was found, with the CIDR the program declares. A resource the program
leaves unnamed (Pulumi would auto-name it) is found through what refers to it: the readiness
role through its Lambda's role, the topic key through its alias.

Import ids follow the pulumi-aws "Import" sections (e.g. a table by name, a target group by ARN,
a route by `<route table>_<destination>`, an event target by `<bus>/<rule>/<target id>`, a record
by `<zone>_<name>_<type>_<set identifier>`).

A locator returns a `Found` with the problems it saw: `replace` when the live shape differs in a
property that forces replacement (not imported: `pulumi up` would destroy and re-create it),
`design` when it imports cleanly but breaks the design (the fix says what corrects it).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from drctl.import_program import Declared
from failover.contract import ALARM_REGION

_PLACEHOLDER = re.compile(r"⟨([^⟨⟩]*)⟩")

REPLACE = "replace"  # forces replacement: left out of the import file
DESIGN = "design"  # imports, but breaks the design until fixed
CANNOT = "cannot-import"  # the provider has no import for this type


@dataclass(frozen=True)
class Problem:
    kind: str
    problem: str
    fix: str


@dataclass
class Found:
    import_id: str
    attrs: dict[str, str]  # what dependents' placeholders read: id, arn, name, dnsName, ...
    problems: list[Problem] = field(default_factory=list)
    # input key -> live value, for inputs that name an unnamed resource (found through this one)
    links: dict[str, str] = field(default_factory=dict)


class UnresolvedError(Exception):
    """An input points at something not found (or only known after deploy)."""


class Context:
    """Clients, the account, and what has been found so far (by placeholder label)."""

    def __init__(self, clients: Callable[[str, str], Any], account: str, settings: Any):
        self.clients = clients
        self.account = account
        self.settings = settings
        self.found: dict[str, dict[str, str]] = {}  # label -> attrs
        self.hints: dict[str, dict[str, str]] = {}  # label -> attrs learnt through a link
        self._zones: dict[str, str] = {}

    def resolve(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self.resolve(v) for v in value]
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        if not isinstance(value, str):
            return value
        while True:
            match = _PLACEHOLDER.search(value)
            if not match:
                return value
            value = value[: match.start()] + self._lookup(match.group(1)) + value[match.end() :]

    def _lookup(self, text: str) -> str:
        label, _, prop = text.rpartition(".")
        if label == "aws" and prop == "accountId":
            return self.account
        if label.startswith("zone "):
            return self.zone_id(label[len("zone ") :])
        attrs = self.found.get(label) or self.hints.get(label) or {}
        if prop in attrs:
            return attrs[prop]
        raise UnresolvedError(label)

    def zone_id(self, domain: str) -> str:
        if domain not in self._zones:
            r53 = self.clients("route53", ALARM_REGION)
            zones = r53.list_hosted_zones_by_name(DNSName=domain).get("HostedZones", [])
            public = [
                z
                for z in zones
                if z["Name"].rstrip(".") == domain and not z.get("Config", {}).get("PrivateZone")
            ]
            if not public:
                raise UnresolvedError(f"zone {domain}")
            self._zones[domain] = public[0]["Id"].rsplit("/", 1)[-1]
        return self._zones[domain]

    def get(self, d: Declared, key: str) -> Any:
        return self.resolve(d.inputs.get(key))

    def hint(self, d: Declared) -> dict[str, str]:
        return self.hints.get(d.label, {})


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def says_not_found(err: ClientError) -> bool:
    """AWS's ways of saying a named thing does not exist (NoSuchEntity, *NotFound*, ...)."""
    code = _code(err)
    return code.startswith("NoSuch") or "NotFound" in code


def _tag_filters(d: Declared, vpc_id: str | None = None) -> list[dict[str, Any]]:
    filters = []
    name = (d.inputs.get("tags") or {}).get("Name")
    if name:
        filters.append({"Name": "tag:Name", "Values": [name]})
    if vpc_id:
        filters.append({"Name": "vpc-id", "Values": [vpc_id]})
    return filters


def _one(items: list[Any]) -> Any:
    return items[0] if len(items) == 1 else None


# --- DynamoDB -----------------------------------------------------------------------------------


def _table(ctx: Context, d: Declared) -> Found | None:
    name = d.inputs["name"]
    try:
        table = ctx.clients("dynamodb", d.region).describe_table(TableName=name)["Table"]
    except ClientError as err:
        if _code(err) == "ResourceNotFoundException":
            return None
        raise
    found = Found(
        name,
        {"id": name, "arn": table["TableArn"], "name": name, "streamArn": table.get("LatestStreamArn", "")},
    )
    live_keys = {k["KeyType"]: k["AttributeName"] for k in table["KeySchema"]}
    live_types = {a["AttributeName"]: a["AttributeType"] for a in table.get("AttributeDefinitions", [])}
    want_keys = {"HASH": d.inputs.get("hashKey")}
    if d.inputs.get("rangeKey"):
        want_keys["RANGE"] = d.inputs["rangeKey"]
    want_types = {a["name"]: a["type"] for a in d.inputs.get("attributes", [])}

    def schema(keys: dict[str, Any], types: dict[str, str]) -> str:
        return ", ".join(
            f"{kind.lower()} {keys[kind]} ({types.get(keys[kind], '?')})"
            for kind in ("HASH", "RANGE")
            if keys.get(kind)
        )

    if live_keys != want_keys or any(live_types.get(k) != want_types.get(k) for k in want_keys.values()):
        suffix = name[len(ctx.settings.data.table_prefix) + 1 :]
        keep_out = (
            "keep the table out of the import (it is not in the file) and in Terraform's care; "
            "never let Pulumi replace a data table: the data would be lost"
        )
        if any(live_types.get(k) != "S" for k in live_keys.values()):
            fix = (
                f"the program declares string (S) keys only; {keep_out}, or migrate the data to a "
                "table with string keys first"
            )
        else:
            fix = (
                f"declare the table as it is: `pulumi config set --path tables.{suffix}.hashKey "
                f"{live_keys.get('HASH')}`"
            )
            fix += (
                f" and `tables.{suffix}.rangeKey {live_keys['RANGE']}`"
                if "RANGE" in live_keys
                else f" (and remove tables.{suffix}.rangeKey)"
            )
            fix += f", then re-run import-plan; until then {keep_out}"
        found.problems.append(
            Problem(
                REPLACE,
                f"key schema is {schema(live_keys, live_types)}, the "
                f"program declares {schema(want_keys, want_types)}: a key "
                "change replaces the table",
                fix,
            )
        )
    return found


# --- EC2 / VPC ----------------------------------------------------------------------------------


def _vpc(ctx: Context, d: Declared) -> Found | None:
    ec2 = ctx.clients("ec2", d.region)
    vpcs = ec2.describe_vpcs(Filters=_tag_filters(d))["Vpcs"] if _tag_filters(d) else []
    vpc = _one(vpcs)
    if vpc is None:
        return None
    found = Found(vpc["VpcId"], {"id": vpc["VpcId"], "arn": "", "cidrBlock": vpc["CidrBlock"]})
    if vpc["CidrBlock"] != d.inputs.get("cidrBlock"):
        found.problems.append(
            Problem(
                REPLACE,
                f"CIDR is {vpc['CidrBlock']}, the program declares {d.inputs.get('cidrBlock')}",
                f"set megaticket-dr:network.cidr to {vpc['CidrBlock']}, or keep this VPC out of Pulumi: "
                "set network.vpcId, publicSubnetIds and privateSubnetIds to the existing network",
            )
        )
    return found


def _subnet(ctx: Context, d: Declared) -> Found | None:
    vpc_id = ctx.get(d, "vpcId")
    subnets = ctx.clients("ec2", d.region).describe_subnets(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "cidr-block", "Values": [d.inputs["cidrBlock"]]},
        ]
    )["Subnets"]
    subnet = _one(subnets)
    if subnet is None:
        return None
    return Found(subnet["SubnetId"], {"id": subnet["SubnetId"], "arn": subnet.get("SubnetArn", "")})


def _internet_gateway(ctx: Context, d: Declared) -> Found | None:
    vpc_id = ctx.get(d, "vpcId")
    igws = ctx.clients("ec2", d.region).describe_internet_gateways(
        Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}]
    )["InternetGateways"]
    igw = _one(igws)
    return Found(igw["InternetGatewayId"], {"id": igw["InternetGatewayId"]}) if igw else None


def _route_table(ctx: Context, d: Declared) -> Found | None:
    vpc_id = ctx.get(d, "vpcId")
    if not (d.inputs.get("tags") or {}).get("Name"):
        return None
    tables = ctx.clients("ec2", d.region).describe_route_tables(Filters=_tag_filters(d, vpc_id))[
        "RouteTables"
    ]
    table = _one(tables)
    return Found(table["RouteTableId"], {"id": table["RouteTableId"]}) if table else None


def _describe_route_table(ctx: Context, d: Declared, rtb: str) -> dict[str, Any]:
    return ctx.clients("ec2", d.region).describe_route_tables(RouteTableIds=[rtb])["RouteTables"][0]


def _route(ctx: Context, d: Declared) -> Found | None:
    rtb = ctx.get(d, "routeTableId")
    destination = d.inputs.get("destinationCidrBlock")
    routes = [
        r
        for r in _describe_route_table(ctx, d, rtb).get("Routes", [])
        if r.get("DestinationCidrBlock") == destination
    ]
    if not routes:
        return None
    found = Found(f"{rtb}_{destination}", {"id": f"{rtb}_{destination}"})
    gateway = ctx.get(d, "gatewayId") if d.inputs.get("gatewayId") else None
    if gateway and routes[0].get("GatewayId") != gateway:
        found.problems.append(
            Problem(
                DESIGN,
                f"routes {destination} to {routes[0].get('GatewayId') or 'another target'}, "
                f"the program declares {gateway}",
                "`pulumi up` points the route at the declared gateway",
            )
        )
    return found


def _route_table_association(ctx: Context, d: Declared) -> Found | None:
    rtb = ctx.get(d, "routeTableId")
    subnet = ctx.get(d, "subnetId")
    for assoc in _describe_route_table(ctx, d, rtb).get("Associations", []):
        if assoc.get("SubnetId") == subnet:
            return Found(f"{subnet}/{rtb}", {"id": assoc["RouteTableAssociationId"]})
    return None


def _security_group(ctx: Context, d: Declared) -> Found | None:
    vpc_id = ctx.get(d, "vpcId")
    ec2 = ctx.clients("ec2", d.region)
    groups = ec2.describe_security_groups(Filters=_tag_filters(d, vpc_id))["SecurityGroups"]
    if not groups and d.inputs.get("description"):
        groups = ec2.describe_security_groups(
            Filters=[
                {"Name": "vpc-id", "Values": [vpc_id]},
                {"Name": "description", "Values": [d.inputs["description"]]},
            ]
        )["SecurityGroups"]
    group = _one(groups)
    if group is None:
        return None
    found = Found(group["GroupId"], {"id": group["GroupId"], "arn": "", "name": group["GroupName"]})
    if d.inputs.get("description") and group.get("Description") != d.inputs["description"]:
        found.problems.append(
            Problem(
                REPLACE,
                f"description is {group.get('Description')!r}, the program declares "
                f"{d.inputs['description']!r}: a description change replaces a security group",
                "change the program's description to the live one, or let Pulumi create a new group "
                "(delete this one by hand after the cut-over)",
            )
        )
    return found


def _sg_rule(egress: bool) -> Callable[[Context, Declared], Found | None]:
    def locate(ctx: Context, d: Declared) -> Found | None:
        group = ctx.get(d, "securityGroupId")
        referenced = (
            ctx.get(d, "referencedSecurityGroupId") if d.inputs.get("referencedSecurityGroupId") else None
        )
        rules = ctx.clients("ec2", d.region).describe_security_group_rules(
            Filters=[{"Name": "group-id", "Values": [group]}]
        )["SecurityGroupRules"]
        protocol = str(d.inputs.get("ipProtocol"))
        for rule in rules:
            if bool(rule.get("IsEgress")) != egress or str(rule.get("IpProtocol")) != protocol:
                continue
            if protocol != "-1" and (
                rule.get("FromPort") != d.inputs.get("fromPort")
                or rule.get("ToPort") != d.inputs.get("toPort")
            ):
                continue
            peer = (rule.get("ReferencedGroupInfo") or {}).get("GroupId")
            if referenced is not None and peer != referenced:
                continue
            if referenced is None and rule.get("CidrIpv4") != d.inputs.get("cidrIpv4"):
                continue
            rule_id = rule["SecurityGroupRuleId"]
            return Found(rule_id, {"id": rule_id, "arn": ""})
        return None

    return locate


def _vpc_endpoint(ctx: Context, d: Declared) -> Found | None:
    vpc_id = ctx.get(d, "vpcId")
    endpoints = ctx.clients("ec2", d.region).describe_vpc_endpoints(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "service-name", "Values": [d.inputs["serviceName"]]},
        ]
    )["VpcEndpoints"]
    endpoints = [e for e in endpoints if str(e.get("State", "")).lower() not in ("deleted", "deleting")]
    endpoint = _one(endpoints)
    if endpoint is None:
        return None
    found = Found(endpoint["VpcEndpointId"], {"id": endpoint["VpcEndpointId"]})
    want = d.inputs.get("vpcEndpointType", "Gateway")
    if endpoint.get("VpcEndpointType") and endpoint["VpcEndpointType"] != want:
        found.problems.append(
            Problem(
                REPLACE,
                f"is a {endpoint['VpcEndpointType']} endpoint, the program declares {want}",
                "delete the endpoint by hand (nothing stateful) and let Pulumi create it",
            )
        )
    return found


def _launch_template(ctx: Context, d: Declared) -> Found | None:
    try:
        templates = ctx.clients("ec2", d.region).describe_launch_templates(
            LaunchTemplateNames=[d.inputs["name"]]
        )["LaunchTemplates"]
    except ClientError as err:
        if "NotFound" in _code(err) or _code(err) == "InvalidLaunchTemplateName.MalformedException":
            return None
        raise
    lt = _one(templates)
    if lt is None:
        return None
    return Found(
        lt["LaunchTemplateId"],
        {
            "id": lt["LaunchTemplateId"],
            "name": lt["LaunchTemplateName"],
            "arn": "",
            "latestVersion": str(lt.get("LatestVersionNumber")),
        },
    )


def _ami_copy(ctx: Context, d: Declared) -> Found | None:
    images = (
        ctx.clients("ec2", d.region)
        .describe_images(Owners=["self"], Filters=_tag_filters(d))
        .get("Images", [])
        if _tag_filters(d)
        else []
    )
    images.sort(key=lambda i: i.get("CreationDate", ""), reverse=True)
    if not images:
        return None  # nothing to adopt: the first `pulumi up` copies Seoul's Golden AMI
    existing = images[0]["ImageId"]
    fix = (
        f"use the AMI already in {d.region}: `pulumi config set --path ami.id {existing}`, or let "
        "Pulumi copy Seoul's Golden AMI (a new image, nothing is replaced)"
    )
    return Found(
        "",
        {"id": existing},
        [Problem(CANNOT, "pulumi-aws cannot import an AMI copy (aws:ec2/amiCopy has no import)", fix)],
    )


# --- IAM ----------------------------------------------------------------------------------------


def _role(ctx: Context, d: Declared) -> Found | None:
    name = d.inputs.get("name")
    if not name:
        arn = ctx.hint(d).get("arn", "")
        name = arn.rsplit("/", 1)[-1] if arn else None
    if not name:
        return None
    try:
        role = ctx.clients("iam", d.region).get_role(RoleName=name)["Role"]
    except ClientError as err:
        if _code(err) == "NoSuchEntity":
            return None
        raise
    return Found(name, {"id": name, "arn": role["Arn"], "name": name, "uniqueId": role.get("RoleId", "")})


def _policy_actions(document: Any) -> frozenset[str]:
    if isinstance(document, str):
        document = json.loads(document)
    statements = document.get("Statement", [])
    if isinstance(statements, dict):
        statements = [statements]
    actions: set[str] = set()
    for s in statements:
        value = s.get("Action", [])
        actions.update([value] if isinstance(value, str) else value)
    return frozenset(actions)


def _role_policy(ctx: Context, d: Declared) -> Found | None:
    role = ctx.get(d, "role")
    iam = ctx.clients("iam", d.region)
    name = d.inputs.get("name")
    if name:
        try:
            iam.get_role_policy(RoleName=role, PolicyName=name)
        except ClientError as err:
            if _code(err) == "NoSuchEntity":
                return None
            raise
        return Found(f"{role}:{name}", {"id": f"{role}:{name}"})
    # Unnamed (Pulumi would auto-name it): the inline policy of this role granting the same actions.
    want = _policy_actions(d.inputs["policy"])
    for policy_name in iam.list_role_policies(RoleName=role).get("PolicyNames", []):
        document = iam.get_role_policy(RoleName=role, PolicyName=policy_name)["PolicyDocument"]
        if _policy_actions(document) == want:
            return Found(f"{role}:{policy_name}", {"id": f"{role}:{policy_name}"})
    return None


def _managed_policy(ctx: Context, d: Declared) -> Found | None:
    """A customer-managed policy (the approver's): pulumi-aws imports it by its ARN."""
    path = d.inputs.get("path") or "/"
    arn = f"arn:aws:iam::{ctx.account}:policy{path}{d.inputs['name']}"
    try:
        ctx.clients("iam", d.region).get_policy(PolicyArn=arn)
    except ClientError as err:
        if _code(err) == "NoSuchEntity":
            return None
        raise
    return Found(arn, {"id": arn, "arn": arn, "name": d.inputs["name"]})


def _role_policy_attachment(ctx: Context, d: Declared) -> Found | None:
    role = ctx.get(d, "role")
    arn = ctx.get(d, "policyArn")
    attached = ctx.clients("iam", d.region).list_attached_role_policies(RoleName=role)["AttachedPolicies"]
    if any(p["PolicyArn"] == arn for p in attached):
        return Found(f"{role}/{arn}", {"id": f"{role}/{arn}"})
    return None


def _instance_profile(ctx: Context, d: Declared) -> Found | None:
    try:
        profile = ctx.clients("iam", d.region).get_instance_profile(InstanceProfileName=d.inputs["name"])[
            "InstanceProfile"
        ]
    except ClientError as err:
        if _code(err) == "NoSuchEntity":
            return None
        raise
    found = Found(d.inputs["name"], {"id": d.inputs["name"], "arn": profile["Arn"], "name": d.inputs["name"]})
    roles = [r["RoleName"] for r in profile.get("Roles", [])]
    want = ctx.get(d, "role")
    if roles != [want]:
        found.problems.append(
            Problem(
                DESIGN,
                f"holds role {', '.join(roles) or 'none'}, the program declares {want}",
                "`pulumi up` puts the declared role in the profile",
            )
        )
    return found


# --- load balancing / auto scaling --------------------------------------------------------------


def _load_balancer(ctx: Context, d: Declared) -> Found | None:
    try:
        lbs = ctx.clients("elbv2", d.region).describe_load_balancers(Names=[d.inputs["name"]])[
            "LoadBalancers"
        ]
    except ClientError as err:
        if _code(err) == "LoadBalancerNotFound":
            return None
        raise
    lb = lbs[0]
    found = Found(
        lb["LoadBalancerArn"],
        {
            "id": lb["LoadBalancerArn"],
            "arn": lb["LoadBalancerArn"],
            "dnsName": lb["DNSName"],
            "zoneId": lb.get("CanonicalHostedZoneId", ""),
            "arnSuffix": lb["LoadBalancerArn"].split(":loadbalancer/")[-1],
            "name": lb["LoadBalancerName"],
        },
    )
    scheme = "internal" if d.inputs.get("internal") else "internet-facing"
    kind = d.inputs.get("loadBalancerType", "application")
    if lb.get("Scheme") != scheme or lb.get("Type") != kind:
        found.problems.append(
            Problem(
                REPLACE,
                f"is an {lb.get('Scheme')} {lb.get('Type')} load balancer, the program declares "
                f"{scheme} {kind}",
                "delete it by hand during a maintenance window and let Pulumi create it "
                "(it holds no data), or rename it so both can live side by side",
            )
        )
    return found


def _target_group(ctx: Context, d: Declared) -> Found | None:
    # The program names target groups from a prefix (a replacement must not collide: day_two.py);
    # the deployment being adopted carries the documents' name, which is the declared Name tag.
    # Once imported, the first up replaces the group create-first under a prefixed name (no data).
    name = d.inputs.get("name") or (d.inputs.get("tags") or {}).get("Name")
    try:
        groups = ctx.clients("elbv2", d.region).describe_target_groups(Names=[name])[
            "TargetGroups"
        ]
    except ClientError as err:
        if _code(err) == "TargetGroupNotFound":
            return None
        raise
    tg = groups[0]
    found = Found(
        tg["TargetGroupArn"],
        {
            "id": tg["TargetGroupArn"],
            "arn": tg["TargetGroupArn"],
            "arnSuffix": tg["TargetGroupArn"].split(":")[-1],
            "name": tg["TargetGroupName"],
        },
    )
    vpc_id = ctx.get(d, "vpcId")
    differs = [
        f"{k} {live} (declared {want})"
        for k, live, want in (
            ("port", tg.get("Port"), d.inputs.get("port")),
            ("protocol", tg.get("Protocol"), d.inputs.get("protocol")),
            ("VPC", tg.get("VpcId"), vpc_id),
            ("target type", tg.get("TargetType"), d.inputs.get("targetType", "instance")),
        )
        if live != want
    ]
    if differs:
        found.problems.append(
            Problem(
                REPLACE,
                "has " + ", ".join(differs) + ": each forces replacement",
                "let Pulumi create the target group under a new name, or change the "
                "program's settings to the live ones",
            )
        )
    return found


def _listener(ctx: Context, d: Declared) -> Found | None:
    lb_arn = ctx.get(d, "loadBalancerArn")
    listeners = ctx.clients("elbv2", d.region).describe_listeners(LoadBalancerArn=lb_arn)["Listeners"]
    listener = _one([x for x in listeners if x.get("Port") == d.inputs.get("port")])
    if listener is None:
        return None
    return Found(listener["ListenerArn"], {"id": listener["ListenerArn"], "arn": listener["ListenerArn"]})


def _asg(ctx: Context, d: Declared) -> Found | None:
    groups = ctx.clients("autoscaling", d.region).describe_auto_scaling_groups(
        AutoScalingGroupNames=[d.inputs["name"]]
    )["AutoScalingGroups"]
    if not groups:
        return None
    asg = groups[0]
    found = Found(
        asg["AutoScalingGroupName"],
        {
            "id": asg["AutoScalingGroupName"],
            "arn": asg.get("AutoScalingGroupARN", ""),
            "name": asg["AutoScalingGroupName"],
        },
    )
    spec = (
        asg.get("LaunchTemplate")
        or (asg.get("MixedInstancesPolicy") or {})
        .get("LaunchTemplate", {})
        .get("LaunchTemplateSpecification")
        or {}
    )
    want = d.inputs.get("launchTemplate") or {}
    want_version = str(want.get("version", "$Latest"))
    update = (
        f"aws autoscaling update-auto-scaling-group --region {d.region} --auto-scaling-group-name "
        f"{asg['AutoScalingGroupName']} --launch-template 'LaunchTemplateId={{id}},Version={want_version}'"
    )
    try:
        want_id = ctx.get(d, "launchTemplate").get("id")
    except UnresolvedError:
        want_id = None
    if not spec:
        found.problems.append(
            Problem(
                DESIGN,
                "launches from a launch configuration, not a launch template",
                "`pulumi up` switches it to the declared launch template; or now: "
                + update.format(id=want_id or "<lt-id>"),
            )
        )
        return found
    version = str(spec.get("Version", "$Default"))
    if version.isdigit():
        found.problems.append(
            Problem(
                DESIGN,
                f"pinned to launch template version {version}: step 2 writes the NLB address into a "
                f"new {want_version} version the ASG would never launch (the Versions=['2'] incident)",
                f"`pulumi up` sets version {want_version} after the import; to fix it now: "
                + update.format(id=spec.get("LaunchTemplateId") or want_id),
            )
        )
    if want_id and spec.get("LaunchTemplateId") and spec["LaunchTemplateId"] != want_id:
        found.problems.append(
            Problem(
                DESIGN,
                f"launches from {spec.get('LaunchTemplateName') or spec['LaunchTemplateId']}, not the "
                "program's launch template",
                "`pulumi up` points it at the declared template; or now: " + update.format(id=want_id),
            )
        )
    return found


# --- events, queues, topics, keys ---------------------------------------------------------------


def _bus_prefix(bus: str | None) -> str:
    return "" if not bus or bus == "default" else f"{bus}/"


def _event_bus(ctx: Context, d: Declared) -> Found | None:
    try:
        bus = ctx.clients("events", d.region).describe_event_bus(Name=d.inputs["name"])
    except ClientError as err:
        if _code(err) == "ResourceNotFoundException":
            return None
        raise
    return Found(d.inputs["name"], {"id": d.inputs["name"], "arn": bus["Arn"], "name": d.inputs["name"]})


def _event_rule(ctx: Context, d: Declared) -> Found | None:
    bus = d.inputs.get("eventBusName")
    kwargs = {"Name": d.inputs["name"], **({"EventBusName": bus} if bus else {})}
    try:
        rule = ctx.clients("events", d.region).describe_rule(**kwargs)
    except ClientError as err:
        if _code(err) == "ResourceNotFoundException":
            return None
        raise
    rule_id = f"{_bus_prefix(bus)}{d.inputs['name']}"
    found = Found(rule_id, {"id": rule_id, "arn": rule["Arn"], "name": d.inputs["name"]})
    if rule.get("State") == "DISABLED":
        found.problems.append(
            Problem(
                DESIGN,
                "is DISABLED: no event reaches its target",
                "`pulumi up` enables it (the program declares it enabled)",
            )
        )
    return found


def _event_target(ctx: Context, d: Declared) -> Found | None:
    bus = d.inputs.get("eventBusName")
    rule = d.inputs["rule"]
    kwargs = {"Rule": rule, **({"EventBusName": bus} if bus else {})}
    try:
        targets = ctx.clients("events", d.region).list_targets_by_rule(**kwargs)["Targets"]
    except ClientError as err:
        if _code(err) == "ResourceNotFoundException":
            return None
        raise
    target_id = d.inputs.get("targetId")
    if target_id:
        match = _one([t for t in targets if t["Id"] == target_id])
    else:  # auto-named by Pulumi: the target with the declared ARN
        arn = ctx.get(d, "arn")
        match = _one([t for t in targets if t["Arn"] == arn])
    if match is None:
        return None
    import_id = f"{_bus_prefix(bus)}{rule}/{match['Id']}"
    found = Found(import_id, {"id": import_id})
    try:
        arn = ctx.get(d, "arn")
    except UnresolvedError:
        arn = None
    if arn and match["Arn"] != arn:
        found.problems.append(
            Problem(
                DESIGN,
                f"targets {match['Arn']}, the program declares {arn}",
                "`pulumi up` points the target at the declared resource",
            )
        )
    return found


def _queue(ctx: Context, d: Declared) -> Found | None:
    sqs = ctx.clients("sqs", d.region)
    try:
        url = sqs.get_queue_url(QueueName=d.inputs["name"])["QueueUrl"]
    except ClientError as err:
        if "NonExistentQueue" in _code(err) or _code(err) == "QueueDoesNotExist":
            return None
        raise
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return Found(url, {"id": url, "url": url, "arn": arn, "name": d.inputs["name"]})


def _queue_policy(ctx: Context, d: Declared) -> Found | None:
    url = ctx.get(d, "queueUrl")
    attrs = ctx.clients("sqs", d.region).get_queue_attributes(QueueUrl=url, AttributeNames=["Policy"])
    return Found(url, {"id": url}) if attrs.get("Attributes", {}).get("Policy") else None


def _kms_key(ctx: Context, d: Declared) -> Found | None:
    key_id = ctx.hint(d).get("id") or ctx.hint(d).get("arn")
    if not key_id:
        return None
    try:
        meta = ctx.clients("kms", d.region).describe_key(KeyId=key_id)["KeyMetadata"]
    except ClientError as err:
        if _code(err) == "NotFoundException":
            return None
        raise
    found = Found(meta["KeyId"], {"id": meta["KeyId"], "arn": meta["Arn"], "keyId": meta["KeyId"]})
    if meta.get("KeyState") in ("PendingDeletion", "Disabled"):
        found.problems.append(
            Problem(
                DESIGN,
                f"is {meta['KeyState']}: the topic cannot encrypt messages",
                f"`aws kms cancel-key-deletion --key-id {meta['KeyId']}` (pending deletion) or "
                f"`aws kms enable-key --key-id {meta['KeyId']}` (disabled)",
            )
        )
    return found


def _kms_alias(ctx: Context, d: Declared) -> Found | None:
    kms = ctx.clients("kms", d.region)
    for page in kms.get_paginator("list_aliases").paginate():
        for alias in page["Aliases"]:
            if alias["AliasName"] == d.inputs["name"]:
                found = Found(
                    alias["AliasName"], {"id": alias["AliasName"], "arn": alias.get("AliasArn", "")}
                )
                if alias.get("TargetKeyId"):
                    found.links["targetKeyId"] = alias["TargetKeyId"]
                return found
    return None


def _topic(ctx: Context, d: Declared) -> Found | None:
    arn = f"arn:aws:sns:{d.region}:{ctx.account}:{d.inputs['name']}"
    try:
        attrs = ctx.clients("sns", d.region).get_topic_attributes(TopicArn=arn)["Attributes"]
    except ClientError as err:
        if _code(err) == "NotFound":
            return None
        raise
    found = Found(arn, {"id": arn, "arn": arn, "name": d.inputs["name"]})
    if attrs.get("KmsMasterKeyId"):
        found.links["kmsMasterKeyId"] = attrs["KmsMasterKeyId"]
    return found


def _subscription(ctx: Context, d: Declared) -> Found | None:
    topic = ctx.get(d, "topic")
    sns = ctx.clients("sns", d.region)
    try:
        subs = [
            s
            for page in sns.get_paginator("list_subscriptions_by_topic").paginate(TopicArn=topic)
            for s in page["Subscriptions"]
        ]
    except ClientError as err:
        if _code(err) == "NotFound":
            return None
        raise
    match = _one(
        [
            s
            for s in subs
            if s["Protocol"] == d.inputs.get("protocol") and s["Endpoint"] == d.inputs.get("endpoint")
        ]
    )
    if match is None:
        return None
    if not match["SubscriptionArn"].startswith("arn:"):
        return Found(
            "",
            {"id": ""},
            [
                Problem(
                    CANNOT,
                    f"{d.inputs.get('protocol')}:{d.inputs.get('endpoint')} is pending confirmation (no "
                    "subscription ARN to import)",
                    "confirm it from the mail/SMS before importing, or let Pulumi "
                    "subscribe again (a new confirmation is sent; SNS drops unconfirmed email after 3 days)",
                )
            ],
        )
    return Found(match["SubscriptionArn"], {"id": match["SubscriptionArn"], "arn": match["SubscriptionArn"]})


# --- Lambda, Step Functions, logs, alarms -------------------------------------------------------


def _function(ctx: Context, d: Declared) -> Found | None:
    try:
        fn = ctx.clients("lambda", d.region).get_function(FunctionName=d.inputs["name"])["Configuration"]
    except ClientError as err:
        if _code(err) == "ResourceNotFoundException":
            return None
        raise
    found = Found(
        d.inputs["name"],
        {
            "id": d.inputs["name"],
            "arn": fn["FunctionArn"],
            "name": d.inputs["name"],
            "invokeArn": fn["FunctionArn"],
            "qualifiedArn": fn["FunctionArn"],
        },
        links={"role": fn["Role"]},
    )
    want = d.inputs.get("packageType", "Zip")
    if fn.get("PackageType", "Zip") != want:
        found.problems.append(
            Problem(
                REPLACE,
                f"is a {fn['PackageType']} function, the program deploys {want}",
                "delete the function by hand (its code is in this repository) and let Pulumi create it",
            )
        )
    return found


def _permission(ctx: Context, d: Declared) -> Found | None:
    function = ctx.get(d, "function")
    try:
        policy = json.loads(ctx.clients("lambda", d.region).get_policy(FunctionName=function)["Policy"])
    except ClientError as err:
        if _code(err) == "ResourceNotFoundException":
            return None
        raise
    statement_id = d.inputs.get("statementId")
    try:
        source = ctx.get(d, "sourceArn") if d.inputs.get("sourceArn") else None
    except UnresolvedError:
        source = None
    for s in policy.get("Statement", []):
        principal = s.get("Principal", {})
        principal = principal.get("Service", principal) if isinstance(principal, dict) else principal
        if statement_id and s.get("Sid") != statement_id:
            continue
        if not statement_id:
            arn = (s.get("Condition", {}).get("ArnLike", {}) or {}).get("AWS:SourceArn")
            if principal != d.inputs.get("principal") or (source and arn != source):
                continue
        return Found(f"{function}/{s['Sid']}", {"id": s["Sid"]})
    return None


def _state_machine(ctx: Context, d: Declared) -> Found | None:
    arn = f"arn:aws:states:{d.region}:{ctx.account}:stateMachine:{d.inputs['name']}"
    try:
        sm = ctx.clients("stepfunctions", d.region).describe_state_machine(stateMachineArn=arn)
    except ClientError as err:
        if _code(err) == "StateMachineDoesNotExist":
            return None
        raise
    found = Found(arn, {"id": arn, "arn": arn, "name": d.inputs["name"]})
    want = d.inputs.get("type", "STANDARD")
    if sm.get("type", "STANDARD") != want:
        found.problems.append(
            Problem(
                REPLACE,
                f"is an {sm.get('type')} state machine, the program declares {want}: the type "
                "forces replacement (and EXPRESS cannot wait for approval)",
                "delete it by hand once no execution runs (`drctl status`), then let Pulumi create it",
            )
        )
    return found


def _log_group(ctx: Context, d: Declared) -> Found | None:
    groups = ctx.clients("logs", d.region).describe_log_groups(logGroupNamePrefix=d.inputs["name"])[
        "logGroups"
    ]
    group = _one([g for g in groups if g["logGroupName"] == d.inputs["name"]])
    if group is None:
        return None
    arn = group.get("arn", "").removesuffix(":*")
    return Found(d.inputs["name"], {"id": d.inputs["name"], "arn": arn, "name": d.inputs["name"]})


def _alarm(ctx: Context, d: Declared) -> Found | None:
    alarms = ctx.clients("cloudwatch", d.region).describe_alarms(AlarmNames=[d.inputs["name"]])[
        "MetricAlarms"
    ]
    alarm = _one(alarms)
    if alarm is None:
        return None
    return Found(
        alarm["AlarmName"], {"id": alarm["AlarmName"], "arn": alarm["AlarmArn"], "name": alarm["AlarmName"]}
    )


# --- Route53 ------------------------------------------------------------------------------------


def _health_check(ctx: Context, d: Declared) -> Found | None:
    r53 = ctx.clients("route53", ALARM_REGION)
    checks = [c for page in r53.get_paginator("list_health_checks").paginate() for c in page["HealthChecks"]]
    kind = d.inputs.get("type")
    candidates = []
    for c in checks:
        config = c["HealthCheckConfig"]
        if config.get("Type") != kind:
            continue
        if kind == "CALCULATED":
            if sorted(config.get("ChildHealthChecks", [])) != sorted(ctx.get(d, "childHealthchecks")):
                continue
        elif kind == "CLOUDWATCH_METRIC":
            alarm = c.get("CloudWatchAlarmConfiguration") or {}
            identifier = config.get("AlarmIdentifier") or {}
            name = identifier.get("Name") or alarm.get("MetricName")
            if name != d.inputs.get("cloudwatchAlarmName"):
                continue
        else:
            if config.get("FullyQualifiedDomainName") != ctx.get(d, "fqdn") or config.get(
                "ResourcePath"
            ) != d.inputs.get("resourcePath"):
                continue
        candidates.append(c)
    check = _one(candidates)
    if check is None:
        return None
    found = Found(check["Id"], {"id": check["Id"], "arn": f"arn:aws:route53:::healthcheck/{check['Id']}"})
    config = check["HealthCheckConfig"]
    if kind not in ("CALCULATED", "CLOUDWATCH_METRIC"):
        for key, live_key in (("requestInterval", "RequestInterval"),):
            if d.inputs.get(key) is not None and config.get(live_key) != d.inputs[key]:
                found.problems.append(
                    Problem(
                        REPLACE,
                        f"probes every {config.get(live_key)} s, the program "
                        f"declares {d.inputs[key]} s: the interval forces replacement",
                        f"set megaticket-dr:healthCheck.interval to {config.get(live_key)}, "
                        "or accept a new health check (the records and alarm follow it)",
                    )
                )
    return found


def _record(ctx: Context, d: Declared) -> Found | None:
    zone = ctx.get(d, "zoneId")
    name = str(d.inputs["name"]).rstrip(".")
    kind = d.inputs.get("type")
    set_id = d.inputs.get("setIdentifier")
    sets = ctx.clients("route53", ALARM_REGION).list_resource_record_sets(
        HostedZoneId=zone, StartRecordName=name, StartRecordType=kind
    )["ResourceRecordSets"]
    match = _one(
        [
            s
            for s in sets
            if s["Name"].rstrip(".") == name and s["Type"] == kind and s.get("SetIdentifier") == set_id
        ]
    )
    if match is None:
        return None
    import_id = "_".join([zone, name, kind] + ([set_id] if set_id else []))
    found = Found(import_id, {"id": import_id, "fqdn": name})
    want = (d.inputs.get("failoverRoutingPolicies") or [{}])[0].get("type")
    if want and match.get("Failover") != want:
        found.problems.append(
            Problem(
                DESIGN,
                f"is a {match.get('Failover') or 'non-failover'} record, the program declares {want}",
                "`pulumi up` sets the declared failover role",
            )
        )
    return found


LOCATORS: dict[str, Callable[[Context, Declared], Found | None]] = {
    "aws:dynamodb/table:Table": _table,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _subnet,
    "aws:ec2/internetGateway:InternetGateway": _internet_gateway,
    "aws:ec2/routeTable:RouteTable": _route_table,
    "aws:ec2/route:Route": _route,
    "aws:ec2/routeTableAssociation:RouteTableAssociation": _route_table_association,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": _sg_rule(egress=False),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": _sg_rule(egress=True),
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/amiCopy:AmiCopy": _ami_copy,
    "aws:iam/role:Role": _role,
    "aws:iam/rolePolicy:RolePolicy": _role_policy,
    "aws:iam/policy:Policy": _managed_policy,
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": _role_policy_attachment,
    "aws:iam/instanceProfile:InstanceProfile": _instance_profile,
    "aws:lb/loadBalancer:LoadBalancer": _load_balancer,
    "aws:lb/targetGroup:TargetGroup": _target_group,
    "aws:lb/listener:Listener": _listener,
    "aws:autoscaling/group:Group": _asg,
    "aws:cloudwatch/eventBus:EventBus": _event_bus,
    "aws:cloudwatch/eventRule:EventRule": _event_rule,
    "aws:cloudwatch/eventTarget:EventTarget": _event_target,
    "aws:sqs/queue:Queue": _queue,
    "aws:sqs/queuePolicy:QueuePolicy": _queue_policy,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:sns/topic:Topic": _topic,
    "aws:sns/topicSubscription:TopicSubscription": _subscription,
    "aws:lambda/function:Function": _function,
    "aws:lambda/permission:Permission": _permission,
    "aws:sfn/stateMachine:StateMachine": _state_machine,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:cloudwatch/metricAlarm:MetricAlarm": _alarm,
    "aws:route53/healthCheck:HealthCheck": _health_check,
    "aws:route53/record:Record": _record,
}
