"""Doctor against one fault at a time on the fixture generated from the program.

Each fault (tests/drctl/faults.py) is applied to the healthy deployment, the checks run, and
exactly the checks that see that fault fail, each naming the fact, the expected and actual
values, and a fix; then the fault is reverted (and the next test proves the revert).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.drctl.commands import check_fix
from tests.drctl.faults import REVERSIBLE, Fault
from tests.drctl.generated import Env, deployed


@pytest.fixture(scope="module")
def env() -> Iterator[Env]:
    with deployed() as healthy:
        yield healthy


def test_the_generated_fixture_passes_every_check_as_drctl_and_as_the_readiness_lambda(env: Env):
    # GIVEN both stacks exactly as the program declares them, WHEN doctor runs with drctl's
    # settings and with the readiness Lambda's (which also know the deployed ids and build)
    for settings in (env.settings, env.lambda_settings):
        results = env.run(settings)
        # THEN every check passes, none skipped
        assert {n: r.detail for n, r in results.items() if not r.ok} == {}
        assert not [r.name for r in results.values() if r.skipped]


@pytest.mark.parametrize("fault", REVERSIBLE, ids=[f.id for f in REVERSIBLE])
def test_each_fault_fails_exactly_its_check_with_fact_expected_actual_and_fix(env: Env, fault: Fault):
    settings = env.lambda_settings if fault.settings == "lambda" else env.settings
    revert = fault.apply(env)
    try:
        failed = env.failed(settings)
    finally:
        revert()
    assert set(failed) == fault.fails, {n: r.detail for n, r in failed.items()}
    details = " | ".join(r.detail for r in failed.values())
    assert fault.detail in details
    assert all(r.fix for r in failed.values())
    assert any(fault.fix in r.fix for r in failed.values()), [r.fix for r in failed.values()]
    # AND every command a fix gives is a valid drctl/aws/pulumi command line naming what exists
    for result in failed.values():
        check_fix(result.fix, env.clients)
