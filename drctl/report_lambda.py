"""Lambda entry of the report writer (`<lambdaPrefix>-report`): a package of failover/ and drctl's
report modules only (components/failover_pipeline/reports.py REPORT_SOURCES)."""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config

from drctl import report_writer
from drctl.report_data import ReportBasis
from failover.contract import AWS_CLIENT_CONFIG

_BOTO_CONFIG = Config(**AWS_CLIENT_CONFIG)


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    execution = report_writer.execution_of(event, os.environ["STATE_MACHINE_ARN"])
    if execution is None:
        return {"skipped": f"status {event.get('detail', {}).get('status')} is not final"}
    basis = ReportBasis.from_json(os.environ["REPORT_BASIS"])

    def client(service: str, region: str) -> Any:
        return boto3.client(service, region_name=region, config=_BOTO_CONFIG)

    return report_writer.write_report(
        client("stepfunctions", basis.dr_region), client("cloudwatch", basis.alarm_region),
        client("s3", basis.dr_region), execution_arn=execution, bucket=os.environ["REPORTS_BUCKET"],
        basis=basis)
