"""User data for the web and app tiers, rendered by pure functions: settings in, script text out.

The scripts do what documents 000 (sections 2-3) and 001 (1.2, 1.4, 6.5) recommend: log to
/var/log/user-data.log, write the shell env file, overwrite `.env.production`, `pm2 delete` the
process PM2 resurrected from the Golden AMI, `pm2 start npm --name <name> -- start` with every
variable inline, `pm2 save`, then check that `pm2 startup` enabled the pm2-<user> unit (without
it `pm2 save` restores nothing after a reboot), enabling it if the AMI did not and logging one
WARNING line if that fails. They never install or build (the AMI holds the build).

Quoting, the documents' trap: their `sudo -u ec2-user bash -c "... AWS_REGION=$AWS_REGION ..."`
expands every value a second time inside the inner shell. Here each value is quoted exactly
once, by this module, for the context it lands in:
- the shell env file gets `export NAME=<shlex.quote(value)>` lines in a quoted heredoc;
- `.env.production` gets dotenv lines (`_dotenv_value`) in a quoted heredoc;
- PM2 gets `NAME=<shlex.quote(value)>` as arguments of `env`, run by a constant inner script,
  so the inner shell receives values as data and never as code.

This module imports nothing from Pulumi or the stack config (only the dependency-free
`failover.contract`), so the failover Lambdas and the policy pack can reuse `parse_env_assignments`.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# The failover pipeline's step 2 replaces NLB_DNS_PLACEHOLDER in the decoded launch template user
# data (001 section 3.2) when the NLB is created on failover (nlb.mode on-failover).
from failover.contract import NLB_DNS_PLACEHOLDER as NLB_DNS_PLACEHOLDER
from failover.contract import TABLE_SUFFIXES

DEFAULT_LOG_FILE = "/var/log/user-data.log"
DEFAULT_RUN_AS = "ec2-user"
NEXT_DEFAULT_PORT = 3000

_TEMPLATES = Path(__file__).resolve().parent
_SLOT = re.compile(r"@@([A-Z0-9_]+)@@")
_USER = re.compile(r"^[a-z_][a-z0-9_-]{0,31}$")
# Characters dotenv reads back verbatim without quotes (no spaces, quotes, `#` or `$`).
_DOTENV_BARE = re.compile(r"^[A-Za-z0-9_./:@+,=-]*$")
_SHELL_ENV_DELIMITER = "MEGATICKET_ENV_EOF"
_DOTENV_DELIMITER = "ENVEOF"  # the documents' name
_SHELL_ENV_BLOCK = re.compile(r"<<'(" + _SHELL_ENV_DELIMITER + r"(?:_\d+)?)'\n(.*?)\n\1$",
                              re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class WebUserData:
    region: str
    internal_api_url: str
    app_dir: str
    pm2_name: str
    env_file: str
    port: int = NEXT_DEFAULT_PORT
    log_file: str = DEFAULT_LOG_FILE
    run_as: str = DEFAULT_RUN_AS

    def __post_init__(self) -> None:
        _check_common(self.region, self.app_dir, self.pm2_name, self.env_file, self.port,
                      self.log_file, self.run_as)
        _check_text("internal_api_url", self.internal_api_url)


@dataclass(frozen=True)
class AppUserData:
    region: str
    port: int
    tables: Mapping[str, str]  # table suffix -> table name
    recovery_mode: bool
    app_dir: str
    pm2_name: str
    env_file: str
    log_file: str = DEFAULT_LOG_FILE
    run_as: str = DEFAULT_RUN_AS

    def __post_init__(self) -> None:
        _check_common(self.region, self.app_dir, self.pm2_name, self.env_file, self.port,
                      self.log_file, self.run_as)
        if not isinstance(self.tables, Mapping) or set(self.tables) != set(TABLE_SUFFIXES):
            got = sorted(self.tables) if isinstance(self.tables, Mapping) else self.tables
            raise ValueError(f"tables must map exactly the suffixes {', '.join(TABLE_SUFFIXES)} "
                             f"to table names (got {got!r})")
        for suffix, name in self.tables.items():
            _check_text(f"tables[{suffix!r}]", name)
        if not isinstance(self.recovery_mode, bool):
            raise ValueError(f"recovery_mode must be True or False (got {self.recovery_mode!r})")


def _check_text(field: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise ValueError(f"{field} must be a non-empty string (got {value!r})")
    if "\0" in value:
        raise ValueError(f"{field} must not contain a NUL character (got {value!r})")


def _check_common(region: str, app_dir: str, pm2_name: str, env_file: str, port: int,
                  log_file: str, run_as: str) -> None:
    _check_text("region", region)
    _check_text("pm2_name", pm2_name)
    for field, path in (("app_dir", app_dir), ("env_file", env_file), ("log_file", log_file)):
        _check_text(field, path)
        if not path.startswith("/"):
            raise ValueError(f"{field} must be an absolute path (got {path!r})")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port must be an integer from 1 to 65535 (got {port!r})")
    if not isinstance(run_as, str) or not _USER.fullmatch(run_as):
        raise ValueError(f"run_as must be a Linux user name such as ec2-user (got {run_as!r})")


def internal_api_url(nlb_dns: str, port: int) -> str:
    """`http://<nlb_dns>:<port>`, the form the failover pipeline and the doctor parse."""
    _check_text("nlb_dns", nlb_dns)
    if "://" in nlb_dns or "/" in nlb_dns or any(c.isspace() for c in nlb_dns):
        raise ValueError(f"nlb_dns must be a bare DNS name such as "
                         f"MegaTicket-DR-NLB-0123.elb.ap-northeast-1.amazonaws.com (got {nlb_dns!r})")
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ValueError(f"port must be an integer from 1 to 65535 (got {port!r})")
    return f"http://{nlb_dns}:{port}"


def web_environment(u: WebUserData) -> dict[str, str]:
    """The variables the web tier is started with (000 section 2)."""
    env = {"AWS_REGION": u.region, "INTERNAL_API_URL": u.internal_api_url}
    if u.port != NEXT_DEFAULT_PORT:
        # `next start` listens on 3000 unless PORT says otherwise; the documents rely on the default.
        env["PORT"] = str(u.port)
    return env


def app_environment(u: AppUserData) -> dict[str, str]:
    """The variables the app tier is started with (000 section 3), in the documents' order."""
    env = {"AWS_REGION": u.region, "PORT": str(u.port)}
    for suffix in TABLE_SUFFIXES:
        env[f"DYNAMODB_{suffix.upper()}_TABLE"] = u.tables[suffix]
    env["DR_RECOVERY_MODE"] = "true" if u.recovery_mode else "false"
    return env


