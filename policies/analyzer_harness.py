"""Drive the megaticket-dr-guardrails pack over gRPC exactly as the Pulumi CLI does, without the CLI.

The CLI reads PulumiPolicy.yaml, runs `<virtualenv>/bin/python -u -m pulumi.policy <engine> <pack dir>`
with the stack in PULUMI_PROJECT / PULUMI_STACK / PULUMI_DRY_RUN / PULUMI_CONFIG, reads the port the
pack prints on stdout, then speaks the Analyzer protocol: GetAnalyzerInfo, Configure (each policy's
enforcement level and properties), ConfigureStack, Analyze once per resource (type, inputs, urn,
name, options, provider), and AnalyzeStack once with every resource. This module does the same.

    with PolicyPackProcess(stack="tokyo", preview=True) as pack:
        violations = pack.analyze(resource) + pack.analyze_stack(resources)

`start()` only spawns the process; the first call that needs the pack waits for its port, so a
caller can evaluate its program while the pack boots (about a second).
"""

from __future__ import annotations

import collections
import json
import os
import re
import subprocess
import sys
import threading
import weakref
from collections.abc import Iterable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

PACK_DIR = Path(__file__).resolve().parent
PROJECT = "megaticket-dr"
# The engine's marker for a value that is unknown until deploy (every type uses the string form).
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
_SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
_SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
_MAX_MESSAGE = 400 * 1024 * 1024
# The pack never dials the engine (it does not log through it); the argument only has to be present.
_NO_ENGINE = "127.0.0.1:0"


class PolicyPackError(RuntimeError):
    """The pack did not start or did not answer; the message carries its stderr."""


@dataclass(frozen=True)
class Secret:
    """A value the engine would send marked secret (the pack sees it unwrapped)."""

    value: Any


@dataclass(frozen=True)
class ProviderRef:
    type: str  # "pulumi:providers:aws"
    name: str
    urn: str
    properties: Mapping[str, Any] = field(default_factory=dict)  # e.g. {"region": "ap-northeast-1"}


@dataclass(frozen=True)
class AnalyzedResource:
    urn: str
    type: str
    name: str
    properties: Mapping[str, Any]  # camelCase inputs, as the engine sees them
    provider: Optional[ProviderRef] = None
    parent_urn: Optional[str] = None
    # protect, ignoreChanges, deleteBeforeReplace, aliases, additionalSecretOutputs,
    # customTimeouts {create, update, delete} (snake_case keys are accepted too)
    options: Mapping[str, Any] = field(default_factory=dict)
    dependencies: Sequence[str] = ()
    property_dependencies: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Violation:
    policy_name: str
    level: str  # "mandatory" | "advisory" | "remediate" | "disabled"
    message: str  # what is wrong and what to change (without the policy description)
    urn: str  # "" for a violation of the stack as a whole
    resource_name: str
    description: str = ""  # the policy's description, which the CLI prints above the message
    policy_pack: str = ""


@dataclass(frozen=True)
class PolicyInfo:
    name: str
    description: str
    level: str
    kind: str  # "resource" | "stack"


@dataclass(frozen=True)
class PackInfo:
    name: str
    version: str
    policies: tuple[PolicyInfo, ...]


def _proto() -> tuple[Any, Any]:
    # Imported on first use: `import grpc` and the generated modules cost ~0.3 s.
    from pulumi.runtime.proto import analyzer_pb2, analyzer_pb2_grpc

    return analyzer_pb2, analyzer_pb2_grpc


def pack_python(pack_dir: Path = PACK_DIR) -> str:
    """The interpreter the CLI would use: PulumiPolicy.yaml's virtualenv, else the current one."""
    manifest = pack_dir / "PulumiPolicy.yaml"
    if manifest.exists():
        match = re.search(r"^\s*virtualenv:\s*['\"]?([^'\"\s#]+)", manifest.read_text(), re.MULTILINE)
        if match:
            # Not resolve(): the venv's python is a symlink, and following it leaves the venv.
            candidate = os.path.abspath(pack_dir / match.group(1) / "bin" / "python")
            if os.path.exists(candidate):
                return candidate
    return sys.executable


