"""Find the commands a text tells an operator to run, and judge whether each one would run.

Where commands are found:
- `commands_in_message`: notification and fix texts. A command is a `backtick span` that starts
  with a program name, or a bare `drctl|aws|pulumi <word>` running to the end of its shell words:
  a `;`, `&&`, `||`, `|`, `(`, `)`, a line break, or a word that ends a sentence (`word.`, `word,`).
  Prose after a bare command without punctuation is read as arguments, so a message must put
  such a command in backticks (the test then fails with the words it could not parse).
- `commands_in_markdown`: shell code blocks (bash, sh, shell, console), `$ ` lines of other code
  blocks, and inline `code` spans in the prose.

`<what to fill in>` is an operator's placeholder: it stands for one value.

How each is judged:
- drctl: drctl's own argparse parser, then the usage checks drctl makes before any AWS call.
- aws: botocore's service model (the data the AWS CLI is generated from): the service and
  operation exist, every option is a member of the operation's input (or a global or paging
  option), every required member is given, and `--region` names a region the service is in.
  The CLI's hand-written commands (`aws logs tail`, ...) have a small table of their own.
- pulumi: a table of the subcommands and flags this project's texts use (no CLI here).
"""

from __future__ import annotations

import contextlib
import io
import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import Any

import botocore.session
from botocore import xform_name

PROGRAMS = ("drctl", "aws", "pulumi")
VALUE = "PLACEHOLDER"  # what an operator's `<...>` stands for

_SPAN = re.compile(r"`([^`\n]+)`")
_START = re.compile(r"(?<![\w./$@-])(drctl|aws|pulumi)(?=[ \t]+[a-z])")
_FILL_IN = re.compile(r"<[^<>\n]+>")
_STOP = {";", "&&", "||", "|", "(", ")", "&", ";;"}
_FENCE = re.compile(r"^```(\w*)\s*$")
_SHELL_FENCES = {"bash", "sh", "shell", "console", "zsh"}


@dataclass(frozen=True)
class Command:
    source: str
    text: str
    words: tuple[str, ...]

    @property
    def program(self) -> str:
        return self.words[0]


def _shell_words(text: str) -> list[str]:
    """Words of the command at the start of `text`, up to where it ends."""
    lexer = shlex.shlex(_FILL_IN.sub(VALUE, text), posix=True, punctuation_chars=";&|()")
    lexer.whitespace_split = True
    lexer.commenters = ""
    words: list[str] = []
    while True:
        try:
            word = lexer.get_token()
        except ValueError:  # an unclosed quote in the prose after the command
            break
        if word is None or word == lexer.eof or word in _STOP:
            break
        if re.fullmatch(r"\.{3}|…", word):  # `--reason ...`: a value to fill in
            words.append(VALUE)
            continue
        if word.endswith((".", ",")) and len(word) > 1:
            words.append(word[:-1])  # the sentence ends here
            break
        words.append(word)
    return words


def _one_line_commands(line: str, source: str) -> Iterator[Command]:
    for match in _START.finditer(line):
        words = _shell_words(line[match.start():])
        if len(words) > 1:
            yield Command(source, line[match.start():].strip(), tuple(words))


def commands_in_message(text: str, source: str) -> list[Command]:
    """Every command in a notification or fix text (see the module docstring for the rules)."""
    found: list[Command] = []
    for span in _SPAN.findall(text):
        if _START.match(span.strip()):
            found.extend(_one_line_commands(span.strip(), source))
    bare = _SPAN.sub(" ", text)
    for line in bare.splitlines():
        found.extend(_one_line_commands(line, source))
    return found


def commands_in_markdown(text: str, source: str) -> list[Command]:
    found: list[Command] = []
    fence: str | None = None
    block: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        fence_match = _FENCE.match(line.strip())
        if fence_match and fence is None:
            fence, block = fence_match.group(1) or "text", []
            continue
        if line.strip() == "```" and fence is not None:
            found.extend(_code_block(fence, block, f"{source} (block ending line {number})"))
            fence = None
            continue
        if fence is not None:
            block.append(line)
            continue
        for span in _SPAN.findall(line):
            if _START.match(span.strip()):
                found.extend(_one_line_commands(span.strip(), f"{source}:{number}"))
    return found


