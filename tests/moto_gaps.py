"""Pilot-light states moto cannot represent, set on the in-process moto server's models.

Each gap is filled where AWS would answer differently, never in drctl or the checks:
  - DynamoDB global-table replicas: moto's describe_table has no `Replicas`; we add what AWS
    returns for a v2019 global table (`{"RegionName": ..., "ReplicaStatus": "ACTIVE"}`).
  - SNS subscriptions awaiting confirmation: moto confirms every subscription at once; AWS lists an
    unconfirmed one with SubscriptionArn "PendingConfirmation".
  - Route53 health-check status: moto always reports Success; the failing case is covered by a
    stub client in test_checks_unit.py.
"""

from __future__ import annotations

from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.table import Table
from moto.sns.models import sns_backends

_original_describe = Table.describe


def _describe_with_replicas(self: Table, *args: Any, **kwargs: Any) -> dict[str, Any]:
    result = _original_describe(self, *args, **kwargs)
    replicas = getattr(self, "test_replicas", None)
    if replicas is not None:
        next(iter(result.values()))["Replicas"] = replicas
    return result


def install() -> None:
    Table.describe = _describe_with_replicas  # type: ignore[method-assign]


def set_replicas(region: str, table_name: str, replicas: list[dict[str, str]]) -> None:
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables[table_name]
    table.test_replicas = replicas  # type: ignore[attr-defined]


def mark_pending(region: str, topic_arn: str, endpoint: str) -> None:
    backend = sns_backends[DEFAULT_ACCOUNT_ID][region]
    for arn, sub in list(backend.subscriptions.items()):
        if sub.topic.arn == topic_arn and sub.endpoint == endpoint:
            del backend.subscriptions[arn]
            sub.arn = "PendingConfirmation"
            sub.confirmed = False
            sub.attributes["PendingConfirmation"] = "true"
            sub.attributes["SubscriptionArn"] = "PendingConfirmation"
            backend.subscriptions[f"pending:{arn}"] = sub
            return
    raise KeyError(f"no subscription {endpoint} on {topic_arn}")
