"""Exceptions the failover steps raise; their class names are the `errorType` Step Functions sees.

`asl.py` retries `ThrottledError` with backoff and routes every other error to the failure notification,
so keep these names stable (they appear in `Retry`/`Catch` blocks and in notifications).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import ClientError

# Codes AWS uses for "slow down" and for transient server trouble: safe to retry later.
RETRYABLE_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "SlowDown",
        "ServiceUnavailable",
        "InternalError",
        "InternalFailure",
        "InternalServiceError",
    }
)


class FailoverError(Exception):
    """Base class: a step could not do its job; the message says why and what to check."""


class ThrottledError(FailoverError):
    """AWS asked us to slow down (or had a transient fault); Step Functions retries with backoff."""


class NlbConflictError(FailoverError):
    """A resource with the NLB/target group name exists but does not match what the pipeline needs."""


class NlbMissingError(FailoverError):
    """Mode `standby`: the NLB that should be deployed ahead does not exist."""


class LaunchTemplateError(FailoverError):
    """The launch template cannot be pointed at the NLB (missing, or no INTERNAL_API_URL to set)."""


class ScalingError(FailoverError):
    """An Auto Scaling group is missing or refused the capacity change."""


class HealthCheckError(FailoverError):
    """/api/health through the Tokyo ALB did not answer as the expected region."""


class LockHeldError(FailoverError):
    """Failback refused: the failback lock is still set (release it with `drctl release-lock --yes`)."""


class FailoverRunningError(FailoverError):
    """Failback refused: a failover execution is RUNNING, so Tokyo is half way through changing."""


class ApprovalNotPendingError(FailoverError):
    """No approval task is waiting in the given execution."""


class ExecutionAlreadyRunningError(FailoverError):
    """A failover execution is already RUNNING; a second one would race it."""


F = TypeVar("F", bound=Callable[..., Any])


def error_code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def translate_throttling(fn: F) -> F:
    """Turn retryable ClientErrors into `ThrottledError` so the state machine's Retry can match them."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except ClientError as err:
            code = error_code(err)
            status = int(err.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
            if code in RETRYABLE_CODES or status >= 500:
                raise ThrottledError(f"{fn.__name__}: AWS returned {code or status}; retry later") from err
            raise

    return wrapper  # type: ignore[return-value]