def _code_block(fence: str, lines: list[str], source: str) -> Iterator[Command]:
    joined: list[str] = []
    for raw in lines:
        line = raw.strip()
        if fence not in _SHELL_FENCES:
            if not line.startswith("$ "):
                continue
            line = line[2:]
        elif line.startswith("$ "):
            line = line[2:]
        if joined and joined[-1].endswith("\\"):
            joined[-1] = joined[-1][:-1] + " " + line
        else:
            joined.append(line)
    for line in joined:
        code = _strip_comment(line)
        yield from _one_line_commands(code, source)


def _strip_comment(line: str) -> str:
    """The line without a shell comment (a `#` that starts a word, outside quotes)."""
    quote = ""
    for i, char in enumerate(line):
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "#" and (i == 0 or line[i - 1].isspace()):
            return line[:i]
    return line


# --- judging ---------------------------------------------------------------------------------


def problem(command: Command) -> str | None:
    """Why `command` would not run as written, or None when it would."""
    judge = {"drctl": _drctl_problem, "aws": _aws_problem, "pulumi": _pulumi_problem}[command.program]
    return judge(list(command.words[1:]))


def _drctl_problem(argv: list[str]) -> str | None:
    from drctl.cli import build_parser, check_usage
    from drctl.config import UsageError

    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr), contextlib.redirect_stdout(io.StringIO()):
        try:
            args = build_parser().parse_args(argv)
        except SystemExit as done:
            if done.code == 0:  # --help
                return None
            lines = stderr.getvalue().strip().splitlines()
            return f"drctl rejects it: {lines[-1] if lines else 'usage error'}"
    try:
        check_usage(args)
    except UsageError as err:
        return f"drctl rejects it: {err}"
    return None


# Options every aws command takes (aws help, "Global Options").
_AWS_GLOBAL_VALUED = {"--region", "--output", "--query", "--profile", "--endpoint-url", "--color",
                      "--cli-read-timeout", "--cli-connect-timeout", "--ca-bundle",
                      "--cli-binary-format", "--cli-input-json", "--cli-input-yaml"}
_AWS_GLOBAL_FLAGS = {"--debug", "--no-verify-ssl", "--no-paginate", "--no-sign-request",
                     "--no-cli-pager", "--cli-auto-prompt", "--no-cli-auto-prompt",
                     "--generate-cli-skeleton"}
_AWS_PAGING = {"--max-items", "--starting-token", "--page-size"}
# CLI service names that differ from botocore's.
_AWS_SERVICE_NAMES = {"s3api": "s3", "configservice": "config"}
# Commands the AWS CLI adds by hand (awscli/customizations), with their options:
# name -> (positional count, valued options, flag options).
_AWS_CUSTOM: dict[tuple[str, str], tuple[int, set[str], set[str]]] = {
    ("logs", "tail"): (1, {"--since", "--format", "--filter-pattern", "--log-stream-names",
                           "--log-stream-name-prefix"}, {"--follow"}),
}
# Options the CLI renames where a model member clashes with a global option or reads badly
# (awscli/customizations/argrename.py), for the services this project's texts use.
_AWS_RENAMES = {
    ("stepfunctions", "send-task-success", "--output"): "--task-output",
    ("sns", "subscribe", "--endpoint"): "--notification-endpoint",
    ("ec2", "create-image", "--no-no-reboot"): "--reboot",
}
# Options the CLI adds to an operation, and model members it then no longer requires
# (awscli/customizations/putmetricdata.py: one datapoint from flags instead of --metric-data).
_AWS_ADDED: dict[tuple[str, str], tuple[set[str], set[str]]] = {
    ("cloudwatch", "put-metric-data"): (
        {"--metric-name", "--value", "--unit", "--timestamp", "--dimensions", "--statistic-values",
         "--storage-resolution"}, {"--metric-data"}),
}


@cache
def _aws_session() -> Any:
    return botocore.session.get_session()


