"""The policy pack's cost per resource: the median time its rules take to analyze one resource.

pulumi_policy's own Analyze handler is called in process with the exact requests the CLI sends, and
the time spent inside the pack's policies (every rule that applies, reading plain properties,
decoding and scanning user data) is summed per resource: that is "analysis", the figure the target
is about. The SDK's handler around it (it deserializes the request once per policy) and the round
trip through the Analyzer protocol are reported alongside, for context; both depend on pulumi_policy
and on the machine's load more than on the rules.

The corpus is what the pack judges in practice: every resource of both stacks' real programs, as
the offline preview sends them, plus every evasion fixture (tests/policies/evasion.py: gzip, MIME,
cloud-config, heredocs). The user data cache is cleared before each resource, so every
sample pays for decoding and scanning its user data once, as the first analysis does.
Target: median <= 1 ms per resource.

    .venv/bin/python bench/policy_bench.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "policies")]  # the pack imports `guardrails` as the CLI runs it

from guardrails import POLICIES  # noqa: E402
from guardrails import user_data as user_data_cache  # noqa: E402
from pulumi.runtime.proto import analyzer_pb2  # noqa: E402
from pulumi_policy import EnforcementLevel  # noqa: E402
from pulumi_policy.policy import _PolicyAnalyzerServicer  # noqa: E402

from policies.analyzer_harness import PolicyPackProcess, _analyze_request  # noqa: E402

TARGET_MS = 1.0


def corpus() -> list:
    from offline_preview.policy_run import _analyzed
    from tests.conftest import run_program
    from tests.policies.evasion import FIXTURES
    from tests.policies.test_evasion import as_sent

    resources = []
    for stack in ("seoul", "tokyo"):
        run = run_program(stack)
        resources += [_analyzed(run, r) for r in run.resources]
    return resources + [as_sent(f) for f in FIXTURES]


def _timed(validate: Callable[..., Any], spent: list[float]) -> Callable[..., Any]:
    def run(args: Any, report: Any) -> Any:
        start = time.perf_counter()
        try:
            return validate(args, report)
        finally:
            spent[0] += time.perf_counter() - start

    return run


def in_process(requests: list, rounds: int) -> tuple[list[float], list[float]]:
    """(ms in the pack's rules, ms in the whole Analyze handler) per resource and round."""
    spent = [0.0]
    for policy in POLICIES:
        # pulumi_policy keeps the callback in a private attribute; wrapping it times only the rules.
        attribute = f"_{type(policy).__name__}__validate"
        if getattr(policy, attribute, None) is not None:
            setattr(policy, attribute, _timed(getattr(policy, attribute), spent))
    servicer = _PolicyAnalyzerServicer("megaticket-dr-guardrails", "0.0.1", POLICIES,
                                       EnforcementLevel.ADVISORY, None, None, None, None, None, None, None)
    rules, handler = [], []
    for _ in range(rounds):
        for request in requests:
            user_data_cache._read.cache_clear()
            spent[0] = 0.0
            start = time.perf_counter()
            servicer.Analyze(request, None)
            handler.append((time.perf_counter() - start) * 1000)
            rules.append(spent[0] * 1000)
    return rules, handler


def round_trips(resources: list) -> list[float]:
    samples = []
    with PolicyPackProcess(stack="tokyo") as pack:
        pack.analyze(resources[0])  # wait for start-up
        for item in resources:
            start = time.perf_counter()
            pack.analyze(item)
            samples.append((time.perf_counter() - start) * 1000)
    return samples


def summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered), 3),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 3), "max_ms": round(ordered[-1], 3)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    resources = corpus()
    requests = [_analyze_request(analyzer_pb2, r) for r in resources]
    rules, handler = in_process(requests, args.rounds)
    analysis = summary(rules)
    # The expensive kind, on its own: resources whose user data is known and gets decoded and scanned.
    carrying = [bool(user_data_cache.user_data_of(r.type, dict(r.properties))) for r in resources]
    with_user_data = [ms for index, ms in enumerate(rules) if carrying[index % len(resources)]]
    result = {"resources": len(resources), "rounds": args.rounds, "analysis": analysis,
              "analysis_of_resources_with_user_data": {"resources": sum(carrying), **summary(with_user_data)},
              "sdk_analyze_handler": summary(handler), "protocol_round_trip": summary(round_trips(resources)),
              "load_average": round(os.getloadavg()[0], 1), "target_ms": TARGET_MS,
              "met": analysis["median_ms"] <= TARGET_MS}
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
