"""Wall time and peak memory of the offline preview per stack, against the floor.

The floor is a one-resource Pulumi program run by the same engine in the same process model
(a fresh `python` process, the mock engine, the stack's real config). Target: the tokyo
preview (policy pack included) costs at most 2x the floor.

    .venv/bin/python bench/preview_bench.py [--runs 5]
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR = """
import sys
sys.path.insert(0, {root!r})
from pathlib import Path
from offline_preview.engine import run_program
from stack_config import stack_file_values
run_program(stack_file_values(Path({root!r}), "tokyo"), "tokyo", program=Path({program!r}))
"""


def measure(argv: list[str], runs: int) -> tuple[float, float]:
    """Median wall seconds and the largest peak RSS (MiB) of `argv` over `runs` runs."""
    times, peaks = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
        peaks.append(max(before, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss) / 1024)
    return statistics.median(times), max(peaks)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    python = sys.executable
    floor_code = FLOOR.format(root=str(ROOT), program=str(ROOT / "bench/one_resource/__main__.py"))
    results = {"floor": measure([python, "-c", floor_code], args.runs)}
    for stack in ("seoul", "tokyo"):
        results[stack] = measure([python, "-m", "offline_preview", stack, "--json"], args.runs)
        results[f"{stack} (no policies)"] = measure(
            [python, "-m", "offline_preview", stack, "--json", "--no-policies"], args.runs)
    floor = results["floor"][0]
    rows = {name: {"seconds": round(t, 3), "peak_mib": round(m, 1), "x_floor": round(t / floor, 2)}
            for name, (t, m) in results.items()}
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        print(f"{'run':24} {'median s':>9} {'x floor':>8} {'peak MiB':>9}")
        for name, row in rows.items():
            print(f"{name:24} {row['seconds']:>9.3f} {row['x_floor']:>8.2f} {row['peak_mib']:>9.1f}")
    ratio = rows["tokyo"]["x_floor"]
    print(f"\ntokyo preview = {ratio:.2f}x the floor (target <= 2.00x): {'met' if ratio <= 2 else 'NOT met'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
