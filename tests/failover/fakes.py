"""Small fakes shared by the step tests."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError


class ThrottleOnce:
    """Wraps a boto3 client; the first call of `method` raises ThrottlingException, then passes through."""

    def __init__(self, client: Any, method: str, code: str = "ThrottlingException") -> None:
        self._client = client
        self._method = method
        self._code = code
        self.throttled = 0

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._client, name)
        if name != self._method or self.throttled:
            return target

        def throttled(*args: Any, **kwargs: Any) -> Any:
            self.throttled += 1
            raise ClientError(
                {
                    "Error": {"Code": self._code, "Message": "Rate exceeded"},
                    "ResponseMetadata": {"HTTPStatusCode": 400},
                },
                name,
            )

        return throttled
