"""`Pulumi.<stack>.yaml` as the CLI would pass it, and `--set` overrides like `pulumi config set --path`."""

from __future__ import annotations

import base64
import datetime
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Optional

from stack_config.errors import NAMESPACE, ConfigError, shown
from stack_config.load import decode, load_settings
from stack_config.model import Settings


def _plain(value: Any) -> Any:
    """YAML values as JSON data, the way the CLI stores config: every key a string, dates and
    binary as text (YAML also makes datetimes, bytes and sets, which JSON has no form for)."""
    if isinstance(value, Mapping):
        return {_key(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted((_plain(v) for v in value), key=str)
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode()
    return value


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if key is None:
        return "null"
    return str(_plain(key))


def _encode(value: Any) -> Optional[str]:
    if isinstance(value, Mapping) and set(value) == {"secure"}:
        return "[secret]"
    if value is None:
        return None  # `key:` with nothing: not set
    value = _plain(value)
    if isinstance(value, (Mapping, list)):
        return json.dumps(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def stack_file_values(project_dir: Path, stack: str) -> dict[str, str]:
    """The flat config map the CLI would pass for `Pulumi.<stack>.yaml`."""
    import yaml

    path = project_dir / f"Pulumi.{stack}.yaml"
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", stack) or not path.is_file():
        known = sorted(p.name[len("Pulumi."):-len(".yaml")] for p in project_dir.glob("Pulumi.*.yaml"))
        raise ConfigError(f"stack must be one of {', '.join(known)} (got {shown(stack)}): "
                          f"Pulumi.{stack}.yaml not found")
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = " ".join(str(getattr(error, "problem", None) or error).split())
        raise ConfigError(f"{path.name}{where} must be valid YAML ({problem})") from None
    config = document.get("config") if isinstance(document, Mapping) else None
    if config is None:
        config = {}
    if not isinstance(document, Mapping) or not isinstance(config, Mapping):
        raise ConfigError(f"{path.name} config must be a mapping of keys to values")
    values = {_key(key): _encode(value) for key, value in config.items()}
    return {key: value for key, value in values.items() if value is not None}


def apply_overrides(values: Mapping[str, str], assignments: list[str]) -> dict[str, str]:
    """`--set key=value` like `pulumi config set --path`: dotted keys reach into objects."""
    result = dict(values)
    for assignment in assignments:
        key, sep, raw = assignment.partition("=")
        if not sep or not key:
            raise ConfigError(f"--set must be key=value such as healthCheck.interval=10 "
                              f"(got {shown(assignment)})")
        if ":" not in key.split(".")[0]:
            key = f"{NAMESPACE}:{key}"
        top, *path = key.split(".")
        value = _scalar(raw)
        if not path:
            result[top] = value if isinstance(value, str) else json.dumps(value)
            continue
        container = decode(result.get(top, "{}"))
        if not isinstance(container, dict):
            raise ConfigError(f"--set {shown(key)}: {top} is not an object")
        node = container
        for part in path[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                raise ConfigError(f"--set {shown(key)}: {part} is not an object")
        node[path[-1]] = value
        result[top] = json.dumps(container)
    return result


def _scalar(raw: str) -> Any:
    if raw.startswith(("[", "{")):
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    if raw in ("true", "false"):
        return raw == "true"
    if re.fullmatch(r"-?[0-9]{1,12}", raw):
        return int(raw)
    return raw


def settings_for_stack(project_dir: Path, stack: str, assignments: Optional[list[str]] = None
                       ) -> Settings:
    values = apply_overrides(stack_file_values(project_dir, stack), assignments or [])
    return load_settings(values, stack)
