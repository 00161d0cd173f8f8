"""The recorded preview as a picture: `bin/preview STACK --graph dot|mermaid`.

What is drawn, from what the mock engine recorded (nothing is inferred from names):
- the provider's region of each resource as the top-level group (a resource's own `region`
  input wins over its provider's, as pulumi-aws 7 does); resources with neither (the
  StackReference) sit outside every region;
- each component as a cluster inside the region of its children. A component with children in
  two regions (the failover pipeline: Tokyo and us-east-1) is drawn as one cluster per region;
  its own node sits in the region of the provider it was given (else where most children are);
- parent -> child edges (solid) and dependency edges (dashed), labelled with the inputs that use
  the dependency (`propertyDependencies`) or `dependsOn` for an explicit dependency. Every arrow
  points in creation order: the parent or the dependency comes first.

The same program and config give the same bytes: nodes, clusters and edges are sorted, and ids
come from resource names (with a hash of the URN only to tell apart names that collide).
"""

from __future__ import annotations

import hashlib
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from offline_preview.engine import ProgramRun, RecordedResource, run_program
from offline_preview.report import STACK_TYPE, short_type

FORMATS = ("dot", "mermaid")
PROVIDER_PREFIX = "pulumi:providers:"
EXPLICIT = "dependsOn"


@dataclass(frozen=True)
class Node:
    id: str
    name: str
    type: str
    kind: str  # stack | provider | component | resource | read


@dataclass
class Cluster:
    id: str
    label: str
    nodes: list[Node] = field(default_factory=list)
    clusters: list[Cluster] = field(default_factory=list)


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    kind: str  # parent | dependency
    label: str = ""


@dataclass
class Graph:
    title: str
    nodes: list[Node]  # outside every region (the stack, reads without a provider)
    regions: list[Cluster]
    edges: list[Edge]


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_") or "x"


def _node_ids(urns: Iterable[str], names: dict[str, str]) -> dict[str, str]:
    """Readable ids from names; a colliding slug gets a hash of its URN, the same on every run."""
    by_slug: dict[str, list[str]] = {}
    for urn in urns:
        by_slug.setdefault("r_" + _slug(names[urn]), []).append(urn)
    ids = {}
    for slug, members in by_slug.items():
        for urn in members:
            ids[urn] = slug if len(members) == 1 else \
                f"{slug}_{hashlib.sha256(urn.encode()).hexdigest()[:8]}"
    return ids


def _known(value: object) -> Optional[str]:
    # Unknown values (preview mode) and placeholders are not regions.
    return value if isinstance(value, str) and re.fullmatch(r"[a-z]{2}(-[a-z]+)+-\d", value) else None


