"""Drills and reports: `drill.maxAgeDays` and the optional `reports.bucket`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from failover.contract import DRILL_DEFAULT_MAX_AGE_DAYS, DRILL_MAX_AGE_DAYS_LIMIT, S3_BUCKET_NAME
from stack_config.errors import fail
from stack_config.reader import Section


@dataclass(frozen=True)
class DrillSettings:
    max_age_days: int = DRILL_DEFAULT_MAX_AGE_DAYS


@dataclass(frozen=True)
class ReportSettings:
    bucket: Optional[str] = None  # None: reports are not written to S3


def read_drill(root: Section) -> DrillSettings:
    s = root.section("drill").only("maxAgeDays")
    return DrillSettings(s.integer("maxAgeDays", DRILL_DEFAULT_MAX_AGE_DAYS, 1, DRILL_MAX_AGE_DAYS_LIMIT,
                                   why=" (days after which the doctor warns that no drill succeeded)"))


def read_reports(root: Section, is_dr: bool) -> ReportSettings:
    s = root.section("reports").only("bucket")
    bucket = s.optional_name("bucket", S3_BUCKET_NAME)
    if bucket is not None and not is_dr:
        raise fail(s.key("bucket"), "unset in the primary stack: the DR stack's pipeline writes the "
                   "reports and declares the bucket", bucket)
    return ReportSettings(bucket)
