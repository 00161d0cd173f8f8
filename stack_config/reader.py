"""`Section`: one config object that remembers its dotted path, so every error names the full key.

Every text rule is a `fullmatch` (a `$` would let a trailing newline through), no value may carry
leading or trailing whitespace, and an explicit null counts as "not set".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any, Optional

from failover.contract import NameRule
from stack_config.errors import NAMESPACE, fail, key_text

_INT = re.compile(r"-?[0-9]+")


def as_int(value: Any) -> Optional[int]:
    """An integer from JSON or YAML: 3, 3.0 or "3"; never a bool, never " 3" or "3\\n"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT.fullmatch(value) and len(value) <= 19:
        return int(value)
    return None


def choices_text(choices: tuple[str, ...]) -> str:
    quoted = [f'"{c}"' for c in choices]
    return " or ".join(quoted) if len(quoted) <= 2 else "one of " + ", ".join(quoted)


class Section:
    def __init__(self, path: str, values: Mapping[str, Any]):
        self.path = path
        self.values = values

    def key(self, name: str) -> str:
        return f"{self.path}.{name}" if self.path else name

    def raw(self, name: str) -> Any:
        return self.values.get(name)

    def is_set(self, name: str) -> bool:
        return self.values.get(name) is not None

    def section(self, name: str) -> Section:
        value = self.values.get(name)
        if value is None:
            return Section(self.key(name), {})
        if not isinstance(value, Mapping):
            raise fail(self.key(name), "an object", value)
        return Section(self.key(name), value)

    def only(self, *allowed: str) -> Section:
        """Refuse keys this section does not know (a typo must not silently fall back to a default)."""
        for name in self.values:
            if name not in allowed:
                where = self.path or NAMESPACE
                raise fail(self.key(str(name)), f"one of the known keys of {key_text(where)} "
                           f"({', '.join(sorted(allowed))})", self.values[name])
        return self

    # --- text ---------------------------------------------------------------------------------

    def optional_text(self, name: str, pattern: re.Pattern[str], expected: str) -> Optional[str]:
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or value != value.strip() or not pattern.fullmatch(value):
            raise fail(self.key(name), expected, value)
        return value

    def text(self, name: str, default: Optional[str], pattern: re.Pattern[str], expected: str) -> str:
        value = self.optional_text(name, pattern, expected)
        if value is not None:
            return value
        if default is None:
            raise fail(self.key(name), expected, None)
        return default

    def optional_name(self, name: str, rule: NameRule, max_len: Optional[int] = None,
                      why: str = "") -> Optional[str]:
        """A resource name AWS accepts (`rule`), optionally shorter because a derived name must fit."""
        value = self.values.get(name)
        if value is None:
            return None
        if not isinstance(value, str) or value != value.strip() or rule.problem(value, max_len):
            raise fail(self.key(name), f"{rule.what}: {rule.expected(max_len)}{why}", value)
        return value

    def name(self, name: str, default: str, rule: NameRule, max_len: Optional[int] = None,
             why: str = "") -> str:
        value = self.optional_name(name, rule, max_len, why)
        if value is not None:
            return value
        problem = rule.problem(default, max_len)
        if problem:  # a default derived from another setting
            raise fail(self.key(name), f"{rule.what}: {rule.expected(max_len)}{why}", default)
        return default

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.values.get(name)
        if value is None:
            return default
        if not isinstance(value, str) or value not in choices:
            raise fail(self.key(name), choices_text(choices), value)
        return value

    # --- numbers and switches ---------------------------------------------------------------------

    def integer(self, name: str, default: Optional[int], low: int, high: int,
                allowed: Optional[tuple[int, ...]] = None, why: str = "") -> int:
        value = self.values.get(name)
        if value is None and default is not None:
            return default
        expected = (" or ".join(str(a) for a in allowed) if allowed
                    else f"an integer from {low} to {high}") + why
        number = as_int(value)
        if number is None or (allowed and number not in allowed) or not low <= number <= high:
            raise fail(self.key(name), expected, value)
        return number

    def boolean(self, name: str, default: bool) -> bool:
        value = self.values.get(name)
        if value is None:
            return default
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value in ("true", "false"):
            return value == "true"
        raise fail(self.key(name), "true or false", value)

    # --- lists and maps -------------------------------------------------------------------------------

    def text_list(self, name: str, pattern: re.Pattern[str], expected: str) -> tuple[str, ...]:
        """A list (or the CLI's comma-separated text) of distinct strings each matching `pattern`."""
        value = self.values.get(name)
        if value is None:
            return ()
        if isinstance(value, str):
            value = [v.strip() for v in value.split(",") if v.strip()]
        if not isinstance(value, list):
            raise fail(self.key(name), f"a list of {expected}", value)
        for item in value:
            if not isinstance(item, str) or not pattern.fullmatch(item):
                raise fail(self.key(name), f"a list of {expected}", item)
        if len(set(value)) != len(value):
            raise fail(self.key(name), f"a list of distinct {expected}", value)
        return tuple(value)

    def name_list(self, name: str, rule: NameRule) -> Optional[tuple[str, ...]]:
        """None when not set; else distinct names each accepted by `rule`."""
        value = self.values.get(name)
        if value is None:
            return None
        items = self.text_list(name, re.compile(r"[^\s,]+"), f"{rule.plural} ({rule.expected()})")
        for item in items:
            if rule.problem(item):
                raise fail(self.key(name), f"a list of {rule.plural} ({rule.expected()})", item)
        return items
