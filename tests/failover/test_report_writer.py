"""The pipeline writes each finished run's report to `reports.bucket` (issue 13 item 4), in moto's
interpreter: a drill and a failing drill run the failover machine, EventBridge's status change goes
to the writer's handler with the environment the program declares for it, and the JSON and
Markdown reports land in the bucket the program declares."""

from __future__ import annotations

import json
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest

from components.failover_pipeline.reports import report_package
from drctl import report_lambda as report_handler
from drctl import report_writer
from failover import handlers
from tests import moto_gaps
from tests.deployer import record
from tests.failover.conftest import REGION
from tests.failover.machine import Run, failover_asl

BUCKET = "megaticket-dr-reports-test"
DRILL = {"drill": True, "hold_seconds": 1, "source": "drill", "reason": "monthly drill"}


@pytest.fixture(scope="module")
def declared() -> dict[str, Any]:
    """The writer's Function, bucket and rule as the tokyo program declares them."""
    run = record("tokyo", (f"reports.bucket={BUCKET}",))
    found = {r.name[len("failover-reports-"):]: r for r in run.resources if r.name.startswith("failover-reports-")}
    declared = {r.type: r.inputs for r in found.values()}
    declared["aws:iam/rolePolicy:RolePolicy"] = found["policy"].inputs  # not the log writer's
    return declared


@pytest.fixture(autouse=True)
def _gaps() -> None:
    moto_gaps.install()


def _status_change(run: Run, status: str) -> dict[str, Any]:
    return {"source": "aws.states", "detail-type": "Step Functions Execution Status Change",
            "detail": {"executionArn": run.arn, "stateMachineArn": run.machine_arn, "status": status}}


def _writer_env(monkeypatch: pytest.MonkeyPatch, declared: dict[str, Any], run: Run) -> None:
    variables = declared["aws:lambda/function:Function"]["environment"]["variables"]
    monkeypatch.setenv("REPORT_BASIS", variables["REPORT_BASIS"])
    monkeypatch.setenv("REPORTS_BUCKET", BUCKET)
    monkeypatch.setenv("STATE_MACHINE_ARN", run.machine_arn)
    boto3.client("s3", region_name=REGION).create_bucket(
        Bucket=declared["aws:s3/bucket:Bucket"]["bucket"],
        CreateBucketConfiguration={"LocationConstraint": REGION})


def _object(key: str) -> str:
    body = boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return body.decode()


