"""The README's Mermaid diagrams stay in step with the program.

Everything is compared with what the program declares, read from the recorded preview of both
stacks (so a state machine moving between modules changes nothing here): every state named in a
diagram is a state of a deployed definition, every resource named is recorded in the stack the
diagram puts it in (in the region it says), and every top-level component of a stack is drawn.
"""

from __future__ import annotations

import json
import re
from fnmatch import fnmatchcase

import pytest

from offline_preview.engine import ProgramRun, RecordedResource
from tests.conftest import ROOT, run_program
from tests.mermaid_check import mermaid_blocks, parse_flowchart, parse_sequence, unescape

STACKS = ("seoul", "tokyo")
STATE_MACHINE = "aws:sfn/stateMachine:StateMachine"
# `Step0_WaitForApproval`-style tokens (mixed case, so INTERNAL_API_URL is not one) and the
# Failover*/Failback* terminal states are the words a reader takes for state names.
STATE_LIKE = re.compile(r"^(?=[A-Z][A-Za-z0-9]*[a-z])[A-Z][A-Za-z0-9]*_[A-Za-z0-9_]+$"
                        r"|^Fail(?:over|back)[A-Z][A-Za-z]+$")
NAMED = re.compile(r"^(?P<name>\S+)(?: \((?P<region>[a-z]{2}(?:-[a-z]+)+-\d)\))?$")


@pytest.fixture(scope="module")
def runs() -> dict[str, ProgramRun]:
    return {stack: run_program(stack) for stack in STACKS}


@pytest.fixture(scope="module")
def diagrams() -> list[str]:
    return mermaid_blocks((ROOT / "README.md").read_text(encoding="utf-8"))


def _one(diagrams: list[str], header: str) -> str:
    found = [d for d in diagrams if d.startswith(header)]
    assert len(found) == 1, f"README should hold one `{header}` diagram, found {len(found)}"
    return found[0]


def _definitions(runs: dict[str, ProgramRun]) -> list[dict]:
    machines = [m for run in runs.values() for m in run.by_type(STATE_MACHINE)]
    assert machines, "the preview records no state machine"
    return [json.loads(m.inputs["definition"]) for m in machines]


def _names(resource: RecordedResource) -> set[str]:
    tags = resource.inputs.get("tags")
    tags = tags if isinstance(tags, dict) else {}  # ASGs tag with a list of {key, value}
    return {n for n in (resource.name, resource.inputs.get("name"), tags.get("Name")) if isinstance(n, str)}


def _region(run: ProgramRun, resource: RecordedResource) -> str | None:
    return resource.inputs.get("region") or run.region_of(resource)


def _subtree(run: ProgramRun, root: RecordedResource) -> list[RecordedResource]:
    found, pending = [root], [root.urn]
    while pending:
        urn = pending.pop()
        children = [r for r in run.resources if r.parent == urn]
        found += children
        pending += [c.urn for c in children]
    return found


def _assert_named(label: str, candidates: list[tuple[ProgramRun, RecordedResource]], where: str) -> None:
    match = NAMED.match(label)
    assert match, f"{where}: {label!r} should be `NAME` or `NAME (region)`"
    hits = [(run, r) for run, r in candidates if any(fnmatchcase(n, match["name"]) for n in _names(r))]
    assert hits, f"{where}: no recorded resource is named {match['name']!r}"
    if match["region"]:
        regions = {_region(run, r) for run, r in hits}
        assert regions == {match["region"]}, f"{where}: {match['name']} is in {regions}, not {match['region']}"


def _top_components(run: ProgramRun) -> dict[str, RecordedResource]:
    urns = {r.urn for r in run.resources}
    return {r.name: r for r in run.resources if not r.custom and r.parent not in urns}


def test_owner_diagram_draws_every_component_of_each_stack_and_only_those(runs, diagrams):
    chart = parse_flowchart(_one(diagrams, "flowchart"))
    assert sorted(k for k in chart.subgraphs if k not in chart.node_parent) == list(STACKS)
    for stack in STACKS:
        drawn = sorted(chart.subgraphs[k] for k, parent in chart.node_parent.items()
                       if parent == stack and k in chart.subgraphs)
        assert drawn == sorted(_top_components(runs[stack])), f"components of {stack}"


def test_owner_diagram_names_resources_the_owning_stack_records(runs, diagrams):
    chart = parse_flowchart(_one(diagrams, "flowchart"))
    for node, label in chart.nodes.items():
        holder = chart.node_parent[node]
        stack = holder if holder in STACKS else chart.node_parent[holder]
        run = runs[stack]
        urns = {r.urn for r in run.resources}
        if holder in STACKS:  # directly under the stack: a resource that is not in a component
            pool = [r for r in run.resources if r.parent not in urns]
        else:
            pool = _subtree(run, _top_components(run)[chart.subgraphs[holder]])
        first_line = unescape(label).split("\n")[0]
        _assert_named(first_line, [(run, r) for r in pool], f"{stack}/{chart.subgraphs.get(holder, '')}")


def test_failover_sequence_names_only_states_of_the_deployed_definitions(runs, diagrams):
    sequence = parse_sequence(_one(diagrams, "sequenceDiagram"))
    definitions = _definitions(runs)
    states = {name for d in definitions for name in d["States"]}
    metrics = {r.inputs.get("metricName") for run in runs.values() for r in run.resources}
    words = {w for text in sequence.texts for w in re.split(r"[\s,.()]+", text)}
    state_like = {w for w in words if STATE_LIKE.match(w)}
    assert state_like - states - metrics == set(), "not states of either state machine"
    # and it shows the approval gate: the state that waits for a task token
    approval = {name for d in definitions for name, s in d["States"].items()
                if str(s.get("Resource", "")).endswith(".waitForTaskToken")}
    assert approval and approval <= state_like
    # the happy path's end and the failback machine's lock check are drawn too
    ends = {name for d in definitions for name, s in d["States"].items() if s["Type"] == "Succeed"}
    assert state_like & ends
    assert any(w.startswith("Failback_") for w in state_like)


def test_failover_sequence_participants_are_recorded_resources_in_their_regions(runs, diagrams):
    sequence = parse_sequence(_one(diagrams, "sequenceDiagram"))
    pool = [(run, r) for run in runs.values() for r in run.resources]
    systems = {k: v for k, v in sequence.participants.items() if k not in sequence.actors}
    assert len(systems) >= 8
    for key, text in systems.items():
        _assert_named(text, pool, f"participant {key}")
    # the failback lock and the record users resolve are part of the story
    lock_alarms = {r.inputs.get("name") for run in runs.values() for r in run.resources
                   if r.inputs.get("metricName") == "FailoverLock"}
    shown = {NAMED.match(t)["name"] for t in systems.values()}  # type: ignore[index]
    assert lock_alarms and lock_alarms <= shown
    records = {r.inputs.get("name") for run in runs.values() for r in run.by_type("aws:route53/record:Record")}
    assert records & shown


def test_sync_check_catches_a_renamed_state(runs, diagrams):
    broken = _one(diagrams, "sequenceDiagram").replace("Step0_WaitForApproval", "Step0_AwaitApproval")
    sequence = parse_sequence(broken)
    states = {name for d in _definitions(runs) for name in d["States"]}
    words = {w for text in sequence.texts for w in re.split(r"[\s,.()]+", text)}
    assert "Step0_AwaitApproval" in {w for w in words if STATE_LIKE.match(w)} - states
