"""Generated configurations, valid and invalid, of every type YAML can produce: the preview exits 0,
or exits 2 with exactly one line, never a traceback, and never after the program started declaring.

The preview runs in-process (its `main`, with the stack file written to a temporary directory), and
the number of examples is capped so the suite stays quick.
"""

from __future__ import annotations

import contextlib
import io
import string
import tempfile
from pathlib import Path
from typing import Any
from unittest import mock

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import offline_preview.__main__ as preview_main

ROOT = Path(__file__).resolve().parent.parent

# Every setting path the program reads (and a few it does not), so most examples hit a real rule.
PATHS = [
    ("role",), ("primaryRegion",), ("drRegion",), ("alarmRegion",), ("tablePrefix",), ("domain",),
    ("hostedZoneId",), ("primaryStack",), ("tags",), ("tables", "venues", "hashKey"),
    ("tables", "venues", "rangeKey"), ("dns", "recordName"), ("dns", "ttl"), ("healthCheck", "interval"),
    ("healthCheck", "failureThreshold"), ("healthCheck", "path"), ("healthCheck", "port"),
    ("healthCheck", "protocol"), ("lock", "namespace"), ("lock", "metricName"), ("lock", "alarmName"),
    ("web", "port"), ("web", "appDir"), ("web", "envFile"), ("web", "pm2Name"), ("web", "asgName"),
    ("app", "launchTemplateName"), ("app", "instanceType"), ("app", "capacity", "max"),
    ("app", "failoverCapacity", "desired"), ("web", "healthCheckGracePeriod"), ("nlb", "name"),
    ("nlb", "mode"), ("alb", "name"), ("alb", "certificateArn"), ("alb", "deletionProtection"),
    ("network", "cidr"), ("network", "vpcId"), ("network", "natGateway"), ("network", "interfaceEndpoints"),
    ("ami", "id"), ("ami", "name"), ("ami", "build"), ("ami", "sourceRegion"),
    ("failover", "stateMachineName"), ("failover", "approvalTopicName"), ("failover", "eventBusName"),
    ("failover", "lambdaPrefix"), ("failover", "approvalTimeoutSeconds"),
    ("failover", "approvalHeartbeatSeconds"), ("failover", "approvalTimeoutAction"),
    ("failover", "lambdaTimeouts", "nlb"), ("approvers", "emails"), ("approvers", "sms"),
    ("readiness", "enabled"), ("readiness", "schedule"), ("primary", "healthCheckId"),
    ("primary", "tableNames"), ("cost", "replicaGb"), ("unknownKey",), ("web", "unknownKey"),
]

SCALARS = (st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.floats(allow_nan=True)
           | st.text(max_size=40) | st.dates() | st.datetimes() | st.binary(max_size=8))
YAML_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=6)
NAME_CHARS = string.ascii_letters + string.digits + "-_./ :\n"
PLAUSIBLE = (st.integers(-2, 1000) | st.text(NAME_CHARS, max_size=140)
             | st.sampled_from(["standby", "on-failover", "fail", "proceed", "HTTP", "HTTPS", "true", "false",
                                "rate(5 minutes)", "rate(1 minutes)", "cron(0 * * * ? *)", "10.30.0.0/16",
                                "10.30.0.1/16", "ap-northeast-3", "us-east-1", "ami-0abc1234",
                                "/home/ec2-user/x.sh", ["ssm", "logs"], {"Team": "dr"}, {"aws:x": "y"}]))


# Values each path accepts, so a good share of the examples is valid and runs the whole program.
VALID: dict[tuple[str, ...], list[Any]] = {
    ("dns", "ttl"): [30, "45"], ("healthCheck", "interval"): [10, 30.0], ("healthCheck", "failureThreshold"): [1, 10],
    ("web", "port"): [8080], ("web", "asgName"): ["Web-Group-1"], ("nlb", "name"): ["N" * 32],
    ("nlb", "mode"): ["on-failover", "standby"], ("alb", "deletionProtection"): [True, "false"],
    ("network", "cidr"): ["10.40.0.0/16", "10.40.8.0/24"], ("network", "natGateway"): [True],
    ("network", "interfaceEndpoints"): [["ssm", "logs"], []], ("ami", "build"): ["2026.12.1"],
    ("failover", "approvalTimeoutSeconds"): [600, 7200], ("failover", "approvalTimeoutAction"): ["proceed"],
    ("failover", "lambdaTimeouts", "nlb"): [300], ("readiness", "schedule"): ["rate(1 hour)", "cron(0 3 * * ? *)"],
    ("readiness", "enabled"): [False], ("tags",): [{"Team": "dr"}], ("tables", "venues", "rangeKey"): ["date"],
    ("failover", "lambdaPrefix"): ["p" * 54], ("failover", "stateMachineName"): ["s" * 71],
    ("app", "failoverCapacity", "desired"): [2], ("cost", "replicaGb"): [3.5], ("lock", "namespace"): ["Dr/Lock"],
}


def _change(path: tuple[str, ...]) -> st.SearchStrategy[tuple[tuple[str, ...], Any]]:
    pool = [st.sampled_from(VALID[path])] * 3 if path in VALID else []
    return st.tuples(st.just(path), st.one_of(*pool, PLAUSIBLE, YAML_VALUES))


def _set(config: dict[str, Any], path: tuple[str, ...], value: Any) -> None:
    node = config
    key = f"megaticket-dr:{path[0]}"
    for part in (key, *path[1:])[:-1]:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[(key, *path[1:])[-1]] = value


def _preview(stack: str, document: dict[str, Any]) -> tuple[int, str, str, bool]:
    """Run the preview's `main` on this stack file; (exit code, stdout, stderr, program started)."""
    started = False
    real_run = preview_main.run_program

    def run_program(*args: Any, **kwargs: Any) -> Any:
        nonlocal started
        started = True
        return real_run(*args, **kwargs)

    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
        out, err = io.StringIO(), io.StringIO()
        with mock.patch.object(preview_main, "PROJECT_DIR", Path(tmp)), \
                mock.patch.object(preview_main, "run_program", run_program), \
                contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = preview_main.main([stack, "--json", "--no-policies"])
    return code, out.getvalue(), err.getvalue(), started


@settings(max_examples=24, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(stack=st.sampled_from(["tokyo", "seoul"]),
       changes=st.one_of(
           # mostly valid: the whole program runs and must preview cleanly
           st.lists(st.sampled_from(sorted(VALID)).flatmap(lambda p: st.tuples(st.just(p), st.sampled_from(VALID[p]))),
                    max_size=3),
           # anything YAML can hold, anywhere
           st.lists(st.sampled_from(PATHS).flatmap(_change), min_size=1, max_size=3)))
def test_any_configuration_previews_or_fails_with_one_line_before_anything_is_declared(stack, changes):
    with open(ROOT / f"Pulumi.{stack}.yaml", encoding="utf-8") as handle:
        document = yaml.safe_load(handle)
    for path, value in changes:
        _set(document["config"], path, value)
    code, out, err, started = _preview(stack, document)
    assert code in (0, 2), (code, err[-2000:])
    if code == 2:
        assert out == ""
        assert err.startswith("error: ") and err.endswith("\n") and err.count("\n") == 1, err
        assert "Traceback" not in err
        assert not started, f"config error after the program started declaring: {err}"
    else:
        assert err == "" and out.startswith("{")
