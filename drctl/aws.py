"""boto3 clients for drctl: one per (service, region), cached.

boto3 honours AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>), which is how the tests point
drctl at a moto server; nothing here special-cases them.
"""

from __future__ import annotations

from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import NoCredentialsError, NoRegionError

from drctl.config import UsageError

_CONFIG = Config(retries={"mode": "standard", "max_attempts": 3}, connect_timeout=5, read_timeout=20)


class Clients:
    def __init__(self, session: boto3.session.Session | None = None):
        self._session = session or boto3.session.Session()
        self._cache: dict[tuple[str, str], Any] = {}

    def __call__(self, service: str, region: str) -> Any:
        key = (service, region)
        if key not in self._cache:
            self._cache[key] = self._session.client(service, region_name=region, config=_CONFIG)
        return self._cache[key]

    def preflight(self, region: str) -> str:
        """Fail early with one line when there are no credentials; returns the account id."""
        try:
            return str(self("sts", region).get_caller_identity()["Account"])
        except (NoCredentialsError, NoRegionError) as err:
            raise UsageError(f"no usable AWS credentials ({err}): set AWS_PROFILE or "
                             "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY") from err
