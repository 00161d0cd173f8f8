"""AWS regions, from a list AWS maintains: botocore's `data/partitions.json` (the partition
metadata every AWS SDK is generated from), not a regex that also accepts `xx-fake-9`.

Only the `aws` partition: the project's ARNs are `arn:aws:...`.
"""

from __future__ import annotations

import importlib.util
import json
from functools import lru_cache
from pathlib import Path

_NOT_REGIONS = {"aws-global"}  # pseudo-regions of global endpoints


@lru_cache(maxsize=1)
def known_regions() -> frozenset[str]:
    # Read the data file without importing botocore (its import costs more than the check).
    spec = importlib.util.find_spec("botocore")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("botocore is not installed (requirements.txt installs it with boto3)")
    data = Path(next(iter(spec.submodule_search_locations))) / "data" / "partitions.json"
    partitions = json.loads(data.read_text(encoding="utf-8"))["partitions"]
    aws = next(p for p in partitions if p["id"] == "aws")
    return frozenset(r for r in aws["regions"] if r not in _NOT_REGIONS)
