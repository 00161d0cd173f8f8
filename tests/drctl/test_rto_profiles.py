"""`drctl rto` per recovery profile: the model's totals, its targets, its sources, and the CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drctl import rto
from drctl.config import load_stack
from failover.contract import RECOVERY_PROFILES
from tests.drctl.conftest import drctl

# Today's figures (before profiles existed): standard must stay exactly here, lean is the old
# `--set nlb.mode=on-failover` model.
TODAY_STANDARD = {"low_seconds": 304, "high_seconds": 865, "excluding_approval": (304, 565)}
TODAY_ON_FAILOVER_HIGH = 1160


def report(profile: str, *sets: str, minutes: float = 5.0) -> dict[str, Any]:
    return rto.report(load_stack("tokyo", [f"recovery.profile={profile}", *sets]), minutes)


@pytest.fixture(scope="module")
def reports() -> dict[str, dict[str, Any]]:
    return {profile: report(profile) for profile in RECOVERY_PROFILES}


def test_standard_profile_models_todays_pipeline_unchanged(reports):
    standard = reports["standard"]
    assert (standard["low_seconds"], standard["high_seconds"]) == (
        TODAY_STANDARD["low_seconds"], TODAY_STANDARD["high_seconds"])
    excl = standard["excluding_approval"]
    assert (excl["low_seconds"], excl["high_seconds"]) == TODAY_STANDARD["excluding_approval"]
    assert [p["phase"] for p in standard["phases"]] == [
        "detection", "alarm", "eventbridge", "approval", "nlb", "launch-template", "boot",
        "target-health", "dns"]
    assert not any(p.get("during_approval") for p in standard["phases"])


def test_lean_profile_creates_the_nlb_on_failover_and_is_slowest(reports):
    lean = reports["lean"]
    nlb = next(p for p in lean["phases"] if p["phase"] == "nlb")
    assert "on-failover" in nlb["basis"] and nlb["high_seconds"] == rto.NLB_CREATE[1]
    assert lean["high_seconds"] == TODAY_ON_FAILOVER_HIGH
    assert lean["high_seconds"] > reports["standard"]["high_seconds"] > reports["fast"]["high_seconds"]


def test_fast_profile_meets_its_targets(reports):
    fast = reports["fast"]
    assert fast["approval_to_serving"]["high_seconds"] <= 120
    assert fast["excluding_approval"]["high_seconds"] <= 240
    assert fast["approval_to_serving"]["low_seconds"] <= fast["approval_to_serving"]["high_seconds"]


def test_fast_profile_warms_up_beside_the_approval_in_branches(reports):
    phases = {p["phase"]: p for p in reports["fast"]["phases"]}
    assert phases["warm-start"]["during_approval"] and phases["warm-start"]["branch"] == "scale"
    assert phases["nlb"]["branch"] == phases["launch-template"]["branch"] == "template"
    assert not phases["gate-open"].get("during_approval") and not phases["dns"].get("during_approval")
    # 10 s probes: detection is interval x threshold of the fast defaults
    assert phases["detection"]["high_seconds"] == 10 * 2
    # the warm-up is hidden behind a long approval: the total grows by the approval alone
    short, long = report("fast", minutes=0), report("fast", minutes=30)
    after = long["approval_to_serving"]["high_seconds"]
    assert long["high_seconds"] == (short["high_seconds"] - short["excluding_approval"]["high_seconds"]
                                    + phases["detection"]["high_seconds"] + rto.ALARM_PERIOD
                                    + rto.EVENTBRIDGE[1] + 30 * 60 + after)


def test_approval_to_serving_is_the_serial_tail_for_serial_profiles(reports):
    for profile in ("lean", "standard"):
        phases = reports[profile]["phases"]
        tail = phases[[p["phase"] for p in phases].index("approval") + 1:]
        serve = reports[profile]["approval_to_serving"]
        assert serve["high_seconds"] == sum(p["high_seconds"] for p in tail)
        assert serve["low_seconds"] == sum(p["low_seconds"] for p in tail)


def test_explicit_settings_win_over_the_profile_in_the_model():
    slow_checks = report("fast", "healthCheck.interval=30", "healthCheck.failureThreshold=3")
    detection = next(p for p in slow_checks["phases"] if p["phase"] == "detection")
    assert detection["high_seconds"] == 90
    # without warm pools the gated machine still prepares Tokyo beside the approval, from a cold boot
    no_pool = {p["phase"]: p for p in report("fast", "recovery.warmPool=false")["phases"]}
    assert "warm-start" not in no_pool and no_pool["boot"]["during_approval"]
    assert no_pool["boot"]["high_seconds"] == rto.BOOT[1]
    # without the gate nothing may run before the approval: the serial chain, from the warm pools
    no_gate = report("fast", "recovery.approvalGate=false")
    assert not any(p.get("during_approval") for p in no_gate["phases"])
    assert [p["phase"] for p in no_gate["phases"]][5:7] == ["launch-template", "warm-start"]
    # a warm pool in the standard profile shortens its serial boot
    pooled = report("standard", "recovery.warmPool=true")
    assert pooled["high_seconds"] < report("standard")["high_seconds"]


def test_every_assumed_phase_names_its_basis_and_a_public_source(reports):
    for profile, data in reports.items():
        for phase in data["phases"]:
            assert phase["basis"].strip(), (profile, phase)
            if "assumed" in phase["basis"] or phase["phase"] in ("warm-start", "gate-open"):
                assert phase["source"].startswith("https://"), (profile, phase)


def test_rto_json_keeps_todays_shape_and_adds_approval_to_serving():
    run = drctl("http://127.0.0.1:9", "rto", "--stack", "tokyo", "--set", "recovery.profile=fast", "--json")
    assert run.code == 0, run.stderr
    data = json.loads(run.stdout)
    assert {"phases", "low_seconds", "high_seconds", "excluding_approval", "approval_to_serving"} <= set(data)
    assert set(data["approval_to_serving"]) >= {"low_seconds", "high_seconds"}
    assert data["profile"] == "fast"


@pytest.fixture(scope="module")
def profile_rows() -> list[dict[str, Any]]:
    run = drctl("http://127.0.0.1:9", "rto", "--profiles", "--json")
    assert run.code == 0, run.stderr
    return list(json.loads(run.stdout)["profiles"])


def test_rto_profiles_cli_compares_every_profile_with_its_cost(profile_rows):
    rows = profile_rows
    assert [r["profile"] for r in rows] == list(RECOVERY_PROFILES)
    by = {r["profile"]: r for r in rows}
    for row in rows:
        assert {"phases", "low_seconds", "high_seconds", "excluding_approval", "approval_to_serving",
                "monthlyUsd"} <= set(row)
    # lean bills no idle NLB and no interface endpoints; fast adds warm-pool volumes and the gate
    assert by["lean"]["monthlyUsd"] < by["standard"]["monthlyUsd"] < by["fast"]["monthlyUsd"]
    text = drctl("http://127.0.0.1:9", "rto", "--profiles")
    assert text.code == 0, text.stderr
    lines = text.stdout.splitlines()
    assert "USD/month" in lines[1]
    for profile in RECOVERY_PROFILES:
        row = next(line for line in lines if line.split()[0] == profile)
        assert f"{by[profile]['monthlyUsd']:.2f}" in row


def test_rto_profiles_refuses_a_profile_override():
    run = drctl("http://127.0.0.1:9", "rto", "--profiles", "--set", "recovery.profile=fast")
    assert run.code == 2 and "--profiles compares every profile" in run.stderr
    bad = drctl("http://127.0.0.1:9", "rto", "--set", "recovery.profile=turbo")
    assert bad.code == 2 and "recovery.profile" in bad.stderr and "lean" in bad.stderr


def _span(part: dict[str, Any]) -> str:
    return rto._range(part["low_seconds"], part["high_seconds"])


def test_readme_profile_table_is_what_drctl_rto_profiles_computes(profile_rows):
    """The README's profile table (recovery, without approval, approval to serving, USD/month) is
    re-measured with `drctl rto --profiles`, never edited by hand."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    table = {cells[1].strip().split()[0].strip("`"): [c.strip() for c in cells[2:6]]
             for line in readme.splitlines()
             if line.startswith("| `") and len(cells := line.split("|")) > 6}
    for row in profile_rows:
        assert table.get(row["profile"]) == [
            _span(row), _span(row["excluding_approval"]), _span(row["approval_to_serving"]),
            f"{row['monthlyUsd']:.2f}"], row["profile"]
