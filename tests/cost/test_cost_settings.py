"""`cost.*`: the cost model's usage assumptions, read and validated once like every setting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stack_config import (
    COST_KEYS,
    ConfigError,
    CostSettings,
    apply_overrides,
    load_settings,
    stack_file_values,
)

ROOT = Path(__file__).resolve().parent.parent.parent


def settings(cost: object = None, *assignments: str):
    values = apply_overrides(stack_file_values(ROOT, "tokyo"), list(assignments))
    if cost is not None:
        values["megaticket-dr:cost"] = json.dumps(cost)  # as the CLI passes an object
    return load_settings(values, "tokyo")


def test_defaults_describe_an_idle_pilot_light():
    usage = settings().cost
    assert usage == CostSettings()
    assert (usage.endpoint_gb_per_month, usage.nat_gb_per_month, usage.load_balancer_lcu_per_hour) == (0, 0, 0)
    assert usage.replicated_writes_per_month == 1_000_000


def test_every_setting_is_read_from_its_camel_case_key():
    chosen = {key: (7 if isinstance(getattr(CostSettings(), attr), int) else 2.5)
              for key, attr in COST_KEYS.items()}
    usage = settings(chosen).cost
    assert {key: getattr(usage, attr) for key, attr in COST_KEYS.items()} == chosen


def test_values_from_set_arrive_as_strings_and_are_read_as_numbers():
    usage = settings(None, "cost.replicaGb=12.5", "cost.failoverDrillsPerMonth=4").cost
    assert (usage.replica_gb, usage.failover_drills_per_month) == (12.5, 4)
    assert isinstance(usage.failover_drills_per_month, int)


def test_a_float_from_the_engine_for_a_count_is_accepted_when_whole():
    assert settings({"replicatedWritesPerMonth": 5e6}).cost.replicated_writes_per_month == 5_000_000


BAD = [
    # (what is wrong, cost object, the one line expected)
    ("negative GB", {"replicaGb": -1},
     "megaticket-dr:cost.replicaGb must be a number from 0 to 10,000,000 (got -1)"),
    ("a count with a fraction", {"failoverDrillsPerMonth": 1.5},
     "megaticket-dr:cost.failoverDrillsPerMonth must be a whole number from 0 to 1,000 (got 1.5)"),
    ("a boolean", {"logGbPerMonth": True},
     "megaticket-dr:cost.logGbPerMonth must be a number from 0 to 10,000,000 (got true)"),
    ("a word", {"natGbPerMonth": "lots"},
     'megaticket-dr:cost.natGbPerMonth must be a number from 0 to 10,000,000 (got "lots")'),
    ("empty", {"endpointGbPerMonth": ""},
     'megaticket-dr:cost.endpointGbPerMonth must be a number from 0 to 10,000,000 (got "")'),
    ("whitespace", {"replicatedWritesPerMonth": "  "},
     'megaticket-dr:cost.replicatedWritesPerMonth must be a whole number from 0 to '
     '1,000,000,000,000 (got "  ")'),
    ("not a number", {"replicaGb": "nan"},
     'megaticket-dr:cost.replicaGb must be a number from 0 to 10,000,000 (got "nan")'),
    ("over the typo guard", {"amiSnapshotGb": 70000},
     "megaticket-dr:cost.amiSnapshotGb must be a number from 0 to 65,536 (got 70000)"),
    ("beyond Lambda's 900 s limit", {"lambdaSecondsPerInvocation": 901},
     "megaticket-dr:cost.lambdaSecondsPerInvocation must be a number from 0 to 900 (got 901)"),
    ("a list", {"notificationsPerMonth": [10]},
     "megaticket-dr:cost.notificationsPerMonth must be a whole number from 0 to 1,000,000,000 (got [10])"),
    ("an unknown key", {"replicaGB": 1},
     "megaticket-dr:cost.replicaGB must be one of the known keys of cost"),
]


@pytest.mark.parametrize("what, cost, expected", BAD, ids=[b[0] for b in BAD])
def test_wrong_cost_setting_is_one_line_naming_key_value_and_form(what, cost, expected):
    with pytest.raises(ConfigError) as raised:
        settings(cost)
    message = str(raised.value)
    assert message.startswith(expected)
    assert "\n" not in message


def test_cost_that_is_not_an_object_is_refused():
    values = stack_file_values(ROOT, "tokyo")
    values["megaticket-dr:cost"] = "12"
    with pytest.raises(ConfigError, match=r"^megaticket-dr:cost must be an object \(got \"12\"\)$"):
        load_settings(values, "tokyo")
