"""The approval PIN is kept only as a slow salted hash; shapes of PIN the CLI refuses."""

from __future__ import annotations

from typing import Any

import pytest

from failover import approval_pin
from tests.failover.approval_world import TEST_ITERATIONS


def test_hash_is_pbkdf2_with_its_cost_and_a_fresh_salt_and_never_the_pin() -> None:
    first = approval_pin.hash_pin("271828", iterations=TEST_ITERATIONS)
    second = approval_pin.hash_pin("271828", iterations=TEST_ITERATIONS)
    scheme, iterations, salt, digest = first.split("$")
    assert (scheme, int(iterations)) == ("pbkdf2_sha256", TEST_ITERATIONS)
    assert len(salt) >= 22 and len(digest) >= 43
    assert first != second, "two hashes of one PIN must differ (salt)"
    assert "271828" not in first


def test_production_cost_is_at_least_the_owasp_figure() -> None:
    assert approval_pin.ITERATIONS >= 600_000 >= approval_pin.MIN_ITERATIONS


def test_verify_accepts_the_pin_and_refuses_others() -> None:
    stored = approval_pin.hash_pin("271828", iterations=TEST_ITERATIONS)
    assert approval_pin.verify_pin("271828", stored)
    for wrong in ("271829", "", "2718280", " 271828", "x" * 10_000):
        assert not approval_pin.verify_pin(wrong, stored), wrong


@pytest.mark.parametrize(
    "stored",
    [
        "271828",  # a plain PIN written by hand
        "",
        "sha256$100000$abc$def",
        "pbkdf2_sha256$notanumber$abc$def",
        "pbkdf2_sha256$1000$c2FsdHNhbHQ$ZGlnZXN0",  # too cheap to trust
        "pbkdf2_sha256$600000$$ZGlnZXN0",
    ],
)
def test_unusable_stored_hash_is_an_error_not_a_match(stored: str) -> None:
    with pytest.raises(approval_pin.PinError):
        approval_pin.verify_pin("271828", stored)


@pytest.mark.parametrize(
    ("pin", "expected"),
    [
        ("", "empty"),
        ("12345", "expected 6-64"),
        ("1" * 65, "expected 6-64"),
        ("1234 56", "whitespace"),
        ("123456\n", "whitespace"),
        ("\t123456", "whitespace"),
        ("123\x0756", "control"),
    ],
)
def test_pin_shapes_refused_with_one_line(pin: str, expected: str) -> None:
    with pytest.raises(approval_pin.PinError, match=expected) as err:
        approval_pin.hash_pin(pin, iterations=TEST_ITERATIONS)
    assert "\n" not in str(err.value)


def test_hashing_below_the_minimum_cost_is_refused() -> None:
    with pytest.raises(approval_pin.PinError, match="below the minimum"):
        approval_pin.hash_pin("271828", iterations=approval_pin.MIN_ITERATIONS - 1)


def test_stored_as_securestring_hash_and_read_back(moto_ssm: Any) -> None:
    approval_pin.store_pin_hash(moto_ssm, "/megaticket-dr/approval-pin", "271828", iterations=TEST_ITERATIONS)
    param = moto_ssm.get_parameter(Name="/megaticket-dr/approval-pin", WithDecryption=True)["Parameter"]
    assert param["Type"] == "SecureString"
    assert param["Value"].startswith("pbkdf2_sha256$") and "271828" not in param["Value"]
    assert approval_pin.verify_pin(
        "271828", approval_pin.read_pin_hash(moto_ssm, "/megaticket-dr/approval-pin") or ""
    )


def test_no_pin_set_reads_as_none(moto_ssm: Any) -> None:
    assert approval_pin.read_pin_hash(moto_ssm, "/megaticket-dr/approval-pin") is None
