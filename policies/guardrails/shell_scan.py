"""What a user-data script sets, read the way a shell reads it.

A regex over the raw text misses `NAME+=`, `printf … >> .env`, `sed -i`, `bash -c "…"`, values put
together from earlier variables, and it flags commented-out lines. This module lexes the script
(quotes, `$(…)`, heredocs, line continuations, comments), keeps the variables the script defines
so later references resolve, and records every variable a script sets:

- shell assignments, `export`/`declare`/`readonly`/`local`, `env`/`sudo` prefixes, `read … <<<`,
  `printf -v`, `${NAME:=value}`, `systemctl set-environment` / `docker -e` style arguments;
- lines written into files (`echo`/`printf`/`cat <<EOF`/`tee` with `>`/`>>`, `sed -i` `s`/`a`/`i`/`c`),
  read the way dotenv, JSON and YAML readers read them (`NAME = v`, `NAME+=v`, `"NAME": "v"`);
- nested scripts: `bash -c`, `sh -c`, `su -c`, `eval`, heredocs fed to a shell, files later sourced.

Anything the script computes at boot (`$(curl …)`, an undefined `$VAR`) stays in the value as
written, so rules can tell "a literal URL" from "computed on the instance".
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .normalize import DATA, SHELL, Normalized

MAX_NESTING = 6


@dataclass(frozen=True)
class Assignment:
    name: str
    value: str  # resolved as far as the script allows; `$X` / `$(cmd)` left where it cannot be
    how: str  # "export", "assignment", "written to /path/.env", ...
    origin: str  # which part of the user data


# ------------------------------------------------------------------------------------------ lexer

@dataclass
class Word:
    segments: list[tuple[str, str]]  # ("lit" | "dq" | "bare", text)

    def raw(self) -> str:
        return "".join(text for _, text in self.segments)

    def unquoted_prefix(self) -> str:
        return self.segments[0][1] if self.segments and self.segments[0][0] == "bare" else ""


@dataclass
class Redirect:
    op: str  # ">", ">>", "<", "<<", "<<<", ">&" ...
    target: Word | None = None
    body: str | None = None  # heredoc body
    quoted: bool = False  # heredoc delimiter quoted: no expansion


@dataclass
class Command:
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)


Pipeline = list[Command]

_PLAIN_RUN = re.compile(r"[^\s;&|()<>\\'\"$`=]+")
_OPERATOR_RE = re.compile(r"&&|\|\||;;|[;&|()\n]")
# Blanks, line continuations and comments between tokens (`#` starts a comment only here).
_BLANK = re.compile(r"(?:[ \t]+|\\\n|#[^\n]*)*")
_FD_REDIRECT = re.compile(r"\d+[<>]")
_REDIRECT_RE = re.compile(r"\d*(<<<|<<-|<<|>>|>\||>&|<&|&>>|&>|<>|<|>)")
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(\+?=)")


class _Lexer:
    def __init__(self, text: str):
        self.text = text.replace("\r\n", "\n")
        self.pos = 0
        self.pending: list[Redirect] = []

    def _peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.text[index] if index < len(self.text) else ""

    def pipelines(self) -> Iterator[Pipeline]:
        pipeline: Pipeline = []
        command = Command()
        while True:
            token = self._token()
            if token is None:
                break
            if isinstance(token, Word):
                command.words.append(token)
            elif isinstance(token, Redirect):
                command.redirects.append(token)
            elif token == "|":
                pipeline.append(command)
                command = Command()
            else:  # a command separator
                if command.words or command.redirects:
                    pipeline.append(command)
                if pipeline:
                    yield pipeline
                pipeline, command = [], Command()
        if command.words or command.redirects:
            pipeline.append(command)
        if pipeline:
            yield pipeline

    def _token(self) -> Word | Redirect | str | None:
        text = self.text
        self.pos = _BLANK.match(text, self.pos).end()  # type: ignore[union-attr]
        if self.pos >= len(text):
            return None
        char = text[self.pos]
        if char == "\n":
            self.pos += 1
            self._read_heredocs()
            return "\n"
        if char in "<>" or (char.isdigit() and _FD_REDIRECT.match(text, self.pos)) \
                or (char == "&" and self._peek(1) == ">"):
            if char in "<>" and self._peek(1) == "(":
                return self._word()  # process substitution, a word
            return self._redirect()
        operator = _OPERATOR_RE.match(text, self.pos)
        if operator:
            self.pos = operator.end()
            return operator.group(0)
        return self._word()

    def _redirect(self) -> Redirect:
        match = _REDIRECT_RE.match(self.text, self.pos)
        assert match is not None
        self.pos = match.end()
        op = match.group(1)
        if op in ("<<", "<<-"):
            while self._peek() in " \t":
                self.pos += 1
            delimiter = self._word()
            quoted = any(kind != "bare" for kind, _ in delimiter.segments) or "\\" in delimiter.raw()
            redirect = Redirect(op, Word([("lit", _plain_word(delimiter))]), quoted=quoted)
            self.pending.append(redirect)
            return redirect
        while self._peek() in " \t":
            self.pos += 1
        target = self._word() if self._peek() and self._peek() not in "\n;&|()" else None
        return Redirect(op, target)

    def _read_heredocs(self) -> None:
        for redirect in self.pending:
            delimiter = redirect.target.raw() if redirect.target else ""
            lines: list[str] = []
            while self.pos < len(self.text):
                end = self.text.find("\n", self.pos)
                line = self.text[self.pos:] if end < 0 else self.text[self.pos:end]
                self.pos = len(self.text) if end < 0 else end + 1
                check = line.lstrip("\t") if redirect.op == "<<-" else line
                if check == delimiter:
                    break
                lines.append(check)
            redirect.body = "\n".join(lines) + ("\n" if lines else "")
        self.pending = []

    def _word(self) -> Word:
        segments: list[tuple[str, str]] = []
        bare: list[str] = []
        text = self.text

        def flush() -> None:
            if bare:
                segments.append(("bare", "".join(bare)))
                bare.clear()

        while self.pos < len(text):
            plain_run = _PLAIN_RUN.match(text, self.pos)
            if plain_run:  # ordinary characters, taken in one step
                bare.append(plain_run.group(0))
                self.pos = plain_run.end()
                continue
            char = text[self.pos]
            if char in " \t\n;&|()" or (char in "<>" and self._peek(1) != "("):
                if char == "(" and bare and bare[-1].endswith("="):
                    # an array assignment NAME=(a b): keep it as one word
                    end = _balanced(text, self.pos, "(", ")")
                    bare.append(text[self.pos:end])
                    self.pos = end
                    continue
                break
            if char == "\\":
                if self._peek(1) == "\n":
                    self.pos += 2
                    continue
                bare.append(text[self.pos:self.pos + 2])
                self.pos += 2
            elif char == "'":
                flush()
                end = text.find("'", self.pos + 1)
                end = len(text) if end < 0 else end
                segments.append(("lit", text[self.pos + 1:end]))
                self.pos = end + 1
            elif char == "$" and self._peek(1) == "'":
                flush()
                end = self.pos + 2
                while end < len(text) and text[end] != "'":
                    end += 2 if text[end] == "\\" else 1
                segments.append(("lit", _ansi_c(text[self.pos + 2:end])))
                self.pos = end + 1
            elif char == '"':
                flush()
                end = _closing_double_quote(text, self.pos + 1)
                segments.append(("dq", text[self.pos + 1:end]))
                self.pos = end + 1
            elif char == "$" and self._peek(1) in "({":
                opener = self._peek(1)
                end = _balanced(text, self.pos + 1, opener, ")" if opener == "(" else "}")
                bare.append(text[self.pos:end])
                self.pos = end
            elif char in "<>" and self._peek(1) == "(":
                end = _balanced(text, self.pos + 1, "(", ")")
                bare.append(text[self.pos:end])
                self.pos = end
            elif char == "`":
                end = text.find("`", self.pos + 1)
                end = len(text) if end < 0 else end + 1
                bare.append(text[self.pos:end])
                self.pos = end
            else:
                bare.append(char)
                self.pos += 1
        flush()
        return Word(segments)


def _closing_double_quote(text: str, start: int) -> int:
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == '"':
            return index
        if char == "$" and index + 1 < len(text) and text[index + 1] == "(":
            index = _balanced(text, index + 1, "(", ")")
            continue
        if char == "`":
            close = text.find("`", index + 1)
            index = len(text) if close < 0 else close + 1
            continue
        index += 1
    return len(text)


def _balanced(text: str, start: int, opener: str, closer: str) -> int:
    """Index just past the closer matching text[start] (an opener), skipping quoted text."""
    depth = 0
    index = start
    while index < len(text):
        char = text[index]
        if char == "\\":
            index += 2
            continue
        if char == "'" and opener == "(":
            close = text.find("'", index + 1)
            index = len(text) if close < 0 else close + 1
            continue
        if char == '"':
            index = _closing_double_quote(text, index + 1) + 1
            continue
        if char == opener:
            depth += 1
        elif char == closer:
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    return len(text)


_ANSI = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", "'": "'", '"': '"', "a": "\a", "e": "\x1b",
         "0": "\0", "v": "\v", "f": "\f", "b": "\b"}


def _ansi_c(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        body = match.group(1)
        if body[0] in "xX" and len(body) > 1:
            return chr(int(body[1:], 16))
        if body[0] == "u" and len(body) > 1:
            return chr(int(body[1:], 16))
        return _ANSI.get(body, body)

    return re.sub(r"\\(x[0-9A-Fa-f]{1,2}|u[0-9A-Fa-f]{1,4}|.)", replace, text, flags=re.S)


def _plain_word(word: Word) -> str:
    """A word with quotes removed and no expansion (heredoc delimiters)."""
    return "".join(re.sub(r"\\(.)", r"\1", text) if kind != "lit" else text for kind, text in word.segments)


# ------------------------------------------------------------------------------------- expansion

_INTERPRETERS = {"python", "python3", "python2", "node", "nodejs", "ruby", "php", "awk", "gawk", "jq"}
_NEEDS_EXPANSION = re.compile(r"[\\$`]")
_PARAM_RE = re.compile(r"^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=+?])(.*))?$", re.S)


class _Scanner:
    def __init__(self, origin: str, variables: dict[str, str] | None = None,
                 files: dict[str, str] | None = None, depth: int = 0):
        self.origin = origin
        self.vars: dict[str, str] = dict(variables or {})
        self.files: dict[str, str] = files if files is not None else {}
        self.depth = depth
        self.found: list[Assignment] = []

    # -- expansion
    def expand(self, word: Word) -> str:
        return "".join(text if kind == "lit" else self._expand_text(text, kind == "dq")
                       for kind, text in word.segments)

    def _expand_text(self, text: str, in_double_quotes: bool) -> str:
        if not _NEEDS_EXPANSION.search(text):
            return text
        out: list[str] = []
        index = 0
        while index < len(text):
            char = text[index]
            if char == "\\" and index + 1 < len(text):
                following = text[index + 1]
                if not in_double_quotes or following in '$`"\\\n':
                    out.append("" if following == "\n" else following)
                else:
                    out.append(char + following)
                index += 2
            elif char == "$" and text.startswith("$((", index):
                end = _balanced(text, index + 1, "(", ")")
                out.append(text[index:end])
                index = end
            elif char == "$" and text.startswith("$(", index):
                end = _balanced(text, index + 1, "(", ")")
                out.append(self._substitute(text[index + 2:end - 1], text[index:end]))
                index = end
            elif char == "$" and text.startswith("${", index):
                end = _balanced(text, index + 1, "{", "}")
                out.append(self._parameter(text[index + 2:end - 1], text[index:end]))
                index = end
            elif char == "$":
                match = _NAME_RE.match(text, index + 1)
                if match:
                    name = match.group(0)
                    out.append(self.vars.get(name, f"${name}"))
                    index = match.end()
                else:
                    out.append(char)
                    index += 1
            elif char == "`":
                end = text.find("`", index + 1)
                end = len(text) if end < 0 else end
                out.append(self._substitute(text[index + 1:end], text[index:end + 1]))
                index = end + 1
            else:
                out.append(char)
                index += 1
        return "".join(out)

    def _parameter(self, inner: str, written: str) -> str:
        if inner.startswith("!") and _NAME_RE.fullmatch(inner[1:]):
            target = self.vars.get(inner[1:])  # ${!ref}: the variable whose name ref holds
            return self.vars.get(target, written) if target else written
        match = _PARAM_RE.match(inner)
        if not match:
            return written
        name, op, argument = match.groups()
        value = self.vars.get(name)
        if op is None:
            return value if value is not None else written
        empty = value is None or (op.startswith(":") and value == "")
        default = self._expand_text(argument or "", True)
        if op.endswith("-"):
            return default if empty else str(value)
        if op.endswith("="):
            if empty:
                self.vars[name] = default
                self._record(name, default, "${NAME:=value}")
                return default
            return str(value)
        if op.endswith("+"):
            return "" if empty else default
        return str(value) if value is not None else written

    def _substitute(self, inner: str, written: str) -> str:
        """`$(echo x)` / `$(printf …)` / `$(cat <<EOF …)` resolve; any other command stays as written."""
        if self.depth >= MAX_NESTING:
            return written
        outputs: list[str] = []
        for pipeline in _Lexer(inner).pipelines():
            stdout = None
            for command in pipeline:
                stdout = self._command(command, stdout)
            if stdout is None:
                return written
            outputs.append(stdout)
        return "".join(outputs).rstrip("\n")

    # -- recording
    def _record(self, name: str, value: str, how: str) -> None:
        self.found.append(Assignment(name, value, how, self.origin))

    def _assign(self, name: str, op: str, value: str, how: str, set_var: bool = True) -> None:
        if op == "+=":
            value = self.vars.get(name, "") + value
        if set_var:
            self.vars[name] = value
        self._record(name, value, how)

    # -- commands
    def run(self, text: str) -> None:
        for pipeline in _Lexer(text).pipelines():
            stdin: str | None = None
            for command in pipeline:
                stdin = self._command(command, stdin)

    def _nested(self, text: str, origin_suffix: str) -> None:
        if self.depth >= MAX_NESTING:
            return
        nested = _Scanner(f"{self.origin} {origin_suffix}", self.vars, self.files, self.depth + 1)
        nested.run(text)
        self.found.extend(nested.found)
        self.vars.update(nested.vars)

    def _stdin_of(self, command: Command, piped: str | None) -> str | None:
        for redirect in command.redirects:
            if redirect.op in ("<<", "<<-") and redirect.body is not None:
                return redirect.body if redirect.quoted else self._expand_text(redirect.body, True)
            if redirect.op == "<<<" and redirect.target is not None:
                return self.expand(redirect.target) + "\n"
            if redirect.op == "<" and redirect.target is not None:
                return self.files.get(self.expand(redirect.target))
        return piped

    def _command(self, command: Command, piped: str | None) -> str | None:
        """Run one simple command for its effects; returns its stdout when it can be known."""
        words = list(command.words)
        stdin = self._stdin_of(command, piped)
        # Leading NAME=value words: shell variables, or the environment of the command that follows.
        prefix: list[tuple[str, str, str]] = []
        while words and _ASSIGN_RE.match(words[0].unquoted_prefix()):
            raw_name, op = _ASSIGN_RE.match(words[0].unquoted_prefix()).groups()  # type: ignore[union-attr]
            value = self.expand(words[0])[len(raw_name) + len(op):]
            prefix.append((raw_name, op, value))
            words.pop(0)
        for name, op, value in prefix:
            self._assign(name, op, value, "assignment" if not words else "environment of a command",
                         set_var=not words)
        expanded = [self.expand(word) for word in words]
        stdout = self._effects(expanded, stdin, command)
        self._writes(command, stdout)
        return stdout

    def _writes(self, command: Command, stdout: str | None) -> None:
        for redirect in command.redirects:
            if redirect.op in (">", ">>", ">|", "&>", "&>>") and redirect.target is not None:
                target = self.expand(redirect.target)
                if stdout is not None and target not in ("/dev/null", "/dev/stdout", "/dev/stderr"):
                    self._file(target, stdout, append=redirect.op.endswith(">>"))

    def _file(self, path: str, content: str, append: bool) -> None:
        self.files[path] = (self.files.get(path, "") if append else "") + content
        for assignment in scan_data(content, f"{self.origin}", f"written to {path}", self.vars):
            self.found.append(assignment)

    def _effects(self, words: list[str], stdin: str | None, command: Command) -> str | None:
        words = _skip_keywords(words)
        if not words:
            return stdin if command.redirects and stdin is not None else None
        name = words[0].rsplit("/", 1)[-1]
        args = words[1:]
        if name in ("sudo", "doas"):
            return self._effects(self._after_sudo(args), stdin, command)
        if name == "env":
            return self._effects(self._after_env(args), stdin, command)
        if name == "cloud-init-per" and len(args) > 2:  # cloud-init-per <frequency> <name> <command...>
            return self._effects(args[2:], stdin, command)
        if name in ("nohup", "time", "exec", "command", "builtin", "setsid", "stdbuf", "nice", "timeout",
                    "runuser") and not (name == "runuser" and "-c" in args):
            rest = _drop_options(args, takes_value={"-n", "-u", "-g", "-s", "-o", "-e", "-i", "-k"})
            if name == "timeout" and rest:
                rest = rest[1:]
            return self._effects(rest, stdin, command)
        if name in ("bash", "sh", "zsh", "dash", "ksh", "su", "runuser"):
            return self._shell(name, args, stdin)
        if name == "eval":
            self._nested(" ".join(args), "(eval)")
            return None
        if name in ("export", "declare", "typeset", "local", "readonly"):
            for arg in args:
                if arg.startswith("-"):
                    continue
                match = _ASSIGN_RE.match(arg)
                if match:
                    self._assign(match.group(1), match.group(2), arg[match.end():], name)
            return None
        if name == "unset":
            for arg in args:
                self.vars.pop(arg, None)
            return None
        if name == "read":
            names = _drop_options(args, takes_value={"-p", "-d", "-t", "-u", "-n", "-N", "-a", "-i"})
            line = (stdin or "").split("\n", 1)[0]
            if stdin is not None and names:
                values = line.split(None, len(names) - 1) if len(names) > 1 else [line.strip()]
                for var, value in zip(names, values + [""] * len(names), strict=False):
                    if _NAME_RE.fullmatch(var):
                        self._assign(var, "=", value, "read")
            return None
        if name in ("source", "."):
            if args and args[0] in self.files:
                self._nested(self.files[args[0]], f"(source {args[0]})")
            return None
        if name == "echo":
            return _echo(args)
        if name == "printf":
            if len(args) >= 2 and args[0] == "-v":
                self._assign(args[1], "=", _printf(args[2:]), "printf -v")
                return None
            return _printf(args)
        if name == "cat":
            files = [a for a in args if not a.startswith("-")]
            if not files or files == ["-"]:
                return stdin
            contents = [self.files.get(f) for f in files]
            return None if any(c is None for c in contents) else "".join(c or "" for c in contents)
        if name == "tee":
            if stdin is not None:
                append = any(a in ("-a", "--append") for a in args)
                for target in (a for a in args if not a.startswith("-")):
                    self._file(target, stdin, append)
            return stdin
        decoding = (name == "base64" and any(a in ("-d", "--decode", "-D") for a in args)) or (
            name == "openssl" and "-d" in args and any("base64" in a for a in args))
        if decoding and stdin is not None:
            from .normalize import normalize

            decoded = normalize(stdin)
            return "\n".join(p.text for p in decoded.parts) if decoded else None
        if name == "xxd" and "-r" in args and stdin is not None:
            try:
                return bytes.fromhex("".join(stdin.split())).decode("utf-8", "replace")
            except ValueError:
                return None
        if name == "sed" or (name == "perl" and any(a.startswith("-") and "i" in a for a in args)):
            # perl -pi -e 's/…/…/' file: the same substitution as sed -i
            perl_args = ["-i", *(a for a in args if not re.fullmatch(r"-[pinl]+", a))]
            self._sed(perl_args if name == "perl" else args)
            return None
        if name == "rev" and stdin is not None:
            return "".join(line[::-1] + "\n" for line in stdin.splitlines())
        if name in _INTERPRETERS:
            # Code given on the command line or fed in (`python3 -c "…"`, `node - <<EOF`): read it as
            # data, where `os.environ['X'] = v` and `process.env.X = v` show what it sets.
            for text in [*(a for a in args if not a.startswith("-")), stdin or ""]:
                self.found.extend(scan_data(text, self.origin, f"set by {name}", self.vars))
            return None
        if name in (":", "true", "false", "test", "[", "[[", "grep", "logger", "wall"):
            return None
        if stdin is not None and any(r.op in ("<<", "<<-", "<<<") for r in command.redirects):
            # A heredoc fed to anything else (`install /dev/stdin .env <<EOF`, `dd of=.env <<EOF`).
            self.found.extend(scan_data(stdin, self.origin, f"fed to {name}", self.vars))
        # Anything else: NAME=value arguments (`systemctl set-environment`, `docker run -e`, `make`).
        for arg in args:
            match = _ASSIGN_RE.match(arg)
            if match and match.group(1).upper() == match.group(1):
                self._record(match.group(1), arg[match.end():], f"argument to {name}")
        if len(words) >= 3 and words[1] in ("=", "+=") and _NAME_RE.fullmatch(words[0]):
            # `NAME = value` is a command to a shell, but it shows what the author meant.
            self._record(words[0], " ".join(words[2:]), "malformed assignment (`NAME = value`)")
        return None

    def _shell(self, name: str, args: list[str], stdin: str | None) -> str | None:
        if "-c" in args:
            index = args.index("-c")
            if index + 1 < len(args):
                self._nested(args[index + 1], f"({name} -c)")
            return None
        scripts = [a for a in args if not a.startswith("-") and a in self.files]
        if scripts:
            self._nested(self.files[scripts[0]], f"({name} {scripts[0]})")
        elif stdin is not None:
            self._nested(stdin, f"({name} reading a script)")
        return None

    def _after_sudo(self, args: list[str]) -> list[str]:
        rest = _drop_options(args, takes_value={"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"})
        while rest and _ASSIGN_RE.match(rest[0]):
            match = _ASSIGN_RE.match(rest[0])
            assert match is not None
            self._record(match.group(1), rest[0][match.end():], "environment of a command (sudo)")
            rest = rest[1:]
        return rest

    def _after_env(self, args: list[str]) -> list[str]:
        rest = _drop_options(args, takes_value={"-u", "--unset", "-C", "--chdir", "-S"})
        while rest and _ASSIGN_RE.match(rest[0]):
            match = _ASSIGN_RE.match(rest[0])
            assert match is not None
            self._record(match.group(1), rest[0][match.end():], "env")
            rest = rest[1:]
        return rest

    def _sed(self, args: list[str]) -> None:
        scripts: list[str] = []
        files: list[str] = []
        in_place = False
        index = 0
        while index < len(args):
            arg = args[index]
            if arg in ("-e", "--expression") and index + 1 < len(args):
                scripts.append(args[index + 1])
                index += 2
                continue
            if arg.startswith("-i") or arg.startswith("--in-place"):
                in_place = True
            elif arg.startswith("-") and len(arg) > 1:
                if "i" in arg[1:] and not arg.startswith("--"):
                    in_place = True
                if arg.endswith("e") and index + 1 < len(args):
                    scripts.append(args[index + 1])
                    index += 2
                    continue
            elif not scripts:
                scripts.append(arg)
            else:
                files.append(arg)
            index += 1
        text = "\n".join(line for script in scripts for line in _sed_text(script))
        if in_place and text:
            for target in files or ["(sed target)"]:
                how = f"written to {target} (sed)"
                self.found.extend(scan_data(text + "\n", self.origin, how, self.vars))


def _skip_keywords(words: list[str]) -> list[str]:
    keywords = {"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}",
                "function", "coproc", "esac", "in"}
    while words and words[0] in keywords:
        words = words[1:]
    if words and words[0] in ("for", "select", "case"):
        return []
    return words


def _drop_options(args: list[str], takes_value: set[str]) -> list[str]:
    index = 0
    while index < len(args) and args[index].startswith("-") and args[index] != "-":
        if args[index] == "--":
            return args[index + 1:]
        index += 2 if args[index] in takes_value else 1
    return args[index:]


def _echo(args: list[str]) -> str:
    interpret = False
    newline = True
    while args and re.fullmatch(r"-[neE]+", args[0]):
        interpret = interpret or "e" in args[0]
        newline = newline and "n" not in args[0]
        args = args[1:]
    text = " ".join(args)
    return (_ansi_c(text) if interpret else text) + ("\n" if newline else "")


def _printf(args: list[str]) -> str:
    if not args:
        return ""
    fmt, values = args[0], list(args[1:])
    out: list[str] = []
    first = True
    while first or values:
        first = False
        index = 0
        while index < len(fmt):
            char = fmt[index]
            if char == "%" and index + 1 < len(fmt):
                match = re.compile(r"%[-+ #0]*\d*(?:\.\d+)?([a-zA-Z%])").match(fmt, index)
                if match:
                    conversion = match.group(1)
                    if conversion == "%":
                        out.append("%")
                    elif conversion == "b":
                        out.append(_ansi_c(values.pop(0)) if values else "")
                    else:
                        out.append(values.pop(0) if values else "")
                    index = match.end()
                    continue
            if char == "\\" and index + 1 < len(fmt):
                out.append(_ansi_c(fmt[index:index + 2]))
                index += 2
                continue
            out.append(char)
            index += 1
        if "%" not in fmt:
            break
    return "".join(out)


def _sed_text(script: str) -> Iterator[str]:
    """Text a sed script puts into a file: `s|x|NAME=v|` replacements, `a`/`i`/`c` lines."""
    for command in re.split(r"\n|;(?=\s*(?:[0-9$/]|[aicsS]\b))", script):
        body = command.strip()
        address = re.match(r"^(?:\d+|\$|/(?:\\.|[^/])*/)?(?:,(?:\d+|\$|/(?:\\.|[^/])*/))?\s*", body)
        body = body[address.end():] if address else body
        if body[:1] == "s" and len(body) > 1:
            delimiter = body[1]
            parts = re.split(rf"(?<!\\){re.escape(delimiter)}", body[2:])
            if len(parts) >= 2:
                yield _sed_replacement(parts[0], parts[1].replace(f"\\{delimiter}", delimiter))
        elif body[:1] in "aic" and len(body) > 1 and (body[1] in " \\\t" or body[1:2].isupper()):
            yield re.sub(r"^[\\\s]+", "", body[1:]).replace("\\n", "\n")


def _regex_literal(pattern: str) -> str:
    """The literal text a sed/perl pattern matches, as far as it is literal (`^\\(NAME=\\).*` -> NAME=)."""
    text = re.sub(r"\\[()]|[()^$]|\.\*|\.\+|\[[^\]]*\][*+?]?|\\s\*|\\s\+", "", pattern)
    return re.sub(r"\\(.)", r"\1", text)


def _sed_replacement(pattern: str, replacement: str) -> str:
    """A replacement with `\\1`/`$1` and `&` filled in from the pattern's literal groups."""
    found = re.findall(r"\\\((.*?)\\\)|(?<!\\)\((.*?)(?<!\\)\)", pattern) if "(" in pattern else []
    groups = [_regex_literal(basic or extended) for basic, extended in found]
    whole = _regex_literal(pattern)

    def group(match: re.Match[str]) -> str:
        index = int(match.group(1) or match.group(2)) - 1
        return groups[index] if 0 <= index < len(groups) else ""

    filled = re.sub(r"\\(\d)|\$(\d)", group, replacement)
    filled = re.sub(r"(?<!\\)&", lambda _: whole, filled)
    return filled.replace("\\&", "&").replace("\\n", "\n").replace("\\/", "/")


