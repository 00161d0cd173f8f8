"""PM2 on reboot: `pm2 save` restores the processes only if `pm2 startup` enabled pm2-<user>.

The user data verifies the Golden AMI did, enables it when it did not, and logs one clear line
when it cannot. Run with real bash and the stubbed sudo/pm2/systemctl (tests/userdata/harness.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.userdata.conftest import app_settings, web_settings
from tests.userdata.harness import Root, make_root, run_script
from userdata.render import render_app, render_web

WARNING = "WARNING: PM2 startup: pm2-ec2-user is not enabled and could not be enabled"


def _render(role: str, root: Root) -> str:
    return render_web(web_settings(root.base)) if role == "web" else render_app(app_settings(root.base))


def _pm2_name(role: str) -> str:
    return "web-frontend" if role == "web" else "app-backend"


@pytest.mark.parametrize("role", ["web", "app"])
def test_ami_with_pm2_startup_enabled_is_verified_and_left_alone(role: str, tmp_path: Path):
    # GIVEN a Golden AMI that ran `pm2 startup` (pm2-ec2-user.service enabled)
    root = make_root(tmp_path, pm2_startup="enabled")
    # WHEN the user data runs
    run = run_script(root, _render(role, root))
    # THEN it checks the unit, says so in the log, and does not run `pm2 startup` again
    assert run.returncode == 0, run.output
    assert "is-enabled --quiet pm2-ec2-user" in run.lines("systemctl.calls")
    assert "PM2 startup: pm2-ec2-user is enabled" in root.log_file.read_text()
    assert [c.argv[0] for c in run.pm2_calls()] == ["delete", "start", "save"]


@pytest.mark.parametrize("role", ["web", "app"])
def test_ami_without_pm2_startup_gets_it_enabled_as_root_for_ec2_user(role: str, tmp_path: Path):
    # GIVEN a Golden AMI that never ran `pm2 startup`
    root = make_root(tmp_path, pm2_startup="missing")
    # WHEN the user data runs
    run = run_script(root, _render(role, root))
    # THEN after `pm2 save` it runs `pm2 startup systemd` for ec2-user with ec2-user's home,
    # as root (not through sudo -u: the unit file goes to /etc/systemd), with the nvm bin on PATH
    assert run.returncode == 0, run.output
    calls = run.pm2_calls()
    assert [c.argv[0] for c in calls] == ["delete", "start", "save", "startup"]
    startup = calls[-1]
    assert startup.argv == ["startup", "systemd", "-u", "ec2-user", "--hp", str(root.home)]
    assert startup.env["PATH"].split(":")[0] == str(root.base / "bin")  # where `command -v pm2` found it
    assert not any(word == "startup" or "pm2 startup" in word for argv in run.sudo_argvs() for word in argv)
    # AND verifies the result and logs that it enabled it
    log = root.log_file.read_text()
    assert "PM2 startup: pm2-ec2-user was not enabled in the AMI; enabled it now" in log
    assert WARNING not in log


@pytest.mark.parametrize("role", ["web", "app"])
def test_pm2_startup_that_cannot_be_enabled_logs_one_clear_line_and_keeps_the_process(
        role: str, tmp_path: Path):
    # GIVEN an AMI without `pm2 startup`, where `pm2 startup` fails (no systemd, say)
    root = make_root(tmp_path, pm2_startup="broken")
    # WHEN the user data runs
    run = run_script(root, _render(role, root))
    # THEN the boot still succeeds with the process started and saved
    assert run.returncode == 0, run.output
    assert [c.argv[0] for c in run.pm2_calls()] == ["delete", "start", "save", "startup"]
    # AND the log carries one line naming the unit, the consequence, the process and the fix
    lines = [line for line in root.log_file.read_text().splitlines() if line.startswith("WARNING: PM2")]
    assert len(lines) == 1
    assert lines[0].startswith(WARNING)
    assert f"a reboot will NOT restart {_pm2_name(role)}" in lines[0]
    assert "run 'pm2 startup' as ec2-user" in lines[0]


def test_enabling_that_reports_success_but_leaves_the_unit_disabled_is_not_believed(tmp_path: Path):
    # GIVEN `pm2 startup` exits 0 without enabling anything (the stub enables pm2-<its -u user>;
    # a script asking for the wrong user would leave pm2-ec2-user disabled)
    root = make_root(tmp_path, pm2_startup="missing")
    script = render_web(web_settings(root.base)).replace(
        'startup systemd -u ec2-user', 'startup systemd -u someone-else')
    # WHEN it runs THEN the verification after enabling catches it
    run = run_script(root, script)
    assert run.returncode == 0, run.output
    assert WARNING in root.log_file.read_text()
