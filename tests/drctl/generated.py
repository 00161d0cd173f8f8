"""The doctor's healthy fixture: both stacks as the program declares them, deployed into in-process
moto by `tests/deployer.py`, plus the settings each caller would use.

`Env.run()` runs every check in-process; `Env.settings` are drctl's (from Pulumi.tokyo.yaml), and
`Env.lambda_settings` add what the readiness Lambda's environment carries from the deployed stacks
(health check id, AMI ids, expected build).
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import boto3

from drctl.config import check_settings_for
from failover import checks
from failover.check_core import CheckResult, CheckSettings
from offline_preview.engine import PROJECT_DIR
from stack_config import settings_for_stack
from tests import moto_gaps
from tests.deployer import Deployed, cached, deploy_pair

_CLIENTS: dict[tuple[str, str], Any] = {}


def client(service: str, region: str) -> Any:
    """Process-wide clients: creating one costs far more than a moto call, and moto intercepts
    clients made before its mock starts."""
    if (service, region) not in _CLIENTS:
        _CLIENTS[(service, region)] = boto3.client(service, region_name=region)
    return _CLIENTS[(service, region)]


def ok_site(url: str, timeout: float) -> int:
    return 200


@dataclass
class Env:
    deployed: Deployed
    settings: CheckSettings
    clients: Callable[[str, str], Any] = client

    @property
    def lambda_settings(self) -> CheckSettings:
        """What the Readiness component puts in the Lambda's environment (stacks.py)."""
        seoul, tokyo = self.deployed.seoul, self.deployed.tokyo
        return dataclasses.replace(self.settings, health_check_id=seoul["healthCheckId"],
                                   golden_ami_id=tokyo["goldenAmiId"], primary_ami_id=seoul["goldenAmiId"],
                                   expected_build=seoul["goldenAmiBuild"])

    def run(self, settings: CheckSettings | None = None, http_get: Callable[[str, float], int] = ok_site,
            **kwargs: Any) -> dict[str, CheckResult]:
        results = checks.run_checks(self.clients, settings or self.settings, http_get=http_get, **kwargs)
        return {r.name: r for r in results}

    def failed(self, settings: CheckSettings | None = None, **kwargs: Any) -> dict[str, CheckResult]:
        return {n: r for n, r in self.run(settings, **kwargs).items() if not r.ok}


def drctl_settings(overrides: tuple[str, ...] = ()) -> CheckSettings:
    return check_settings_for(settings_for_stack(PROJECT_DIR, "tokyo", list(overrides)))


@contextmanager
def deployed(tokyo_overrides: tuple[str, ...] = ()) -> Iterator[Env]:
    """A fresh moto account holding both stacks, as declared (with `--set` overrides for tokyo)."""
    from moto import mock_aws

    moto_gaps.install()
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL")}
    os.environ.update({"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"})
    os.environ.pop("AWS_ENDPOINT_URL", None)
    try:
        with mock_aws():
            yield Env(deploy_pair(cached(client), tokyo_overrides), drctl_settings(tokyo_overrides))
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def deploy_to_server(endpoint: str, tokyo_overrides: tuple[str, ...] = ()) -> Deployed:
    """Both stacks into a moto server over HTTP, for drctl run as a subprocess."""
    moto_gaps.install()

    def factory(service: str, region: str) -> Any:
        return boto3.client(service, region_name=region, endpoint_url=endpoint,
                            aws_access_key_id="testing", aws_secret_access_key="testing")

    return deploy_pair(cached(factory), tokyo_overrides)