# ------------------------------------------------------------------------------------------- data

# dotenv (`NAME=v`, `NAME = v`, `export NAME=v`, `NAME+=v`), JSON/YAML/JS (`"NAME": "v"`, `NAME: v`),
# systemd (`Environment=NAME=v`, `Environment="NAME=v"`), docker (`-e NAME=v`).
_DATA_KEY_RE = re.compile(
    r"""(?<![A-Za-z0-9_$\-])["']?([A-Za-z_][A-Za-z0-9_]*)["']?\]?[ \t]*"""
    r"""(\+?=(?!=)|:(?![:/])(?=[ \t]*\S))[ \t]*""")
_VALUE_RE = re.compile(
    r""""((?:\\.|[^"\\\n])*)"|'([^'\n]*)'|`([^`\n]*)`"""
    r"""|([^\s,;}\]#]*(?:[ \t]+[^\s,;}\]#]+)*)""")


def scan_data(text: str, origin: str, how: str, variables: dict[str, str] | None = None) -> list[Assignment]:
    """NAME/value pairs in a file's content, read as lenient dotenv/JSON/YAML readers do.

    `#` comment lines are skipped; `${VAR}` expands from earlier lines and the script's variables
    (Next.js expands variables in .env files).
    """
    scope = dict(variables or {})
    found: list[Assignment] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith(("#", "//", ";")):
            continue
        stripped = re.sub(r"^export\s+", "", stripped)
        for match in _DATA_KEY_RE.finditer(stripped):
            value_match = _VALUE_RE.match(stripped, match.end())
            if value_match is None:
                continue
            quoted = next((g for g in value_match.groups()[:3] if g is not None), None)
            value = quoted if quoted is not None else (value_match.group(4) or "")
            if quoted is None:
                value = re.split(r"\s+#", value, maxsplit=1)[0].strip()
            if value_match.group(2) is None:  # single quotes do not expand
                value = re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)",
                               lambda m: scope.get(m.group(1) or m.group(2), m.group(0)), value)
            name = match.group(1)
            if match.group(2) == "+=":
                value = scope.get(name, "") + value
            scope[name] = value
            found.append(Assignment(name, value, how, origin))
    return found


def assignments_in(normalized: Normalized) -> list[Assignment]:
    """Every variable the user data sets, in order: shell parts run, data parts read as files."""
    found: list[Assignment] = []
    for part in normalized.parts:
        if part.kind == SHELL:
            scanner = _Scanner(part.origin)
            try:
                scanner.run(part.text)
            except (RecursionError, ValueError, IndexError):
                found.extend(scan_data(part.text, part.origin, "text"))
                continue
            found.extend(scanner.found)
        elif part.kind == DATA:
            found.extend(scan_data(part.text, part.origin, f"written to {part.path or 'a file'}"))
    return found


def named(found: Iterable[Assignment], pattern: str) -> Iterator[Assignment]:
    """The assignments whose variable name fully matches pattern, each (name, value) once."""
    regex = re.compile(pattern)
    seen: set[tuple[str, str]] = set()
    for assignment in found:
        key = (assignment.name, assignment.value)
        if key not in seen and regex.fullmatch(assignment.name):
            seen.add(key)
            yield assignment
