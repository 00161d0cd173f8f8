"""Step 4: prove Tokyo serves (through the ALB, as users will) and build the success summary."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

from failover.errors import HealthCheckError

# (url, timeout) -> (status, body)
HttpGet = Callable[[str, int], tuple[int, str]]


def urllib_get(url: str, timeout: int) -> tuple[int, str]:
    if not url.startswith(("http://", "https://")):
        raise HealthCheckError(f"refusing to fetch {url!r}: only http(s) URLs are checked")
    request = urllib.request.Request(url, headers={"Accept": "application/json"})  # noqa: S310 - checked above
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - checked above
            return int(response.status), response.read(65536).decode("utf-8", "replace")
    except urllib.error.HTTPError as err:
        return int(err.code), err.read(4096).decode("utf-8", "replace")
    except (urllib.error.URLError, TimeoutError, OSError) as err:
        raise HealthCheckError(f"GET {url} failed: {err}") from err


def check_health(http_get: HttpGet, url: str, expected_region: str, timeout: int) -> dict[str, Any]:
    status, body = http_get(url, timeout)
    if status != 200:
        raise HealthCheckError(f"GET {url} answered HTTP {status}: {body[:200]}")
    try:
        payload = json.loads(body)
    except ValueError:
        raise HealthCheckError(f"GET {url} did not return JSON: {body[:200]}") from None
    region = payload.get("region") if isinstance(payload, dict) else None
    if region != expected_region:
        raise HealthCheckError(f"GET {url} reports region {region!r}, expected {expected_region!r}")
    return {"url": url, "status": status, "region": region}


def success_summary(execution_arn: str, steps: Mapping[str, Any]) -> str:
    lines = ["MegaTicket DR failover to Tokyo SUCCEEDED.", f"Execution: {execution_arn}", ""]
    for name in sorted(k for k in steps if k.startswith("step")):
        entry = steps[name] if isinstance(steps[name], dict) else {}
        lines.append(f"  {name}: {entry.get('started_at', '-')} -> {entry.get('finished_at', '-')}")
    lines += [
        "",
        "The failback lock is SET: the PRIMARY record stays unhealthy until someone checks the data",
        "and runs `drctl release-lock --yes`. Then failback with `drctl failback --reason '<why>'`.",
    ]
    return "\n".join(lines)
