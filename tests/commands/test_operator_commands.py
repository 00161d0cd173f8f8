"""Every command a notification, a Lambda's message, a doc or the code tells an operator to run
exists: drctl's own parser accepts it, botocore's model knows the aws call, pulumi's table the rest.

Doctor fix texts are covered in tests/drctl/test_fix_commands.py (they need AWS worlds to fail in).
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from failover.approval import approval_message
from failover.verify import success_summary
from tests.commands.command_lines import Command, commands_in_markdown, commands_in_message, problem
from tests.conftest import run_program

ROOT = Path(__file__).resolve().parents[2]
EXECUTION = "arn:aws:states:ap-northeast-1:123456789012:execution:stfc-stepfunction-dev-an1:run-1"
MACHINE = "aws:sfn/stateMachine:StateMachine"


def _judge(commands: list[Command]) -> list[str]:
    return [f"{c.source}: `{c.text}` -> {why}" for c in commands if (why := problem(c))]


# --- state machine notifications, from the definitions the program deploys -------------------


def _format(expression: str) -> str:
    """Render `States.Format('...', a, b)` with each argument as a value an execution would have."""
    match = re.fullmatch(r"States\.Format\('((?:[^'\\]|\\.)*)'((?:,\s*[^,]+)*)\)", expression.strip())
    assert match, f"not a States.Format call: {expression}"
    template = re.sub(r"\\(.)", lambda m: "\0" if m.group(1) == "{" else "\1" if m.group(1) == "}"
                      else m.group(1), match.group(1))
    args = [a.strip() for a in match.group(2).split(",") if a.strip()]
    values = iter(EXECUTION if a == "$$.Execution.Id" else f"<{a}>" for a in args)
    text = re.sub(r"\{\}", lambda _: next(values), template)
    return text.replace("\0", "{").replace("\1", "}")


def _states(definition: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, state in definition.get("States", {}).items():
        yield name, state
        for branch in state.get("Branches", []):
            yield from _states(branch)
        for key in ("Iterator", "ItemProcessor"):
            if key in state:
                yield from _states(state[key])


@cache
def _notifications() -> tuple[tuple[str, str], ...]:
    """(where, text) of every SNS message and subject in the tokyo stack's state machines, for both
    approval timeout actions (their texts differ)."""
    found: list[tuple[str, str]] = []
    for action in ("fail", "proceed"):
        run = run_program("tokyo", overrides=[f"failover.approvalTimeoutAction={action}"])
        for machine in run.by_type(MACHINE):
            definition = json.loads(machine.inputs["definition"])
            for state_name, state in _states(definition):
                if not str(state.get("Resource", "")).endswith(":sns:publish"):
                    continue
                params = state["Parameters"]
                where = f"{machine.inputs['name']}.{state_name}"
                for key in ("Subject", "Message"):
                    if key in params:
                        found.append((where, str(params[key])))
                    if f"{key}.$" in params:
                        expression = str(params[f"{key}.$"])
                        if expression.startswith("States.Format("):
                            found.append((where, _format(expression)))
    return tuple(found)


def test_the_state_machines_send_notifications_to_check() -> None:
    wheres = {where for where, _ in _notifications()}
    # the failure notices of both machines, the rejection, the timeout, the failback success
    assert len(wheres) >= 5, wheres
    assert any("drctl report" in text for _, text in _notifications())


def test_every_command_in_a_state_machine_notification_exists() -> None:
    commands = [c for where, text in _notifications() for c in commands_in_message(text, where)]
    assert any(c.program == "drctl" for c in commands)
    assert _judge(commands) == []


def test_the_failure_notice_names_the_execution_for_drctl_report() -> None:
    # The incident: the notice said `drctl report --execution <arn>`, which drctl rejected.
    notices = [text for where, text in _notifications() if "FAILED in" in text]
    assert notices
    for text in notices:
        (report,) = [c for c in commands_in_message(text, "notice") if c.words[:2] == ("drctl", "report")]
        assert report.words[2:] == (EXECUTION,)
        assert problem(report) is None


# --- messages the Lambdas write (the approval request, the success summary) ------------------


def _lambda_messages() -> list[tuple[str, str]]:
    messages = []
    for action in ("fail", "proceed"):
        subject, body = approval_message(EXECUTION, "alarm MegaTicket-Primary-HealthCheck-Alarm is ALARM",
                                         3600, action)
        messages += [(f"approval ({action}) subject", subject), (f"approval ({action})", body)]
    steps = {f"step{n}": {"started_at": "2026-11-28T00:00:00Z", "finished_at": "2026-11-28T00:01:00Z"}
             for n in range(5)}
    messages.append(("step 4 success summary", success_summary(EXECUTION, steps)))
    return messages


def test_every_command_in_the_approval_request_and_success_summary_exists() -> None:
    commands = [c for where, text in _lambda_messages() for c in commands_in_message(text, where)]
    assert {c.words[:2] for c in commands} >= {("drctl", "approve"), ("drctl", "reject"),
                                               ("aws", "stepfunctions"), ("drctl", "release-lock")}
    assert _judge(commands) == []


# --- documents ---------------------------------------------------------------------------------


def _documents() -> list[Path]:
    return [ROOT / "README.md", ROOT / "ARCHITECTURE.md", ROOT / "policies" / "README.md",
            *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("path", _documents(), ids=lambda p: str(p.relative_to(ROOT)))
def test_every_command_in_the_documents_exists(path: Path) -> None:
    commands = commands_in_markdown(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert _judge(commands) == []


def test_the_operations_runbook_is_checked_and_has_commands_of_each_kind() -> None:
    path = ROOT / "docs" / "operations.md"
    commands = commands_in_markdown(path.read_text(encoding="utf-8"), "docs/operations.md")
    assert {c.program for c in commands} == {"drctl", "aws", "pulumi"}


# --- every other text in the code an operator reads (exception messages, fixes, help) ---------


def _literals(path: Path) -> Iterator[tuple[int, str]]:
    """String literals of a module, f-string holes filled with a value; docstrings left out."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    parts = {id(part) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
             for part in ast.walk(node) if part is not node}
    for node in ast.walk(tree):
        if id(node) in docstrings or id(node) in parts:
            continue
        if isinstance(node, ast.JoinedStr):
            yield node.lineno, "".join(v.value if isinstance(v, ast.Constant) else "<value>"
                                       for v in node.values)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def _code_texts() -> list[tuple[str, str]]:
    texts = []
    for folder in ("failover", "drctl", "components"):
        for path in sorted((ROOT / folder).glob("*.py")):
            for line, text in _literals(path):
                texts.append((f"{path.relative_to(ROOT)}:{line}", text))
    return texts


def test_every_command_written_in_a_code_string_exists() -> None:
    commands = [c for where, text in _code_texts() for c in commands_in_message(text, where)]
    assert len(commands) > 10
    assert _judge(commands) == []