def stack_config_from_file(stack: str, project_dir: Path = PACK_DIR.parent) -> dict[str, str]:
    """`Pulumi.<stack>.yaml` as the flat map the CLI puts in PULUMI_CONFIG (objects JSON-encoded)."""
    path = project_dir / f"Pulumi.{stack}.yaml"
    if not path.exists():
        return {}
    import yaml

    loaded = yaml.safe_load(path.read_text()) or {}
    config = loaded.get("config") or {}
    return {key: value if isinstance(value, str) else json.dumps(value) for key, value in config.items()}


class PolicyPackProcess:
    """One running policy pack, talked to over one gRPC channel."""

    def __init__(self, pack_dir: Path | str = PACK_DIR, *, stack: Optional[str] = None,
                 project: str = PROJECT, preview: bool = False,
                 config: Optional[Mapping[str, Any]] = None,
                 policy_config: Optional[Mapping[str, Any]] = None,
                 python: Optional[str] = None, startup_timeout: float = 60.0) -> None:
        """
        stack/preview/config: what the engine would pass (config defaults to Pulumi.<stack>.yaml).
        policy_config: per-policy overrides, `{"policy-name": "advisory"}` or
            `{"policy-name": {"enforcementLevel": "advisory", "maxFailoverTtl": 30}}`
            (the `--policy-pack-config` file's shape).
        """
        self.pack_dir = Path(pack_dir).resolve()
        self.stack = stack
        self.project = project
        self.preview = preview
        if config is None:
            config = stack_config_from_file(stack, self.pack_dir.parent) if stack else {}
        self.config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
        self.policy_config = dict(policy_config or {})
        self.python = python or pack_python(self.pack_dir)
        self.startup_timeout = startup_timeout
        self._process: Optional[subprocess.Popen[bytes]] = None
        self._port: Future[int] = Future()
        self._stderr: collections.deque[str] = collections.deque(maxlen=200)
        self._lock = threading.Lock()
        self._stub: Any = None
        self._channel: Any = None
        self._info: Optional[PackInfo] = None
        self._finalizer: Optional[weakref.finalize] = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> PolicyPackProcess:
        """Spawn the pack and return at once; calls that need it wait for its port."""
        if self._process is not None:
            return self
        env = dict(os.environ)
        env.pop("PYTHONHOME", None)
        env["PULUMI_PROJECT"] = self.project
        env["PULUMI_DRY_RUN"] = "true" if self.preview else "false"
        env["PULUMI_CONFIG"] = json.dumps(self.config)
        if self.stack:
            env["PULUMI_STACK"] = self.stack
        else:
            env.pop("PULUMI_STACK", None)
        venv_bin = str(Path(self.python).parent)
        env["PATH"] = venv_bin + os.pathsep + env.get("PATH", "")
        try:
            self._process = subprocess.Popen(
                [self.python, "-u", "-m", "pulumi.policy", _NO_ENGINE, str(self.pack_dir)],
                cwd=self.pack_dir, env=env, stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        except OSError as error:
            raise PolicyPackError(f"cannot start the policy pack with {self.python}: {error}") from error
        self._finalizer = weakref.finalize(self, _terminate, self._process)
        threading.Thread(target=self._read_stdout, daemon=True).start()
        threading.Thread(target=self._read_stderr, daemon=True).start()
        return self

    def _read_stdout(self) -> None:
        assert self._process is not None and self._process.stdout is not None
        first = self._process.stdout.readline().decode(errors="replace").strip()
        if first.isdigit():
            self._port.set_result(int(first))
        else:
            self._process.wait()
            tail = "\n".join(self._stderr) or first or "(no output)"
            self._port.set_exception(PolicyPackError(
                f"policy pack {self.pack_dir} exited with code {self._process.returncode} before "
                f"listening:\n{tail}"))
        for _ in self._process.stdout:  # keep draining so a chatty rule can never block the pack
            pass

    def _read_stderr(self) -> None:
        assert self._process is not None and self._process.stderr is not None
        for line in self._process.stderr:
            self._stderr.append(line.decode(errors="replace").rstrip())

    def _ready(self) -> Any:
        if self._stub is not None:
            return self._stub
        with self._lock:
            if self._stub is not None:
                return self._stub
            if self._process is None:
                self.start()
            try:
                port = self._port.result(timeout=self.startup_timeout)
            except TimeoutError as error:
                raise PolicyPackError(f"policy pack did not print its port within {self.startup_timeout:g} s:"
                                      f"\n" + "\n".join(self._stderr)) from error
            import grpc

            pb, pb_grpc = _proto()
            self._channel = grpc.insecure_channel(
                f"127.0.0.1:{port}", options=[("grpc.max_receive_message_length", _MAX_MESSAGE),
                                              ("grpc.max_send_message_length", _MAX_MESSAGE)])
            stub = pb_grpc.AnalyzerStub(self._channel)
            self._info = _pack_info(pb, stub.GetAnalyzerInfo(_empty(), timeout=self.startup_timeout,
                                                              wait_for_ready=True))
            stub.Configure(self._configure_request(pb), timeout=30)
            stub.ConfigureStack(pb.AnalyzerStackConfigureRequest(
                stack=self.stack or "", project=self.project, organization="organization",
                dry_run=self.preview, config=self.config), timeout=30)
            self._stub = stub
            return stub

    def _configure_request(self, pb: Any) -> Any:
        from google.protobuf import struct_pb2

        assert self._info is not None
        request = pb.ConfigureAnalyzerRequest()
        for policy in self._info.policies:
            override = self.policy_config.get(policy.name, {})
            if isinstance(override, str):
                override = {"enforcementLevel": override}
            level = str(override.get("enforcementLevel", policy.level))
            properties = struct_pb2.Struct()
            properties.update(_jsonable({k: v for k, v in override.items() if k != "enforcementLevel"}))
            request.policyConfig[policy.name].CopyFrom(pb.PolicyConfig(
                enforcementLevel=pb.EnforcementLevel.Value(level.upper()), properties=properties))
        return request

    def close(self) -> None:
        if self._channel is not None:
            self._channel.close()
            self._channel = None
        self._stub = None
        if self._finalizer is not None:
            self._finalizer()

    stop = close

    def __enter__(self) -> PolicyPackProcess:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.close()

    # ------------------------------------------------------------------ protocol

    def info(self) -> PackInfo:
        self._ready()
        assert self._info is not None
        return self._info

    def analyze(self, resource: AnalyzedResource) -> list[Violation]:
        """Every diagnostic the pack reports for one resource (Analyze)."""
        pb, _ = _proto()
        response = self._ready().Analyze(_analyze_request(pb, resource), timeout=60)
        return [_violation(d, {resource.urn: resource.name}, resource) for d in response.diagnostics]

    def analyze_many(self, resources: Iterable[AnalyzedResource]) -> list[Violation]:
        """Analyze for each resource, pipelined on the one channel; results in input order."""
        pb, _ = _proto()
        stub = self._ready()
        pending = [(r, stub.Analyze.future(_analyze_request(pb, r), timeout=60)) for r in resources]
        violations: list[Violation] = []
        for resource, call in pending:
            violations += [_violation(d, {resource.urn: resource.name}, resource)
                           for d in call.result().diagnostics]
        return violations

    def analyze_stack(self, resources: Sequence[AnalyzedResource]) -> list[Violation]:
        """Every diagnostic of the stack policies over all resources (AnalyzeStack)."""
        pb, _ = _proto()
        request = pb.AnalyzeStackRequest(resources=[_analyzer_resource(pb, r) for r in resources])
        response = self._ready().AnalyzeStack(request, timeout=120)
        names = {r.urn: r.name for r in resources}
        return [_violation(d, names, None) for d in response.diagnostics]


# ---------------------------------------------------------------------- conversions


def _terminate(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _empty() -> Any:
    from google.protobuf import empty_pb2

    return empty_pb2.Empty()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Secret):
        return {_SECRET_SIG_KEY: _SECRET_SIG, "value": _jsonable(value.value)}
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    return str(value)


def _struct(values: Mapping[str, Any]) -> Any:
    from google.protobuf import struct_pb2

    struct = struct_pb2.Struct()
    struct.update(_jsonable(dict(values)))
    return struct


def _option(options: Mapping[str, Any], camel: str, snake: str, default: Any) -> Any:
    if camel in options:
        return options[camel]
    return options.get(snake, default)


def _options(pb: Any, resource: AnalyzedResource) -> Any:
    options = resource.options or {}
    message = pb.AnalyzerResourceOptions(
        protect=bool(options.get("protect", False)),
        ignoreChanges=[str(v) for v in _option(options, "ignoreChanges", "ignore_changes", []) or []],
        additionalSecretOutputs=[str(v) for v in _option(options, "additionalSecretOutputs",
                                                         "additional_secret_outputs", []) or []],
        aliases=[str(v) for v in options.get("aliases", []) or []],
        parent=resource.parent_urn or "",
    )
    delete_before_replace = _option(options, "deleteBeforeReplace", "delete_before_replace", None)
    if delete_before_replace is not None:
        message.deleteBeforeReplace = bool(delete_before_replace)
        message.deleteBeforeReplaceDefined = True
    timeouts = _option(options, "customTimeouts", "custom_timeouts", None)
    if isinstance(timeouts, Mapping):
        message.customTimeouts.CopyFrom(pb.AnalyzerResourceOptions.CustomTimeouts(
            create=float(timeouts.get("create", 0)), update=float(timeouts.get("update", 0)),
            delete=float(timeouts.get("delete", 0))))
    return message


def _provider(pb: Any, provider: Optional[ProviderRef]) -> Any:
    if provider is None:
        return None
    return pb.AnalyzerProviderResource(type=provider.type, name=provider.name, urn=provider.urn,
                                       properties=_struct(provider.properties or {}))


def _analyze_request(pb: Any, resource: AnalyzedResource) -> Any:
    request = pb.AnalyzeRequest(type=resource.type, urn=resource.urn, name=resource.name,
                                properties=_struct(resource.properties or {}),
                                options=_options(pb, resource))
    provider = _provider(pb, resource.provider)
    if provider is not None:
        request.provider.CopyFrom(provider)
    return request


def _analyzer_resource(pb: Any, resource: AnalyzedResource) -> Any:
    message = pb.AnalyzerResource(type=resource.type, urn=resource.urn, name=resource.name,
                                  properties=_struct(resource.properties or {}),
                                  options=_options(pb, resource), parent=resource.parent_urn or "",
                                  dependencies=[str(d) for d in resource.dependencies or ()])
    provider = _provider(pb, resource.provider)
    if provider is not None:
        message.provider.CopyFrom(provider)
    for key, urns in (resource.property_dependencies or {}).items():
        message.propertyDependencies[key].urns.extend(str(u) for u in urns)
    return message


def _level(pb: Any, value: int) -> str:
    return str(pb.EnforcementLevel.Name(value)).lower()


def _pack_info(pb: Any, info: Any) -> PackInfo:
    kinds = {pb.PolicyType.POLICY_TYPE_RESOURCE: "resource", pb.PolicyType.POLICY_TYPE_STACK: "stack"}
    return PackInfo(name=info.name, version=info.version, policies=tuple(
        PolicyInfo(name=p.name, description=p.description, level=_level(pb, p.enforcementLevel),
                   kind=kinds.get(p.policy_type, "unknown"))
        for p in info.policies))


def _violation(diagnostic: Any, names: Mapping[str, str], resource: Optional[AnalyzedResource]) -> Violation:
    pb, _ = _proto()
    urn = diagnostic.urn or (resource.urn if resource is not None else "")
    message = diagnostic.message
    # pulumi_policy sends "<description>\n<message>"; keep the part that says what to change.
    if diagnostic.description and message.startswith(diagnostic.description):
        message = message[len(diagnostic.description):].lstrip("\n") or diagnostic.description
    return Violation(policy_name=diagnostic.policyName, level=_level(pb, diagnostic.enforcementLevel),
                     message=message, urn=urn,
                     resource_name=names.get(urn, urn.rsplit("::", 1)[-1] if urn else ""),
                     description=diagnostic.description, policy_pack=diagnostic.policyPackName)
