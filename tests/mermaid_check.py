"""A structural check of the Mermaid we write (flowchart, sequenceDiagram, gantt).

No Mermaid parser runs without a browser, so this accepts only the subset our generators and
README use, line by line, and fails on anything else: a line it cannot read, a quote that ends a
label early, an unbalanced `subgraph`/`end` or `alt`/`end`, an edge or message to an undeclared
node or participant, an id Mermaid reserves, a duplicate id, or a gantt task it could not date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

ID = r"[A-Za-z_][A-Za-z0-9_]*"
QUOTED = r'"[^"]*"'
RESERVED = {"end", "subgraph", "graph", "flowchart", "style", "class", "classDef", "click",
            "default", "linkStyle", "direction"}
_SHAPES = [(r"\[\[", r"\]\]"), (r"\(\[", r"\]\)"), (r"\{\{", r"\}\}"), (r"\[/", r"/\]"),
           (r"\[", r"\]"), (r"\(", r"\)"), (r"\{", r"\}")]
_NODE = re.compile(rf"^(?P<id>{ID})(?:" + "|".join(
    rf"{left}(?P<label{i}>{QUOTED}){right}" for i, (left, right) in enumerate(_SHAPES)) + r")$")
_ARROW = r"(?:-->|-\.->|==>|---)"
_EDGE = re.compile(rf"^(?P<a>{ID}) {_ARROW}(?:\|(?P<label>{QUOTED})\|)? (?P<b>{ID})$")
_SUBGRAPH = re.compile(rf"^subgraph (?P<id>{ID})\[(?P<label>{QUOTED})\]$")


class MermaidError(AssertionError):
    pass


@dataclass
class Flowchart:
    nodes: dict[str, str] = field(default_factory=dict)  # id -> label text (quotes removed)
    subgraphs: dict[str, str] = field(default_factory=dict)  # id -> label
    node_parent: dict[str, str] = field(default_factory=dict)  # node or subgraph id -> subgraph id
    edges: list[tuple[str, str, str]] = field(default_factory=list)  # (a, b, label)


def _fail(number: int, line: str, why: str) -> MermaidError:
    return MermaidError(f"mermaid line {number}: {why}: {line!r}")


def _declare(chart: Flowchart, kind: str, key: str, number: int, line: str) -> None:
    if key in RESERVED or key.lower() == "end":
        raise _fail(number, line, f"{kind} id {key!r} is reserved by Mermaid")
    if key in chart.nodes or key in chart.subgraphs:
        raise _fail(number, line, f"{kind} id {key!r} declared twice")


def parse_flowchart(text: str) -> Flowchart:
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), 1)
             if raw.strip() and not raw.strip().startswith("%%")]
    if not lines or not re.fullmatch(r"flowchart (LR|RL|TB|TD|BT)", lines[0][1]):
        raise MermaidError("a flowchart starts with `flowchart LR|TB|...`")
    chart = Flowchart()
    stack: list[str] = []
    for number, line in lines[1:]:
        if line == "end":
            if not stack:
                raise _fail(number, line, "`end` without a subgraph")
            stack.pop()
        elif match := _SUBGRAPH.match(line):
            _declare(chart, "subgraph", match["id"], number, line)
            chart.subgraphs[match["id"]] = match["label"][1:-1]
            if stack:
                chart.node_parent[match["id"]] = stack[-1]
            stack.append(match["id"])
        elif match := _NODE.match(line):
            _declare(chart, "node", match["id"], number, line)
            label = next(v for k, v in match.groupdict().items() if k.startswith("label") and v)
            chart.nodes[match["id"]] = label[1:-1]
            if stack:
                chart.node_parent[match["id"]] = stack[-1]
        elif match := _EDGE.match(line):
            for end in (match["a"], match["b"]):
                if end not in chart.nodes and end not in chart.subgraphs:
                    raise _fail(number, line, f"edge to undeclared {end!r}")
            chart.edges.append((match["a"], match["b"], (match["label"] or '""')[1:-1]))
        else:
            raise _fail(number, line, "not a subgraph, node, edge or end")
    if stack:
        raise MermaidError(f"subgraph {stack[-1]!r} is never closed with `end`")
    return chart


@dataclass
class Sequence:
    participants: dict[str, str] = field(default_factory=dict)  # alias -> shown text
    actors: set[str] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)  # every message, note and block label


_PARTICIPANT = re.compile(rf"^(?P<kind>participant|actor) (?P<id>{ID})(?: as (?P<text>[^;#]+))?$")
_MESSAGE = re.compile(rf"^(?P<a>{ID}) ?(?:->>|-->>|->|-->|-x|--x|-\)|--\))[+-]?(?P<b>{ID}) ?: ?(?P<text>[^;#]*)$")
_NOTE = re.compile(rf"^Note (?:over|left of|right of) (?P<ids>{ID}(?:, ?{ID})?) ?: ?(?P<text>[^;#]*)$")
_BLOCK = re.compile(r"^(?P<kw>alt|else|opt|loop|par|and|critical|break|rect)(?: (?P<text>[^;#]*))?$")


def parse_sequence(text: str) -> Sequence:
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), 1)
             if raw.strip() and not raw.strip().startswith("%%")]
    if not lines or lines[0][1] != "sequenceDiagram":
        raise MermaidError("a sequence diagram starts with `sequenceDiagram`")
    seq = Sequence()
    depth = 0
    for number, line in lines[1:]:
        if line == "autonumber":
            continue
        if match := _PARTICIPANT.match(line):
            if match["id"] in seq.participants or match["id"] in RESERVED:
                raise _fail(number, line, "participant declared twice or reserved")
            seq.participants[match["id"]] = (match["text"] or match["id"]).strip()
            if match["kind"] == "actor":
                seq.actors.add(match["id"])
        elif match := _MESSAGE.match(line):
            for end in (match["a"], match["b"]):
                if end not in seq.participants:
                    raise _fail(number, line, f"message to undeclared participant {end!r}")
            seq.texts.append(match["text"])
        elif match := _NOTE.match(line):
            for end in re.split(r", ?", match["ids"]):
                if end not in seq.participants:
                    raise _fail(number, line, f"note over undeclared participant {end!r}")
            seq.texts.append(match["text"])
        elif match := _BLOCK.match(line):
            if match["kw"] in ("else", "and"):
                if depth == 0:
                    raise _fail(number, line, f"`{match['kw']}` outside a block")
            else:
                depth += 1
            seq.texts.append(match["text"] or "")
        elif line == "end":
            if depth == 0:
                raise _fail(number, line, "`end` without a block")
            depth -= 1
        else:
            raise _fail(number, line, "not a participant, message, note or block")
    if depth:
        raise MermaidError("a sequence block is never closed with `end`")
    return seq


@dataclass(frozen=True)
class GanttTask:
    name: str
    tag: str
    id: str
    start: datetime
    end: datetime


_TASK = re.compile(r"^(?P<name>[^:;#]+) :(?P<tag>done|active|crit|milestone), (?P<id>[A-Za-z0-9_]+), "
                   r"(?P<start>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}), "
                   r"(?P<end>\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})$")


def parse_gantt(text: str) -> list[GanttTask]:
    lines = [(n, raw.strip()) for n, raw in enumerate(text.splitlines(), 1) if raw.strip()]
    if not lines or lines[0][1] != "gantt":
        raise MermaidError("a gantt chart starts with `gantt`")
    header = {"dateFormat YYYY-MM-DDTHH:mm:ss.SSS", "axisFormat %H:%M:%S"}
    tasks: list[GanttTask] = []
    for number, line in lines[1:]:
        if line in header or re.fullmatch(r"(title|section) [^:;#]+", line):
            continue
        match = _TASK.match(line)
        if not match:
            raise _fail(number, line, "not a title, format, section or dated task")
        start, end = (datetime.fromisoformat(match[k]) for k in ("start", "end"))
        if end < start:
            raise _fail(number, line, "task ends before it starts")
        if any(t.id == match["id"] for t in tasks):
            raise _fail(number, line, "task id used twice")
        tasks.append(GanttTask(match["name"].strip(), match["tag"], match["id"], start, end))
    if not any(line.startswith("dateFormat ") for _, line in lines):
        raise MermaidError("a gantt chart needs the dateFormat its tasks are written in")
    return tasks


def mermaid_blocks(markdown: str) -> list[str]:
    """The bodies of the ```mermaid fences in a Markdown document."""
    return re.findall(r"^```mermaid\n(.*?)^```$", markdown, re.S | re.M)


def unescape(label: str) -> str:
    """A label as Mermaid shows it: entity codes decoded, `<br/>` as a line break."""
    names = {"quot": '"', "amp": "&", "lt": "<", "gt": ">"}
    decoded = re.sub(r"#(\d+|quot|amp|lt|gt);",
                     lambda m: names.get(m[1]) or chr(int(m[1])), label.replace("<br/>", "\n"))
    return decoded
