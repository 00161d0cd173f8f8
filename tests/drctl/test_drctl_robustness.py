"""drctl's first contact with AWS and its flags: every way it can go wrong is one line, exit 2
(never a traceback); failback with an unknown lock state is refused like a held lock."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import boto3
import pytest

from tests.drctl.conftest import Run, drctl


def _one_line_usage_error(run: Run, *expected: str) -> None:
    assert run.code == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1, run.stderr
    for text in expected:
        assert text in lines[0], lines[0]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _NotAws(BaseHTTPRequestHandler):
    def _empty_404(self) -> None:
        self.send_response(404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_POST = _empty_404  # noqa: N815 - http.server's API

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def not_aws() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _NotAws)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def test_unreachable_endpoint_is_one_line_exit_2():
    endpoint = f"http://127.0.0.1:{_closed_port()}"
    _one_line_usage_error(drctl(endpoint, "status"), f"cannot reach AWS at {endpoint}")


def test_a_server_answering_404_with_an_empty_body_is_not_taken_for_aws(not_aws: str):
    _one_line_usage_error(drctl(not_aws, "doctor"), f"{not_aws} did not answer like AWS STS",
                          "check AWS_ENDPOINT_URL")


@pytest.mark.parametrize("endpoint", ["not a url", "ftp//x", "http://[::1"])
def test_malformed_endpoint_url_is_one_line_exit_2(endpoint: str):
    _one_line_usage_error(drctl(endpoint, "status"), "AWS_ENDPOINT_URL must be an http(s) URL")


def test_unknown_profile_is_one_line_exit_2(tmp_path):
    config = tmp_path / "config"
    config.write_text("[default]\nregion = ap-northeast-1\n")
    run = drctl("http://127.0.0.1:9", "status", extra_env={
        "AWS_PROFILE": "no-such-profile", "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "credentials"),
        "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})
    _one_line_usage_error(run, "AWS_PROFILE must name a profile", "no-such-profile")


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "five"])
def test_bad_numeric_flags_are_one_line_exit_2(value: str):
    _one_line_usage_error(drctl("http://127.0.0.1:9", "rto", f"--approval-minutes={value}"),
                          "--approval-minutes", value)


def test_failback_with_an_unknown_lock_state_is_refused_like_a_held_lock(moto, stack):
    # GIVEN no FailoverLock datapoint and no lock alarm: nobody can say whether the lock is held
    boto3.client("cloudwatch", region_name="us-east-1", endpoint_url=moto.endpoint).delete_alarms(
        AlarmNames=["MegaTicket-Failback-Lock"])
    run = drctl(moto.endpoint, "failback", "--reason", "Seoul is back")
    # THEN failback is refused, and says why and how to get out
    assert run.code == 1 and "Traceback" not in run.stderr
    assert "failback refused: the failback lock state is unknown" in run.stderr
    assert "alarm MegaTicket-Failback-Lock is missing in us-east-1" in run.stderr
    assert "`pulumi up --stack seoul`" in run.stderr
    sfn = boto3.client("stepfunctions", region_name="ap-northeast-1", endpoint_url=moto.endpoint)
    assert sfn.list_executions(stateMachineArn=stack["state_machine_arn"] + "-failback")["executions"] == []
