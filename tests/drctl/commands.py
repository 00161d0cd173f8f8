"""Every command a fix text gives (in `backticks`) must be a real command line: drctl's own parser
accepts it, an `aws` one names an existing service, operation and parameters (botocore's models,
what the AWS CLI is generated from), a `pulumi` one a real subcommand, flags and stack file; and
the resources it names exist in the deployment the fix is about."""

from __future__ import annotations

import re
import shlex
from collections.abc import Callable
from contextlib import redirect_stderr
from io import StringIO
from typing import Any

import botocore.session
from botocore.exceptions import ClientError

from drctl.cli import build_parser
from offline_preview.engine import PROJECT_DIR

_COMMAND = re.compile(r"`([^`]+)`")
_AWS_GLOBAL = {"region", "query", "output", "profile", "endpoint-url", "no-cli-pager"}
_PULUMI = {"up": {"stack", "s", "refresh", "yes", "policy-pack", "target"},
           "preview": {"stack", "s", "refresh", "policy-pack"}, "refresh": {"stack", "s", "yes"}}
_SESSION = botocore.session.get_session()

ClientFactory = Callable[[str, str], Any]


def commands(text: str) -> list[str]:
    return _COMMAND.findall(text)


def _flags(words: list[str]) -> dict[str, str]:
    flags: dict[str, str] = {}
    i = 0
    while i < len(words):
        word = words[i]
        assert word.startswith("-"), f"unexpected argument {word!r} in {' '.join(words)}"
        name = word.lstrip("-")
        if i + 1 < len(words) and not words[i + 1].startswith("--"):
            flags[name] = words[i + 1]
            i += 2
        else:
            flags[name] = ""
            i += 1
    return flags


def _pascal(kebab: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in kebab.split("-"))


def check_aws(words: list[str], clients: ClientFactory | None) -> None:
    assert len(words) >= 3, words
    service, operation = words[1], _pascal(words[2])
    model = _SESSION.get_service_model({"stepfunctions": "stepfunctions"}.get(service, service))
    assert operation in model.operation_names, f"aws {service} has no {words[2]}"
    shape = model.operation_model(operation).input_shape
    members = {m.lower() for m in (shape.members if shape else {})}
    flags = _flags(words[3:])
    given = {f.replace("-", "").lower() for f in flags}
    missing = [m for m in (shape.required_members if shape else []) if m.lower() not in given]
    assert not missing, f"aws {service} {words[2]} needs {missing}"
    for flag in flags:
        assert flag in _AWS_GLOBAL or flag.replace("-", "").lower() in members, \
            f"aws {service} {words[2]} has no --{flag}"
    region = flags.get("region", "")
    if clients is not None and region:
        _exists(service, words[2], flags, region, clients)


def _exists(service: str, operation: str, flags: dict[str, str], region: str, clients: ClientFactory) -> None:
    """The resources a command names exist (a fix must not send the operator to a ghost)."""
    try:
        if "function-name" in flags:
            clients("lambda", region).get_function_configuration(FunctionName=flags["function-name"])
        if "auto-scaling-group-name" in flags:
            found = clients("autoscaling", region).describe_auto_scaling_groups(
                AutoScalingGroupNames=[flags["auto-scaling-group-name"]])["AutoScalingGroups"]
            assert found, f"no ASG {flags['auto-scaling-group-name']}"
        if "launch-template" in flags and "LaunchTemplateName=" in flags["launch-template"]:
            name = flags["launch-template"].split("LaunchTemplateName=")[1].split(",")[0]
            clients("ec2", region).describe_launch_templates(LaunchTemplateNames=[name])
        if service == "events" and "name" in flags:
            extra = {"EventBusName": flags["event-bus-name"]} if "event-bus-name" in flags else {}
            clients("events", region).describe_rule(Name=flags["name"], **extra)
        if "queue-url" in flags:
            clients("sqs", region).get_queue_attributes(QueueUrl=flags["queue-url"], AttributeNames=["QueueArn"])
        if service == "dynamodb" and "table-name" in flags and operation != "update-table":
            clients("dynamodb", region).describe_table(TableName=flags["table-name"])
        if "health-check-id" in flags:
            clients("route53", "us-east-1").get_health_check(HealthCheckId=flags["health-check-id"])
        if service == "elbv2" and "names" in flags:
            clients("elbv2", region).describe_target_groups(Names=[flags["names"]]) if operation == \
                "describe-target-groups" else clients("elbv2", region).describe_load_balancers(
                    Names=[flags["names"]])
    except ClientError as err:
        raise AssertionError(f"aws {service} {operation} names a resource that does not exist: {err}") from None


def check_pulumi(words: list[str]) -> None:
    assert len(words) >= 2 and words[1] in _PULUMI, f"not a pulumi subcommand we use: {words}"
    flags = _flags(words[2:])
    for flag in flags:
        assert flag in _PULUMI[words[1]], f"pulumi {words[1]} has no --{flag}"
    stack = flags.get("stack") or flags.get("s")
    if stack:
        assert (PROJECT_DIR / f"Pulumi.{stack}.yaml").is_file(), f"no stack file for {stack}"


def check_drctl(words: list[str]) -> None:
    err = StringIO()
    try:
        with redirect_stderr(err):
            build_parser().parse_args(words[1:])
    except SystemExit as exit_:
        raise AssertionError(f"drctl rejects {' '.join(words)}: {err.getvalue().strip()}") from exit_


def check_fix(text: str, clients: ClientFactory | None = None) -> list[str]:
    """Asserts every command in `text` is valid; returns them."""
    found = commands(text)
    for command in found:
        words = shlex.split(command)
        assert words and words[0] in ("aws", "pulumi", "drctl"), f"not a command: `{command}`"
        {"aws": lambda w: check_aws(w, clients), "pulumi": check_pulumi, "drctl": check_drctl}[words[0]](words)
    return found
