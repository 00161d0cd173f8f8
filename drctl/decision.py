"""Who decided a run's approval, read back from its execution history (issue 15: the decision
records who made it).

The approval is the one task that waits for a task token (`lambda:invoke.waitForTaskToken`). Its
answer is in the history: `drctl approve` and the approval page send the decision record as the
task's output; a rejection is a task failure `ManualReject` whose cause is the page's record (JSON)
or `rejected by <who>: <reason>` from `drctl reject`. Everything in it is untrusted text (a name
typed on a page, a user agent): the Markdown report escapes it, the JSON carries it as data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from failover.contract import REJECT_ERROR

DECISION_KEYS = ("decision", "by", "at", "via", "source_ip", "user_agent", "reason")
_WAIT = ".waitForTaskToken"
_DRCTL_REJECT = re.compile(r"^rejected by (?P<by>.*?): (?P<reason>.*)$", re.DOTALL)


def _record(text: Any) -> dict[str, Any]:
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _decision(decision: str, record: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    found = {**(record or {}), **extra}
    shown = {key: found.get(key) for key in DECISION_KEYS[1:]}
    for key, value in shown.items():
        shown[key] = None if value in ("", None) else str(value)
    return {"decision": decision, **shown}


def _when(event: dict[str, Any]) -> str | None:
    stamp = event.get("timestamp")
    if not isinstance(stamp, datetime):
        return str(stamp) if stamp else None
    stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def approval_decision(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The last approval's outcome: approved, rejected, timed out, failed, pending, or none (the run
    never asked: a drill, or stopped before step 0)."""
    result = _decision("none")
    for event in events:
        kind = event.get("type", "")
        details = next((v for k, v in event.items()
                        if k.endswith("EventDetails") and isinstance(v, dict)), {})
        if _WAIT not in str(details.get("resource", "")):
            continue
        at = _when(event)
        if kind == "TaskScheduled":
            result = _decision("pending", at=at)
        elif kind == "TaskSucceeded":
            record = _record(details.get("output"))
            outcome = "rejected" if record.get("approved") is False else "approved"
            result = _decision(outcome, record, via=record.get("via") or "drctl", at=record.get("at") or at)
        elif kind == "TaskFailed" and details.get("error") == REJECT_ERROR:
            cause = str(details.get("cause") or "")
            record = _record(cause)
            if record:
                result = _decision("rejected", record, at=record.get("at") or at)
            else:
                match = _DRCTL_REJECT.match(cause)
                result = _decision("rejected", by=match["by"] if match else None, via="drctl", at=at,
                                   reason=match["reason"] if match else cause)
        elif kind == "TaskFailed":
            failure = f"{details.get('error')}: {details.get('cause') or ''}".strip()
            result = _decision("failed", at=at, reason=failure)
        elif kind == "TaskTimedOut":
            result = _decision("timed out", at=at, reason="no decision within the approval timeout")
    return result


__all__ = ["DECISION_KEYS", "approval_decision"]
