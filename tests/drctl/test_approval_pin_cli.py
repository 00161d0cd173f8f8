"""`drctl approval-pin set`: the PIN from stdin becomes a PBKDF2 hash in an SSM SecureString; a bad
PIN changes nothing and exits 2 with one line."""

from __future__ import annotations

import io
from typing import Any

import boto3
import pytest
from moto import mock_aws

from drctl.cli import main
from failover import approval_pin


@pytest.fixture
def moto_tokyo(monkeypatch: pytest.MonkeyPatch) -> Any:
    for key in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(key, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    with mock_aws():
        yield boto3.client("ssm", region_name="ap-northeast-1")


def test_pin_from_stdin_is_stored_as_a_securestring_hash(moto_tokyo: Any, monkeypatch: pytest.MonkeyPatch,
                                                          capsys: Any) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("271828\n"))
    assert main(["approval-pin", "set"]) == 0
    param = moto_tokyo.get_parameter(Name=approval_pin.DEFAULT_PIN_PARAMETER, WithDecryption=True)["Parameter"]
    assert param["Type"] == "SecureString" and "271828" not in param["Value"]
    assert approval_pin.verify_pin("271828", param["Value"])
    assert "271828" not in capsys.readouterr().out


@pytest.mark.parametrize("line", ["\n", "12 34 56\n", "123\n"])
def test_bad_pin_exits_2_and_changes_nothing(moto_tokyo: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any,
                                             line: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO(line))
    assert main(["approval-pin", "set", "--parameter", "/x/pin"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("drctl: error:") and "nothing was changed" in err and err.count("\n") == 1
    assert approval_pin.read_pin_hash(moto_tokyo, "/x/pin") is None
