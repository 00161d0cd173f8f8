"""`bin/preview STACK --graph dot|mermaid`: the recorded resources, drawn the same way every run."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pydot
import pytest

from offline_preview.__main__ import main as preview_main
from offline_preview.engine import ProgramRun, RecordedResource
from offline_preview.graph import build, dot_string, render, render_dot
from tests.conftest import ROOT, run_program
from tests.mermaid_check import MermaidError, parse_flowchart, unescape

STACK_REGIONS = {"seoul": ["ap-northeast-2", "us-east-1"], "tokyo": ["ap-northeast-1", "us-east-1"]}


@pytest.fixture(scope="module")
def runs() -> dict[str, ProgramRun]:
    return {stack: run_program(stack) for stack in STACK_REGIONS}


def _cli(*args: str, seed: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONHASHSEED": seed}  # set and dict order must not leak into the output
    return subprocess.run([sys.executable, "-m", "offline_preview", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=180)


def _dot(text: str) -> pydot.Dot:
    parsed = pydot.graph_from_dot_data(text)
    assert parsed and len(parsed) == 1, "DOT did not parse"
    return parsed[0]


def _dot_nodes(graph: pydot.Graph) -> list[str]:
    found = [n.get_name() for n in graph.get_nodes() if n.get_name() not in ("node", "edge", "graph")]
    for sub in graph.get_subgraphs():
        found += _dot_nodes(sub)
    return found


def _unquote_dot(value: str) -> str:
    assert value.startswith('"') and value.endswith('"')
    out, chars = [], iter(value[1:-1])
    for ch in chars:
        if ch == "\\":
            nxt = next(chars)
            out.append("\n" if nxt == "n" else nxt)
        else:
            out.append(ch)
    return "".join(out)


def test_dot_graph_is_byte_identical_across_runs_and_parses(runs):
    first = _cli("tokyo", "--graph", "dot", seed="1")
    second = _cli("tokyo", "--graph", "dot", seed="2")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert first.stdout == second.stdout
    assert first.stdout == render(runs["tokyo"], "dot")  # and the same as a third, in-process run
    graph = _dot(first.stdout)
    nodes = _dot_nodes(graph)
    assert len(nodes) == len(set(nodes)) == len(runs["tokyo"].resources) + 1  # + the stack
    assert len(graph.get_edges()) == len(build(runs["tokyo"]).edges)


def test_mermaid_graph_written_with_out_matches_another_run_and_is_well_formed(runs, tmp_path):
    out = tmp_path / "seoul.mmd"
    done = _cli("seoul", "--graph", "mermaid", "--out", str(out), seed="3")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    text = out.read_text(encoding="utf-8")
    assert text == render(runs["seoul"], "mermaid")
    assert [p.name for p in tmp_path.iterdir()] == ["seoul.mmd"]  # no partial file left behind
    chart = parse_flowchart(text)
    assert len(chart.nodes) == len(runs["seoul"].resources) + 1


@pytest.mark.parametrize("stack", sorted(STACK_REGIONS))
def test_provider_regions_are_the_top_level_groups(runs, stack):
    chart = parse_flowchart(render(runs[stack], "mermaid"))
    top = sorted(label for key, label in chart.subgraphs.items() if key not in chart.node_parent)
    assert top == STACK_REGIONS[stack]
    run = runs[stack]
    graph = build(run)
    ids = {n.name: n.id for n in [*graph.nodes, *_all_nodes(graph)]}
    for resource in run.resources:
        if resource.custom and resource.provider:
            region = resource.inputs.get("region") or run.region_of(resource)
            assert _region_of(chart, ids[resource.name]) == region, resource.name


def _all_nodes(graph):
    pending = list(graph.regions)
    while pending:
        cluster = pending.pop()
        pending += cluster.clusters
        yield from cluster.nodes


def _region_of(chart, node_id: str) -> str:
    key = node_id
    while key in chart.node_parent:
        key = chart.node_parent[key]
    return chart.subgraphs.get(key, "")


def test_component_spanning_regions_is_a_cluster_in_each_with_its_node_at_its_provider(runs):
    chart = parse_flowchart(render(runs["tokyo"], "mermaid"))
    failover = sorted(k for k, label in chart.subgraphs.items()
                      if label == "failover (megaticket-dr:failover:Pipeline)")
    assert failover == ["cluster_r_failover__ap_northeast_1", "cluster_r_failover__us_east_1"]
    assert chart.node_parent["r_failover"] == "cluster_r_failover__ap_northeast_1"
    # the pipeline's parts nest in the pipeline's cluster of their own region
    assert chart.node_parent["r_failover_observation_rule"] == "cluster_r_failover_observation__us_east_1"
    assert chart.node_parent["cluster_r_failover_observation__us_east_1"] == "cluster_r_failover__us_east_1"
    assert chart.node_parent["r_failover_failover_state_machine"] == "cluster_r_failover_machines__ap_northeast_1"
    assert chart.node_parent["cluster_r_failover_machines__ap_northeast_1"] == "cluster_r_failover__ap_northeast_1"
    assert chart.node_parent["r_detection_alarm_alarm"] == "cluster_r_detection_alarm__us_east_1"
    # reads with no provider (the StackReference) sit outside every region
    assert "r_megaticket_dr_primary" not in chart.node_parent


def test_edges_are_parent_to_child_and_dependency_to_dependent_labelled_by_input(runs):
    run = runs["tokyo"]
    graph = build(run)
    parent_edges = {(e.source, e.target) for e in graph.edges if e.kind == "parent"}
    assert len(parent_edges) == len(run.resources)  # every resource has its parent (or the stack)
    assert ("r_megaticket_dr_tokyo", "r_failover") in parent_edges
    assert ("r_app_tier", "r_app_tier_asg") in parent_edges
    deps = {(e.source, e.target): e.label for e in graph.edges if e.kind == "dependency"}
    assert deps[("r_app_tier_lt", "r_app_tier_asg")] == "launchTemplate"
    assert deps[("r_app_nlb_tg", "r_app_tier_asg")] == "targetGroupArns"
    assert deps[("r_megaticket_dr_primary", "r_golden_ami_copy")] == "description, name, sourceAmiId, tags"
    # an explicit depends_on carries no input, so it is labelled as such
    machine = run.one("aws:sfn/stateMachine:StateMachine", "failover-failover-state-machine")
    policy = run.one("aws:iam/rolePolicy:RolePolicy", "failover-sfn-policy")
    assert policy.urn in machine.options["dependencies"]
    assert deps[("r_failover_sfn_policy", "r_failover_failover_state_machine")] == "dependsOn"
    dot = render_dot(graph)
    assert 'r_app_tier_lt -> r_app_tier_asg [style=dashed, color="#1f77b4", label="launchTemplate"];' in dot


def _synthetic(names: list[str]) -> ProgramRun:
    stack = "urn:pulumi:tokyo::megaticket-dr::pulumi:pulumi:Stack::megaticket-dr-tokyo"
    provider = RecordedResource("urn:pulumi:tokyo::megaticket-dr::pulumi:providers:aws::p", "pulumi:providers:aws",
                                "p", True, stack, "", {"region": "ap-northeast-1"}, {})
    resources = [provider]
    for index, name in enumerate(names):
        resources.append(RecordedResource(f"urn:pulumi:tokyo::megaticket-dr::aws:s3/bucket:Bucket::{index}",
                                          "aws:s3/bucket:Bucket", name, True, stack, provider.urn, {},
                                          {"dependencies": []}))
    return ProgramRun(stack="tokyo", preview=False, resources=resources)


HOSTILE = ['say "hi"', "back\\slash", "two\nlines", "#35; & <b>bold</b>", "end", "a;b -->|x| c",
           "trailing\\"]


def test_hostile_names_are_escaped_in_dot_and_round_trip():
    run = _synthetic(HOSTILE)
    graph = _dot(render(run, "dot"))
    labels = {}
    for node in graph.get_subgraphs()[0].get_nodes():
        if node.get("label"):
            labels[node.get_name()] = _unquote_dot(node.get("label")).split("\n")
    shown = sorted("\n".join(parts[:-1]) for name, parts in labels.items() if parts[-1] == "aws:s3:Bucket")
    assert shown == sorted(HOSTILE)
    assert dot_string('a"b\\c\nd') == '"a\\"b\\\\c\\nd"'


def test_hostile_names_are_escaped_in_mermaid_and_round_trip():
    chart = parse_flowchart(render(run := _synthetic(HOSTILE), "mermaid"))
    shown = sorted(unescape(label).rsplit("\n", 1)[0] for label in chart.nodes.values()
                   if label.endswith("aws:s3:Bucket"))
    # Mermaid labels are one line per <br/>: a newline in a name is shown as a space
    assert shown == sorted(h.replace("\n", " ") for h in HOSTILE)
    assert "<b>" not in render(run, "mermaid")


def test_colliding_names_get_distinct_ids_that_do_not_depend_on_order():
    names = ["web-alb", "web_alb", "web alb", "end"]
    ids = {n.name: n.id for n in _all_nodes(build(_synthetic(names)))}
    assert len(set(ids.values())) == len(ids)
    # the same resources in another order keep their ids
    reordered = _synthetic(names)
    reordered.resources[1:] = reversed(reordered.resources[1:])
    assert {n.name: n.id for n in _all_nodes(build(reordered))} == ids
    assert ids["end"] == "r_end"  # never the bare Mermaid keyword


def test_structural_check_rejects_broken_mermaid():
    good = render(_synthetic(["a"]), "mermaid")
    for broken in (good.replace("\n  end", "", 1),  # unclosed subgraph
                   good + '  r_a["x"y"]\n',  # a quote that ends the label early
                   good + "  r_a --> r_missing\n",  # edge to nothing
                   good + '  end["x"]\n'):  # reserved id
        with pytest.raises(MermaidError):
            parse_flowchart(broken)


def test_out_without_graph_and_graph_with_json_are_usage_errors(capsys):
    assert preview_main(["tokyo", "--out", "x.dot"]) == 2
    assert capsys.readouterr().err == "error: --out needs --graph dot|mermaid (it writes the drawing)\n"
    assert preview_main(["tokyo", "--graph", "dot", "--json"]) == 2
    assert capsys.readouterr().err == "error: --graph and --json are two outputs: choose one\n"
    with pytest.raises(SystemExit) as exit_:
        preview_main(["tokyo", "--graph", "svg"])
    assert exit_.value.code == 2
    assert "invalid choice: 'svg'" in capsys.readouterr().err


def test_graph_with_bad_config_exits_2_and_writes_nothing(tmp_path, capsys):
    out = tmp_path / "g.dot"
    code = preview_main(["tokyo", "--graph", "dot", "--out", str(out),
                         "--set", "healthCheck.interval=15"])
    assert code == 2
    assert capsys.readouterr().err == "error: megaticket-dr:healthCheck.interval must be 10 or 30 (got 15)\n"
    assert not out.exists()


def test_unwritable_out_is_one_line_error_and_leaves_no_partial_file(tmp_path, capsys):
    out = tmp_path / "missing-dir" / "g.mmd"
    assert preview_main(["tokyo", "--graph", "mermaid", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: --out {out}: cannot write the drawing (") and err.count("\n") == 1
    assert not Path(tmp_path / "missing-dir").exists()
