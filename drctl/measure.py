"""`drctl report`'s measured phase breakdown of one run, compared with `drctl rto`'s model.

Every phase is the time between two boundaries read from AWS, and the boundaries are made
monotonic, so the phases always add up to the total (also in whole milliseconds):

  detection           Seoul's first failing datapoint -> alarm in ALARM   (the alarm's history)
  event_delivery      alarm in ALARM -> execution start                   (EventBridge hops)
  approval_wait       execution start -> Step 1 entered                   (step 0; a drill has none)
  nlb                 Step 1 entered -> Step 2 entered
  template            Step 2 entered -> Step 3 entered
  boot_to_in_service  Step 3 entered -> Step 4 entered (both tiers launched, booted, InService)
  targets_healthy     Step 4 entered -> its last attempt (retries while ALB targets turn healthy)
  verification        last Step 4 attempt -> Step 4 succeeded (GET <health path> through the ALB)

A run started by hand or a drill has no alarm: its first boundary is the execution start and
detection/event_delivery are null. A run that stopped early measures the phases it reached.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Optional

from cost.instances import TierCost, instance_minutes_cost
from drctl.executions import Step, Timeline, _alarm_time, _parse_time, iso

PHASES = ("detection", "event_delivery", "approval_wait", "nlb", "template", "boot_to_in_service",
          "targets_healthy", "verification")
# Which phases of `drctl rto`'s model each measured phase corresponds to.
MODEL_PHASES: dict[str, tuple[str, ...]] = {
    "detection": ("detection", "alarm"),
    "event_delivery": ("eventbridge",),
    "approval_wait": ("approval",),
    "nlb": ("nlb",),
    "template": ("launch-template",),
    "boot_to_in_service": ("boot",),
    "targets_healthy": ("target-health",),
    "verification": (),  # the model counts step 4's GET inside target-health
}
DRILL_KIND, FAILOVER_KIND = "drill", "failover"
VERIFY_STATE = "Step4_Verify"
DRILL_CLEANUP_STATE = "Drill_Cleanup"
SCALE_STATES = {"app": "Step3_ScaleApp", "web": "Step3_ScaleWeb"}


def run_kind(execution_input: Any) -> str:
    return DRILL_KIND if isinstance(execution_input, dict) and execution_input.get("drill") is True \
        else FAILOVER_KIND


def _first(steps: Sequence[Step], prefix: str) -> Optional[Step]:
    found = [s for s in steps if s.name.startswith(prefix)]
    return min(found, key=lambda s: s.entered) if found else None


def detection_start(history: Iterable[dict[str, Any]], alarm_at: datetime) -> Optional[datetime]:
    """The start of the evaluation window that put the alarm in ALARM at (or just before)
    `alarm_at`, from DescribeAlarmHistory StateUpdate items (historyData is JSON)."""
    best: Optional[tuple[datetime, datetime]] = None
    for item in history:
        try:
            data = json.loads(item.get("HistoryData") or "{}")
        except (TypeError, json.JSONDecodeError):
            continue
        new = data.get("newState") or {}
        if new.get("stateValue") != "ALARM":
            continue
        changed = _parse_time(item.get("Timestamp"))
        reason = new.get("stateReasonData") or {}
        points = [_parse_time(p.get("timestamp")) for p in reason.get("evaluatedDatapoints") or []
                  if isinstance(p, dict)]
        starts = [p for p in (*points, _parse_time(reason.get("startDate"))) if p is not None]
        if changed is None or not starts or changed > alarm_at + timedelta(minutes=5):
            continue
        if best is None or changed > best[0]:
            best = (changed, min(starts))
    return best[1] if best else None


def _ms(value: datetime) -> int:
    return int(round(value.timestamp() * 1000))


def _boundaries(t: Timeline, detected: Optional[datetime]) -> list[Optional[datetime]]:
    alarm = None if run_kind(t.input) == DRILL_KIND else _alarm_time(t.input)
    step1, step2, step3 = (_first(t.steps, p) for p in ("Step1", "Step2", "Step3"))
    verify = next((s for s in t.steps if s.name == VERIFY_STATE), None)
    last_try = (verify.scheduled[-1] if verify and verify.scheduled else verify.entered if verify else None)
    verified = verify.exited if verify and verify.status == "succeeded" else None
    return [detected if alarm else None, alarm, t.started,
            step1.entered if step1 else None, step2.entered if step2 else None,
            step3.entered if step3 else None, verify.entered if verify else None, last_try, verified]


def measured_phases(t: Timeline, detected: Optional[datetime] = None) -> dict[str, Any]:
    """The phases (each {phase, start, end, seconds, milliseconds}) and their total."""
    raw = _boundaries(t, detected)
    phases: list[dict[str, Any]] = []
    previous: Optional[datetime] = None
    first: Optional[datetime] = None
    for name, start, end in zip(PHASES, raw, raw[1:], strict=False):
        begin = start if start is not None else previous
        if begin is not None and previous is not None and begin < previous:
            begin = previous  # clocks of two services: never count a moment twice
        if begin is None or end is None:
            phases.append({"phase": name, "start": None, "end": None, "seconds": None,
                           "milliseconds": None})
            continue
        stop = max(end, begin)
        first = first or begin
        ms = _ms(stop) - _ms(begin)
        phases.append({"phase": name, "start": iso(begin), "end": iso(stop), "seconds": ms / 1000,
                       "milliseconds": ms})
        previous = stop
    total_ms = sum(p["milliseconds"] or 0 for p in phases)
    return {"phases": phases, "total_seconds": total_ms / 1000, "total_milliseconds": total_ms,
            "first_boundary": iso(first), "last_boundary": iso(previous),
            "recovered": raw[-1] is not None}


def compare_with_model(phases: list[dict[str, Any]], model: Sequence[Any]) -> None:
    """Adds `model` ({phases, low_seconds, high_seconds}) and `verdict` to each measured phase."""
    by_name = {p.name: p for p in model}
    for phase in phases:
        names = [n for n in MODEL_PHASES[phase["phase"]] if n in by_name]
        if not names:
            phase["model"], phase["verdict"] = None, "not modeled"
            continue
        low = sum(by_name[n].low for n in names)
        high = sum(by_name[n].high for n in names)
        phase["model"] = {"phases": names, "low_seconds": low, "high_seconds": high}
        seconds = phase["seconds"]
        phase["verdict"] = ("not reached" if seconds is None else "faster than modeled" if seconds < low
                            else "slower than modeled" if seconds > high else "within model")


def drill_usage(t: Timeline, tiers: Sequence[TierCost], region: str,
                now: datetime) -> dict[str, Any]:
    """Instance-minutes a drill used (each tier's desired count from its scale step to the end of
    cleanup) and their estimated cost from cost/prices.json."""
    cleanup = next((s for s in t.steps if s.name == DRILL_CLEANUP_STATE), None)
    end = (cleanup.exited if cleanup and cleanup.exited else t.stopped or now)
    rows, total_minutes, total_usd, priced = [], 0.0, 0.0, True
    for tier in tiers:
        scaled = next((s for s in t.steps if s.name == SCALE_STATES.get(tier.tier)), None)
        minutes = 0.0 if scaled is None else max(0.0, (end - scaled.entered).total_seconds()) / 60
        instance_minutes = round(minutes * tier.desired, 3)
        cost = instance_minutes_cost(tier.instance_type, region, instance_minutes)
        rows.append({"tier": tier.tier, "instance_type": tier.instance_type, "instances": tier.desired,
                     "instance_minutes": instance_minutes, "estimated_cost_usd": cost["usd"],
                     "price_basis": cost["basis"]})
        total_minutes += instance_minutes
        if cost["usd"] is None:
            priced = False
        else:
            total_usd += cost["usd"]
    return {"instance_minutes": round(total_minutes, 3),
            "estimated_cost_usd": round(total_usd, 6) if priced else None,
            "tiers": rows, "until": iso(end)}
