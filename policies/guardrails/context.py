"""Where a resource lives: its stack, the stack's role (primary / dr) and the resource's region.

Decisions (ARCHITECTURE.md "Stacks"):
- region: the `region` of the resource's provider as the engine sends it in the analyze request;
  without one, the stack config `aws:region` the engine passes in PULUMI_CONFIG. Unknown -> None.
- role: the stack config `megaticket-dr:role` (`primary` | `dr`) when set, else the stack name
  from the URN (`seoul` -> primary, `tokyo` -> dr, names ending `-dr`/containing `tokyo` -> dr).
  An unrecognised stack has no role and role-specific rules do not apply to it.
"""

from __future__ import annotations

import json
import os
from typing import Any

from .values import get_path, is_unknown, plain

PROJECT_KEY = "megaticket-dr"
PRIMARY = "primary"
DR = "dr"
_KNOWN_STACK_ROLES = {"seoul": PRIMARY, "tokyo": DR}


def stack_config() -> dict[str, Any]:
    """The stack config the engine hands the analyzer (PULUMI_CONFIG, a JSON object of strings)."""
    raw = os.environ.get("PULUMI_CONFIG", "")
    if not raw:
        return {}
    try:
        loaded = json.loads(raw)
    except ValueError:
        return {}
    return loaded if isinstance(loaded, dict) else {}


def config_value(key: str) -> Any:
    """`project:key` from the stack config; nested objects arrive JSON-encoded and are decoded."""
    value = stack_config().get(key)
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::<type>::<name>` -> stack."""
    parts = urn.split("::")
    head = parts[0] if parts else ""
    return head.split(":", 2)[2] if head.count(":") >= 2 else os.environ.get("PULUMI_STACK", "")


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1] if "::" in urn else urn


def role_of(urn: str) -> str | None:
    configured = config_value(f"{PROJECT_KEY}:role")
    if configured in (PRIMARY, DR):
        return str(configured)
    stack = stack_of(urn).rsplit("/", 1)[-1].lower()
    if stack in _KNOWN_STACK_ROLES:
        return _KNOWN_STACK_ROLES[stack]
    if stack.endswith("-dr") or "tokyo" in stack:
        return DR
    if "seoul" in stack:
        return PRIMARY
    return None


def region_of(provider: Any) -> str | None:
    """Region of the provider object pulumi_policy hands a rule (None when unknown/absent)."""
    region = None
    if provider is not None:
        region = get_path(plain(provider.props), "region")
    if region is None:
        region = stack_config().get("aws:region")
    if not isinstance(region, str) or is_unknown(region) or not region:
        return None
    return region