def _aws_problem(argv: list[str]) -> str | None:
    if len(argv) < 2:
        return "aws needs a service and an operation"
    cli_service, cli_operation, rest = argv[0], argv[1], argv[2:]
    session = _aws_session()
    service = _AWS_SERVICE_NAMES.get(cli_service, cli_service)
    if service not in session.get_available_services():
        return f"aws has no service {cli_service!r}"
    positional, valued, flags, required = _aws_operation(service, cli_operation)
    if valued is None:
        return f"aws {cli_service} has no command {cli_operation!r}"
    valued |= _AWS_GLOBAL_VALUED
    flags |= _AWS_GLOBAL_FLAGS
    given: set[str] = set()
    extra: list[str] = []
    i = 0
    while i < len(rest):
        word = rest[i]
        if word.startswith("--"):
            name, has_value, _ = word.partition("=")
            if name in flags:
                given.add(name)
                i += 1
                continue
            if name not in valued:
                return f"aws {cli_service} {cli_operation} has no option {name}"
            given.add(name)
            i += 1
            if has_value:
                continue
            values = 0
            while i < len(rest) and not rest[i].startswith("--"):
                values, i = values + 1, i + 1
                if name not in _list_options(service, cli_operation):
                    break
            if values == 0:
                return f"aws {cli_service} {cli_operation}: {name} needs a value"
            if name == "--region" and not _known_region(service, rest[i - 1]):
                return f"aws {cli_service} is not offered in region {rest[i - 1]!r}"
            continue
        extra.append(word)
        i += 1
    if len(extra) != positional:
        return f"aws {cli_service} {cli_operation}: unexpected arguments {extra}" if extra else \
            f"aws {cli_service} {cli_operation} needs {positional} positional argument(s)"
    missing = sorted(required - given)
    if missing and "--cli-input-json" not in given:
        return f"aws {cli_service} {cli_operation} requires {', '.join(missing)}"
    return None


def _known_region(service: str, region: str) -> bool:
    if region == VALUE or region.startswith("$"):
        return True
    session = _aws_session()
    # Services endpoints.json does not list (global ones, newer ones resolved by rules) take any
    # region of the partition.
    return region in (session.get_available_regions(service) or session.get_available_regions("ec2"))


@cache
def _aws_operations(service: str) -> dict[str, str]:
    model = _aws_session().get_service_model(service)
    return {xform_name(name, "-"): name for name in model.operation_names}


@cache
def _list_options(service: str, cli_operation: str) -> frozenset[str]:
    name = _aws_operations(service).get(cli_operation)
    if name is None:
        return frozenset()
    shape = _aws_session().get_service_model(service).operation_model(name).input_shape
    members = shape.members if shape is not None else {}
    return frozenset("--" + xform_name(m, "-") for m, s in members.items() if s.type_name == "list")


def _aws_operation(service: str, cli_operation: str) -> tuple[int, set[str] | None, set[str], set[str]]:
    """(positional count, valued options, flag options, required options) of one aws command."""
    custom = _AWS_CUSTOM.get((service, cli_operation))
    if custom is not None:
        return custom[0], set(custom[1]), set(custom[2]), set()
    name = _aws_operations(service).get(cli_operation)
    if name is None:
        return 0, None, set(), set()
    session = _aws_session()
    operation = session.get_service_model(service).operation_model(name)
    shape = operation.input_shape
    valued: set[str] = set()
    flags: set[str] = set()
    required: set[str] = set()
    for member, member_shape in (shape.members.items() if shape is not None else []):
        option = "--" + xform_name(member, "-")
        if member_shape.type_name == "boolean":
            flags |= {option, "--no-" + option[2:]}
        else:
            valued.add(option)
    if shape is not None:
        required = {"--" + xform_name(m, "-") for m in shape.required_members}
    for (svc, op, original), renamed in _AWS_RENAMES.items():
        if (svc, op) == (service, cli_operation):
            for table in (valued, flags, required):
                if original in table:
                    table.discard(original)
                    table.add(renamed)
    added, relaxed = _AWS_ADDED.get((service, cli_operation), (set(), set()))
    valued |= added
    required -= relaxed
    try:
        paginated = session.get_paginator_model(service).get_paginator(name) is not None
    except Exception:  # noqa: BLE001 - no paginator model for this service or operation
        paginated = False
    if paginated:
        valued |= _AWS_PAGING
    return 0, valued, flags, required


