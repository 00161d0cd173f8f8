"""`ConfigError`: one line naming the key, the bad value and the expected form."""

from __future__ import annotations

import json
import re
from typing import Any

import pulumi

NAMESPACE = "megaticket-dr"
_PLAIN_KEY = re.compile(r"[A-Za-z0-9_.:-]+")


class ConfigError(pulumi.RunError):
    """A stack setting is wrong or missing; the message is the whole story (one line, no traceback)."""


def shown(value: Any) -> str:
    """A value as the error shows it: JSON, so newlines and trailing spaces stay visible."""
    if value is None:
        return "nothing"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 200 else text[:197] + "..."


def key_text(key: str) -> str:
    """A dotted key as the error shows it; a key with odd characters is quoted."""
    return key if _PLAIN_KEY.fullmatch(key) else json.dumps(key, ensure_ascii=False)


def fail(key: str, expected: str, got: Any) -> ConfigError:
    return ConfigError(f"{NAMESPACE}:{key_text(key)} must be {expected} (got {shown(got)})")
