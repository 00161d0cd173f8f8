"""The user data of any resource that boots an instance, normalized and scanned once per value.

Several rules read the same user data; the work (decode, decompress, split, lex, resolve) is
cached on the raw property value, so the pack stays well under a millisecond per resource.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from .coverage import USER_DATA_PATHS, values_at
from .normalize import normalize
from .shell_scan import Assignment, assignments_in
from .values import is_unknown


@dataclass(frozen=True)
class UserData:
    path: str  # the property it came from: "userData", "launchSpecifications[0].userData"
    texts: tuple[str, ...]  # every part the instance runs or writes, decoded
    assignments: tuple[Assignment, ...]
    hidden: tuple[str, ...]  # what cloud-init fetches or runs that the program does not show

    @property
    def text(self) -> str:
        return "\n".join(self.texts)


# Any *PLACEHOLDER* word: the Step2 Lambda replaces the token as text, so every occurrence counts.
PLACEHOLDER_TOKEN_RE = re.compile(r"\b[A-Z0-9_]*PLACEHOLDER[A-Z0-9_]*\b")


@functools.lru_cache(maxsize=512)
def _read(raw: str) -> tuple[tuple[str, ...], tuple[Assignment, ...], tuple[str, ...]] | None:
    normalized = normalize(raw)
    if normalized is None:
        return None
    return (tuple(part.text for part in normalized.parts), tuple(assignments_in(normalized)),
            tuple(dict.fromkeys(normalized.hidden)))


def user_data_of(resource_type: str, props: dict[str, Any]) -> list[UserData]:
    """Every known user data of the resource (none while unknown), each normalized and scanned."""
    found: list[UserData] = []
    for path in USER_DATA_PATHS.get(resource_type, ()):
        for where, value in values_at(props, path):
            if not isinstance(value, str) or is_unknown(value):
                continue
            read = _read(value)
            if read is not None:
                found.append(UserData(where, *read))
    return found


def placeholder_tokens(found: list[UserData]) -> list[str]:
    """Every *PLACEHOLDER* word in the decoded user data (comments too), sorted."""
    return sorted({t for user_data in found for t in PLACEHOLDER_TOKEN_RE.findall(user_data.text)})
