"""Shared test set-up: the one mock engine, and runners for the whole program or a component.

The Mocks live in `offline_preview.engine` because the offline preview runs the same engine;
tests reach them only through the two runners below.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Optional

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# boto3 in tests never reaches AWS: fake credentials and a default region.
for _key, _value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                     "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": "ap-northeast-1"}.items():
    os.environ.setdefault(_key, _value)

from offline_preview.engine import InvokeAnswers, ProgramRun, run_function  # noqa: E402
from offline_preview.engine import run_program as _run_program
from stack_config import apply_overrides, stack_file_values  # noqa: E402


def run_program(stack: str, preview: bool = False, overrides: Optional[list[str]] = None,
                stack_reference_outputs: Optional[dict[str, Any]] = None,
                program: Optional[Path] = None, invokes: Optional[InvokeAnswers] = None) -> ProgramRun:
    """The whole program for `stack` with its real stack file, plus `--set`-style overrides;
    `invokes` answers data source calls ahead of the default answers."""
    config = apply_overrides(stack_file_values(ROOT, stack), overrides or [])
    return _run_program(config, stack, preview=preview, program=program or ROOT / "__main__.py",
                        stack_reference_outputs=stack_reference_outputs, invokes=invokes)


def run_component(body: Callable[[], Any], preview: bool = False, stack: str = "tokyo",
                  region: str = "ap-northeast-1") -> ProgramRun:
    """A few components declared by `body` under the same mocks."""
    return run_function(body, {"aws:region": region}, stack, preview=preview)


@pytest.fixture(params=[False, True], ids=["update", "preview"])
def preview(request: pytest.FixtureRequest) -> bool:
    """Run a test in update mode (placeholders) and preview mode (unknowns)."""
    return bool(request.param)
