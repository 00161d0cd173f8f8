"""The offline preview, run as a user runs it: `python -m offline_preview <stack>`."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def preview(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "offline_preview", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def tokyo_json() -> dict:
    done = preview("tokyo", "--json")
    assert done.returncode == 0, done.stderr + done.stdout[-2000:]
    return json.loads(done.stdout)


def test_config_error_exits_2_with_one_line_and_no_traceback():
    done = preview("tokyo", "--set", "healthCheck.interval=15", "--no-policies")
    assert done.returncode == 2
    assert done.stderr == "error: megaticket-dr:healthCheck.interval must be 10 or 30 (got 15)\n"
    assert done.stdout == ""


def test_unknown_stack_exits_2_naming_the_known_stacks():
    done = preview("osaka", "--no-policies")
    assert done.returncode == 2
    assert done.stderr.startswith('error: stack must be one of seoul, tokyo (got "osaka")')
    assert "Traceback" not in done.stderr


def test_text_preview_shows_tree_outputs_count_user_data_and_policies():
    done = preview("tokyo")
    assert done.returncode == 0, done.stderr + done.stdout[-3000:]
    text = done.stdout
    assert "Previewing update (tokyo)" in text
    assert re.search(r"^ \+   pulumi:pulumi:Stack\s+megaticket-dr-tokyo$", text, re.M)
    assert re.search(r"^ \+   [│ ]*[├└]─ aws:autoscaling:Group\s+", text, re.M)
    count = int(re.search(r"\+ (\d+) to create", text)[1])
    assert count == text.count("\n +   ")
    assert "    > 2 to read" in text  # seoul's outputs, and this stack's previous deployment
    assert re.search(r"^ >   ├─ pulumi:pulumi:StackReference\s+megaticket-dr-primary\s+outputs of "
                     r"organization/megaticket-dr/seoul$", text, re.M)
    assert re.search(r"^ >   [├└]─ pulumi:pulumi:StackReference\s+megaticket-dr-previous-deployment\s+"
                     r"outputs of organization/megaticket-dr/tokyo \(its previous deployment", text, re.M)
    assert "User data of launch template MegaTicket-DR-Web-LT:" in text
    assert "INTERNAL_API_URL" in text and "⟨MegaTicket-DR-NLB.dnsName⟩" in text
    assert "Policies (megaticket-dr-guardrails):" in text


def test_json_lists_every_resource_with_parent_and_camel_case_inputs(tokyo_json):
    types = {r["type"] for r in tokyo_json["resources"]}
    for expected in ("aws:ec2/launchTemplate:LaunchTemplate", "aws:autoscaling/group:Group",
                     "aws:lb/loadBalancer:LoadBalancer", "aws:route53/record:Record",
                     "aws:cloudwatch/metricAlarm:MetricAlarm", "aws:sfn/stateMachine:StateMachine",
                     "aws:sns/topic:Topic", "aws:cloudwatch/eventBus:EventBus", "aws:ec2/amiCopy:AmiCopy"):
        assert expected in types, f"{expected} missing from the tokyo preview"
    reads = [r for r in tokyo_json["resources"] if r["options"].get("read")]
    assert {r["inputs"]["name"] for r in reads} == {"organization/megaticket-dr/seoul",
                                                    "organization/megaticket-dr/tokyo"}
    assert {r["type"] for r in reads} == {"pulumi:pulumi:StackReference"}
    assert tokyo_json["summary"] == {"create": len(tokyo_json["resources"]) - len(reads) + 1, "read": 2}
    asg = next(r for r in tokyo_json["resources"] if r["type"] == "aws:autoscaling/group:Group")
    assert "megaticket-dr:compute:Tier" in asg["parent"]
    assert asg["inputs"]["launchTemplate"]["version"] == "$Latest"


def test_json_user_data_is_the_decoded_launch_template_user_data(tokyo_json):
    template = next(r for r in tokyo_json["resources"]
                    if r["type"] == "aws:ec2/launchTemplate:LaunchTemplate"
                    and r["inputs"]["name"] == "MegaTicket-DR-App-LT")
    decoded = base64.b64decode(template["inputs"]["userData"]).decode()
    assert tokyo_json["userData"]["MegaTicket-DR-App-LT"] == decoded
    assert "DR_RECOVERY_MODE" in decoded


def test_deploy_time_values_are_marked_placeholders_never_invented(tokyo_json):
    dumped = json.dumps(tokyo_json["outputs"], ensure_ascii=False)
    assert "⟨" in dumped
    assert not re.search(r"\.elb\.amazonaws\.com|ami-[0-9a-f]{8}|arn:aws:[a-z]+:[a-z0-9-]*:\d{12}:", dumped)


def test_json_carries_policy_results(tokyo_json):
    policies = tokyo_json["policies"]
    assert policies["pack"] == "megaticket-dr-guardrails"
    assert policies["error"] is None
    assert policies["mandatory"] == 0


def test_set_changes_the_preview_like_a_config_change():
    done = preview("tokyo", "--json", "--no-policies", "--set", "nlb.mode=on-failover")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    names = {r["inputs"].get("name") for r in document["resources"]}
    assert "MegaTicket-DR-NLB" not in names
    assert "NLB_DNS_PLACEHOLDER" in document["userData"]["MegaTicket-DR-Web-LT"]


def test_unknowns_mode_leaves_computed_values_unknown_like_pulumi_preview():
    done = preview("tokyo", "--json", "--no-policies", "--unknowns")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert document["userData"]["MegaTicket-DR-Web-LT"] == "⟨unknown until deploy⟩"


def test_seoul_preview_shows_replicated_tables_and_the_primary_record():
    done = preview("seoul", "--no-policies")
    assert done.returncode == 0, done.stderr
    for suffix in ("performances", "reservations", "schedules", "venues"):
        assert re.search(rf"aws:dynamodb:Table\s+tables-{suffix}\s+KDT-Msp4-PLDR-{suffix}: "
                         r"replicas ap-northeast-1 \+PITR$", done.stdout, re.M)
    assert re.search(r"aws:route53:Record\s+primary-dns-record\s+PRIMARY pilotlight-test.click -> "
                     r"alias ⟨MegaTicket-ALB.dnsName⟩, health check ⟨primary-dns-calculated.id⟩$",
                     done.stdout, re.M)


def test_tokyo_preview_shows_the_secondary_record_idle_asgs_and_the_us_east_1_alarm():
    text = preview("tokyo", "--no-policies").stdout
    assert re.search(r"SECONDARY pilotlight-test.click -> alias ⟨MegaTicket-DR-ALB.dnsName⟩$", text, re.M)
    assert "MegaTicket-DR-App-ASG: $Latest, min 0 / desired 0 / max 2" in text
    assert "MegaTicket-Primary-HealthCheck-Alarm: AWS/Route53 HealthCheckStatus in us-east-1" in text


def test_a_pack_that_fails_mid_analysis_is_reported_not_crashed():
    from offline_preview.engine import ProgramRun, RecordedResource
    from offline_preview.policy_run import StreamingCheck
    from offline_preview.report import render_text

    class BrokenPack:
        def analyze_many(self, resources):
            next(iter(resources))
            raise RuntimeError("pack crashed")

        def analyze_stack(self, resources):
            raise AssertionError("never reached")

    run = ProgramRun(stack="tokyo", preview=False)
    streaming = StreamingCheck(BrokenPack())
    for index in range(3):  # more than the pack reads before failing: the producer must not block
        resource = RecordedResource(urn=f"urn:{index}", type="aws:sns/topic:Topic", name=f"t{index}",
                                    custom=True, parent="", provider="", inputs={}, options={})
        run.resources.append(resource)
        streaming.add(run, resource)
    report = streaming.finish(run)
    assert report.error == "RuntimeError: pack crashed" and report.findings == []
    assert "✗ the policy pack did not run: RuntimeError: pack crashed" in render_text(run, report)


def test_json_cost_has_exactly_the_contract_keys_and_a_total_of_its_items(tokyo_json):
    cost = tokyo_json["cost"]
    assert set(cost) == {"monthlyUsd", "items", "assumptions", "pricesAsOf", "unpriced"}
    assert all(set(i) == {"item", "resource", "monthlyUsd", "basis"} for i in cost["items"])
    # The total rounds the exact sum to cents; each item is printed to 4 decimals, so the printed
    # items may add up to half a cent plus 0.00005 per item away from it, never more.
    items = cost["items"]
    assert abs(cost["monthlyUsd"] - sum(i["monthlyUsd"] for i in items)) <= 0.005 + 0.00005 * len(items)
    assert cost["monthlyUsd"] > 0
    assert cost["assumptions"]["replicaGb"] == 1.0 and cost["pricesAsOf"] == "2026-11-28"
    priced = {i["resource"] for i in cost["items"]} | {u["resource"] for u in cost["unpriced"]}
    assert {"MegaTicket-DR-NLB", "MegaTicket-DR-ALB", "network-ssm"} <= priced


def test_text_preview_ends_with_the_standby_cost_section():
    done = preview("tokyo", "--no-policies", "--set", "cost.failoverDrillsPerMonth=2")
    assert done.returncode == 0, done.stderr
    section = done.stdout[done.stdout.index("Standby cost (USD per month"):]
    assert re.search(r"^\s+\d+\.\d\d  total$", section, re.M)
    assert re.search(r"^\s+\d+\.\d\d  NLB hours\s+MegaTicket-DR-NLB\s+730 h × \$", section, re.M)
    assert "✗ unpriced: failover-approver-sms-0" in section
    assert "failoverDrillsPerMonth=2" in section


def test_bad_cost_setting_exits_2_with_one_line():
    done = preview("tokyo", "--no-policies", "--set", "cost.replicaGb=-3")
    assert done.returncode == 2
    assert done.stderr == ("error: megaticket-dr:cost.replicaGb must be a number from 0 to "
                           "10,000,000 (got -3)\n")


def test_preview_warns_when_the_public_site_would_be_http_only(tokyo_json):
    # GIVEN no alb.certificateArn (both stack files), THEN the preview says users get plain HTTP
    assert ("MegaTicket-DR-ALB has no certificate (megaticket-dr:alb.certificateArn), so the public site "
            "is HTTP-only: http://pilotlight-test.click/") in tokyo_json["warnings"]
    # AND with a certificate there is no such warning
    cert = "arn:aws:acm:ap-northeast-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
    secure = json.loads(preview("tokyo", "--json", "--no-policies", "--set", f"alb.certificateArn={cert}").stdout)
    assert not [w for w in secure["warnings"] if "HTTP-only" in w]
@pytest.fixture(scope="module")
def seoul_before(tmp_path_factory: pytest.TempPathFactory) -> Path:
    done = preview("seoul", "--json", "--no-policies")
    assert done.returncode == 0, done.stderr
    path = tmp_path_factory.mktemp("previous") / "seoul.json"
    path.write_text(done.stdout, encoding="utf-8")
    return path


def test_previous_refuses_a_table_replacing_change_in_one_line(seoul_before: Path, tmp_path: Path):
    done = preview("seoul", "--previous", str(seoul_before), "--set", "tablePrefix=KDT-Msp5-PLDR",
                   "--no-policies")
    assert done.returncode == 2 and done.stdout == "" and "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("error: megaticket-dr:tablePrefix 'KDT-Msp5-PLDR' would replace the "
                                  "protected global table KDT-Msp4-PLDR-")
    # `pulumi stack output --json` (outputs only) is enough for the guard.
    outputs = tmp_path / "outputs.json"
    outputs.write_text(json.dumps(json.loads(seoul_before.read_text())["outputs"]), encoding="utf-8")
    done = preview("seoul", "--previous", str(outputs), "--set", "tables.venues.hashKey=venueId",
                   "--no-policies")
    assert done.returncode == 2 and "tables.venues.hashKey 'venueId' would replace" in done.stderr


def test_previous_lists_what_a_change_replaces(seoul_before: Path):
    done = preview("seoul", "--previous", str(seoul_before), "--set", "healthCheck.interval=10",
                   "--no-policies", "--json")
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)
    assert [(r["name"], r["properties"], r["stateful"]) for r in document["replacements"]] == [
        ("primary-dns-endpoint", ["requestInterval"], False)]
    assert document["outputs"]["detectionHealthCheckId"] == \
        json.loads(seoul_before.read_text())["outputs"]["detectionHealthCheckId"]
    text = preview("seoul", "--previous", str(seoul_before), "--set", "healthCheck.interval=10",
                   "--no-policies").stdout
    assert "    +- aws:route53/healthCheck:HealthCheck primary-dns-endpoint: requestInterval (create first)" in text


def test_previous_must_be_a_json_object(tmp_path: Path):
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    done = preview("seoul", "--previous", str(bad), "--no-policies")
    assert done.returncode == 2 and done.stderr.startswith("error: --previous must hold a JSON object")
