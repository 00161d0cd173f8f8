"""How tokyo finds seoul's outputs: the StackReference, config per key, or a one-line error."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from offline_preview.engine import primary_placeholders, run_program
from stack_config import ConfigError, apply_overrides, stack_file_values

ROOT = Path(__file__).resolve().parent.parent
STACK_REFERENCE = "pulumi:pulumi:StackReference"
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
AMI_COPY = "aws:ec2/amiCopy:AmiCopy"


def primary_references(run) -> list:
    """StackReferences to seoul (each stack also reads its own previous deployment: day_two.py)."""
    return [r for r in run.by_type(STACK_REFERENCE)
            if r.inputs["name"] != "organization/megaticket-dr/tokyo"]


def tokyo_without_seoul_state(*assignments: str) -> dict[str, str]:
    """Pulumi.tokyo.yaml with the primaryStack line removed, plus config assignments."""
    values = stack_file_values(ROOT, "tokyo")
    values.pop("megaticket-dr:primaryStack")
    return apply_overrides(values, list(assignments))


def test_tokyo_reads_seoul_through_the_configured_stack_reference():
    run = run_program(stack_file_values(ROOT, "tokyo"), "tokyo")
    (reference,) = primary_references(run)
    assert reference.inputs["name"] == "organization/megaticket-dr/seoul"
    alarm = run.one(ALARM, "detection-alarm-alarm")
    assert alarm.inputs["dimensions"] == {"HealthCheckId": "⟨seoul.detectionHealthCheckId⟩"}
    assert run.one(AMI_COPY).inputs["sourceAmiId"] == "⟨seoul.goldenAmiId⟩"


def test_without_seoul_state_tokyo_stands_up_from_config_values(preview):
    config = tokyo_without_seoul_state("primary.healthCheckId=0f2b1c3d-aaaa-bbbb-cccc-000000000000",
                                       "primary.goldenAmiId=ami-0abc1234def567890",
                                       "primary.goldenAmiBuild=2026.11.1")
    run = run_program(config, "tokyo", preview=preview)
    assert primary_references(run) == []
    # Config without primary.detectionHealthCheckId: the endpoint check id, as before.
    alarm = run.one(ALARM, "detection-alarm-alarm")
    assert alarm.inputs["dimensions"] == {"HealthCheckId": "0f2b1c3d-aaaa-bbbb-cccc-000000000000"}
    copy = run.one(AMI_COPY)
    assert (copy.inputs["sourceAmiId"], copy.inputs["sourceAmiRegion"]) == (
        "ami-0abc1234def567890", "ap-northeast-2")
    assert copy.inputs["tags"]["Build"] == "2026.11.1"
    # Table names default to the prefix, as the primary would have created them.
    role_policy = run.one("aws:iam/rolePolicy:RolePolicy", "instance-role-app-access").inputs["policy"]
    if not preview:
        resources = json.dumps(json.loads(role_policy))
        assert "table/KDT-Msp4-PLDR-reservations" in resources


def test_without_seoul_state_a_missing_health_check_id_is_one_line():
    config = tokyo_without_seoul_state("primary.goldenAmiId=ami-0abc1234def567890")
    with pytest.raises(ConfigError) as caught:
        run_program(config, "tokyo")
    assert str(caught.value) == ("megaticket-dr:primary.healthCheckId must be set when "
                                 "megaticket-dr:primaryStack is not (got nothing)")


def test_detection_follows_seouls_detection_check_or_falls_back_to_the_endpoint_check():
    # A seoul state from before the detection check existed: the alarm watches the endpoint check.
    outputs = primary_placeholders()
    del outputs["detectionHealthCheckId"]
    run = run_program(stack_file_values(ROOT, "tokyo"), "tokyo", stack_reference_outputs=outputs)
    alarm = run.one(ALARM, "detection-alarm-alarm")
    assert alarm.inputs["dimensions"] == {"HealthCheckId": "⟨seoul.healthCheckId⟩"}
    # Config may name the detection check when there is no seoul state.
    config = tokyo_without_seoul_state("primary.healthCheckId=0f2b1c3d-aaaa-bbbb-cccc-000000000000",
                                       "primary.detectionHealthCheckId=9e8d7c6b-aaaa-bbbb-cccc-000000000000",
                                       "primary.goldenAmiId=ami-0abc1234def567890")
    alarm = run_program(config, "tokyo").one(ALARM, "detection-alarm-alarm")
    assert alarm.inputs["dimensions"] == {"HealthCheckId": "9e8d7c6b-aaaa-bbbb-cccc-000000000000"}


def test_an_output_seoul_has_not_exported_falls_back_to_config():
    outputs = primary_placeholders()
    del outputs["goldenAmiBuild"]
    config = apply_overrides(stack_file_values(ROOT, "tokyo"), ["primary.goldenAmiBuild=2026.11.2"])
    run = run_program(config, "tokyo", stack_reference_outputs=outputs)
    assert run.one(AMI_COPY).inputs["tags"]["Build"] == "2026.11.2"


def test_an_existing_tokyo_ami_needs_no_golden_ami_from_seoul():
    config = tokyo_without_seoul_state("primary.healthCheckId=0f2b1c3d-aaaa-bbbb-cccc-000000000000",
                                       "ami.id=ami-0fedcba9876543210")
    run = run_program(config, "tokyo")
    assert run.by_type(AMI_COPY) == []
    template = run.one("aws:ec2/launchTemplate:LaunchTemplate", "app-tier-lt")
    assert template.inputs["imageId"] == "ami-0fedcba9876543210"
