"""moto on loopback (one server per test module, free port), a tiny web server for `GET /`, and a
runner that calls drctl as a user would: `python -m drctl ...` in a subprocess."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from moto.moto_server.threaded_moto_server import ThreadedMotoServer

from tests import moto_gaps

ROOT = Path(__file__).resolve().parents[2]
logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request log lines


@dataclass
class Moto:
    endpoint: str

    def reset(self) -> None:
        urllib.request.urlopen(urllib.request.Request(  # noqa: S310 - loopback test server
            f"{self.endpoint}/moto-api/reset", method="POST"), timeout=120).read()


@pytest.fixture(scope="module")
def moto_server() -> Iterator[Moto]:
    moto_gaps.install()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    # Step Functions executes definitions; its Lambda tasks call this server (MOTO_PORT) and the
    # docker-less Lambda backend echoes the payload back.
    previous_port = os.environ.get("MOTO_PORT")
    os.environ["MOTO_PORT"] = str(port)
    body = json.dumps({"stepfunctions": {"execute_state_machine": True},
                       "lambda": {"use_docker": False}}).encode()
    urllib.request.urlopen(urllib.request.Request(  # noqa: S310
        f"{endpoint}/moto-api/config", data=body, method="POST"), timeout=120).read()
    try:
        yield Moto(endpoint)
    finally:
        server.stop()
        if previous_port is None:
            os.environ.pop("MOTO_PORT", None)
        else:
            os.environ["MOTO_PORT"] = previous_port


@pytest.fixture
def moto(moto_server: Moto) -> Moto:
    moto_server.reset()
    return moto_server


class _Site(BaseHTTPRequestHandler):
    status = 200

    def do_GET(self) -> None:  # noqa: N802 - http.server's API
        self.send_response(self.server.status)  # type: ignore[attr-defined]
        if 300 <= self.server.status < 400:  # type: ignore[attr-defined]
            self.send_header("Location", "/performances")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[ThreadingHTTPServer]:
    """The web tier's `/`: tests set `.status` (200, or 307 for the middleware incident)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Site)
    server.status = 200  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()


def site_url(server: ThreadingHTTPServer) -> str:
    host, port = server.server_address[:2]
    return f"http://{host!s}:{port}/"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def drctl(endpoint: str, *args: str, extra_env: dict[str, str] | None = None) -> Run:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "MOTO_"))}
    env.update({
        "AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-northeast-1", "DRCTL_PROJECT_DIR": str(ROOT),
        "PYTHONPATH": str(ROOT), **(extra_env or {}),
    })
    proc = subprocess.run([sys.executable, "-m", "drctl", *args], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=60, check=False)
    return Run(proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def names() -> Any:
    """The names drctl reads from Pulumi.tokyo.yaml: the fixture is built from the same ones."""
    from drctl.config import load_stack

    os.environ.setdefault("DRCTL_PROJECT_DIR", str(ROOT))
    return load_stack("tokyo")


@pytest.fixture
def stack(moto: Moto, names: Any) -> dict[str, Any]:
    """A fresh healthy pilot light, failback state machine included."""
    from tests.drctl import pilot_light

    return pilot_light.seed(moto.endpoint, names.checks,
                            failback_state_machine=names.failback_state_machine_name, with_lambdas=True)