def build(run: ProgramRun) -> Graph:
    """The neutral drawing both renderers share."""
    by_urn = {r.urn: r for r in run.resources}
    stack_urn = next((r.parent for r in run.resources if r.parent and r.parent not in by_urn), "")
    stack_name = f"megaticket-dr-{run.stack}"
    names = {urn: r.name for urn, r in by_urn.items()}
    if stack_urn:
        names[stack_urn] = stack_name
    ids = _node_ids(sorted(names), names)

    children: dict[str, list[RecordedResource]] = {}
    for r in run.resources:
        children.setdefault(r.parent, []).append(r)

    def own_region(r: RecordedResource) -> Optional[str]:
        if r.type.startswith(PROVIDER_PREFIX):
            return _known(r.inputs.get("region"))
        if r.custom:
            provider = by_urn.get(r.provider)
            return _known(r.inputs.get("region")) or (
                _known(provider.inputs.get("region")) if provider else None)
        return None

    def descendant_regions(r: RecordedResource) -> Counter[str]:
        found: Counter[str] = Counter()
        for child in children.get(r.urn, []):
            if child.custom:
                if own_region(child):
                    found[own_region(child) or ""] += 1
            else:
                found += descendant_regions(child)
        return found

    def home_region(r: RecordedResource) -> Optional[str]:
        if r.custom:
            return own_region(r)
        given = [by_urn[p] for p in sorted(r.options.get("providers", {}).values()) if p in by_urn]
        regions = descendant_regions(r)
        for provider in given:
            if own_region(provider) in regions or not regions:
                return own_region(provider)
        if not regions:
            return None
        return sorted(regions.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]

    def components_above(r: RecordedResource) -> list[RecordedResource]:
        chain = []
        parent = by_urn.get(r.parent)
        while parent is not None:
            chain.append(parent)
            parent = by_urn.get(parent.parent)
        return list(reversed(chain))

    def kind(r: RecordedResource) -> str:
        if r.options.get("read"):
            return "read"
        if r.type.startswith(PROVIDER_PREFIX):
            return "provider"
        return "resource" if r.custom else "component"

    regions: dict[str, Cluster] = {}
    clusters: dict[tuple[str, str], Cluster] = {}
    outside: list[Node] = []
    if stack_urn:
        outside.append(Node(ids[stack_urn], stack_name, STACK_TYPE, "stack"))

    def cluster_for(region: str, chain: list[RecordedResource]) -> Cluster:
        if region not in regions:
            regions[region] = Cluster(f"cluster_{_slug(region)}", region)
        holder = regions[region]
        for component in chain:
            key = (component.urn, region)
            if key not in clusters:
                clusters[key] = Cluster(f"cluster_{ids[component.urn]}__{_slug(region)}",
                                        f"{component.name} ({short_type(component.type)})")
                holder.clusters.append(clusters[key])
            holder = clusters[key]
        return holder

    for r in run.resources:
        node = Node(ids[r.urn], r.name, r.type, kind(r))
        region = home_region(r)
        chain = components_above(r) + ([] if r.custom else [r])
        if region is None:
            outside.append(node)
        else:
            cluster_for(region, chain).nodes.append(node)

    edges: set[Edge] = set()
    for r in run.resources:
        if r.parent in ids:
            edges.add(Edge(ids[r.parent], ids[r.urn], "parent"))
        used_by: dict[str, list[str]] = {}
        for prop, deps in (r.options.get("propertyDependencies") or {}).items():
            for dep in deps:
                used_by.setdefault(dep, []).append(prop)
        for dep in r.options.get("dependencies") or []:
            if dep in by_urn and dep != r.urn:
                label = ", ".join(sorted(used_by.get(dep, []))) or EXPLICIT
                edges.add(Edge(ids[dep], ids[r.urn], "dependency", label))

    def tidy(cluster: Cluster) -> Cluster:
        cluster.nodes.sort(key=lambda n: (n.name, n.type, n.id))
        cluster.clusters.sort(key=lambda c: c.id)
        for inner in cluster.clusters:
            tidy(inner)
        return cluster

    return Graph(title=stack_name,
                 nodes=sorted(outside, key=lambda n: (n.kind != "stack", n.name, n.id)),
                 regions=[tidy(regions[k]) for k in sorted(regions)],
                 edges=sorted(edges))


# --- DOT --------------------------------------------------------------------------------------

_DOT_SHAPES = {"stack": "doubleoctagon", "provider": "cds", "component": "component",
               "resource": "box", "read": "parallelogram"}


