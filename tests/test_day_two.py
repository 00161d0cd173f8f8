"""Day two: a routine config change, run as a second deployment on top of the first one's state.

Each test deploys a stack (the mock engine records every resource with its id), then runs the
program again with one routine change and the first run as `previous`: that run's outputs answer
the stack's StackReference to itself, and a resource keeps its id unless an input the provider's
schema marks force-new changed (`day_two.FORCE_NEW`), as the engine's diff would decide. Then:
nothing stateful is replaced, no replacement collides on a fixed name, and Tokyo's detection
alarm (deployed once, never redeployed) still watches what Seoul's check reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, Optional

import pytest

from day_two import FORCE_NEW, IDENTITY_OUTPUT, STATEFUL_TYPES, force_new_properties, refusals
from offline_preview.engine import ProgramRun, RecordedResource, run_program
from stack_config import ConfigError, apply_overrides, stack_file_values

ROOT = Path(__file__).resolve().parent.parent
ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"
CHECK = "aws:route53/healthCheck:HealthCheck"
CERT = "arn:aws:acm:ap-northeast-2:000000000000:certificate/00000000-0000-0000-0000-000000000000"
VPC = ["network.vpcId=vpc-0abc1234def567890",
       'network.publicSubnetIds=["subnet-0000000a","subnet-0000000b"]',
       'network.privateSubnetIds=["subnet-0000000c","subnet-0000000d"]']


def deploy(stack: str, changes: Iterable[str] = (), previous: Optional[ProgramRun] = None,
           seoul: Optional[ProgramRun] = None) -> ProgramRun:
    config = apply_overrides(stack_file_values(ROOT, stack), list(changes))
    return run_program(config, stack, previous=previous,
                       stack_reference_outputs=seoul.outputs if seoul is not None else None)


def replaced(before: ProgramRun, after: ProgramRun) -> list[RecordedResource]:
    """Resources of `after` that exist in `before` under a new id: replacements."""
    ids = {(r.type, r.name): r.id for r in before.resources if r.id}
    return [r for r in after.resources if r.id and ids.get((r.type, r.name), r.id) != r.id]


def physical_name(resource: RecordedResource) -> Any:
    return resource.inputs.get("name")


def assert_day_two_safe(before: ProgramRun, after: ProgramRun) -> None:
    gone = replaced(before, after)
    stateful = [f"{r.type} {r.name}" for r in gone if r.type in STATEFUL_TYPES]
    assert stateful == [], f"a routine change replaces stateful resources: {stateful}"
    old = {(r.type, r.name): r for r in before.resources}
    for resource in gone:
        # A replacement is created before the old one is deleted: the same fixed name collides
        # ("already exists") unless AWS names it from a prefix or the old one goes first.
        same_name = physical_name(resource) is not None and \
            physical_name(resource) == physical_name(old[(resource.type, resource.name)])
        assert not same_name or resource.options["deleteBeforeReplace"], (
            f"{resource.type} {resource.name} is replaced under the same name "
            f"{physical_name(resource)!r} without deleteBeforeReplace or a name prefix")
    for resource in after.resources:
        if resource.type in STATEFUL_TYPES:
            assert resource.options["protect"] is True, f"{resource.name} is not protected"


def detection_alarm(tokyo: ProgramRun) -> RecordedResource:
    return next(a for a in tokyo.by_type(ALARM) if a.inputs.get("namespace") == "AWS/Route53")


@pytest.fixture(scope="module")
def seoul_v1() -> ProgramRun:
    return deploy("seoul")


@pytest.fixture(scope="module")
def tokyo_v1(seoul_v1: ProgramRun) -> ProgramRun:
    return deploy("tokyo", seoul=seoul_v1)


# --- Seoul: detection follows the health check, the data stays put -----------------------------

SEOUL_CHANGES = {
    "interval": (["healthCheck.interval=10"], True),
    "protocol": (["healthCheck.protocol=HTTP"], False),  # HTTP already (no certificate): no-op
    "certificate": ([f"alb.certificateArn={CERT}"], True),  # HTTP -> HTTPS probe: new type
    "threshold": (["healthCheck.failureThreshold=2"], False),
    "web-port": (["web.port=8080"], False),
    "app-port": (["app.port=3101"], False),
    "vpc": (VPC, False),
    "lock": (["lock.metricName=FailoverLockV2", "lock.namespace=MegaTicket/DR2"], False),
    "ami-build": (["ami.build=2026.12.1"], False),
    "instance-type": (["web.instanceType=t3.large"], False),
}


@pytest.mark.parametrize("change", sorted(SEOUL_CHANGES))
def test_routine_seoul_change_replaces_nothing_stateful_and_detection_stays_wired(
        change: str, seoul_v1: ProgramRun, tokyo_v1: ProgramRun) -> None:
    changes, replaces_endpoint = SEOUL_CHANGES[change]
    # WHEN seoul is deployed again with the change, and tokyo is NOT redeployed
    seoul_v2 = deploy("seoul", changes, previous=seoul_v1)
    assert_day_two_safe(seoul_v1, seoul_v2)
    endpoint = seoul_v2.one(CHECK, "primary-dns-endpoint")
    endpoint_replaced = endpoint in replaced(seoul_v1, seoul_v2)
    assert endpoint_replaced == replaces_endpoint  # the simulated diff is the provider's
    # THEN Tokyo's alarm, deployed against the first seoul, still watches the live check:
    # the detection check kept its id and now has the (possibly new) endpoint check as child.
    detection = seoul_v2.one(CHECK, "primary-dns-detection")
    assert detection not in replaced(seoul_v1, seoul_v2)
    assert detection.inputs["childHealthchecks"] == [endpoint.id]
    assert seoul_v2.outputs["detectionHealthCheckId"] == detection.id
    assert detection_alarm(tokyo_v1).inputs["dimensions"] == {"HealthCheckId": detection.id}
    if replaces_endpoint:
        assert seoul_v2.outputs["healthCheckId"] != seoul_v1.outputs["healthCheckId"]


def test_without_the_detection_check_a_new_interval_would_have_blinded_tokyo(
        seoul_v1: ProgramRun) -> None:
    # The failure this design removes: the endpoint check's id changes with the interval.
    seoul_v2 = deploy("seoul", ["healthCheck.interval=10"], previous=seoul_v1)
    assert seoul_v2.outputs["healthCheckId"] != seoul_v1.outputs["healthCheckId"]
    assert seoul_v2.outputs["detectionHealthCheckId"] == seoul_v1.outputs["detectionHealthCheckId"]


def test_lock_edits_reach_route53_through_the_checks_triggers(seoul_v1: ProgramRun) -> None:
    seoul_v2 = deploy("seoul", ["lock.metricName=FailoverLockV2"], previous=seoul_v1)
    before = seoul_v1.one(CHECK, "primary-dns-lock")
    after = seoul_v2.one(CHECK, "primary-dns-lock")
    assert after.inputs["triggers"] != before.inputs["triggers"]  # an in-place update re-syncs
    assert after.id == before.id  # ... of the same check: the calculated check keeps its child
    assert set(before.inputs["triggers"]) >= {"alarmArn", "metric", "threshold", "comparison"}


def test_protected_is_everything_whose_loss_loses_data_or_history(seoul_v1: ProgramRun,
                                                                  tokyo_v1: ProgramRun) -> None:
    tables = seoul_v1.by_type("aws:dynamodb/table:Table")
    assert len(tables) == 4 and all(t.options["protect"] for t in tables)
    (key,) = tokyo_v1.by_type("aws:kms/key:Key")
    (copy,) = tokyo_v1.by_type("aws:ec2/amiCopy:AmiCopy")
    assert key.options["protect"] and copy.options["protect"] and copy.options["retainOnDelete"]


# --- refused in the preview, with one line saying what to do instead ----------------------------

@pytest.mark.parametrize(("changes", "expected"), [
    (["tablePrefix=KDT-Msp5-PLDR"],
     "megaticket-dr:tablePrefix 'KDT-Msp5-PLDR' would replace the protected global table "
     "KDT-Msp4-PLDR-performances with a new, empty KDT-Msp5-PLDR-performances (the data stays in "
     "the old one); keep tablePrefix 'KDT-Msp4-PLDR', or migrate the data first (docs/day-two.md)"),
    (["tables.reservations.hashKey=reservationId"], "megaticket-dr:tables.reservations.hashKey "
     "'reservationId' would replace the protected table KDT-Msp4-PLDR-reservations"),
    (["tables.venues.rangeKey=city"], "megaticket-dr:tables.venues.rangeKey 'city' would replace"),
    (["alb.name=MegaTicket-ALB-2"], "megaticket-dr:alb.name 'MegaTicket-ALB-2' would replace the ALB "
     "MegaTicket-ALB, whose deletion protection stops the old one from being deleted; set "
     "megaticket-dr:alb.deletionProtection false and `pulumi up` first"),
])
def test_a_change_that_would_replace_stateful_resources_is_refused_in_one_line(
        changes: list[str], expected: str, seoul_v1: ProgramRun) -> None:
    with pytest.raises(ConfigError) as refused:
        deploy("seoul", changes, previous=seoul_v1)
    assert str(refused.value).startswith(expected)
    assert "\n" not in str(refused.value)
    # What the engine would have done: replace, since these are force-new inputs.
    table_or_alb = [r for r in seoul_v1.resources if r.type in FORCE_NEW and r.custom]
    assert table_or_alb


def test_the_same_change_on_a_first_deployment_is_just_a_create() -> None:
    # No previous deployment: nothing to lose, nothing refused.
    run = deploy("seoul", ["tablePrefix=KDT-Msp5-PLDR"])
    assert run.outputs[IDENTITY_OUTPUT]["tables"]["performances"]["name"] == "KDT-Msp5-PLDR-performances"


def test_rename_after_deletion_protection_was_turned_off_goes_through(seoul_v1: ProgramRun) -> None:
    unprotected = deploy("seoul", ["alb.deletionProtection=false"], previous=seoul_v1)
    renamed = deploy("seoul", ["alb.deletionProtection=false", "alb.name=MegaTicket-ALB-2"],
                     previous=unprotected)
    assert_day_two_safe(unprotected, renamed)
    alb = renamed.one("aws:lb/loadBalancer:LoadBalancer", "web-alb-alb")
    assert alb in replaced(unprotected, renamed) and alb.inputs["name"] == "MegaTicket-ALB-2"


def test_refusals_ignore_a_state_from_before_the_guard() -> None:
    current = {"tables": {"venues": {"name": "B-venues", "hashKey": "id", "rangeKey": None}}}
    assert refusals(None, current, "B") == []
    assert refusals({}, current, "B") == []
    assert refusals({"tables": {"venues": "garbled"}}, current, "B") == []


# --- Tokyo: routine changes under a running pipeline ---------------------------------------------

TOKYO_CHANGES = {
    "web-port": ["web.port=8080"],
    "app-port": ["app.port=3101"],
    "vpc": [c.replace("0000000", "1111111") for c in VPC],
    "nlb-name": ["nlb.name=MegaTicket-DR-NLB2"],
    "schedule": ["readiness.schedule=rate(15 minutes)"],
    "capacity": ['web.failoverCapacity={"min": 2, "desired": 2, "max": 4}'],
    "alarm-name": ["failover.alarmName=MegaTicket-Primary-HealthCheck-Alarm-2"],
}


@pytest.mark.parametrize("change", sorted(TOKYO_CHANGES))
def test_routine_tokyo_change_replaces_nothing_stateful_and_keeps_detection(
        change: str, seoul_v1: ProgramRun, tokyo_v1: ProgramRun) -> None:
    tokyo_v2 = deploy("tokyo", TOKYO_CHANGES[change], previous=tokyo_v1, seoul=seoul_v1)
    assert_day_two_safe(tokyo_v1, tokyo_v2)
    assert detection_alarm(tokyo_v2).inputs["dimensions"] == {
        "HealthCheckId": seoul_v1.outputs["detectionHealthCheckId"]}
    # The pipeline owns the DR groups' sizes: an up mid-failover or after failback leaves them.
    for asg in tokyo_v2.by_type("aws:autoscaling/group:Group"):
        assert {"minSize", "maxSize", "desiredCapacity"} <= set(asg.options["ignoreChanges"])


def test_tokyo_pipeline_finds_the_standby_target_group_by_its_real_name(tokyo_v1: ProgramRun) -> None:
    tg = tokyo_v1.one("aws:lb/targetGroup:TargetGroup", "app-nlb-tg")
    step1 = tokyo_v1.one("aws:lambda/function:Function", "failover-step1")
    assert step1.inputs["environment"]["variables"]["NLB_TARGET_GROUP_NAME"] == "⟨app-nlb-tg.name⟩"
    assert "name" not in tg.inputs and tg.inputs["namePrefix"]


def test_a_new_golden_ami_build_replaces_only_the_protected_copy(seoul_v1: ProgramRun,
                                                                 tokyo_v1: ProgramRun) -> None:
    # Seoul is pinned: only a deliberate new build changes its image, and Tokyo's copy follows.
    seoul_v2 = deploy("seoul", ["ami.build=2026.12.1"], previous=seoul_v1)
    assert seoul_v2.outputs["goldenAmiBuild"] == "2026.12.1"  # read from the image found
    assert seoul_v2.outputs["goldenAmiId"] != seoul_v1.outputs["goldenAmiId"]
    tokyo_v2 = deploy("tokyo", previous=tokyo_v1, seoul=seoul_v2)
    stateful = [r for r in replaced(tokyo_v1, tokyo_v2) if r.type in STATEFUL_TYPES]
    # The engine refuses to replace the protected copy until it is unprotected (docs/day-two.md);
    # retained on delete, the old copy stays for a rollback.
    assert [r.type for r in stateful] == ["aws:ec2/amiCopy:AmiCopy"]
    assert stateful[0].options["protect"] and stateful[0].options["retainOnDelete"]


def test_every_declared_resource_type_has_its_force_new_inputs_listed(seoul_v1: ProgramRun,
                                                                      tokyo_v1: ProgramRun) -> None:
    # The day-two diff only sees what FORCE_NEW lists: a new type must be added there first.
    declared = {r.type for run in (seoul_v1, tokyo_v1) for r in run.creates
                if r.custom and r.type.startswith("aws:")}
    assert declared - set(FORCE_NEW) == set()


def test_network_load_balancers_are_replaced_by_new_subnets() -> None:
    nlb = {"loadBalancerType": "network", "subnets": ["subnet-a"], "name": "x"}
    alb = {**nlb, "loadBalancerType": "application"}
    assert "subnets" in force_new_properties("aws:lb/loadBalancer:LoadBalancer", nlb)
    assert "subnets" not in force_new_properties("aws:lb/loadBalancer:LoadBalancer", alb)


# --- the smaller items ------------------------------------------------------------------------

def test_seoul_without_a_pinned_golden_ami_is_a_one_line_config_error() -> None:
    import json

    from stack_config import load_settings

    config = stack_file_values(ROOT, "seoul")
    ami = json.loads(config["megaticket-dr:ami"])
    del ami["build"]
    config["megaticket-dr:ami"] = json.dumps(ami)
    with pytest.raises(ConfigError) as error:
        load_settings(config, "seoul")
    assert str(error.value).startswith("megaticket-dr:ami.build must be the exact Build tag of the "
                                       "Golden AMI, or ami.id, in the primary stack")
    assert "\n" not in str(error.value)
    pinned = apply_overrides(config, ["ami.id=ami-0fedcba9876543210"])
    assert load_settings(pinned, "seoul").ami.id == "ami-0fedcba9876543210"


def test_seoul_reports_the_image_and_build_it_resolved(seoul_v1: ProgramRun) -> None:
    lookups = [args for token, args in seoul_v1.invokes if token == "aws:ec2/getAmi:getAmi"]
    assert lookups and all(args["mostRecent"] is False for args in lookups)
    assert {"name": "tag:Build", "values": ["2026.11.1"]} in lookups[0]["filters"]
    assert seoul_v1.outputs["goldenAmiBuild"] == "2026.11.1"
    assert seoul_v1.outputs["goldenAmiId"].startswith("⟨ami MegaTicket-Golden-AMI* 2026.11.1")


def test_availability_zones_exclude_local_and_wavelength_zones(seoul_v1: ProgramRun) -> None:
    (args,) = [a for token, a in seoul_v1.invokes
               if token == "aws:index/getAvailabilityZones:getAvailabilityZones"]
    assert args["state"] == "available"
    assert {"name": "opt-in-status", "values": ["opt-in-not-required"]} in args["filters"]
    assert {"name": "zone-type", "values": ["availability-zone"]} in args["filters"]


def test_kms_alias_keeps_its_target_key_in_the_preview(tokyo_v1: ProgramRun) -> None:
    (alias,) = tokyo_v1.by_type("aws:kms/alias:Alias")
    (key,) = tokyo_v1.by_type("aws:kms/key:Key")
    assert alias.inputs["targetKeyId"] == "⟨failover-approval-topic-key.keyId⟩"
    assert key.name == "failover-approval-topic-key"


# --- The fast profile (issue 12): its approval gate and warm pools keep the same guarantees ------

FAST = ["recovery.profile=fast"]


def test_fast_profile_gate_edits_reach_route53_and_the_pools_sizes_stay_the_pipelines(
        seoul_v1: ProgramRun) -> None:
    fast_v1 = deploy("tokyo", FAST, seoul=seoul_v1)
    fast_v2 = deploy("tokyo", [*FAST, "lock.namespace=MegaTicket/DR2"], previous=fast_v1, seoul=seoul_v1)
    assert_day_two_safe(fast_v1, fast_v2)
    before = next(c for c in fast_v1.by_type(CHECK) if c.name.endswith("-gate"))
    after = next(c for c in fast_v2.by_type(CHECK) if c.name.endswith("-gate"))
    # The gate alarm shares lock.namespace: Route53 must be re-sent the alarm, on the same check
    # (the calculated SECONDARY check keeps its child), or the gate stays shut after approval.
    assert after.inputs["triggers"]["metric"] != before.inputs["triggers"]["metric"]
    assert after.id == before.id
    groups = [g for g in fast_v2.by_type("aws:autoscaling/group:Group") if g.inputs.get("warmPool")]
    assert groups
    for group in groups:
        assert {"minSize", "maxSize", "desiredCapacity"} <= set(group.options["ignoreChanges"])


# --- the reports bucket (reports.bucket, issue 13) -----------------------------------------------

REPORTS = ["reports.bucket=megaticket-dr-reports"]


def test_reports_bucket_is_protected_and_a_routine_tokyo_change_keeps_it(seoul_v1: ProgramRun) -> None:
    tokyo_v1 = deploy("tokyo", REPORTS, seoul=seoul_v1)
    (bucket,) = tokyo_v1.by_type("aws:s3/bucket:Bucket")
    assert bucket.options["protect"] and tokyo_v1.outputs[IDENTITY_OUTPUT]["reportsBucket"] == "megaticket-dr-reports"
    declared = {r.type for r in tokyo_v1.creates if r.custom and r.type.startswith("aws:")}
    assert declared - set(FORCE_NEW) == set()
    tokyo_v2 = deploy("tokyo", [*REPORTS, "web.port=8080", "readiness.schedule=rate(15 minutes)"],
                      previous=tokyo_v1, seoul=seoul_v1)
    assert_day_two_safe(tokyo_v1, tokyo_v2)


@pytest.mark.parametrize(("changes", "expected"), [
    (["reports.bucket=megaticket-dr-reports-2"], "megaticket-dr:reports.bucket 'megaticket-dr-reports-2' "
     "would replace the protected reports bucket megaticket-dr-reports (every report so far is in it)"),
    ([], "megaticket-dr:reports.bucket unset would delete the protected reports bucket megaticket-dr-reports"),
])
def test_renaming_or_dropping_the_reports_bucket_is_refused_in_one_line(
        changes: list[str], expected: str, seoul_v1: ProgramRun) -> None:
    tokyo_v1 = deploy("tokyo", REPORTS, seoul=seoul_v1)
    with pytest.raises(ConfigError) as refused:
        deploy("tokyo", changes, previous=tokyo_v1, seoul=seoul_v1)
    assert str(refused.value).startswith(expected) and "\n" not in str(refused.value)
    # a first bucket on a stack that had none is just a create
    assert deploy("tokyo", REPORTS, previous=deploy("tokyo", seoul=seoul_v1), seoul=seoul_v1)
