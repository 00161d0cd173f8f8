"""Reading resource properties the way every rule needs them: unknown-aware, plain, decoded.

Rules never index the pulumi_policy proxies directly: a proxy raises UnknownValueError on an unknown
value, which the SDK turns into an advisory "can't run policy during preview" diagnostic. That is
noise, not a finding, so rules work on plain data and decide themselves what an unknown means
(always: "cannot tell, no violation").
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

# The engine's sentinels for values that only exist after deploy (pulumi_policy/proxy.py).
UNKNOWN_SENTINELS = frozenset({
    "1c4a061d-8072-4f0a-a4cb-0ff528b18fe7",  # boolean
    "3eeb2bf0-c639-47a8-9e75-3b44932eb421",  # number
    "04da6b54-80e4-46f7-96ec-b56ff0331ba9",  # string (the engine uses this one for every type)
    "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2",  # array
    "030794c1-ac77-496b-92df-f27374a8bd58",  # asset
    "e48ece36-62e2-4504-bad9-02848725956a",  # archive
    "dd056dcd-154b-4c76-9bd3-c8f88648b5ff",  # object
})


def is_unknown(value: Any) -> bool:
    """True when the value exists only after deploy (the engine sent its unknown sentinel)."""
    return isinstance(value, str) and value in UNKNOWN_SENTINELS


def plain(value: Any) -> Any:
    """A pulumi_policy proxy (or plain data) as plain dicts/lists, unknown sentinels left in place."""
    if isinstance(value, Mapping):
        target = _proxy_target(value)
        return {k: plain(v) for k, v in target.items()}
    if isinstance(value, Sequence) and not isinstance(value, (str, bytes)):
        target = _proxy_target(value)
        return [plain(v) for v in target]
    return value


def _proxy_target(value: Any) -> Any:
    # The proxies hand out their unchecked target for the key "__target" (pulumi_policy/proxy.py).
    if type(value).__name__ in ("_DictProxy", "_ListProxy"):
        return value["__target"]
    return value


def get_path(props: Any, *path: str | int) -> Any:
    """props[path...] or None when any step is missing; an unknown step returns that unknown."""
    current = props
    for key in path:
        if is_unknown(current):
            return current
        if isinstance(key, int):
            if not isinstance(current, list) or key >= len(current):
                return None
            current = current[key]
        else:
            if not isinstance(current, dict):
                return None
            current = current.get(key)
        if current is None:
            return None
    return current


def as_list(value: Any) -> list[Any]:
    if value is None or is_unknown(value):
        return []
    return value if isinstance(value, list) else [value]


def is_number_like(value: Any) -> bool:
    """A launch template version written as a number: 2, 2.0, "2", " 7 "."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and value.strip().isdigit()


def show(value: Any) -> str:
    """A value for a message: 2.0 (protobuf numbers are doubles) shows as 2, strings quoted."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, str) else str(value)


def is_shell_reference(value: str) -> bool:
    """`$VAR`, `${var}`, `$(cmd)`: the value is computed on the instance, not written here."""
    return value.startswith("$") or value.startswith("`")


_URL_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*://")
_IPV4_RE = re.compile(r"^\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?(?:/.*)?$")
_HOSTNAME_RE = re.compile(
    r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+[a-zA-Z][a-zA-Z0-9-]*\.?(?::\d+)?(?:/.*)?$"
)


def looks_like_url_or_host(value: str) -> bool:
    """A URL (any scheme), an IPv4 address, localhost, or a dotted host name like api.example.com."""
    candidate = value.strip()
    if not candidate or is_shell_reference(candidate):
        return False
    if _URL_RE.match(candidate):
        return True
    if candidate.split(":")[0].lower() == "localhost":
        return True
    if candidate.startswith("[") or _IPV4_RE.match(candidate):
        return True
    # A host name needs a dot and a non-numeric last label; "1.2" or "v2.0" are not hosts.
    return bool(_HOSTNAME_RE.match(candidate)) and not re.match(r"^v?\d+(\.\d+)*$", candidate)


def url_host(value: str) -> str:
    """The host part of a URL or host[:port][/path] string, lower-cased."""
    rest = _URL_RE.sub("", value.strip())
    rest = rest.split("@")[-1]
    if rest.startswith("["):
        return rest[: rest.find("]") + 1].lower()
    return re.split(r"[:/?#]", rest, maxsplit=1)[0].lower()


def shorten(value: str, limit: int = 120) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def state_machine_definition(props: Mapping[str, Any]) -> Any:
    """The parsed `definition` of a state machine, or None while unknown or not JSON (AWS validates it)."""
    definition = props.get("definition")
    if not isinstance(definition, str) or definition in UNKNOWN_SENTINELS:
        return None
    try:
        return json.loads(definition)
    except ValueError:
        return None