def dot_string(text: str) -> str:
    """A DOT double-quoted string: backslashes and quotes escaped, line breaks as `\\n`."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + re.sub(r"\r\n|\r|\n", r"\\n", escaped) + '"'


def _dot_node(node: Node, indent: str) -> str:
    label = dot_string(f"{node.name}\n{short_type(node.type)}")
    style = ', style="rounded,dashed"' if node.kind == "read" else ""
    return f"{indent}{node.id} [label={label}, shape={_DOT_SHAPES[node.kind]}{style}];"


def _dot_cluster(cluster: Cluster, depth: int) -> list[str]:
    indent = "  " * depth
    lines = [f"{indent}subgraph {cluster.id} {{", f"{indent}  label={dot_string(cluster.label)};"]
    lines += [_dot_node(n, indent + "  ") for n in cluster.nodes]
    for inner in cluster.clusters:
        lines += _dot_cluster(inner, depth + 1)
    return lines + [f"{indent}}}"]


def render_dot(graph: Graph) -> str:
    lines = [f"digraph {dot_string(graph.title)} {{",
             "  rankdir=LR;",
             f"  label={dot_string(graph.title)};",
             '  node [fontname="Helvetica", fontsize=10];',
             '  edge [fontname="Helvetica", fontsize=8];']
    lines += [_dot_node(n, "  ") for n in graph.nodes]
    for region in graph.regions:
        lines += _dot_cluster(region, 1)
    for edge in graph.edges:
        if edge.kind == "parent":
            lines.append(f'  {edge.source} -> {edge.target} [color="#555555"];')
        else:
            lines.append(f"  {edge.source} -> {edge.target} [style=dashed, color=\"#1f77b4\", "
                         f"label={dot_string(edge.label)}];")
    return "\n".join(lines + ["}"]) + "\n"


# --- Mermaid ----------------------------------------------------------------------------------

_MERMAID_SHAPES = {"stack": ("{{", "}}"), "provider": ("([", "])"), "component": ("[[", "]]"),
                   "resource": ("[", "]"), "read": ("[/", "/]")}
# Characters that end a quoted Mermaid string or are read as HTML/entities when the label renders.
_MERMAID_ENTITIES = {'"': "#quot;", "#": "#35;", "&": "#amp;", "<": "#lt;", ">": "#gt;"}


def mermaid_text(text: str) -> str:
    """Text safe inside a Mermaid double-quoted label: no quote ends it, no markup renders."""
    escaped = "".join(_MERMAID_ENTITIES.get(ch, ch) for ch in text)
    return re.sub(r"[\x00-\x1f\x7f]+", " ", escaped)


def _mermaid_node(node: Node, indent: str) -> str:
    left, right = _MERMAID_SHAPES[node.kind]
    label = f"{mermaid_text(node.name)}<br/>{mermaid_text(short_type(node.type))}"
    return f'{indent}{node.id}{left}"{label}"{right}'


def _mermaid_cluster(cluster: Cluster, depth: int) -> list[str]:
    indent = "  " * depth
    lines = [f'{indent}subgraph {cluster.id}["{mermaid_text(cluster.label)}"]']
    lines += [_mermaid_node(n, indent + "  ") for n in cluster.nodes]
    for inner in cluster.clusters:
        lines += _mermaid_cluster(inner, depth + 1)
    return lines + [f"{indent}end"]


def render_mermaid(graph: Graph) -> str:
    lines = [f"%% {mermaid_text(graph.title)}: bin/preview --graph mermaid", "flowchart LR"]
    lines += [_mermaid_node(n, "  ") for n in graph.nodes]
    for region in graph.regions:
        lines += _mermaid_cluster(region, 1)
    for edge in graph.edges:
        if edge.kind == "parent":
            lines.append(f"  {edge.source} --> {edge.target}")
        else:
            lines.append(f'  {edge.source} -.->|"{mermaid_text(edge.label)}"| {edge.target}')
    return "\n".join(lines) + "\n"


def render(run: ProgramRun, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"graph format must be one of {', '.join(FORMATS)} (got {fmt!r})")
    graph = build(run)
    return render_dot(graph) if fmt == "dot" else render_mermaid(graph)


def write_graph(config: dict[str, str], stack: str, unknowns: bool, fmt: str,
                out: Optional[str]) -> int:
    """The `--graph` command: run the program, draw it, write it whole or not at all."""
    from stack_config import ConfigError

    try:
        text = render(run_program(config, stack, preview=unknowns), fmt)
    except ConfigError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if out is None:
        sys.stdout.write(text)
        return 0
    target = Path(out)
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(target)  # a reader never sees half a drawing
    except OSError as error:
        partial.unlink(missing_ok=True)
        print(f"error: --out {out}: cannot write the drawing ({error.strerror or error})",
              file=sys.stderr)
        return 2
    print(f"wrote {fmt} graph of {len(text.splitlines())} lines to {out}", file=sys.stderr)
    return 0
