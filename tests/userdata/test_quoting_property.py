"""Property: whatever a value holds, it arrives verbatim and is never executed.

Values are built from shell and dotenv hazards (quotes, `$()`, backticks, spaces, newlines,
heredoc delimiters, `#`) and arbitrary text. Each rendered script runs with real bash (stubs as in
test_execution.py); PM2's environment, the sourced env file and `.env.production` read the way
dotenv (Next.js) reads it must all give back the exact values, and no injected command may run.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.userdata.conftest import app_settings, web_settings
from tests.userdata.harness import injected, make_root, run_script
from userdata.render import (
    app_environment,
    parse_env_assignments,
    render_app,
    render_web,
    web_environment,
)

_HAZARDS = [
    "$(touch pwned)", "`touch pwned`", "$(touch \"$HOME/pwned\")", "'", '"', "`", " ", "\n", "\t",
    ";", "&&", "|", "$HOME", "${PATH}", "\\", "\\n", "ENVEOF", "\nENVEOF\n",
    "\nMEGATICKET_ENV_EOF\n", "#", "*", "~", "!", "%s", "--", "=", "@@APP_DIR@@", "⟨x.y⟩", "é",
]
_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=8)
VALUES = st.lists(st.sampled_from(_HAZARDS) | _TEXT, min_size=1, max_size=6).map("".join).filter(bool)

# dotenv 16 (lib/main.js `parse`), which @next/env uses, transcribed.
_DOTENV_LINE = re.compile(
    r"(?:^|^)\s*(?:export\s+)?([A-Za-z0-9_.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|"
    r"\s*\"(?:\\\"|[^\"])*\"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?(?:$|$)", re.MULTILINE)


def dotenv_parse(source: str) -> dict[str, str]:
    source = re.sub(r"\r\n?", "\n", source)
    result = {}
    for match in _DOTENV_LINE.finditer(source):
        value = (match.group(2) or "").strip()
        quote = value[:1]
        value = re.sub(r"^(['\"`])([\s\S]*)\1$", r"\2", value, flags=re.MULTILINE)
        if quote == '"':
            value = value.replace("\\n", "\n").replace("\\r", "\r")
        result[match.group(1)] = value
    return result


def _sourced(env_file: Path) -> dict[str, str]:
    done = subprocess.run(["/bin/bash", "-c", 'source "$1" && env -0', "_", str(env_file)],
                          env={"PATH": "/usr/bin:/bin"}, capture_output=True, check=True)
    items = done.stdout.decode().split("\0")[:-1]
    return {k: v for k, v in (i.split("=", 1) for i in items) if k not in ("PATH", "PWD", "SHLVL", "_")}


def _check(role: str, render, settings_for, environment) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = make_root(Path(tmp))
        u = settings_for(root.base)
        try:
            script = render(u)
        except ValueError as error:
            # Only dotenv's limits may refuse a value, in one line naming the variable.
            assert re.match(r"^[A-Z_]+ cannot be written to \.env\.production", str(error))
            assert "\n" not in str(error)
            return
        expected = environment(u)
        run = run_script(root, script)
        assert run.returncode == 0, run.output
        assert not list(Path(tmp).rglob("pwned")), "a value was executed"
        calls = run.pm2_calls()
        assert [c.argv[0] for c in calls] == ["delete", "start", "save"]
        assert injected(calls[1].env) == expected
        assert _sourced(root.env_file(role)) == expected
        assert dotenv_parse((root.app_dir(role) / ".env.production").read_text()) == expected
        assert parse_env_assignments(script) == expected


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(region=VALUES, url=VALUES)
def test_web_values_arrive_verbatim_and_never_execute(region: str, url: str):
    _check("web", render_web, lambda base: web_settings(base, region=region, internal_api_url=url),
           web_environment)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(region=VALUES, table=VALUES)
def test_app_values_arrive_verbatim_and_never_execute(region: str, table: str):
    def settings_for(base: Path):
        u = app_settings(base, region=region)
        return app_settings(base, region=region, tables={**u.tables, "venues": table})

    _check("app", render_app, settings_for, app_environment)


def test_dotenv_model_reads_the_documents_file():
    # The transcription above reads the documents' plain file as dotenv does.
    assert dotenv_parse("AWS_REGION=ap-northeast-1\nPORT=3001 # comment\nQ='a b'\n") == {
        "AWS_REGION": "ap-northeast-1", "PORT": "3001", "Q": "a b"}
