"""Per-step timestamps written into the execution state (`$.steps.<step>`).

Polling steps run several times; `started_at` survives from the first call so the final
notification and `drctl report` can show how long each step really took.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def stamp(previous: Any, **details: Any) -> dict[str, Any]:
    started = previous.get("started_at") if isinstance(previous, dict) else None
    now = now_iso()
    return {"started_at": started or now, "finished_at": now, **details}
