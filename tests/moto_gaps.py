"""Where moto cannot represent AWS: every gap the tests fill, in one place, and only here.

Filled on moto's in-process models (also what its threaded server serves), never in drctl or the
checks:
  1. DynamoDB global tables: moto keeps one unrelated table per region and its describe_table has
     no `Replicas`. tests/deployer.py creates the table in every replica region and `set_replicas`
     adds what AWS returns for a v2019 global table (`{"RegionName": ..., "ReplicaStatus":
     "ACTIVE"}` for each other region).
  2. SNS subscriptions awaiting confirmation: moto confirms every subscription at once; AWS lists an
     unconfirmed one with SubscriptionArn "PendingConfirmation" (`mark_pending`).

Not filled, and how the tests cope:
  3. Route53 health-check status: moto always reports Success; the failing case is a stub client
     in tests/drctl/test_checks_unit.py.
  4. CreateLaunchTemplateVersion with SourceVersion: moto does not merge the source version's data;
     the fault helpers (tests/drctl/faults.py) pass the whole data instead.
  5. Network load balancer ARNs: moto writes `loadbalancer/app/` for every type; the step-roles check
     rebuilds an NLB's ARN as AWS writes it (`loadbalancer/net/<name>/<id>`).
  6. IAM policy simulation (SimulatePrincipalPolicy) is not implemented by moto: the step-roles
     check evaluates the roles' policy documents itself (failover/iam_eval.py).
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


def set_replicas(region: str, table_name: str, replicas: list[dict[str, str]] | None) -> None:
    """What describe_table lists as the table's replicas (None: no `Replicas` key, a plain table)."""
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
