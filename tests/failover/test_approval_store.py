"""The one-time approval id store: ids are unguessable, work once, expire, and lock on wrong PINs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from failover import approval_store
from tests.failover.approval_world import EXECUTION, TABLE

NOW = 1_800_000_000


def _store(ddb: Any, **kw: Any) -> approval_store.Approval:
    values: dict[str, Any] = {
        "task_token": "TOKEN-abc",
        "execution_arn": EXECUTION,
        "expires_at": NOW + 600,
        "context": {"alarm": "MegaTicket-Primary-HealthCheck-Alarm"},
    }
    values.update(kw)
    return approval_store.store_approval(ddb, TABLE, **values)


def test_ids_are_random_url_safe_and_short_enough_for_sms() -> None:
    ids = {approval_store.new_approval_id() for _ in range(200)}
    assert len(ids) == 200
    for i in ids:
        assert len(i) == 22 and all(c.isalnum() or c in "-_" for c in i)


def test_table_holds_a_hash_of_the_id_never_a_working_link(approval_aws: Any) -> None:
    ddb, _ = approval_aws
    stored = _store(ddb)
    items = ddb.scan(TableName=TABLE)["Items"]
    assert len(items) == 1
    dumped = json.dumps(items)
    assert stored.approval_id not in dumped
    assert items[0][approval_store.KEY]["S"] == approval_store.key_of(stored.approval_id)
    assert items[0][approval_store.TTL_ATTRIBUTE]["N"] == str(NOW + 600)


def test_table_is_encrypted_with_kms_and_expires_rows(approval_aws: Any) -> None:
    ddb, _ = approval_aws
    table = ddb.describe_table(TableName=TABLE)["Table"]
    assert table["SSEDescription"]["Status"] == "ENABLED"
    ttl = ddb.describe_time_to_live(TableName=TABLE)["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_load_returns_the_pending_row_with_its_token(approval_aws: Any) -> None:
    ddb, _ = approval_aws
    stored = _store(ddb)
    loaded = approval_store.load_approval(ddb, TABLE, stored.approval_id, NOW)
    assert loaded == stored


@pytest.mark.parametrize("approval_id", ["", "nope", "x" * 65, "AAAAAAAAAAAAAAAAAAAAAA"])
def test_unknown_ids_are_unknown(approval_aws: Any, approval_id: str) -> None:
    ddb, _ = approval_aws
    _store(ddb)
    with pytest.raises(approval_store.LinkUnusableError) as err:
        approval_store.load_approval(ddb, TABLE, approval_id, NOW)
    assert err.value.reason == "unknown"


def test_link_expires_at_the_approval_timeout_even_before_ttl_deletes_it(approval_aws: Any) -> None:
    ddb, _ = approval_aws
    stored = _store(ddb)
    approval_store.load_approval(ddb, TABLE, stored.approval_id, NOW + 599)
    for late in (NOW + 600, NOW + 86_400):
        with pytest.raises(approval_store.LinkUnusableError) as err:
            approval_store.load_approval(ddb, TABLE, stored.approval_id, late)
        assert err.value.reason == "expired"


def test_claim_works_once_and_a_second_claim_is_used(approval_aws: Any) -> None:
    ddb, _ = approval_aws
    stored = _store(ddb)
    approval_store.claim(ddb, TABLE, stored.approval_id, approval_store.APPROVED, {"by": "kim"}, NOW)
    for decision in (approval_store.APPROVED, approval_store.REJECTED):
        with pytest.raises(approval_store.LinkUnusableError) as err:
            approval_store.claim(ddb, TABLE, stored.approval_id, decision, {"by": "lee"}, NOW)
        assert err.value.reason == "used"
    with pytest.raises(approval_store.LinkUnusableError, match="used"):
        approval_store.load_approval(ddb, TABLE, stored.approval_id, NOW)


def test_claim_after_expiry_is_refused(approval_aws: Any) -> None:
    ddb, _ = approval_aws
    stored = _store(ddb)
    with pytest.raises(approval_store.LinkUnusableError) as err:
        approval_store.claim(ddb, TABLE, stored.approval_id, approval_store.APPROVED, {}, NOW + 600)
    assert err.value.reason == "expired"


def test_claim_refuses_a_decision_that_is_not_approve_or_reject(approval_aws: Any) -> None:
    ddb, _ = approval_aws
    stored = _store(ddb)
    with pytest.raises(ValueError, match="approved, rejected"):
        approval_store.claim(ddb, TABLE, stored.approval_id, "pending", {}, NOW)


def test_wrong_pins_count_down_then_lock_the_link(approval_aws: Any) -> None:
    ddb, _ = approval_aws
    stored = _store(ddb)
    assert approval_store.record_wrong_pin(ddb, TABLE, stored.approval_id, 3, NOW) == 2
    assert approval_store.record_wrong_pin(ddb, TABLE, stored.approval_id, 3, NOW) == 1
    assert approval_store.record_wrong_pin(ddb, TABLE, stored.approval_id, 3, NOW) == 0
    with pytest.raises(approval_store.LinkUnusableError) as err:
        approval_store.load_approval(ddb, TABLE, stored.approval_id, NOW)
    assert err.value.reason == "locked"
    with pytest.raises(approval_store.LinkUnusableError, match="locked"):
        approval_store.record_wrong_pin(ddb, TABLE, stored.approval_id, 3, NOW)
    with pytest.raises(approval_store.LinkUnusableError, match="locked"):
        approval_store.claim(ddb, TABLE, stored.approval_id, approval_store.APPROVED, {}, NOW)


def test_storing_never_overwrites_an_existing_id(approval_aws: Any) -> None:
    ddb, _ = approval_aws
    first = _store(ddb)
    with pytest.raises(ddb.exceptions.ConditionalCheckFailedException):
        _store(ddb, approval_id=first.approval_id, task_token="OTHER")
    assert approval_store.load_approval(ddb, TABLE, first.approval_id, NOW).task_token == "TOKEN-abc"