def render_web(u: WebUserData) -> str:
    return _render("web.sh.tpl", web_environment(u), u.app_dir, u.pm2_name, u.env_file,
                   u.log_file, u.run_as)


def render_app(u: AppUserData) -> str:
    return _render("app.sh.tpl", app_environment(u), u.app_dir, u.pm2_name, u.env_file,
                   u.log_file, u.run_as)


def dotenv_line(name: str, value: str) -> str:
    """`NAME=value` as dotenv (which Next.js reads) gives back `value` unchanged."""
    return f"{name}={_dotenv_value(name, value)}"


def _dotenv_value(name: str, value: str) -> str:
    if _DOTENV_BARE.fullmatch(value):
        return value
    # dotenv unescapes nothing inside '...' or `...` (newlines included); inside "..." it turns
    # \n and \r into line breaks, so "..." only without backslashes. A value ending in a
    # backslash would escape the closing quote.
    if "\r" not in value and not value.endswith("\\"):
        for quote in ("'", "`"):
            if quote not in value:
                return f"{quote}{value}{quote}"
        if '"' not in value and "\\" not in value:
            return f'"{value}"'
    raise ValueError(f"{name} cannot be written to .env.production: dotenv has no quoting for a "
                     f"value holding both ' and ` plus \" or a backslash, a carriage return, or a "
                     f"trailing backslash (got {value!r})")


def _delimiter(base: str, body: str) -> str:
    """A heredoc delimiter that no line of body equals (a value could hold one)."""
    lines = set(body.split("\n"))
    candidate, n = base, 0
    while candidate in lines:
        n += 1
        candidate = f"{base}_{n}"
    return candidate


def _render(template: str, env: Mapping[str, str], app_dir: str, pm2_name: str, env_file: str,
            log_file: str, run_as: str) -> str:
    for name, value in env.items():
        _check_text(name, value)
    shell_env = "\n".join(f"export {k}={shlex.quote(v)}" for k, v in env.items())
    dotenv = "\n".join(dotenv_line(k, v) for k, v in env.items())
    inline = " \\\n".join(f"  {k}={shlex.quote(v)}" for k, v in env.items())
    slots = {
        "LOG_FILE": shlex.quote(log_file),
        "APP_DIR": shlex.quote(app_dir),
        "ENV_FILE": shlex.quote(env_file),
        "PM2_NAME": shlex.quote(pm2_name),
        "RUN_AS": run_as,
        "SHELL_ENV": shell_env,
        "SHELL_ENV_EOF": _delimiter(_SHELL_ENV_DELIMITER, shell_env),
        "DOTENV": dotenv,
        "DOTENV_EOF": _delimiter(_DOTENV_DELIMITER, dotenv),
        "INLINE_ENV": inline,
    }
    text = (_TEMPLATES / template).read_text(encoding="utf-8")
    wanted = set(_SLOT.findall(text))
    if wanted != set(slots):
        raise ValueError(f"{template} slots {sorted(wanted)} do not match the renderer's "
                         f"{sorted(slots)}")
    # One pass: a value that happens to contain @@X@@ is never filled in again.
    return _SLOT.sub(lambda m: slots[m.group(1)], text)


