"""One full `drctl doctor` run over moto: how long every check takes against both stacks deployed
as the program declares them (tests/deployer.py). Target: under 5 s.

    .venv/bin/python bench/doctor_bench.py --runs 5

Reports the median wall time of (a) the checks in-process against in-process moto (what the
readiness Lambda does, minus AWS latency) and (b) `python -m drctl doctor` as a subprocess against
a moto server over HTTP (process start, stack file, preflight and every check). Deploying the
fixture is not timed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _in_process(runs: int) -> list[float]:
    from tests.drctl.generated import deployed

    times = []
    with deployed() as env:
        env.run()  # warm the clients and moto's lazily built backends
        for _ in range(runs):
            start = time.perf_counter()
            failed = env.failed()
            times.append(time.perf_counter() - start)
            assert not failed, {n: r.detail for n, r in failed.items()}
    return times


def _cli(runs: int) -> list[float]:
    from moto.moto_server.threaded_moto_server import ThreadedMotoServer

    from tests.drctl.generated import deploy_to_server

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    try:
        deploy_to_server(endpoint)
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                    "AWS_SECRET_ACCESS_KEY": "testing", "DRCTL_PROJECT_DIR": str(ROOT),
                    "PYTHONPATH": str(ROOT)})
        # --url: the site is not part of what is measured (it would be a real network call).
        command = [sys.executable, "-m", "drctl", "doctor", "--url", "http://127.0.0.1:9/"]
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            proc = subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, check=False)
            times.append(time.perf_counter() - start)
            failed = [line for line in proc.stdout.splitlines() if line.startswith("✗")]
            assert failed == [line for line in failed if " web-root " in line], proc.stdout + proc.stderr
    finally:
        server.stop()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("DRCTL_PROJECT_DIR", str(ROOT))
    rows = [("checks in-process (readiness Lambda path)", _in_process(args.runs)),
            ("drctl doctor subprocess over HTTP", _cli(args.runs))]
    print(f"| run | median s | min s | max s |  (runs: {args.runs}, target < 5 s)")
    print("|---|---|---|---|")
    for label, times in rows:
        print(f"| {label} | {statistics.median(times):.2f} | {min(times):.2f} | {max(times):.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
