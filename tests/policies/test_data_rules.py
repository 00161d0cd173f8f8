"""DynamoDB replica and point-in-time recovery rules through the protocol."""

from __future__ import annotations

import pytest

from policies.analyzer_harness import UNKNOWN
from tests.policies.resources import SEOUL, TABLE, TOKYO, resource, violations_of

REPLICA = "primary-tables-replicated-to-dr"
PITR = "primary-tables-point-in-time-recovery"
GOOD_REPLICAS = [{"regionName": TOKYO, "pointInTimeRecovery": True}]


def table(*, replicas: object = GOOD_REPLICAS, pitr: object = True, region: str = SEOUL) -> object:
    props: dict = {
        "name": "KDT-Msp4-PLDR-reservations",
        "billingMode": "PAY_PER_REQUEST",
        "hashKey": "id",
        "streamEnabled": True,
        "streamViewType": "NEW_AND_OLD_IMAGES",
    }
    if replicas is not None:
        props["replicas"] = replicas
    if pitr is not None:
        props["pointInTimeRecovery"] = {"enabled": pitr} if pitr != UNKNOWN else UNKNOWN
    return resource(TABLE, "reservations", props, region=region)


def test_replicated_table_with_pitr_passes(any_pack):
    assert violations_of(any_pack, REPLICA, table()) == []
    assert violations_of(any_pack, PITR, table()) == []


@pytest.mark.parametrize(
    "replicas",
    [None, [], [{"regionName": "us-west-2", "pointInTimeRecovery": True}]],
    ids=["missing", "empty", "other-region"],
)
def test_primary_table_without_tokyo_replica_is_mandatory_violation(pack, replicas):
    violations = violations_of(pack, REPLICA, table(replicas=replicas))
    assert len(violations) == 1 and "no replica in ap-northeast-1" in violations[0].message


@pytest.mark.parametrize(
    ("pitr", "replica_pitr", "expected"),
    [(False, True, 1), (None, True, 1), (True, False, 1), (True, None, 1), (False, False, 2)],
    ids=["table-off", "table-missing", "replica-off", "replica-missing", "both-off"],
)
def test_tables_without_point_in_time_recovery_are_mandatory_violations(pack, pitr, replica_pitr, expected):
    replica = {"regionName": TOKYO, **({} if replica_pitr is None else {"pointInTimeRecovery": replica_pitr})}
    assert len(violations_of(pack, PITR, table(pitr=pitr, replicas=[replica]))) == expected


def test_unknown_values_in_preview_are_not_violations(preview_pack):
    unknown = table(replicas=UNKNOWN, pitr=UNKNOWN)
    unknown_region = table(replicas=[{"regionName": UNKNOWN, "pointInTimeRecovery": True}])
    assert violations_of(preview_pack, REPLICA, unknown, unknown_region) == []
    assert violations_of(preview_pack, PITR, unknown) == []


def test_tables_outside_the_primary_stack_are_not_judged(any_pack):
    # GIVEN a table in the tokyo (dr) stack: the replica is Seoul's concern
    dr_table = table(replicas=None, pitr=None, region=TOKYO)
    assert violations_of(any_pack, REPLICA, dr_table) == []
    assert violations_of(any_pack, PITR, dr_table) == []
