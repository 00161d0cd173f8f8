"""The pipeline's report writer (issue 13, `reports.bucket`; Lambda `<lambdaPrefix>-report`, entry
drctl/report_lambda.py): at the end of every run of the failover
machine (succeeded, failed, timed out, stopped; failovers and drills alike) it writes the run's
report as JSON and Markdown to the reports bucket, the same document `drctl report` prints.

EventBridge hands it the machine's status change (`<machine>-report` rule). It reads the execution
history (and, for alarm-started runs, the detection alarm's history in us-east-1) and puts
  reports/<machine>/<execution name>.json   application/json
  reports/<machine>/<execution name>.md     text/markdown
Re-running it for the same execution overwrites both with the same content (the bucket is
versioned: nothing is lost). The model it compares with is the program's (REPORT_BASIS).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Optional

from drctl import executions, report_data
from drctl.report_markdown import render_markdown
from failover.contract import REPORT_FINAL_STATUSES, REPORTS_PREFIX


class NotThisMachineError(ValueError):
    """An event for an execution of another state machine (the rule names one machine)."""


def report_keys(state_machine_name: str, execution_name: str) -> tuple[str, str]:
    base = f"{REPORTS_PREFIX}{state_machine_name}/{execution_name}"
    return f"{base}.json", f"{base}.md"


def execution_of(event: dict[str, Any], state_machine_arn: str) -> Optional[str]:
    """The finished execution an EventBridge status change names; None while it still runs."""
    detail = event.get("detail") or {}
    if detail.get("stateMachineArn") != state_machine_arn:
        raise NotThisMachineError(f"event for {detail.get('stateMachineArn')!r}, "
                                  f"this writer reports on {state_machine_arn}")
    if detail.get("status") not in REPORT_FINAL_STATUSES:
        return None
    return str(detail["executionArn"])


def write_report(sfn: Any, cloudwatch: Any, s3: Any, *, execution_arn: str, bucket: str,
                 basis: report_data.ReportBasis, now: Optional[datetime] = None) -> dict[str, Any]:
    t = executions.timeline(sfn, execution_arn)
    report = report_data.report_for(t, basis, cloudwatch, now)
    machine = execution_arn.split(":")[-2]
    json_key, markdown_key = report_keys(machine, t.name)
    s3.put_object(Bucket=bucket, Key=json_key, ContentType="application/json",
                  Body=(json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode())
    s3.put_object(Bucket=bucket, Key=markdown_key, ContentType="text/markdown; charset=utf-8",
                  Body=render_markdown(t, report["recovery"], report).encode())
    return {"execution": execution_arn, "status": t.status, "bucket": bucket,
            "keys": [json_key, markdown_key], "total_seconds": report["total_seconds"]}


__all__ = ["NotThisMachineError", "execution_of", "report_keys", "write_report"]
