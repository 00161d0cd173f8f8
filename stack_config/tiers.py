"""`web.*` and `app.*`: ports, paths, PM2 names, ASG and launch template names, capacities."""

from __future__ import annotations

from pathlib import PurePosixPath

from failover.contract import ASG_NAME, LAUNCH_TEMPLATE_NAME
from stack_config import shapes
from stack_config.errors import fail
from stack_config.model import Capacity, TierSettings
from stack_config.reader import Section

_PATH_EXPECTED = "an absolute file path of letters, digits, . _ - (no '.' or '..' segments)"
# Directories every instance has: an env file must be a file beside them, not one of them.
_SYSTEM_DIRS = frozenset(("/", "/tmp", "/etc", "/var", "/opt", "/usr", "/home", "/root", "/home/ec2-user"))
CAPACITY_MAX = 100


def read_capacity(section: Section, name: str, default: Capacity, floor: int) -> Capacity:
    sub = section.section(name).only("min", "desired", "max")
    low = sub.integer("min", default.min, floor, CAPACITY_MAX)
    high = sub.integer("max", default.max, max(floor, 1), CAPACITY_MAX)
    desired = sub.integer("desired", default.desired, floor, CAPACITY_MAX)
    if low > high:
        raise fail(sub.key("min"), f"at most {sub.key('max')} ({high})", low)
    if not low <= desired <= high:
        raise fail(sub.key("desired"), f"between min ({low}) and max ({high})", desired)
    return Capacity(low, desired, high)


def _paths(s: Section, role: str) -> tuple[str, str]:
    app_dir = s.text("appDir", f"/home/ec2-user/megaticket/apps/{role}", shapes.ABS_PATH,
                     "an absolute directory path of letters, digits, . _ - (no '.' or '..' segments)")
    default_env = "/home/ec2-user/dr-web-env.sh" if role == "web" else "/home/ec2-user/dr-env.sh"
    env_file = s.text("envFile", default_env, shapes.ABS_PATH, _PATH_EXPECTED)
    env, app = PurePosixPath(env_file), PurePosixPath(app_dir)
    # The deploy replaces the app directory (git pull, npm build), and user data writes the env
    # file with `cat >`: inside the app it would be lost or committed; a directory cannot be written.
    if env == app or env in app.parents or env_file in _SYSTEM_DIRS:
        raise fail(s.key("envFile"), f"a file path, not a directory such as {app_dir} or its parents",
                   env_file)
    if app in env.parents:
        raise fail(s.key("envFile"), f"a path outside {s.key('appDir')} ({app_dir}), which each deploy "
                   "replaces", env_file)
    return app_dir, env_file


def read_tier(root: Section, role: str, is_dr: bool, name_prefix: str) -> TierSettings:
    s = root.section(role).only(
        "port", "appDir", "pm2Name", "envFile", "asgName", "launchTemplateName", "instanceType",
        "capacity", "failoverCapacity", "healthCheckGracePeriod")
    label = role.capitalize()
    failover = read_capacity(s, "failoverCapacity", Capacity(1, 1, 2), 1)
    # A pilot light idles at zero; the primary serves at its failover size.
    steady = read_capacity(s, "capacity", Capacity(0, 0, failover.max) if is_dr else failover, 0)
    if is_dr and steady.desired:
        raise fail(s.key("capacity.desired"), "0 in the DR stack (the failover pipeline scales it)",
                   steady.desired)
    if failover.max > steady.max:
        # Step 3 sets min/desired/max to the failover capacity; the ASG's declared max is what a
        # later `pulumi up` restores, so it must hold the failover size.
        raise fail(s.key("failoverCapacity.max"), f"at most {s.key('capacity.max')} ({steady.max})",
                   failover.max)
    app_dir, env_file = _paths(s, role)
    return TierSettings(
        role=role,
        port=s.integer("port", 3000 if role == "web" else 3001, 1024, 65535),
        app_dir=app_dir,
        pm2_name=s.text("pm2Name", "web-frontend" if role == "web" else "app-backend", shapes.PM2_NAME,
                        "a PM2 process name: 1-64 letters, digits, . _ -, starting with a letter or digit"),
        env_file=env_file,
        asg_name=s.name("asgName", f"{name_prefix}-{label}-ASG", ASG_NAME),
        launch_template_name=s.name("launchTemplateName", f"{name_prefix}-{label}-LT",
                                    LAUNCH_TEMPLATE_NAME),
        instance_type=s.text("instanceType", "t3.small", shapes.INSTANCE_TYPE,
                             'an EC2 instance type such as "t3.small"'),
        capacity=steady,
        failover_capacity=failover,
        health_check_grace_seconds=s.integer("healthCheckGracePeriod", 300, 0, 7200),
    )
