"""User data as the instance will run it: one normalizer for every rule that reads user data.

EC2 hands the decoded bytes to cloud-init, which gunzips them, splits MIME multipart archives,
runs shell parts, applies cloud-config (`runcmd`, `bootcmd`, `write_files`) and fetches `#include`
URLs. A rule that reads the raw property sees none of that, so every layer is undone here first:
base64 (also nested, and blobs a script decodes itself), gzip, MIME parts, cloud-config and
cloud-config archives, jinja-templated user data. What cannot be seen from the program (a URL
cloud-init downloads, a script fetched and piped to a shell) is reported as hidden, never as clean.
"""

from __future__ import annotations

import base64
import binascii
import email
import email.policy
import gzip
import re
import shlex
import zlib
from dataclasses import dataclass, field
from typing import Any

# cloud-init refuses more than this much user data (EC2: 16 KB raw, but gzip may expand it); a
# bound keeps a crafted gzip bomb from stalling the pack.
MAX_DECODED_BYTES = 1 << 20
MAX_DEPTH = 8

SHELL = "shell"  # run by a shell: scripts, runcmd/bootcmd, boothooks
DATA = "data"  # a file's content (write_files): dotenv, JSON, YAML


@dataclass(frozen=True)
class Part:
    """One piece of text the instance will run (SHELL) or write to disk (DATA)."""

    kind: str
    text: str
    origin: str  # where it came from, for messages: "user data", "MIME part 2 (text/x-shellscript)"
    path: str | None = None  # DATA: the file written


@dataclass
class Normalized:
    parts: list[Part] = field(default_factory=list)
    hidden: list[str] = field(default_factory=list)  # what the instance runs that the program does not show

    def shell_texts(self) -> list[str]:
        return [p.text for p in self.parts if p.kind == SHELL]


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
_B64_CHARS = re.compile(r"^[A-Za-z0-9+/=_-]+$")
_B64_BLOB = re.compile(r"(?<![A-Za-z0-9+/=_-])([A-Za-z0-9+/]{24,}={0,2})(?![A-Za-z0-9+/=_-])")
_INCLUDE_TYPES = ("text/x-include-url", "text/x-include-once-url", "text/x-include")
_SHELL_TYPES = ("text/x-shellscript", "text/x-shellscript-per-boot", "text/x-shellscript-per-instance",
                "text/x-shellscript-per-once", "text/cloud-boothook", "text/upstart-job", "text/x-sh")
_FETCH = r"(?:curl|wget|aws\s+s3\s+cp|aws\s+s3api\s+get-object|gsutil\s+cp|scp|rsync|ftp|tftp|nc|fetch)"
# Downloaded code reaching an interpreter: `curl … | bash`, `bash <(curl …)`, `source <(wget …)`.
_FETCH_AND_RUN = re.compile(
    rf"\b{_FETCH}\b[^\n|;&]*\|\s*(?:sudo\s+(?:-\S+\s+)*)?(?:ba|z|da|k)?sh\b"
    rf"|(?:\b(?:ba|z|da|k)?sh|\bsource|(?<![\w.])\.)\s+<\(\s*{_FETCH}\b"
    rf"|\beval\s+\"?\$\(\s*{_FETCH}\b"
)
_OTHER_INTERPRETER = re.compile(r"#!\s*\S*(?:/env\s+)?(?:python|node|perl|ruby|php)")
_WINDOWS_BLOCK = re.compile(r"<(?:powershell|script)>", re.I)
# [Environment]::SetEnvironmentVariable('X', 'v', …) and `setx X v` written as X=v for the data reader.
_SET_ENVIRONMENT = re.compile(
    r"""SetEnvironmentVariable\(\s*["']([A-Za-z_]\w*)["']\s*,\s*(["'][^"'\n]*["'])|\bsetx\s+([A-Za-z_]\w*)\s+(\S+)""",
    re.I)
