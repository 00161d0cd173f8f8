"""The renderer as a pure function: which variables each tier gets, and how they are written."""

from __future__ import annotations

import re

import pytest

import stack_config
from tests.userdata.conftest import PREFIX, TOKYO_NLB, app_settings, tables, web_settings
from userdata.render import (
    NLB_DNS_PLACEHOLDER,
    TABLE_SUFFIXES,
    app_environment,
    dotenv_line,
    internal_api_url,
    parse_env_assignments,
    render_app,
    render_web,
    web_environment,
)

DOCUMENT_APP_ENV = {
    "AWS_REGION": "ap-northeast-1",
    "PORT": "3001",
    "DYNAMODB_PERFORMANCES_TABLE": "KDT-Msp4-PLDR-performances",
    "DYNAMODB_RESERVATIONS_TABLE": "KDT-Msp4-PLDR-reservations",
    "DYNAMODB_SCHEDULES_TABLE": "KDT-Msp4-PLDR-schedules",
    "DYNAMODB_VENUES_TABLE": "KDT-Msp4-PLDR-venues",
    "DR_RECOVERY_MODE": "true",
}


def test_web_environment_is_region_and_internal_api_url_as_in_000_section_2():
    # GIVEN the Tokyo web settings WHEN the environment is built THEN it is the documents' two
    assert web_environment(web_settings()) == {
        "AWS_REGION": "ap-northeast-1",
        "INTERNAL_API_URL": f"http://{TOKYO_NLB}:3001",
    }


def test_web_environment_adds_port_only_when_not_nexts_default():
    assert "PORT" not in web_environment(web_settings(port=3000))
    assert web_environment(web_settings(port=8080))["PORT"] == "8080"


def test_app_environment_is_the_seven_variables_of_000_section_3_in_the_dr_stack():
    assert app_environment(app_settings()) == DOCUMENT_APP_ENV
    assert list(app_environment(app_settings())) == list(DOCUMENT_APP_ENV)


def test_app_environment_in_the_primary_stack_has_recovery_mode_false_and_its_region():
    env = app_environment(app_settings(region="ap-northeast-2", recovery_mode=False))
    assert env["DR_RECOVERY_MODE"] == "false"
    assert env["AWS_REGION"] == "ap-northeast-2"


def test_rendered_scripts_inject_exactly_their_environment():
    # GIVEN both tiers WHEN rendered and parsed back THEN the parser recovers the environment
    assert parse_env_assignments(render_web(web_settings())) == web_environment(web_settings())
    assert parse_env_assignments(render_app(app_settings())) == DOCUMENT_APP_ENV


def test_on_failover_web_user_data_carries_the_placeholder_literally():
    url = internal_api_url(NLB_DNS_PLACEHOLDER, 3001)
    script = render_web(web_settings(internal_api_url=url))
    assert url == "http://NLB_DNS_PLACEHOLDER:3001"
    assert "INTERNAL_API_URL=http://NLB_DNS_PLACEHOLDER:3001" in script
    # Step 2 does a plain string replace on the decoded text (001 3.2): every use follows.
    replaced = script.replace(NLB_DNS_PLACEHOLDER, TOKYO_NLB)
    assert parse_env_assignments(replaced)["INTERNAL_API_URL"] == f"http://{TOKYO_NLB}:3001"
    assert "PLACEHOLDER" not in replaced


def test_standby_user_data_never_mentions_a_placeholder():
    # The doctor and the policy pack grep for PLACEHOLDER: a comment would be a false alarm.
    for script in (render_web(web_settings()), render_app(app_settings())):
        assert "PLACEHOLDER" not in script


def test_internal_api_url_is_greppable_in_every_place_it_is_written():
    script = render_web(web_settings())
    found = re.findall(r"INTERNAL_API_URL=['\"]?([^\s'\"\\;]+)", script)
    assert found and set(found) == {f"http://{TOKYO_NLB}:3001"}


def test_scripts_never_install_or_build():
    for script in (render_web(web_settings()), render_app(app_settings())):
        assert not re.search(r"npm\s+(install|ci|i|run\s+build)\b", script)
        assert "pm2 start npm --name" in script and "-- start" in script


def test_scripts_log_to_var_log_user_data_log_by_default():
    for script in (render_web(web_settings()), render_app(app_settings())):
        assert "exec > >(tee -a /var/log/user-data.log) 2>&1" in script


def test_env_file_and_dotenv_hold_the_documents_lines():
    script = render_app(app_settings())
    for name, value in DOCUMENT_APP_ENV.items():
        assert f"\nexport {name}={value}\n" in script
        assert f"\n{name}={value}\n" in script


def test_values_with_shell_syntax_are_quoted_once():
    script = render_web(web_settings(region="ap-northeast-1 $(reboot)"))
    assert "export AWS_REGION='ap-northeast-1 $(reboot)'" in script
    assert "  AWS_REGION='ap-northeast-1 $(reboot)'" in script


