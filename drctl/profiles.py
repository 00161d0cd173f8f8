"""`drctl rto --profiles`: the recovery model and the standby cost of each profile, side by side.

The cost is `cost.estimate` over the resources the program itself declares for that profile: the
program runs under the offline preview's mock engine with `recovery.profile` set, exactly as
`bin/preview <stack> --set recovery.profile=<profile>` would, so the column can never describe a
stack other than the one the profile deploys.
"""

from __future__ import annotations

from typing import Any

from drctl import rto
from drctl.config import UsageError, load_stack, project_dir
from failover.contract import RECOVERY_PROFILES

PROFILE_KEY = "recovery.profile"


def profile_overrides(overrides: list[str], profile: str) -> list[str]:
    return [*overrides, f"{PROFILE_KEY}={profile}"]


def check_overrides(overrides: list[str]) -> None:
    for item in overrides:
        if item.partition("=")[0].strip() == PROFILE_KEY:
            raise UsageError(f"--profiles compares every profile: drop --set {item} "
                             f"(or drop --profiles to model one profile)")


def monthly_usd(stack: str, overrides: list[str]) -> float:
    """The standby cost of the stack as the program declares it with these overrides."""
    from cost import estimate, from_recording
    from offline_preview.engine import run_program
    from stack_config import ConfigError, apply_overrides, load_settings, stack_file_values

    root = project_dir()
    try:
        config = apply_overrides(stack_file_values(root, stack), overrides)
        settings = load_settings(config, stack)
        run = run_program(config, stack, program=root / "__main__.py")
    except ConfigError as err:
        raise UsageError(str(err)) from err
    return round(estimate(from_recording(run, settings), settings).monthly_usd, 2)


def rows(stack: str, overrides: list[str], approval_minutes: float,
         with_cost: bool = True) -> list[dict[str, Any]]:
    check_overrides(overrides)
    out = []
    for profile in RECOVERY_PROFILES:
        sets = profile_overrides(overrides, profile)
        row = rto.report(load_stack(stack, sets), approval_minutes)
        if with_cost:
            row["monthlyUsd"] = monthly_usd(stack, sets)
        out.append(row)
    return out
