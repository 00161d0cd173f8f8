"""Mermaid gantt charts and Markdown text for reports GitHub (and most wikis) render.

`gantt_chart` takes plain (phase name, start, end) tuples, so a run's steps today and drill
phases later draw the same way. Times are written in UTC with milliseconds, because a failover
step under a few seconds would otherwise draw as nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

DATE_FORMAT = "YYYY-MM-DDTHH:mm:ss.SSS"  # dayjs tokens, as Mermaid parses them
TAGS = ("done", "active", "crit", "milestone")


def _stamp(value: datetime) -> str:
    utc = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}"


def gantt_text(text: str) -> str:
    """A task or title safe in a gantt line: `:` splits task fields, `;` and `#` end or escape,
    and markup never reaches the rendered chart."""
    text = text.replace("&", " and ").replace("<", "‹").replace(">", "›")
    return re.sub(r"\s+", " ", re.sub(r"[:;#\x00-\x1f\x7f]", " ", text)).strip() or "-"


def gantt_chart(title: str, phases: Iterable[tuple[str, datetime, datetime | None]],
                tags: Mapping[str, str] | None = None, section: str = "steps") -> list[str]:
    """Mermaid `gantt` lines for `(name, start, end)` phases, in the order given.

    A phase with no end yet (still running) is drawn to the latest time the chart knows and
    tagged `active`; `tags` maps a phase name to one of done/active/crit/milestone.
    """
    rows = list(phases)
    for name, start, end in rows:
        if end is not None and end < start:
            raise ValueError(f"phase {name!r} ends ({end.isoformat()}) before it starts "
                             f"({start.isoformat()})")
    known = [t for _, start, end in rows for t in (start, end) if t is not None]
    latest = max(known) if known else None
    lines = ["gantt", f"  title {gantt_text(title)}", f"  dateFormat {DATE_FORMAT}",
             "  axisFormat %H:%M:%S", f"  section {gantt_text(section)}"]
    for index, (name, start, end) in enumerate(rows, 1):
        tag = (tags or {}).get(name) or ("done" if end is not None else "active")
        if tag not in TAGS:
            raise ValueError(f"tag for {name!r} must be one of {', '.join(TAGS)} (got {tag!r})")
        finish = end if end is not None else latest
        lines.append(f"  {gantt_text(name)} :{tag}, p{index}, {_stamp(start)}, "
                     f"{_stamp(finish or start)}")
    return lines


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+!|~>-])")


def markdown_text(text: object) -> str:
    """Untrusted text (an execution's name, error, cause) as inert Markdown on one line."""
    plain = re.sub(r"\s+", " ", str(text)).strip()
    html = plain.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", html)
