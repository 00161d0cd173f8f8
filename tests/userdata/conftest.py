"""Settings the user data tests render with: the documents' defaults for each stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.userdata.harness import Root, make_root
from userdata.render import TABLE_SUFFIXES, AppUserData, WebUserData

PREFIX = "KDT-Msp4-PLDR"
TOKYO_NLB = "MegaTicket-DR-NLB-0123abcd.elb.ap-northeast-1.amazonaws.com"


def tables(prefix: str = PREFIX) -> dict[str, str]:
    return {s: f"{prefix}-{s}" for s in TABLE_SUFFIXES}


def web_settings(root: Path | None = None, **overrides: object) -> WebUserData:
    base = Root(root) if root else None
    values: dict[str, object] = {
        "region": "ap-northeast-1",
        "internal_api_url": f"http://{TOKYO_NLB}:3001",
        "app_dir": str(base.app_dir("web")) if base else "/home/ec2-user/megaticket/apps/web",
        "pm2_name": "web-frontend",
        "env_file": str(base.env_file("web")) if base else "/home/ec2-user/dr-web-env.sh",
    }
    if base:
        values["log_file"] = str(base.log_file)
    values.update(overrides)
    return WebUserData(**values)  # type: ignore[arg-type]


def app_settings(root: Path | None = None, **overrides: object) -> AppUserData:
    base = Root(root) if root else None
    values: dict[str, object] = {
        "region": "ap-northeast-1",
        "port": 3001,
        "tables": tables(),
        "recovery_mode": True,
        "app_dir": str(base.app_dir("app")) if base else "/home/ec2-user/megaticket/apps/app",
        "pm2_name": "app-backend",
        "env_file": str(base.env_file("app")) if base else "/home/ec2-user/dr-env.sh",
    }
    if base:
        values["log_file"] = str(base.log_file)
    values.update(overrides)
    return AppUserData(**values)  # type: ignore[arg-type]


@pytest.fixture
def root(tmp_path: Path) -> Root:
    return make_root(tmp_path)