def test_a_finished_drill_is_written_as_json_and_markdown(
        tokyo: Any, route_lambdas: Any, healthy_tokyo_http: Any, declared: dict[str, Any],
        monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a drill that ran to the end in moto's interpreter
    tokyo.add_template_version("#!/bin/bash\nexport INTERNAL_API_URL=http://NLB_DNS_PLACEHOLDER:3001\n")
    run = Run(tokyo.client("stepfunctions"), failover_asl())
    run.start(DRILL, name="drill-7")
    assert run.finish()["status"] == "SUCCEEDED"
    _writer_env(monkeypatch, declared, run)
    # WHEN EventBridge hands the writer the run's status change
    written = report_handler.handler(_status_change(run, "SUCCEEDED"), None)
    # THEN both reports are under the machine's prefix, the JSON is drctl report's document
    machine = run.machine_arn.rsplit(":", 1)[-1]
    assert written["keys"] == [f"reports/{machine}/drill-7.json", f"reports/{machine}/drill-7.md"]
    report = json.loads(_object(written["keys"][0]))
    assert report["kind"] == "drill" and report["status"] == "SUCCEEDED" and report["name"] == "drill-7"
    measured = [p for p in report["phases"] if p["milliseconds"] is not None]
    assert {p["phase"] for p in measured} >= {"nlb", "template", "boot_to_in_service", "verification"}
    assert sum(p["milliseconds"] for p in measured) == report["total_milliseconds"]
    assert report["drill"]["instance_minutes"] > 0 and report["decision"]["decision"] == "none"
    # AND it compares with the program's model for these settings (the basis the program computed)
    assert report["model"]["stack"] == "tokyo" and report["model"]["high_seconds"] > report["model"]["low_seconds"]
    markdown = _object(written["keys"][1])
    assert markdown.startswith("## Failover run drill\\-7") and "```mermaid" in markdown
    assert "### Measured phases (drill)" in markdown


def test_a_failing_drill_is_reported_too_and_rewriting_keeps_the_old_version(
        tokyo: Any, route_lambdas: Any, declared: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    # step 4 finds Tokyo answering as the wrong region: the drill fails after scaling, then cleans up
    monkeypatch.setattr(handlers, "http_get", lambda url, timeout: (200, json.dumps({"region": "ap-northeast-2"})))
    run = Run(tokyo.client("stepfunctions"), failover_asl())
    run.start(DRILL, name="drill-8")
    status = run.finish()["status"]
    assert status == "FAILED"
    _writer_env(monkeypatch, declared, run)
    s3 = boto3.client("s3", region_name=REGION)
    s3.put_bucket_versioning(Bucket=BUCKET, VersioningConfiguration={"Status": "Enabled"})
    for _ in range(2):  # EventBridge delivers at least once: a second delivery overwrites
        written = report_handler.handler(_status_change(run, status), None)
    report = json.loads(_object(written["keys"][0]))
    assert report["status"] == status and report["kind"] == "drill"
    assert any(s["status"] == "failed" for s in report["steps"])
    versions = s3.list_object_versions(Bucket=BUCKET, Prefix=written["keys"][0])["Versions"]
    assert len(versions) == 2


def test_a_run_still_going_or_another_machines_run_writes_nothing(
        tokyo: Any, route_lambdas: Any, declared: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    run = Run(tokyo.client("stepfunctions"), failover_asl())
    run.start(DRILL, name="drill-9")
    run.finish()
    _writer_env(monkeypatch, declared, run)
    assert "skipped" in report_handler.handler(_status_change(run, "RUNNING"), None)
    other = {**_status_change(run, "SUCCEEDED")}
    other["detail"] = {**other["detail"], "stateMachineArn": run.machine_arn + "-failback"}
    with pytest.raises(report_writer.NotThisMachineError):
        report_handler.handler(other, None)
    assert boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0


def test_the_program_declares_a_private_versioned_encrypted_bucket_with_a_lifecycle(declared: dict[str, Any]):
    assert declared["aws:s3/bucket:Bucket"]["bucket"] == BUCKET
    assert declared["aws:s3/bucketVersioning:BucketVersioning"]["versioningConfiguration"] == {"status": "Enabled"}
    [rule] = declared["aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"][
        "rules"]
    assert rule["applyServerSideEncryptionByDefault"]["sseAlgorithm"] == "AES256"
    block = declared["aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"]
    assert all(block[k] is True for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                          "restrictPublicBuckets"))
    [lifecycle] = declared["aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"]["rules"]
    assert lifecycle["status"] == "Enabled" and lifecycle["noncurrentVersionExpiration"]["noncurrentDays"] > 0
    assert declared["aws:s3/bucketOwnershipControls:BucketOwnershipControls"]["rule"] == {
        "objectOwnership": "BucketOwnerEnforced"}


def test_the_writer_may_only_read_its_machines_runs_and_put_under_its_prefix(declared: dict[str, Any]):
    policies = [json.loads(p["policy"]) for p in [declared["aws:iam/rolePolicy:RolePolicy"]]]
    statements = [s for p in policies for s in p["Statement"]]
    actions = {a for s in statements for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert "s3:GetObject" not in actions and "s3:DeleteObject" not in actions and "s3:*" not in actions
    for statement in statements:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        assert "*" not in resources, statement


def test_the_rule_sends_every_final_status_of_the_failover_machine_only(declared: dict[str, Any]):
    rule = declared["aws:cloudwatch/eventRule:EventRule"]
    pattern = json.loads(rule["eventPattern"])
    assert sorted(pattern["detail"]["status"]) == ["ABORTED", "FAILED", "SUCCEEDED", "TIMED_OUT"]
    assert len(pattern["detail"]["stateMachineArn"]) == 1 and rule["name"].endswith("-report")


def test_no_bucket_setting_declares_no_writer():
    run = record("tokyo")
    assert not [r for r in run.resources if r.name.startswith("failover-reports")]


def test_the_writer_package_imports_with_nothing_but_boto3_beside_it(tmp_path: Path):
    # The archive the program declares for the writer, zipped as Pulumi would: nothing of Pulumi
    # or the stack files. Import its handler with only the runtime's boto3 on the path.
    archive = tmp_path / "report.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for name, asset in sorted(report_package().assets.items()):
            z.write(asset.path, name)
    code = ("import sys; sys.path[:] = [sys.argv[1], sys.argv[2], *(p for p in sys.path if p and 'packages' not in p)]\n"
            "blocked = ('pulumi', 'pulumi_aws', 'yaml', 'stack_config', 'components', 'userdata', 'grpc')\n"
            "class Block:\n"
            "    def find_spec(self, name, path=None, target=None):\n"
            "        if name.split('.')[0] in blocked: raise ImportError('not in the Lambda: ' + name)\n"
            "sys.meta_path.insert(0, Block())\n"
            "import drctl.report_lambda, drctl.report_data\n"
            "print(drctl.report_data.ReportBasis.__name__)\n")
    site = sysconfig.get_paths()["purelib"]
    done = subprocess.run([sys.executable, "-S", "-c", code, str(archive), site], capture_output=True, text=True,
                          check=False, timeout=60, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ReportBasis"


@pytest.mark.parametrize("profile", ["lean", "standard", "fast"])
def test_the_writer_compares_with_the_model_drctl_uses_for_the_same_settings(profile: str):
    from drctl.config import load_stack
    from drctl.report_data import ReportBasis, basis_for

    settings = (f"reports.bucket={BUCKET}", f"recovery.profile={profile}")
    function = next(r for r in record("tokyo", settings).resources if r.name == "failover-reports-function")
    shipped = ReportBasis.from_json(function.inputs["environment"]["variables"]["REPORT_BASIS"])
    drctl_basis = basis_for(load_stack("tokyo", list(settings)))
    assert [(p.name, p.low, p.high, p.during_approval) for p in shipped.model] == [
        (p.name, p.low, p.high, p.during_approval) for p in drctl_basis.model]
    assert (shipped.alarm_name, shipped.alarm_region, shipped.drill_tiers) == (
        drctl_basis.alarm_name, drctl_basis.alarm_region, drctl_basis.drill_tiers)
