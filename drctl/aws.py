"""boto3 clients for drctl: one per (service, region), cached.

boto3 honours AWS_ENDPOINT_URL (and AWS_ENDPOINT_URL_<SERVICE>), which is how the tests point
drctl at a moto server; nothing here special-cases them. Every way the first call can fail before
AWS has judged the request (no credentials, an unknown profile, a malformed or unreachable
endpoint, a server that does not speak AWS) is a one-line usage error (exit 2).
"""

from __future__ import annotations

import os
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    ProfileNotFound,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from drctl.config import UsageError
from failover.contract import AWS_CLIENT_CONFIG

_CONFIG = Config(**AWS_CLIENT_CONFIG)
# Probing whether a region answers at all: one attempt, short timeouts (Seoul may be down).
_PROBE = Config(retries={"mode": "standard", "max_attempts": 1}, connect_timeout=3, read_timeout=5)
_UNREACHABLE = (EndpointConnectionError, ConnectTimeoutError, ReadTimeoutError, ConnectionClosedError)


def _endpoint() -> str:
    return os.environ.get("AWS_ENDPOINT_URL", "")


class Clients:
    def __init__(self, session: boto3.session.Session | None = None):
        try:
            self._session = session or boto3.session.Session()
        except ProfileNotFound as err:
            raise UsageError(f"AWS_PROFILE must name a profile in ~/.aws/config ({err})") from None
        self._cache: dict[tuple[str, str, bool], Any] = {}

    def client(self, service: str, region: str, probe: bool = False) -> Any:
        key = (service, region, probe)
        if key not in self._cache:
            try:
                self._cache[key] = self._session.client(service, region_name=region,
                                                        config=_PROBE if probe else _CONFIG)
            except ProfileNotFound as err:
                raise UsageError(f"AWS_PROFILE must name a profile in ~/.aws/config ({err})") from None
            except ValueError as err:  # botocore: "Invalid endpoint: ..."
                raise UsageError(f"AWS_ENDPOINT_URL must be an http(s) URL such as http://127.0.0.1:5000 "
                                 f"(got {_endpoint()!r}: {err})") from None
        return self._cache[key]

    def __call__(self, service: str, region: str) -> Any:
        return self.client(service, region)

    def probe(self, region: str) -> str | None:
        """None when the region's endpoint answers; else why not (the doctor skips its checks)."""
        try:
            self.client("sts", region, probe=True).get_caller_identity()
        except _UNREACHABLE as err:
            return type(err).__name__
        except (ClientError, BotoCoreError):
            return None  # it answered; the checks report whatever it refuses
        return None

    def preflight(self, region: str) -> str:
        """Fail early with one line when AWS cannot be asked at all; returns the account id."""
        where = _endpoint() or f"the {region} endpoint"
        try:
            return str(self("sts", region).get_caller_identity()["Account"])
        except (NoCredentialsError, NoRegionError) as err:
            raise UsageError(f"no usable AWS credentials ({err}): set AWS_PROFILE or "
                             "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY") from None
        except ProfileNotFound as err:
            raise UsageError(f"AWS_PROFILE must name a profile in ~/.aws/config ({err})") from None
        except _UNREACHABLE as err:
            raise UsageError(f"cannot reach AWS at {where} ({type(err).__name__}): check the network "
                             "and AWS_ENDPOINT_URL") from None
        except ResponseParserError:
            raise UsageError(f"{where} did not answer like AWS STS (HTTP 404 or another status with a "
                             "body that is not an AWS response): check AWS_ENDPOINT_URL") from None
        except ClientError as err:
            error = err.response.get("Error", {})
            status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            error_code = str(error.get("Code") or "")
            if not error_code or error_code.isdigit():
                raise UsageError(f"{where} did not answer like AWS STS (HTTP {status}, "
                                 f"{error.get('Message') or 'empty body'}): check AWS_ENDPOINT_URL") from None
            raise UsageError(f"AWS rejected the credentials ({error_code}: {error.get('Message')}): "
                             "set AWS_PROFILE or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY") from None
        except BotoCoreError as err:
            raise UsageError(f"cannot call AWS at {where} ({type(err).__name__}: {err})") from None