def parse_env_assignments(script: str) -> dict[str, str]:
    """The variables a rendered script injects, read back from its shell env file block.

    Works on the text after the failover pipeline replaced NLB_DNS_PLACEHOLDER. Returns {} for a
    script this module did not render (no env file block).
    """
    match = _SHELL_ENV_BLOCK.search(script)
    if not match:
        return {}
    lexer = shlex.shlex(match.group(2), posix=True)
    lexer.whitespace_split = True
    lexer.commenters = ""
    result: dict[str, str] = {}
    words = list(lexer)
    if len(words) % 2:
        raise ValueError(f"env file block must hold only `export NAME=value` lines (got {words!r})")
    for keyword, assignment in zip(words[::2], words[1::2], strict=True):
        name, sep, value = assignment.partition("=")
        if keyword != "export" or not sep:
            raise ValueError(f"env file block must hold only `export NAME=value` lines "
                             f"(got {keyword} {assignment!r})")
        result[name] = value
    return result


@dataclass(frozen=True)
class ScriptFacts:
    """What a user data script makes the machine run, read back from its text (facts, not bytes).

    `env_file`: the `export NAME=value` lines written to the shell env file; `dotenv`: the lines
    written to `.env.production`; `processes`: each PM2 process started, name -> the variables it
    is started with (inline, which win over `.env.production`).
    """

    env_file: dict[str, str]
    dotenv: dict[str, str]
    processes: dict[str, dict[str, str]]

    def sources(self) -> dict[str, dict[str, str]]:
        """Every place a variable is set, labelled for a one-line report."""
        found = {"env file": self.env_file, ".env.production": self.dotenv}
        for name, env in self.processes.items():
            found[f"pm2 {name}"] = env
        return found


_HEREDOC = re.compile(r"^cat > (\S+) <<'([A-Za-z0-9_]+)'\n(.*?)\n\2$", re.DOTALL | re.MULTILINE)
_PM2_START = re.compile(r"pm2 start\b")
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)=(.*)$", re.DOTALL)


def _dotenv_parse(body: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for line in body.split("\n"):
        match = _ASSIGNMENT.match(line.strip())
        if not match:
            continue
        value = match[2]
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"`":
            value = value[1:-1]
        values[match[1]] = value
    return values


def _logical_lines(script: str) -> list[str]:
    """Lines with backslash-newline continuations joined, as bash reads them."""
    return script.replace("\\\n", " ").split("\n")


def _pm2_starts(script: str) -> dict[str, dict[str, str]]:
    processes: dict[str, dict[str, str]] = {}
    for line in _logical_lines(script):
        if not _PM2_START.search(line) or line.lstrip().startswith("#"):
            continue
        try:
            words = shlex.split(line, comments=True)  # `#` at a word start comments out the rest, as in bash
        except ValueError:
            continue
        name, env = "", {}
        if "_" in words:
            # Our form: bash -c '<constant script>' _ <app dir> <pm2 name> NAME=value ...
            rest = words[words.index("_") + 1:]
            if len(rest) >= 2:
                name = rest[1]
                for word in rest[2:]:
                    match = _ASSIGNMENT.match(word)
                    if match:
                        env[match[1]] = match[2]
        if not name:
            # Any other form: `... NAME=value ... pm2 start npm --name <name> -- start`.
            for word in words:
                match = _ASSIGNMENT.match(word)
                if match and not word.startswith("--"):
                    env[match[1]] = match[2]
            if "--name" in words and words.index("--name") + 1 < len(words):
                name = words[words.index("--name") + 1]
        if name:
            processes[name] = env
    return processes


def script_facts(script: str) -> ScriptFacts:
    """The env file, `.env.production` and PM2 processes a user data script sets up."""
    env_file: dict[str, str] = {}
    dotenv: dict[str, str] = {}
    for match in _HEREDOC.finditer(script):
        target, body = match[1], match[3]
        if target.endswith('.env.production"') or target.endswith(".env.production"):
            dotenv.update(_dotenv_parse(body))
        else:
            try:
                env_file.update(parse_env_assignments(f"<<'{_SHELL_ENV_DELIMITER}'\n{body}\n"
                                                      f"{_SHELL_ENV_DELIMITER}\n"))
            except ValueError:
                continue
    return ScriptFacts(env_file=env_file, dotenv=dotenv, processes=_pm2_starts(script))
