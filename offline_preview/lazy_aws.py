"""Load pulumi-aws service packages one resource module at a time.

Each `pulumi_aws.<service>/__init__.py` star-imports every resource of the service (`ec2`
alone is ~180 modules and half a second). The program uses a handful, so for the offline
preview each service package is created empty and resolves a name on first use, from the
`__all__` list its defining module declares. The classes are the very same ones; only the
order and amount of importing change. `pulumi up` never loads this.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import re
import sys
import types
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Optional

_STAR = re.compile(r"^from \.(\w+) import \*$", re.M)
_ALL = re.compile(r"^__all__ = \[(.*?)\]", re.S | re.M)
_NAME = re.compile(r"'(\w+)'")


def _index(package_dir: Path, init_source: str) -> dict[str, str]:
    """Exported name -> the submodule that defines it, in the package's own import order."""
    owners: dict[str, str] = {}
    for submodule in _STAR.findall(init_source):
        text = (package_dir / f"{submodule}.py").read_text(encoding="utf-8")
        found = _ALL.search(text)
        for name in _NAME.findall(found.group(1)) if found else ():
            owners[name] = submodule  # a later star-import wins, as in the real __init__
    return owners


class _LazyPackageLoader(importlib.abc.Loader):
    def __init__(self, origin: str):
        self.origin = Path(origin)

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> Optional[types.ModuleType]:
        return None

    def exec_module(self, module: types.ModuleType) -> None:
        source = self.origin.read_text(encoding="utf-8")
        owners = _index(self.origin.parent, source)
        package = module.__name__

        def __getattr__(name: str) -> Any:  # noqa: N807 - PEP 562 module hook
            owner = owners.get(name)
            if owner is None and (self.origin.parent / f"{name}.py").is_file():
                return importlib.import_module(f"{package}.{name}")
            if owner is None:
                raise AttributeError(f"module {package!r} has no attribute {name!r}")
            value = getattr(importlib.import_module(f"{package}.{owner}"), name)
            setattr(module, name, value)
            return value

        module.__getattr__ = __getattr__  # type: ignore[method-assign]
        module.__dir__ = lambda: sorted(owners)  # type: ignore[method-assign]


class _LazyServiceFinder(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname: str, path: Optional[Sequence[str]],
                  target: Optional[types.ModuleType] = None) -> Optional[importlib.machinery.ModuleSpec]:
        if not fullname.startswith("pulumi_aws.") or fullname.count(".") != 1:
            return None
        spec = importlib.machinery.PathFinder.find_spec(fullname, path)
        if spec is None or not spec.submodule_search_locations or not spec.origin:
            return None
        if not _STAR.search(Path(spec.origin).read_text(encoding="utf-8")):
            return None
        spec.loader = _LazyPackageLoader(spec.origin)
        return spec


def install() -> None:
    if not any(isinstance(f, _LazyServiceFinder) for f in sys.meta_path):
        sys.meta_path.insert(0, _LazyServiceFinder())
