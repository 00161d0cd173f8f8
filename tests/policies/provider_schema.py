"""The installed pulumi-aws provider's own description of which resources boot instances.

The Python SDK is generated from the provider schema: every resource's inputs are the parameters of
its `_internal_init`, and every nested object type is an `...ArgsDict` TypedDict in the service's
`_inputs.py`. Walking them from each resource finds every input path (camelCase, as the engine sends
it) that carries user data or selects a launch template version, without importing 140 MB of SDK.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from pathlib import Path

import pulumi_aws

SDK = Path(pulumi_aws.__file__).parent
USER_DATA_FIELDS = {"user_data", "user_data_base64"}
VERSION_FIELDS = {"version", "launch_template_version", "default_version"}

_CLASS_RE = re.compile(r"^class (\w+)ArgsDict\(TypedDict\):\n(.*?)(?=^\S)", re.M | re.S)
_FIELD_RE = re.compile(r"^    (\w+): (.+)$", re.M)
_INIT_RE = re.compile(r"def _internal_init\(__self__,\n(.*?)\):", re.S)
_PARAM_RE = re.compile(r"^\s+(\w+): (.+?) = None,?$", re.M)
_TOKEN_RE = re.compile(r"super\(\w+, __self__\).__init__\(\s*'(aws:[^']+)'")
_REF_RE = re.compile(r"'(\w+)ArgsDict'")


def camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@functools.cache
def _types(service: Path) -> dict[str, list[tuple[str, str]]]:
    inputs = service / "_inputs.py"
    if not inputs.exists():
        return {}
    text = inputs.read_text()
    return {match.group(1): _FIELD_RE.findall(match.group(2)) for match in _CLASS_RE.finditer(text)}


def _walk(service: Path, fields: list[tuple[str, str]], path: str, owner: str,
          seen: frozenset[str]) -> Iterator[tuple[str, str]]:
    for name, annotation in fields:
        sequence = "Sequence[" in annotation.split("ArgsDict")[0] if "ArgsDict" in annotation else False
        here = f"{path}.{camel(name)}" if path else camel(name)
        if name in USER_DATA_FIELDS:
            yield "userData", here
        if name in VERSION_FIELDS and ("LaunchTemplate" in owner or name == "launch_template_version"):
            yield "version", here
        for ref in _REF_RE.findall(annotation):
            if ref in seen:
                continue
            nested = _types(service).get(ref)
            if nested is not None:
                yield from _walk(service, nested, here + ("[]" if sequence else ""), ref, seen | {ref})


def _resource_fields(text: str) -> list[tuple[str, str]]:
    init = _INIT_RE.search(text)
    return _PARAM_RE.findall(init.group(1)) if init else []


@functools.cache
def instance_paths() -> dict[str, dict[str, frozenset[str]]]:
    """{type token: {"userData": paths, "version": paths}} for every resource that has either."""
    found: dict[str, dict[str, set[str]]] = {}
    for module in sorted(SDK.glob("*/*.py")):
        if module.name.startswith(("_", "get_")):
            continue
        text = module.read_text()
        token = _TOKEN_RE.search(text)
        if token is None:
            continue
        owner = "LaunchTemplate" if token.group(1) == "aws:ec2/launchTemplate:LaunchTemplate" else ""
        for kind, path in _walk(module.parent, _resource_fields(text), "", owner, frozenset()):
            found.setdefault(token.group(1), {"userData": set(), "version": set()})[kind].add(path)
    return {t: {k: frozenset(v) for k, v in kinds.items()} for t, kinds in found.items()}