_HEX_BLOB = re.compile(r"(?<![0-9A-Fa-f])((?:[0-9A-Fa-f]{2}){24,})(?![0-9A-Fa-f])")
_MAY_FETCH = re.compile(rf"\b{_FETCH}\b")
_DOWNLOAD_TO = re.compile(rf"\b{_FETCH}\b[^\n;&|]*?(?:-o|-O|--output(?:-document)?)\s*=?\s*(\S+)"
                          rf"|\baws\s+s3\s+cp\s+\S+\s+(\S+)")


def normalize(value: Any, *, base64_expected: bool = False) -> Normalized | None:
    """The parts of user data as the instance sees them; None when absent, empty or not a string.

    `base64_expected` (launch templates, `userDataBase64`): the property is base64 by contract, so
    text that is not valid base64 is still read as it is (an author who forgot to encode is judged,
    not skipped). Plain `userData` is also tried as base64: cloud-init runs a double-encoded or
    gzipped payload just the same once it is decoded, and an evasion must not pass for text.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    result = Normalized()
    raw = _maybe_base64(value.encode("utf-8", "surrogateescape"))
    _layer(raw, "user data", result, 0)
    return result


def _maybe_base64(data: bytes) -> bytes:
    """data decoded when it is base64 of gzip or of readable text; otherwise data unchanged."""
    compact = b"".join(data.split())
    if len(compact) < 4 or not _B64_CHARS.match(compact.decode("ascii", "replace")):
        return data
    for decoder in (base64.b64decode, base64.urlsafe_b64decode):
        try:
            padded = compact + b"=" * (-len(compact) % 4)
            decoded = decoder(padded)
        except (binascii.Error, ValueError):
            continue
        if decoded[:2] == b"\x1f\x8b" or _readable(decoded):
            return decoded
    return data


def _readable(data: bytes) -> bool:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    if not text.strip():
        return False
    return len(_CONTROL.findall(text)) <= len(text) * 0.03


def _gunzip(data: bytes) -> bytes | None:
    try:
        decompressor = zlib.decompressobj(16 + zlib.MAX_WBITS)
        out = decompressor.decompress(data, MAX_DECODED_BYTES)
        return out
    except (zlib.error, gzip.BadGzipFile, EOFError):
        return None


def _layer(data: bytes, origin: str, result: Normalized, depth: int) -> None:
    if depth > MAX_DEPTH:
        result.hidden.append(f"{origin}: nested more than {MAX_DEPTH} layers deep")
        return
    if data[:2] == b"\x1f\x8b":
        unzipped = _gunzip(data)
        if unzipped is None:
            result.hidden.append(f"{origin}: gzip data that does not decompress")
            return
        _layer(_maybe_base64(unzipped), f"{origin} (gzip)", result, depth + 1)
        return
    text = data.decode("utf-8", "replace")
    _text(text, origin, result, depth)


def _text(text: str, origin: str, result: Normalized, depth: int) -> None:
    stripped = text.lstrip("\ufeff \t\r\n")
    first_line, _, rest = stripped.partition("\n")
    head = first_line.strip().lower()
    if head.startswith("## template:"):
        # cloud-init renders jinja first; what it fills in are instance facts (`{{ v1.region }}`),
        # kept as shell references named for them so rules can tell what kind of value they are.
        rendered = re.sub(r"\{\{\s*(.*?)\s*\}\}",
                          lambda m: "${jinja_" + re.sub(r"\W+", "_", m.group(1)) + "}", rest)
        _text(rendered, f"{origin} (jinja template)", result, depth + 1)
        return
    if _looks_like_mime(stripped):
        _mime(stripped, origin, result, depth)
        return
    if head.startswith("#include"):
        urls = [line.strip() for line in rest.splitlines() if line.strip() and not line.startswith("#")]
        result.hidden.append(f"{origin}: `{first_line.strip()}` makes cloud-init download and run "
                             f"{', '.join(urls) or 'a URL'}, which the program does not show")
        return
    if head.startswith("#cloud-config-archive"):
        _cloud_config_archive(rest, origin, result, depth)
        return
    if head.startswith("#cloud-config") or head.startswith("#cloud-config-jsonp"):
        _cloud_config(stripped, origin, result, depth)
        return
    if head.startswith("#part-handler"):
        result.hidden.append(f"{origin}: a cloud-init part handler (Python) decides what runs")
    if _OTHER_INTERPRETER.match(head) or _WINDOWS_BLOCK.search(stripped):
        # Python/Node/Perl scripts and Windows <powershell>/<script> blocks: read as data, where
        # `os.environ['X'] = v`, `process.env.X = v`, `$env:X = v` and `set X=v` show what they set.
        result.parts.append(Part(DATA, _windows_assignments(stripped), origin))
        _embedded_blobs(stripped, origin, result, depth)
        return
    _shell(stripped, origin, result, depth)


def _looks_like_mime(text: str) -> bool:
    head = text[:2048].lower()
    return bool(re.match(r"(?:[\w-]+:[^\n]*\n)*content-type:\s*multipart/", head)) or (
        head.startswith("mime-version:") and "multipart/" in head)


def _mime(text: str, origin: str, result: Normalized, depth: int) -> None:
    message = email.message_from_string(text, policy=email.policy.compat32)
    index = 0
    for part in message.walk():
        if part.is_multipart():
            continue
        index += 1
        content_type = part.get_content_type()
        where = f"{origin}, MIME part {index} ({content_type})"
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        payload = _maybe_base64(payload)
        if content_type in _INCLUDE_TYPES:
            result.hidden.append(f"{where}: cloud-init downloads and runs the URLs it lists, which the "
                                 "program does not show")
            continue
        if payload[:2] == b"\x1f\x8b" or content_type in ("application/gzip", "application/x-gzip"):
            _layer(payload, where, result, depth + 1)
            continue
        body = payload.decode(part.get_content_charset() or "utf-8", "replace")
        if content_type == "text/cloud-config":
            _cloud_config(body, where, result, depth + 1)
        elif content_type == "text/cloud-config-archive":
            _cloud_config_archive(body, where, result, depth + 1)
        elif content_type in _SHELL_TYPES or content_type == "text/plain":
            _text(body, where, result, depth + 1)
        elif content_type == "text/part-handler":
            result.hidden.append(f"{where}: a cloud-init part handler (Python) decides what runs")
            _shell(body, where, result, depth + 1)
        else:
            _text(body, where, result, depth + 1)


def _yaml(text: str) -> Any:
    import yaml  # PyYAML comes with the pulumi SDK

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError:
        return None


def _command_text(command: Any) -> str | None:
    if isinstance(command, str):
        return command
    if isinstance(command, list):
        return " ".join(shlex.quote(str(word)) for word in command)
    return None


def _cloud_config(text: str, origin: str, result: Normalized, depth: int) -> None:
    document = _yaml(text)
    if not isinstance(document, dict):
        # Not YAML cloud-init accepts: judge the text itself rather than nothing.
        result.parts.append(Part(DATA, text, origin))
        return
    for key in ("bootcmd", "runcmd"):
        commands = document.get(key)
        for index, command in enumerate(commands if isinstance(commands, list) else []):
            line = _command_text(command)
            if line is not None:
                _shell(line, f"{origin}, cloud-config {key}[{index}]", result, depth + 1)
    files = document.get("write_files")
    for entry in files if isinstance(files, list) else []:
        if not isinstance(entry, dict):
            continue
        path = str(entry.get("path") or "")
        where = f"{origin}, cloud-config write_files {path or '?'}"
        content = entry.get("content")
        if content is None and entry.get("source"):
            result.hidden.append(f"{where}: the file's content is downloaded from "
                                 f"{entry['source']!r}, which the program does not show")
            continue
        data = str(content or "").encode("utf-8", "surrogateescape")
        encoding = str(entry.get("encoding") or "").lower()
        if encoding in ("b64", "base64", "gz+b64", "gzip+base64", "gz+base64", "gzip+b64"):
            try:
                data = base64.b64decode(b"".join(data.split()) + b"=" * (-len(b"".join(data.split())) % 4))
            except (binascii.Error, ValueError):
                pass
        if data[:2] == b"\x1f\x8b":
            data = _gunzip(data) or b""
        body = data.decode("utf-8", "replace")
        if body.lstrip().startswith("#!") or path.endswith(".sh"):
            _shell(body, where, result, depth + 1, path=path)
        result.parts.append(Part(DATA, body, where, path=path))
    for key in ("environment", "env"):
        if isinstance(document.get(key), dict):
            lines = "\n".join(f"{k}={v}" for k, v in document[key].items())
            result.parts.append(Part(DATA, lines, f"{origin}, cloud-config {key}"))


def _cloud_config_archive(text: str, origin: str, result: Normalized, depth: int) -> None:
    document = _yaml(text)
    for index, entry in enumerate(document if isinstance(document, list) else []):
        if isinstance(entry, str):
            _text(entry, f"{origin}, archive part {index + 1}", result, depth + 1)
        elif isinstance(entry, dict):
            content = str(entry.get("content") or "")
            content_type = str(entry.get("type") or "")
            where = f"{origin}, archive part {index + 1} ({content_type or 'untyped'})"
            if content_type in _INCLUDE_TYPES:
                result.hidden.append(f"{where}: cloud-init downloads and runs the URLs it lists")
            elif content_type == "text/cloud-config":
                _cloud_config(content, where, result, depth + 1)
            else:
                _text(content, where, result, depth + 1)


def _shell(text: str, origin: str, result: Normalized, depth: int, path: str | None = None) -> None:
    result.parts.append(Part(SHELL, text, origin, path=path))
    if not _MAY_FETCH.search(text):
        _embedded_blobs(text, origin, result, depth)
        return
    for match in _FETCH_AND_RUN.finditer(text):
        line = text[text.rfind("\n", 0, match.start()) + 1:].split("\n", 1)[0].strip()
        if not line.startswith("#"):
            result.hidden.append(f"{origin}: `{line[:100]}` runs code downloaded at boot, which the "
                                 "program does not show")
    _downloaded_then_run(text, origin, result)
    _embedded_blobs(text, origin, result, depth)


def _windows_assignments(text: str) -> str:
    return _SET_ENVIRONMENT.sub(lambda m: f"{m.group(1) or m.group(3)}={m.group(2) or m.group(4)}", text)


def _embedded_blobs(text: str, origin: str, result: Normalized, depth: int) -> None:
    """A script that decodes a blob itself (`echo <b64> | base64 -d | bash`, `xxd -r -p`)."""
    for match in _HEX_BLOB.finditer(text):
        decoded = bytes.fromhex(match.group(1))
        if decoded[:2] == b"\x1f\x8b" or _readable(decoded):
            _layer(decoded, f"{origin} (embedded hex)", result, depth + 1)
    for match in _B64_BLOB.finditer(text):
        blob = match.group(1).encode()
        decoded = _maybe_base64(blob)
        if decoded is blob:
            continue
        if decoded[:2] == b"\x1f\x8b" or _readable(decoded):
            _layer(decoded, f"{origin} (embedded base64)", result, depth + 1)


def _downloaded_then_run(text: str, origin: str, result: Normalized) -> None:
    for match in _DOWNLOAD_TO.finditer(text):
        target = (match.group(1) or match.group(2) or "").strip("'\"")
        if not target or target in ("-", "/dev/null"):
            continue
        name = re.escape(target.rsplit("/", 1)[-1])
        after = text[match.end():]
        ran = re.search(rf"(?:\b(?:ba|z|k)?sh|\bsource|(?<![\w.])\.|\bbash\s+-c|chmod\s+\+x)\s+\S*{name}\b"
                        rf"|(?:^|[;&|]\s*|\n\s*)\S*/{name}\b", after)
        if ran:
            result.hidden.append(f"{origin}: runs {target}, downloaded at boot, which the program "
                                 "does not show")
