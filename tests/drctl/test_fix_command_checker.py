"""The command checker the fault tests use: it accepts real command lines and rejects the kinds of
mistake a fix text can make."""

from __future__ import annotations

import pytest

from tests.drctl.commands import check_fix


def test_real_commands_pass():
    assert check_fix("run `drctl failover --reason \"x\"`, `pulumi up --stack tokyo --refresh` and "
                     "`aws events enable-rule --name r --event-bus-name b --region ap-northeast-1`") == [
        'drctl failover --reason "x"', "pulumi up --stack tokyo --refresh",
        "aws events enable-rule --name r --event-bus-name b --region ap-northeast-1"]


@pytest.mark.parametrize("text, problem", [
    ("`drctl failover`", "drctl rejects"),
    ("`drctl doctor --everything`", "drctl rejects"),
    ("`aws events enable-rules --name r`", "has no enable-rules"),
    ("`aws lambda update-function-configuration --function-name f --timeout-seconds 3`", "has no --timeout-seconds"),
    ("`aws elbv2 describe-target-health --region ap-northeast-1`", "needs"),
    ("`pulumi up --stack osaka`", "no stack file for osaka"),
    ("`pulumi deploy`", "not a pulumi subcommand"),
    ("`pm2 restart web-frontend`", "not a command"),
])
def test_invalid_commands_fail(text: str, problem: str):
    with pytest.raises(AssertionError, match=problem):
        check_fix(text)
