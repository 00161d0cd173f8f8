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


def test_without_parameter_the_pin_goes_where_the_stack_points_the_page(
        moto_tokyo: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a stack whose page reads another parameter WHEN the PIN is set without --parameter
    monkeypatch.setattr("sys.stdin", io.StringIO("271828\n"))
    assert main(["approval-pin", "set", "--set", "approval.page.pinParameter=/oncall/dr-pin"]) == 0
    # THEN the page finds it there, and the default name holds nothing
    assert approval_pin.verify_pin("271828", approval_pin.read_pin_hash(moto_tokyo, "/oncall/dr-pin") or "")
    assert approval_pin.read_pin_hash(moto_tokyo, approval_pin.DEFAULT_PIN_PARAMETER) is None


@pytest.mark.parametrize("parameter", ["", "no-slash", "/megaticket-dr/approval-pin ", "/aws/pin",
                                       "/" + "a/" * 16 + "pin"],
                         ids=["empty", "no-leading-slash", "trailing-space", "reserved", "too-deep"])
def test_a_parameter_name_ssm_would_refuse_exits_2_before_reading_the_pin(
        moto_tokyo: Any, monkeypatch: pytest.MonkeyPatch, capsys: Any, parameter: str) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("271828\n"))
    assert main(["approval-pin", "set", "--parameter", parameter]) == 2
    err = capsys.readouterr().err
    assert err.startswith("drctl: error: --parameter must be an SSM parameter name") and err.count("\n") == 1
    assert "nothing was changed" in err
    assert moto_tokyo.describe_parameters()["Parameters"] == []
