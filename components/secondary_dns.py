"""The SECONDARY failover record (tokyo stack): the domain answers with the Tokyo ALB when the
PRIMARY record is unhealthy.

An alias record, so it carries no TTL: Route53 rejects a TTL on an alias record set (the
document's `change-resource-record-sets` example sets both and would fail); alias answers use
the target's own TTL (60 s for an ALB). `evaluate_target_health` makes Route53 skip Tokyo too
when its ALB has no healthy targets, which is the case while the pilot light is at zero: then
Route53 answers with the PRIMARY anyway (both unhealthy means "answer the primary").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

import pulumi
import pulumi_aws as aws

from failover.contract import ROUTE53_SET_IDENTIFIER


def validate_record(record_name: str, set_identifier: str) -> None:
    """Shared by the PRIMARY and SECONDARY records (the record name comes checked from stack_config)."""
    if not record_name:
        raise ValueError("record_name must be the failover record's DNS name (got nothing)")
    if not isinstance(set_identifier, str) or ROUTE53_SET_IDENTIFIER.problem(set_identifier):
        raise ValueError(f"set_identifier must be 1-128 letters, digits, _ . or - "
                         f"(got {set_identifier!r})")


def require_input(value: object, what: str, example: str) -> None:
    if value is None or value == "":
        raise ValueError(f"{what} must be {example} (got nothing)")


@dataclass(frozen=True)
class SecondaryDnsArgs:
    record_name: str
    hosted_zone_id: pulumi.Input[str]
    alb_dns_name: pulumi.Input[str]
    alb_zone_id: pulumi.Input[str]
    set_identifier: str = "secondary"
    # Fast profile: Tokyo's web check AND the approval gate (components/approval_gate.py).
    health_check_id: Optional[pulumi.Input[str]] = None

    def __post_init__(self) -> None:
        validate_record(self.record_name, self.set_identifier)
        require_input(self.hosted_zone_id, "hosted_zone_id", "the Route53 hosted zone id")
        require_input(self.alb_dns_name, "alb_dns_name", "the Tokyo ALB DNS name")
        require_input(self.alb_zone_id, "alb_zone_id", "the Tokyo ALB canonical hosted zone id")


class SecondaryDns(pulumi.ComponentResource):
    """The SECONDARY alias A record `record_name` -> Tokyo ALB."""

    fqdn: pulumi.Output[str]

    def __init__(self, name: str, args: SecondaryDnsArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:dns:SecondaryDns", name, None, opts)
        record = aws.route53.Record(
            f"{name}-record",
            zone_id=args.hosted_zone_id,
            name=args.record_name,
            type="A",
            set_identifier=args.set_identifier,
            failover_routing_policies=[{"type": "SECONDARY"}],
            health_check_id=args.health_check_id,
            aliases=[{"name": args.alb_dns_name, "zone_id": args.alb_zone_id,
                      "evaluate_target_health": True}],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.fqdn = record.fqdn
        self.register_outputs({"fqdn": self.fqdn})