# pulumi: subcommand words -> (valued flags, boolean flags, max positionals, min positionals)
_PULUMI_COMMON_VALUED = {"-s", "--stack", "-C", "--cwd", "--color"}
_PULUMI_COMMON_FLAGS = {"--non-interactive", "-v", "--logtostderr", "--emoji", "--help", "-h"}
_PULUMI_UPDATE_VALUED = {"--policy-pack", "--policy-pack-config", "-t", "--target", "--replace",
                         "-m", "--message", "--config-file", "--parallel", "-p", "-c", "--config",
                         "--import-file"}
_PULUMI_UPDATE_FLAGS = {"-y", "--yes", "--skip-preview", "-f", "--diff", "-r", "--refresh",
                        "--json", "--suppress-outputs", "--expect-no-changes", "--target-dependents",
                        "--show-replacement-steps", "--show-reads"}
_PULUMI: dict[tuple[str, ...], tuple[set[str], set[str], int, int]] = {
    ("up",): (_PULUMI_UPDATE_VALUED, _PULUMI_UPDATE_FLAGS, 0, 0),
    ("update",): (_PULUMI_UPDATE_VALUED, _PULUMI_UPDATE_FLAGS, 0, 0),
    ("preview",): (_PULUMI_UPDATE_VALUED, _PULUMI_UPDATE_FLAGS, 0, 0),
    ("refresh",): ({"-t", "--target", "-m", "--message"}, {"-y", "--yes", "--skip-preview",
                                                            "--diff", "--json"}, 0, 0),
    ("destroy",): ({"-t", "--target", "-m", "--message"}, {"-y", "--yes", "--skip-preview",
                                                            "--diff", "--json"}, 0, 0),
    ("cancel",): (set(), {"-y", "--yes"}, 1, 0),
    # `pulumi import TYPE NAME ID`, or `--file FILE` with none of them
    ("import",): ({"-f", "--file", "-o", "--out", "--parent", "--provider", "--properties", "--from",
                   "-m", "--message", "--config-file"},
                  {"-y", "--yes", "--skip-preview", "--protect", "--generate-code", "--diff", "--json",
                   "--suppress-outputs", "--generate-resources"}, 3, 0),
    ("state", "unprotect"): (set(), {"--all", "-y", "--yes"}, 1, 0),
    ("state", "delete"): (set(), {"-y", "--yes", "-f", "--force", "--target-dependents"}, 1, 0),
    ("stack", "rm"): (set(), {"-f", "--force", "-y", "--yes", "--preserve-config"}, 1, 0),
    ("stack", "select"): ({"--secrets-provider"}, {"-c", "--create"}, 1, 0),
    ("stack", "output"): (set(), {"-j", "--json", "--show-secrets", "--shell"}, 1, 0),
    ("stack", "ls"): (set(), {"-a", "--all", "-j", "--json"}, 0, 0),
    ("stack", "history"): (set(), {"-j", "--json", "--show-secrets"}, 0, 0),
    ("config",): (set(), {"-j", "--json", "--show-secrets"}, 0, 0),
    ("config", "get"): (set(), {"--path", "-j", "--json"}, 1, 1),
    ("config", "set"): (set(), {"--path", "--secret", "--plaintext"}, 2, 1),
    ("config", "rm"): (set(), {"--path"}, 1, 1),
}


def _pulumi_problem(argv: list[str]) -> str | None:
    for length in (2, 1):
        key = tuple(argv[:length])
        if key in _PULUMI:
            valued, flags, max_positional, min_positional = _PULUMI[key]
            break
    else:
        return f"pulumi has no command {' '.join(argv[:2])!r} (in this project's table)"
    valued = valued | _PULUMI_COMMON_VALUED
    flags = flags | _PULUMI_COMMON_FLAGS
    positional: list[str] = []
    rest = argv[len(key):]
    i = 0
    while i < len(rest):
        word = rest[i]
        name = word.partition("=")[0]
        if word.startswith("-"):
            if name in flags:
                i += 1
            elif name in valued:
                if "=" not in word and (i + 1 >= len(rest) or rest[i + 1].startswith("-")):
                    return f"pulumi {' '.join(key)}: {name} needs a value"
                i += 1 if "=" in word else 2
            else:
                return f"pulumi {' '.join(key)} has no flag {name}"
            continue
        positional.append(word)
        i += 1
    if not min_positional <= len(positional) <= max_positional:
        return (f"pulumi {' '.join(key)} takes {min_positional}-{max_positional} arguments "
                f"(got {positional})")
    return None
