"""Marked stand-ins for values that exist only after deploy.

They look nothing like real AWS values (`⟨MegaTicket-DR-NLB.dnsName⟩`), so nobody mistakes a
preview for a deployment. They are for people: the policy pack never sees one. Before a resource
reaches the pack, `for_engine` turns every value that contains a marker into the engine's unknown,
exactly what `pulumi preview` sends for a value computed from something not yet created (a string
built from an unknown is unknown as a whole), so the pack judges the same under both.
"""

from __future__ import annotations

from typing import Any

from pulumi.runtime import rpc

MARK = "⟨"
UNKNOWN = rpc.UNKNOWN  # the engine's unknown sentinel, as the Analyzer protocol carries it

# Attributes AWS computes on create that the program reads from other resources.
_COMPUTED = ("arn", "dnsName", "zoneId", "arnSuffix", "invokeArn", "uniqueId", "qualifiedArn")
_COMPUTED_BY_TYPE = {
    "aws:ec2/amiCopy:AmiCopy": ("imageId",),
    "aws:ec2/vpc:Vpc": ("defaultSecurityGroupId", "mainRouteTableId"),
    "aws:route53/zone:Zone": ("nameServers",),
    "aws:dynamodb/table:Table": ("streamArn",),
    "aws:route53/record:Record": ("fqdn",),
    "aws:apigatewayv2/api:Api": ("apiEndpoint", "executionArn"),
    "aws:apigatewayv2/stage:Stage": ("invokeUrl",),
    # A program that reads template.latest_version pins a number AWS assigns on create.
    "aws:ec2/launchTemplate:LaunchTemplate": ("latestVersion",),
    # Read back by other resources (the KMS alias's targetKeyId is the key's keyId).
    "aws:kms/key:Key": ("keyId",),
}


def label_of(name: str, inputs: dict[str, Any]) -> str:
    """What a resource's placeholders are named after: its physical `name` input, else its
    logical name (drctl import-plan resolves placeholders back to resources by this label)."""
    return str(inputs.get("name") or name)


def placeholder(label: str, prop: str) -> str:
    return f"⟨{label}.{prop}⟩"


def is_placeholder(value: Any) -> bool:
    return isinstance(value, str) and MARK in value


def for_engine(value: Any) -> Any:
    """value with every marked string replaced by the engine's unknown (dicts and lists walked)."""
    if isinstance(value, str):
        return UNKNOWN if MARK in value else value
    if isinstance(value, dict):
        return {key: for_engine(item) for key, item in value.items()}
    if isinstance(value, list):
        return [for_engine(item) for item in value]
    return value


def computed_state(type_: str, label: str, inputs: dict[str, Any]) -> dict[str, Any]:
    names = _COMPUTED + _COMPUTED_BY_TYPE.get(type_, ())
    if "namePrefix" in inputs and "name" not in inputs:
        names += ("name",)  # AWS completes a name prefix to a unique name at create
    return {n: placeholder(label, n) for n in names if n not in inputs}


def invoke_result(token: str, args: dict[str, Any]) -> dict[str, Any]:
    """What a data source returns, as far as the program uses it."""
    if token == "aws:index/getCallerIdentity:getCallerIdentity":
        return {"accountId": "⟨aws.accountId⟩", "arn": "⟨aws.callerArn⟩",
                "userId": "⟨aws.userId⟩", "id": "⟨aws.accountId⟩"}
    if token == "aws:index/getPartition:getPartition":
        return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}
    if token == "aws:route53/getZone:getZone":
        name = str(args.get("name", "zone")).rstrip(".")
        return {"zoneId": placeholder(f"zone {name}", "zoneId"), "id": placeholder(f"zone {name}", "id"),
                "name": name}
    if token == "aws:ec2/getAmi:getAmi":
        filters = {f.get("name"): list(f.get("values", [])) for f in args.get("filters", [])}
        if filters.get("image-id"):  # pinned by id: that image, its tags known only to AWS
            image_id = str(filters["image-id"][0])
            label = f"ami {image_id}"
            return {"id": image_id, "imageId": image_id, "name": placeholder(label, "name"),
                    "tags": {"Build": placeholder(label, "tags.Build")}}
        names = [v for values in filters.values() for v in values]
        label = f"ami {' '.join(names) or 'lookup'}"
        # An image found by its Build tag carries that tag.
        tags = {k.removeprefix("tag:"): v[0] for k, v in filters.items() if k.startswith("tag:") and v}
        return {"id": placeholder(label, "id"), "imageId": placeholder(label, "id"),
                "tags": tags, "name": placeholder(label, "name")}
    if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
        return {"names": [placeholder("az", "1"), placeholder("az", "2"), placeholder("az", "3")],
                "zoneIds": [placeholder("az", "id1"), placeholder("az", "id2"), placeholder("az", "id3")],
                "id": "azs"}
    if token == "aws:ec2/getVpc:getVpc":
        vpc_id = str(args.get("id") or "vpc")
        return {"id": vpc_id, "cidrBlock": placeholder(f"vpc {vpc_id}", "cidrBlock"),
                "arn": placeholder(f"vpc {vpc_id}", "arn")}
    if token == "aws:lb/getLbs:getLbs":
        # nlb.mode on-failover looks for the NLB failover step 1 creates; a preview shows the
        # pilot light as deployed, before any failover: there is none.
        return {"arns": [], "id": "lbs"}
    if token == "aws:index/getRegion:getRegion":
        region = str(args.get("region") or args.get("name") or placeholder("aws", "region"))
        return {"region": region, "name": region, "id": region}
    return {}
