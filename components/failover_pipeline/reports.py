"""The reports bucket and the writer that fills it (issue 13, setting `reports.bucket`).

At the end of every run of the failover machine, EventBridge hands the status change to the Lambda
`<lambdaPrefix>-report` (drctl/report_writer.py), which writes the run's JSON and Markdown report
under `reports/<machine>/`. The bucket is versioned, encrypted (SSE-S3), refuses plain HTTP, has no
public access and no ACLs, and a lifecycle rule expires replaced versions; it is protected like
every stateful resource (docs/day-two.md). The writer compares each run with the model the
program computed for the same settings (REPORT_BASIS): one model for drctl and the pipeline.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

import pulumi
import pulumi_aws as aws

from components.failover_pipeline import iam
from components.failover_pipeline.functions import lambda_with_role
from failover.contract import (
    REPORT_ABORT_UPLOAD_DAYS,
    REPORT_FUNCTION,
    REPORT_NONCURRENT_DAYS,
    REPORT_TIMEOUT_SECONDS,
    REPORTS_PREFIX,
    function_name,
    report_rule_name,
)
from failover.drill import finished_pattern

ROOT = Path(__file__).resolve().parent.parent.parent
HANDLER = "drctl.report_lambda.handler"
# What the writer imports, and nothing that needs the stack files or Pulumi (a test imports the
# built archive with only boto3 beside it).
REPORT_SOURCES = (
    "drctl/__init__.py", "drctl/report_lambda.py", "drctl/report_writer.py", "drctl/usage.py",
    "drctl/executions.py", "drctl/decision.py", "drctl/measure.py",
    "drctl/rto.py", "drctl/report_data.py", "drctl/report_markdown.py", "drctl/gantt.py",
    "cost/__init__.py", "cost/instances.py", "cost/table.py", "cost/prices.json",
)


def report_package() -> pulumi.AssetArchive:
    files = {f"failover/{p.name}": p for p in sorted((ROOT / "failover").glob("*.py"))}
    files.update({name: ROOT / name for name in REPORT_SOURCES})
    return pulumi.AssetArchive({name: pulumi.FileAsset(str(path)) for name, path in files.items()})


@dataclass(frozen=True)
class ReportsArgs:
    bucket_name: str
    lambda_prefix: str
    machine_name: str
    machine_arn: pulumi.Input[str]
    alarm_name: str
    alarm_region: str
    account: pulumi.Input[str]
    basis_json: str  # drctl.report_data.ReportBasis.to_json() for this stack's settings (stacks.py)
    log_retention_days: int
    tags: Mapping[str, str]


class Reports(pulumi.ComponentResource):
    bucket_name: pulumi.Output[str]
    function_name: pulumi.Output[str]

    def __init__(self, name: str, args: ReportsArgs, opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:failover:Reports", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        bucket = aws.s3.Bucket(f"{name}-bucket", bucket=args.bucket_name, force_destroy=False, tags=tags,
                               opts=pulumi.ResourceOptions(parent=self, protect=True))
        aws.s3.BucketOwnershipControls(f"{name}-ownership", bucket=bucket.id,
                                       rule={"object_ownership": "BucketOwnerEnforced"}, opts=child)
        aws.s3.BucketPublicAccessBlock(f"{name}-public-access", bucket=bucket.id, block_public_acls=True,
                                       block_public_policy=True, ignore_public_acls=True,
                                       restrict_public_buckets=True, opts=child)
        aws.s3.BucketVersioning(f"{name}-versioning", bucket=bucket.id,
                                versioning_configuration={"status": "Enabled"}, opts=child)
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=bucket.id,
            rules=[{"apply_server_side_encryption_by_default": {"sse_algorithm": "AES256"}}], opts=child)
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=bucket.id,
            rules=[{"id": "expire-replaced-reports", "status": "Enabled",
                    "filter": {"prefix": REPORTS_PREFIX},
                    "noncurrent_version_expiration": {"noncurrent_days": REPORT_NONCURRENT_DAYS},
                    "abort_incomplete_multipart_upload": {
                        "days_after_initiation": REPORT_ABORT_UPLOAD_DAYS}}],
            opts=child)
        aws.s3.BucketPolicy(f"{name}-tls-only", bucket=bucket.id,
                            policy=bucket.arn.apply(iam.tls_only_bucket), opts=child)

        function = lambda_with_role(
            name, self, fn_name=function_name(args.lambda_prefix, REPORT_FUNCTION), handler=HANDLER,
            code=report_package(), timeout=REPORT_TIMEOUT_SECONDS,
            policy=pulumi.Output.all(args.machine_arn, args.account).apply(
                lambda a: iam.report_writer(a[0], args.alarm_region, a[1], args.alarm_name, args.bucket_name,
                                            args.machine_name, REPORTS_PREFIX)),
            environment={"REPORTS_BUCKET": bucket.bucket, "STATE_MACHINE_ARN": args.machine_arn,
                         "REPORT_BASIS": args.basis_json},
            log_retention_days=args.log_retention_days, tags=tags)
        rule = aws.cloudwatch.EventRule(
            f"{name}-rule", name=report_rule_name(args.machine_name),
            description=f"Every finished run of {args.machine_name} -> its report in s3://{args.bucket_name}",
            event_pattern=pulumi.Output.from_input(args.machine_arn).apply(
                lambda arn: json.dumps(finished_pattern(arn))),
            tags=tags, opts=child)
        aws.lambda_.Permission(f"{name}-invoke", action="lambda:InvokeFunction", function=function.name,
                               principal="events.amazonaws.com", source_arn=rule.arn, opts=child)
        aws.cloudwatch.EventTarget(f"{name}-target", rule=rule.name, arn=function.arn,
                                   retry_policy={"maximum_event_age_in_seconds": 3600,
                                                 "maximum_retry_attempts": 8}, opts=child)
        self.bucket_name, self.function_name = bucket.bucket, function.name
        self.register_outputs({"bucket_name": self.bucket_name, "function_name": self.function_name})


__all__ = ["REPORT_SOURCES", "Reports", "ReportsArgs", "report_package"]
