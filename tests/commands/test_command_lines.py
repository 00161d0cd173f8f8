"""The command finder and judge: each kind of wrong command is caught, real ones pass.

(A judge that accepts everything would make the message tests assert nothing.)
"""

from __future__ import annotations

import pytest

from tests.commands.command_lines import commands_in_markdown, commands_in_message, problem

EXECUTION = "arn:aws:states:ap-northeast-1:123456789012:execution:stfc-stepfunction-dev-an1:run-1"


def _one(text: str) -> tuple[str, ...]:
    (command,) = commands_in_message(text, "test")
    return command.words


def _judge(line: str) -> str | None:
    (command,) = commands_in_message(f"`{line}`", "test")
    return problem(command)


# --- finding -----------------------------------------------------------------------------------


def test_a_backticked_command_is_taken_whole_and_prose_around_it_ignored() -> None:
    assert _one("then run `drctl release-lock --yes` and start failback again") == (
        "drctl", "release-lock", "--yes")


@pytest.mark.parametrize("text", [
    "fix: aws events enable-rule --name R --region us-east-1; then wait",
    "fix: aws events enable-rule --name R --region us-east-1 (or `pulumi up`)",
    "fix: aws events enable-rule --name R --region us-east-1.",
    "fix: aws events enable-rule --name R --region us-east-1, then wait",
    "fix: aws events enable-rule --name R --region us-east-1 && echo done",
    "fix: aws events enable-rule --name R --region us-east-1\nnext line",
])
def test_a_bare_command_ends_at_punctuation_or_the_line(text: str) -> None:
    words = [c.words for c in commands_in_message(text, "test") if c.program == "aws"]
    assert words == [("aws", "events", "enable-rule", "--name", "R", "--region", "us-east-1")]


def test_a_bare_command_inside_command_substitution_ends_at_the_pipe() -> None:
    assert _one("TOKEN=$(aws sts get-caller-identity --query Arn --output text | cut -d/ -f2)") == (
        "aws", "sts", "get-caller-identity", "--query", "Arn", "--output", "text")


def test_fill_in_placeholders_and_ellipses_stand_for_one_value() -> None:
    assert _one("`drctl reject --reason '<why it is wrong>'`") == ("drctl", "reject", "--reason", "PLACEHOLDER")
    assert _one("`drctl failover --reason ...`") == ("drctl", "failover", "--reason", "PLACEHOLDER")
    assert _one("`aws ec2 copy-image --source-image-id <Seoul Golden AMI> --source-region x`")[4] == \
        "PLACEHOLDER"


def test_words_that_merely_start_like_a_program_are_not_commands() -> None:
    assert commands_in_message("source aws.cloudwatch, awsome, the drctl CLI, `drctl`, pulumi's", "t") == []


def test_markdown_shell_blocks_join_continuations_and_drop_comments_and_prompts() -> None:
    text = "\n".join([
        "prose with `drctl status` inline",
        "```bash",
        "# aws not-a-command here",
        "aws dynamodb describe-table \\",
        "    --table-name T --region ap-northeast-1   # trailing comment",
        "$ drctl doctor --stack tokyo",
        "```",
        "```text",
        "drctl doctor [--stack tokyo]      synopsis, not a command",
        "$ drctl status --json",
        "```",
    ])
    words = [c.words for c in commands_in_markdown(text, "doc")]
    assert words == [
        ("drctl", "status"),
        ("aws", "dynamodb", "describe-table", "--table-name", "T", "--region", "ap-northeast-1"),
        ("drctl", "doctor", "--stack", "tokyo"),
        ("drctl", "status", "--json"),
    ]


# --- judging -----------------------------------------------------------------------------------


@pytest.mark.parametrize("line", [
    f"drctl report {EXECUTION}",
    f"drctl report --execution {EXECUTION}",
    "drctl report latest --json",
    f"drctl approve --execution {EXECUTION}",
    "drctl doctor --stack tokyo --only web-root,golden-ami",
    "drctl release-lock --yes",
    "drctl rto --set nlb.mode=on-failover",
    "aws stepfunctions send-task-success --region ap-northeast-1 --task-token T --task-output '{}'",
    "aws sns subscribe --topic-arn A --protocol email --notification-endpoint x@example.com",
    "aws cloudwatch put-metric-data --region us-east-1 --namespace N --metric-name M --value 0",
    "aws ec2 describe-instances --filters Name=a,Values=b Name=c,Values=d --region ap-northeast-1",
    "aws logs tail /aws/lambda/f --since 1h --follow --region ap-northeast-1",
    "aws route53 get-health-check-status --health-check-id abc",
    "aws elbv2 describe-load-balancers --names N --query 'LoadBalancers[0].DNSName' --output text",
    "aws dynamodb scan --table-name T --limit 1 --max-items 5",
    "pulumi up --stack tokyo --yes",
    "pulumi preview -s tokyo --policy-pack policies",
    "pulumi stack output albDnsName --stack tokyo",
    "pulumi config set --path nlb.mode on-failover",
])
def test_commands_that_would_run_pass(line: str) -> None:
    assert _judge(line) is None


@pytest.mark.parametrize(("line", "why"), [
    # drctl: what the failure notification used to say, unknown commands and options, usage checks
    ("drctl reports latest", "invalid choice"),
    ("drctl status --execution", "expected one argument"),
    (f"drctl report {EXECUTION} --execution {EXECUTION}", "not allowed with"),
    ("drctl report", "required"),
    ("drctl report latest --json --markdown", "two outputs: choose one"),
    ("drctl failback", "required: --reason"),
    ("drctl failover --reason ' '", "--reason must say why"),
    ("drctl release-lock", "needs --yes"),
    ("drctl doctor --only web-root,no-such-check", "--only must list check names"),
    ("drctl status shows it", "unrecognized arguments: shows it"),
    # aws: service, operation, option, value, required member, region, stray words
    ("aws stepfunction list-executions", "no service"),
    ("aws stepfunctions list-execution --state-machine-arn A", "no command"),
    ("aws stepfunctions send-task-success --task-token T --output '{}'", "requires --task-output"),
    ("aws events enable-rule --rule R", "no option --rule"),
    ("aws events enable-rule --name", "--name needs a value"),
    ("aws elbv2 describe-target-health --region ap-northeast-1", "requires --target-group-arn"),
    ("aws sts get-caller-identity --region ap-northeast-9", "not offered in region"),
    ("aws events enable-rule --name R the rule", "unexpected arguments"),
    ("aws cloudwatch put-metric-data --metric-name M --value 0", "requires --namespace"),
    # pulumi: subcommand, flag, flag value, argument count
    ("pulumi upp", "no command"),
    ("pulumi up --stak tokyo", "no flag --stak"),
    ("pulumi up --stack", "needs a value"),
    ("pulumi up the tokyo stack", "takes 0-0 arguments"),
    ("pulumi config set", "takes 1-2 arguments"),
])
def test_each_kind_of_wrong_command_is_caught(line: str, why: str) -> None:
    found = _judge(line)
    assert found is not None and why in found, found
