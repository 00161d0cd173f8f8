"""Run a rendered user data script with real bash in a throw-away root.

`sudo`, `pm2`, `chown`, `npm` and `systemctl` are stub executables first on PATH, `$HOME/.nvm/nvm.sh` is a
stub that marks the environment, and the script's paths point into the temporary root (rendered
that way: the production template is not edited for the test). The stubs record what they were
asked to do, so a test can assert the exact environment PM2 was started with.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

# Variables the harness itself puts in every process's environment, and the ones bash adds.
HARNESS_ENV = {"PATH", "HOME", "STUB_LOG", "NVM_STUB_LOADED"}
SHELL_ENV = {"PWD", "OLDPWD", "SHLVL", "_"}

_SUDO = """#!/bin/bash
# Test stand-in: record the call, drop sudo's options and run the rest as this user.
n=$(( $(cat "$STUB_LOG/sudo.count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$STUB_LOG/sudo.count"
printf '%s\\0' "$@" > "$STUB_LOG/sudo.$n.argv"
while [ $# -gt 0 ]; do
  case $1 in
    -u) shift 2 ;;
    -*) shift ;;
    *) break ;;
  esac
done
exec "$@"
"""

_PM2 = """#!/bin/bash
# Test stand-in: record argv, environment and cwd of each call, in call order.
n=$(( $(cat "$STUB_LOG/pm2.count" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$STUB_LOG/pm2.count"
printf '%s\\0' "$@" > "$STUB_LOG/pm2.$n.argv"
env -0 > "$STUB_LOG/pm2.$n.env"
pwd > "$STUB_LOG/pm2.$n.cwd"
if [ "$1" = delete ] && [ ! -e "$STUB_LOG/pm2.has-process" ]; then
  echo "[PM2][ERROR] Process or Namespace $2 not found" >&2
  exit 1
fi
if [ "$1" = start ]; then touch "$STUB_LOG/pm2.has-process"; fi
if [ "$1" = startup ]; then
  # `pm2 startup systemd -u USER --hp HOME` (as root) writes and enables pm2-USER.service.
  if [ -e "$STUB_LOG/pm2.startup-fails" ]; then echo "[PM2][ERROR] Init system not found" >&2; exit 1; fi
  touch "$STUB_LOG/systemd.pm2-$4.enabled"
fi
exit 0
"""

_SYSTEMCTL = """#!/bin/bash
# Test stand-in: `systemctl is-enabled [--quiet] UNIT` answers from marker files; calls recorded.
printf '%s\\n' "$*" >> "$STUB_LOG/systemctl.calls"
if [ "$1" = is-enabled ]; then
  unit=${!#}
  [ -e "$STUB_LOG/systemd.${unit%.service}.enabled" ] && exit 0
  exit 1
fi
exit 0
"""

_CHOWN = """#!/bin/bash
printf '%s\\n' "$*" >> "$STUB_LOG/chown.calls"
"""

_NPM = """#!/bin/bash
# The Golden AMI holds the build: user data must never run npm itself.
printf '%s\\n' "$*" >> "$STUB_LOG/npm.calls"
exit 99
"""

_NVM = "export NVM_STUB_LOADED=1\n"


@dataclass
class Pm2Call:
    argv: list[str]
    env: dict[str, str]
    cwd: str


@dataclass
class Run:
    returncode: int
    output: str
    stub_log: Path

    def pm2_calls(self) -> list[Pm2Call]:
        count_file = self.stub_log / "pm2.count"
        count = int(count_file.read_text()) if count_file.exists() else 0
        calls = []
        for n in range(1, count + 1):
            argv = (self.stub_log / f"pm2.{n}.argv").read_bytes().decode().split("\0")[:-1]
            env_items = (self.stub_log / f"pm2.{n}.env").read_bytes().decode().split("\0")[:-1]
            env = dict(item.split("=", 1) for item in env_items)
            cwd = (self.stub_log / f"pm2.{n}.cwd").read_text().rstrip("\n")
            calls.append(Pm2Call(argv, env, cwd))
        return calls

    def sudo_argvs(self) -> list[list[str]]:
        count_file = self.stub_log / "sudo.count"
        count = int(count_file.read_text()) if count_file.exists() else 0
        return [(self.stub_log / f"sudo.{n}.argv").read_bytes().decode().split("\0")[:-1]
                for n in range(1, count + 1)]

    def lines(self, name: str) -> list[str]:
        path = self.stub_log / name
        return path.read_text().splitlines() if path.exists() else []


@dataclass(frozen=True)
class Root:
    """Paths inside the temporary root that a test renders the script with."""

    base: Path

    @property
    def home(self) -> Path:
        return self.base / "home" / "ec2-user"

    def app_dir(self, role: str) -> Path:
        return self.home / "megaticket" / "apps" / role

    def env_file(self, role: str) -> Path:
        return self.home / ("dr-web-env.sh" if role == "web" else "dr-env.sh")

    @property
    def log_file(self) -> Path:
        return self.base / "var" / "log" / "user-data.log"


def make_root(base: Path, roles: tuple[str, ...] = ("web", "app"), pm2_has_process: bool = True,
              pm2_startup: str = "enabled") -> Root:
    """`pm2_startup`: what the AMI did about reboots: "enabled" (it ran `pm2 startup`), "missing"
    (it did not; the stub can enable it) or "broken" (it did not, and `pm2 startup` fails)."""
    root = Root(base)
    bin_dir = base / "bin"
    bin_dir.mkdir(parents=True)
    for name, body in (("sudo", _SUDO), ("pm2", _PM2), ("chown", _CHOWN), ("npm", _NPM),
                       ("systemctl", _SYSTEMCTL)):
        path = bin_dir / name
        path.write_text(body)
        path.chmod(0o755)
    (root.home / ".nvm").mkdir(parents=True)
    (root.home / ".nvm" / "nvm.sh").write_text(_NVM)
    for role in roles:
        root.app_dir(role).mkdir(parents=True)
        # What the Golden AMI ships: Seoul's values, to be overwritten.
        (root.app_dir(role) / ".env.production").write_text("AWS_REGION=ap-northeast-2\n")
    root.log_file.parent.mkdir(parents=True)
    stub_log = base / "calls"
    stub_log.mkdir()
    if pm2_has_process:
        (stub_log / "pm2.has-process").touch()
    if pm2_startup not in ("enabled", "missing", "broken"):
        raise ValueError(f"pm2_startup must be enabled, missing or broken (got {pm2_startup!r})")
    if pm2_startup == "enabled":
        (stub_log / "systemd.pm2-ec2-user.enabled").touch()
    if pm2_startup == "broken":
        (stub_log / "pm2.startup-fails").touch()
    return root


def run_script(root: Root, script: str) -> Run:
    path = root.base / "user-data.sh"
    path.write_text(script)
    env = {"PATH": f"{root.base / 'bin'}{os.pathsep}/usr/bin{os.pathsep}/bin",
           "HOME": str(root.home), "STUB_LOG": str(root.base / "calls")}
    # capture_output waits for EOF on stdout, which `tee` (the script's log) holds until it has
    # written everything: the log file is complete when this returns.
    done = subprocess.run(["/bin/bash", str(path)], env=env, capture_output=True, text=True,
                          cwd=root.base, timeout=60, check=False)
    return Run(done.returncode, done.stdout + done.stderr, root.base / "calls")


def injected(env: dict[str, str]) -> dict[str, str]:
    """The part of a recorded environment the script put there."""
    return {k: v for k, v in env.items() if k not in HARNESS_ENV | SHELL_ENV}
