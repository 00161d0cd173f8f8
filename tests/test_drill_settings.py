"""drill.maxAgeDays and reports.bucket, wrong in every way a stack file can be wrong."""

from __future__ import annotations

import pytest

from drctl.config import load_stack
from failover.contract import DRILL_DEFAULT_MAX_AGE_DAYS, DRILL_MAX_AGE_DAYS_LIMIT, S3_BUCKET_NAME
from stack_config import apply_overrides, load_settings, stack_file_values
from tests.test_config_hardening import ROOT, accepted, refused


def _settings(*assignments: str, stack: str = "tokyo"):
    return load_settings(apply_overrides(stack_file_values(ROOT, stack), list(assignments)), stack)


def test_defaults_keep_reports_off_and_warn_after_thirty_days():
    s = _settings()
    assert s.drill.max_age_days == DRILL_DEFAULT_MAX_AGE_DAYS == 30
    assert s.reports.bucket is None


def test_settings_reach_drctl():
    info = load_stack("tokyo", ["drill.maxAgeDays=7", "reports.bucket=megaticket-dr-reports"])
    assert info.drill_max_age_days == 7 and info.reports_bucket == "megaticket-dr-reports"


@pytest.mark.parametrize("raw, says", [
    ({"drill": {"maxAgeDays": "thirty"}}, "an integer from 1 to 365"),  # type
    ({"drill": {"maxAgeDays": True}}, "an integer from 1 to 365"),  # a bool is no number
    ({"drill": {"maxAgeDays": 2.5}}, "an integer from 1 to 365"),
    ({"drill": {"maxAgeDays": ""}}, "an integer from 1 to 365"),  # empty
    ({"drill": {"maxAgeDays": " 30"}}, "an integer from 1 to 365"),  # whitespace
    ({"drill": {"maxAgeDays": "30\n"}}, "an integer from 1 to 365"),
    ({"drill": {"maxAgeDays": 0}}, "an integer from 1 to 365"),  # limits
    ({"drill": {"maxAgeDays": -1}}, "an integer from 1 to 365"),
    ({"drill": {"maxAgeDays": DRILL_MAX_AGE_DAYS_LIMIT + 1}}, "an integer from 1 to 365"),
    ({"drill": {"maxAgeDay": 30}}, "one of the known keys of drill (maxAgeDays)"),  # typo
    ({"drill": "30"}, "an object"),
], ids=lambda v: str(v))
def test_drill_max_age_days_refuses_every_kind_of_wrong(raw, says):
    message = refused("tokyo", raw=raw)
    assert message.startswith("megaticket-dr:drill"), message
    assert says in message, message


def test_drill_max_age_days_edges_pass():
    accepted("tokyo", "drill.maxAgeDays=1")
    accepted("tokyo", f"drill.maxAgeDays={DRILL_MAX_AGE_DAYS_LIMIT}")


@pytest.mark.parametrize("bucket, why", [
    (7, "type"), (["a-bucket"], "type"),
    ("", "empty"), ("  ", "whitespace"), (" megaticket-reports", "leading space"),
    ("megaticket-reports\n", "trailing newline"),
    ("ab", "too short"), ("a" * 64, "too long"),
    ("MegaTicket-Reports", "upper case"), ("megaticket_reports", "underscore"),
    ("megaticket.reports", "dots break virtual-hosted HTTPS"),
    ("-megaticket-reports", "leading hyphen"), ("megaticket-reports-", "trailing hyphen"),
    ("xn--megaticket", "reserved prefix"), ("sthree-reports", "reserved prefix"),
    ("amzn-s3-demo-reports", "reserved prefix"),
    ("reports-s3alias", "reserved suffix"), ("reports--ol-s3", "reserved suffix"),
    ("reports--x-s3", "reserved suffix"), ("reports--table-s3", "reserved suffix"),
], ids=lambda v: repr(v))
def test_reports_bucket_refuses_names_s3_or_https_would_reject(bucket, why):
    message = refused("tokyo", raw={"reports": {"bucket": bucket}})
    assert message.startswith("megaticket-dr:reports.bucket must be an S3 bucket name"), (why, message)
    assert S3_BUCKET_NAME.expected() in message


def test_reports_bucket_belongs_to_the_dr_stack():
    message = refused("seoul", raw={"reports": {"bucket": "megaticket-dr-reports"}})
    assert message.startswith("megaticket-dr:reports.bucket must be unset in the primary stack"), message


def test_reports_bucket_unknown_keys_are_refused():
    message = refused("tokyo", raw={"reports": {"bucket": "megaticket-dr-reports", "prefix": "x"}})
    assert "one of the known keys of reports (bucket)" in message


def test_reports_bucket_edges_pass():
    for name in ("abc", "a" * 63, "megaticket-dr-reports-123456789012", "a--b"):
        assert _settings(f"reports.bucket={name}").reports.bucket == name