def test_heredoc_delimiter_steps_aside_when_a_value_holds_it():
    # GIVEN a value with a line equal to the default delimiter
    script = render_web(web_settings(region="x\nENVEOF\nMEGATICKET_ENV_EOF\ny"))
    # THEN both heredocs use other delimiters and the value survives
    assert "<<'ENVEOF_1'" in script and "<<'MEGATICKET_ENV_EOF_1'" in script
    assert parse_env_assignments(script)["AWS_REGION"] == "x\nENVEOF\nMEGATICKET_ENV_EOF\ny"


@pytest.mark.parametrize(("value", "line"), [
    ("ap-northeast-1", "K=ap-northeast-1"),
    ("", "K="),
    ("a b", "K='a b'"),
    ("it's", "K=`it's`"),
    ("it's `x`", 'K="it\'s `x`"'),
    ("two\nlines", "K='two\nlines'"),
    ("#hash", "K='#hash'"),
])
def test_dotenv_line_quotes_so_dotenv_reads_the_value_back(value: str, line: str):
    assert dotenv_line("K", value) == line


@pytest.mark.parametrize("value", ["'`\"", "a'`\\b", "cr\rhere", "ends\\"])
def test_dotenv_line_refuses_values_dotenv_cannot_hold(value: str):
    with pytest.raises(ValueError, match=r"^K cannot be written to \.env\.production") as error:
        dotenv_line("K", value)
    assert "\n" not in str(error.value).replace("\\n", "")


def test_parse_env_assignments_returns_empty_for_foreign_scripts():
    assert parse_env_assignments("#!/bin/bash\nexport AWS_REGION=x\n") == {}


def test_table_suffixes_match_the_stack_config():
    assert TABLE_SUFFIXES == stack_config.TABLE_SUFFIXES


@pytest.mark.parametrize(("build", "message"), [
    (lambda: app_settings(tables={"performances": "x"}), "tables must map exactly the suffixes"),
    (lambda: app_settings(tables={**tables(), "venues": ""}), "tables['venues'] must be a non-empty"),
    (lambda: app_settings(recovery_mode="yes"), "recovery_mode must be True or False"),
    (lambda: app_settings(port=0), "port must be an integer from 1 to 65535"),
    (lambda: web_settings(app_dir="relative/web"), "app_dir must be an absolute path"),
    (lambda: web_settings(env_file=""), "env_file must be a non-empty string"),
    (lambda: web_settings(region="a\0b"), "region must not contain a NUL"),
    (lambda: web_settings(run_as="root; rm"), "run_as must be a Linux user name"),
    (lambda: web_settings(internal_api_url=""), "internal_api_url must be a non-empty string"),
    (lambda: internal_api_url("http://x.example", 3001), "nlb_dns must be a bare DNS name"),
    (lambda: internal_api_url("", 3001), "nlb_dns must be a non-empty string"),
    (lambda: internal_api_url("nlb.example", 70000), "port must be an integer"),
])
def test_bad_settings_fail_with_one_line_naming_the_field(build, message: str):
    with pytest.raises(ValueError, match=re.escape(message)) as error:
        build()
    assert "\n" not in str(error.value)


def test_internal_api_url_form():
    assert internal_api_url(TOKYO_NLB, 3001) == f"http://{TOKYO_NLB}:3001"


def test_table_names_come_from_the_prefix_given():
    env = app_environment(app_settings(tables=tables("Other")))
    assert env["DYNAMODB_VENUES_TABLE"] == "Other-venues"
    assert PREFIX not in "".join(env.values())


def test_script_facts_read_back_what_the_rendered_script_sets_everywhere():
    from userdata.render import AppUserData, render_app, script_facts

    tables = {s: f"T-{s}" for s in ("performances", "reservations", "schedules", "venues")}
    facts = script_facts(render_app(AppUserData(
        region="ap-northeast-1", port=3001, tables=tables, recovery_mode=True,
        app_dir="/home/ec2-user/megaticket/apps/app", pm2_name="app-backend", env_file="/home/ec2-user/dr-env.sh")))
    expected = {"AWS_REGION": "ap-northeast-1", "PORT": "3001", "DYNAMODB_PERFORMANCES_TABLE": "T-performances",
                "DYNAMODB_RESERVATIONS_TABLE": "T-reservations", "DYNAMODB_SCHEDULES_TABLE": "T-schedules",
                "DYNAMODB_VENUES_TABLE": "T-venues", "DR_RECOVERY_MODE": "true"}
    assert facts.env_file == facts.dotenv == expected
    assert facts.processes == {"app-backend": expected}


def test_script_facts_judge_what_bash_runs_not_the_text():
    # A removed last inline variable leaves a trailing backslash: bash joins the next line, whose
    # `#` then starts a comment; the process gets nothing more.
    from userdata.render import script_facts

    script = ("sudo -u ec2-user -H bash -c 'exec env \"$@\" pm2 start npm --name \"$name\" -- start' _ \"$APP_DIR\" "
              "app-backend \\\n  AWS_REGION=ap-northeast-1 \\\n# shellcheck disable=SC2016\n")
    assert script_facts(script).processes == {"app-backend": {"AWS_REGION": "ap-northeast-1"}}
