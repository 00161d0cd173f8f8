"""The MegaTicket DynamoDB global tables, owned by the primary stack.

One `aws.dynamodb.Table` per table (version 2019.11.21 global tables: the replicas are blocks of
the table, so one resource and one provider own the whole global table). The DR stack never
declares a second copy; it reads the names and ARNs from the primary's outputs (a second
declaration in Tokyo would either fail with TableAlreadyExists or, worse, fight over replicas).

Every table: on-demand billing (a pilot light has no steady load to provision for), streams
NEW_AND_OLD_IMAGES (required for replication), point-in-time recovery on the table and on every
replica (PITR is per replica: a failover must not lose the ability to restore), deletion
protection on table and replicas, and server-side encryption with the AWS managed key
(`alias/aws/dynamodb`, which exists in every region, so replicas need no key of their own).

Every table is `protect`ed: a change that would replace one (a new `tablePrefix`, another key
schema) is stopped by the engine instead of creating a new, empty table and pointing the app at
it (deletion protection alone only fails the delete of the old one, after the switch). The
program's day-two guard (day_two.py) refuses the same change earlier, with the fix.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

from stack_config import TableSpec

_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_PREFIX = re.compile(r"^[A-Za-z0-9_.-]{3,200}$")
_ATTRIBUTE = re.compile(r"^[A-Za-z0-9_.-]{1,255}$")
_SUFFIX = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,40}$")


@dataclass(frozen=True)
class GlobalTablesArgs:
    table_prefix: str
    tables: tuple[TableSpec, ...]
    replica_regions: tuple[str, ...]
    deletion_protection: bool = True
    tags: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # The prefix and key names come checked from stack_config; these are invariants between
        # the arguments a programmatic caller could break.
        if not self.tables:
            raise ValueError("tables must list at least one TableSpec (got none)")
        suffixes = [t.suffix for t in self.tables]
        if len(set(suffixes)) != len(suffixes):
            raise ValueError(f"tables must have distinct suffixes (got {suffixes})")
        for spec in self.tables:
            if spec.range_key == spec.hash_key:
                raise ValueError(f"table {spec.suffix} range_key must differ from hash_key "
                                 f"(got {spec.range_key!r} for both)")
        if not self.replica_regions:
            raise ValueError("replica_regions must name at least one region such as "
                             "ap-northeast-1 (a global table without a replica cannot fail over)")
        if len(set(self.replica_regions)) != len(self.replica_regions):
            raise ValueError(f"replica_regions must be distinct (got {list(self.replica_regions)})")


class GlobalTables(pulumi.ComponentResource):
    """The global tables in the provider's region with a replica in each of `replica_regions`."""

    table_names: pulumi.Output[dict[str, str]]
    table_arns: pulumi.Output[dict[str, str]]
    stream_arns: pulumi.Output[dict[str, str]]

    def __init__(self, name: str, args: GlobalTablesArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:data:GlobalTables", name, None, opts)
        child = pulumi.ResourceOptions(parent=self, protect=True)
        tables: dict[str, aws.dynamodb.Table] = {}
        for spec in args.tables:
            table_name = f"{args.table_prefix}-{spec.suffix}"
            attributes = [aws.dynamodb.TableAttributeArgs(name=spec.hash_key, type="S")]
            if spec.range_key:
                attributes.append(aws.dynamodb.TableAttributeArgs(name=spec.range_key, type="S"))
            tables[spec.suffix] = aws.dynamodb.Table(
                f"{name}-{spec.suffix}",
                name=table_name,
                billing_mode="PAY_PER_REQUEST",
                hash_key=spec.hash_key,
                range_key=spec.range_key,
                attributes=attributes,
                stream_enabled=True,
                stream_view_type="NEW_AND_OLD_IMAGES",
                point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
                server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
                deletion_protection_enabled=args.deletion_protection,
                replicas=[aws.dynamodb.TableReplicaArgs(
                    region_name=region,
                    point_in_time_recovery=True,
                    propagate_tags=True,
                    deletion_protection_enabled=args.deletion_protection,
                ) for region in args.replica_regions],
                tags={**dict(args.tags), "Name": table_name},
                opts=child,
            )

        def collect(attribute: str) -> pulumi.Output[dict[str, str]]:
            return pulumi.Output.all(**{
                suffix: getattr(table, attribute) for suffix, table in tables.items()
            }).apply(dict)

        self.table_names = collect("name")
        self.table_arns = collect("arn")
        self.stream_arns = collect("stream_arn")
        self.register_outputs({"table_names": self.table_names, "table_arns": self.table_arns,
                               "stream_arns": self.stream_arns})
