"""One policy pack per test process and mode, driven over gRPC like the CLI (policies/analyzer_harness.py).

Session scope: under `pytest -n auto` every worker starts its own packs once; both boot in the
background while the first test builds its resources.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from policies.analyzer_harness import PolicyPackProcess


@pytest.fixture(scope="session")
def _packs() -> Iterator[dict[str, PolicyPackProcess]]:
    packs = {
        "update": PolicyPackProcess(preview=False).start(),
        "preview": PolicyPackProcess(preview=True).start(),
    }
    yield packs
    for pack in packs.values():
        pack.close()


@pytest.fixture(scope="session")
def pack(_packs: dict[str, PolicyPackProcess]) -> PolicyPackProcess:
    """The pack as `pulumi up` runs it."""
    return _packs["update"]


@pytest.fixture(scope="session")
def preview_pack(_packs: dict[str, PolicyPackProcess]) -> PolicyPackProcess:
    """The pack as `pulumi preview` runs it (PULUMI_DRY_RUN=true)."""
    return _packs["preview"]


@pytest.fixture(params=["update", "preview"])
def any_pack(request: pytest.FixtureRequest, _packs: dict[str, PolicyPackProcess]) -> PolicyPackProcess:
    """Each test that takes it runs against both modes."""
    return _packs[request.param]
