"""`drctl import-plan` against the documents' deployment, built in moto from what the program declares.

Each stack's deployment is made by `adopt_deployment` from the resources the program registers
under the mock engine, in Terraform's shape: what Pulumi would auto-name carries Terraform's names,
the web ASG is pinned to launch template version "2", seoul's reservations table has another key,
the failback state machine was never built, and Terraform left resources the program does not
declare. The plan must give every resource it finds the id its pulumi-aws import takes, the
program's own type, logical name, parent and provider, in Pulumi's bulk-import format.
"""

from __future__ import annotations

import functools
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from drctl.aws import Clients
from drctl.import_plan import ImportPlan, build_plan
from drctl.import_program import Program, declared_program
from tests import moto_gaps
from tests.drctl import adopt_deployment
from tests.drctl.adopt_deployment import Shape
from tests.drctl.conftest import ROOT, Moto, drctl

moto_gaps.install()

TERRAFORM_SHAPE = Shape(
    pinned_asg="web-tier-asg",
    table_keys={"tables-reservations": ("reservationId", "S"), "tables-venues": ("venueId", "N")},
    skip=frozenset({"failover-failback-state-machine"}),
    extras=True,
)

# Every field `pulumi import --file` reads for a resource (pkg/cmd/pulumi/operations/import.go importSpec).
IMPORT_SPEC_KEYS = {"type", "name", "id", "parent", "provider", "version", "pluginDownloadUrl",
                    "properties", "component", "remote", "logicalName"}


@dataclass
class Adopted:
    program: Program
    expected: dict[str, str]  # engine URN -> import id, from the deployer
    plan: ImportPlan
    file: dict[str, Any]


@pytest.fixture(scope="module", autouse=True)
def _fake_credentials() -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION")}
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing",
                      AWS_DEFAULT_REGION="ap-northeast-1")
    yield
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@functools.cache
def _program(stack: str) -> Program:
    return declared_program(ROOT, stack, [])


_SESSION: list[boto3.session.Session] = []  # one session: botocore loads its service models once


def _adopt(stack: str, shape: Shape) -> Adopted:
    program = _program(stack)
    if not _SESSION:
        _SESSION.append(boto3.session.Session())
    with mock_aws():
        clients = Clients(_SESSION[0])
        expected = adopt_deployment.deploy(program, clients, shape)
        plan = build_plan(program, clients, clients.preflight(program.settings.region))
    return Adopted(program, expected, plan, plan.import_file())


@pytest.fixture(scope="module", params=["seoul", "tokyo"])
def adopted(request: pytest.FixtureRequest) -> Adopted:
    return _adopt(request.param, TERRAFORM_SHAPE)


@pytest.fixture(scope="module")
def clean_tokyo() -> Adopted:
    """Terraform's names, none of its faults."""
    return _adopt("tokyo", Shape())


def _entry(a: Adopted, name: str) -> Any:
    return next(e for e in a.plan.entries if e.name == name)


def _spec(a: Adopted, name: str) -> dict[str, Any] | None:
    return next((r for r in a.file["resources"] if r["name"] == name), None)


# --- ids ---------------------------------------------------------------------------------------


def test_every_resource_found_gets_the_id_its_pulumi_aws_import_takes(adopted: Adopted) -> None:
    ids = {r["name"]: r["id"] for r in adopted.file["resources"] if not r.get("component")}
    by_urn = {r.urn: r for r in adopted.program.resources}
    blocked = {e.urn for e in adopted.plan.entries if e.status == "problem"}
    assert adopted.expected, "the deployer built nothing"
    for urn, import_id in adopted.expected.items():
        name = by_urn[urn].name
        if urn in blocked:
            assert name not in ids, f"{name} has a shape that forces replacement but is in the file"
        else:
            assert ids.get(name) == import_id, f"{name}: expected id {import_id}, file has {ids.get(name)}"
    # nothing in the file that the deployment does not hold
    assert set(ids) == {by_urn[u].name for u in adopted.expected if u not in blocked}


def test_unnamed_resources_are_found_through_what_refers_to_them(clean_tokyo: Adopted) -> None:
    a = clean_tokyo
    by_name = {r["name"]: r["id"] for r in a.file["resources"] if not r.get("component")}
    # Pulumi would auto-name these; Terraform named them its own way
    assert by_name["readiness-role"] == "terraform-readiness-role"
    assert by_name["readiness-target"].endswith("stfc-lambda-dev-readiness-schedule/terraform-readiness-target")
    assert by_name["readiness-invoke"] == "stfc-lambda-dev-readiness/terraform-readiness-invoke"
    assert by_name["failover-step0-logs-policy"] == "stfc-lambda-dev-step0-role:terraform-failover-step0-logs-policy"
    assert by_name["failover-approval-topic-key"] == a.expected[_urn(a, "failover-approval-topic-key")]
    assert re.fullmatch(r"sg-[0-9a-f]+", by_name["web-alb-sg"])
    # without faults, only the AMI copy (which pulumi-aws cannot import) is left over
    assert [e.name for e in a.plan.problems] == ["golden-ami-copy"]
    # the approval page is new in this program: the documents' deployment has none to import
    assert {e.type.split("/")[0] for e in a.plan.not_found} <= {"aws:apigatewayv2"} and a.plan.unmanaged == []


def _urn(a: Adopted, name: str) -> str:
    return next(r.urn for r in a.program.resources if r.name == name)


# --- the program's types, names, parents and providers -----------------------------------------


def _urn_from_file(file: dict[str, Any], stack: str, project: str) -> dict[str, str]:
    """What `pulumi import` computes for each entry (parseImportFile): the parent's qualified type
    (from the name table or the entry it names) + the type, and the logical name."""
    urns: dict[str, str] = dict(file["nameTable"])
    for spec in file["resources"]:  # parents precede children in the file
        parent_type = ""
        if spec.get("parent"):
            parent_urn = urns[spec["parent"]]
            parent_type = parent_urn.split("::")[2]
        qualified = f"{parent_type}${spec['type']}" if parent_type else spec["type"]
        urns[spec["name"]] = f"urn:pulumi:{stack}::{project}::{qualified}::{spec.get('logicalName', spec['name'])}"
    return urns


def test_each_entry_has_the_programs_type_logical_name_parent_and_provider(adopted: Adopted) -> None:
    # The engine's URNs, straight from the mock monitor's record (which prefixes top-level types
    # with the stack's type; the engine does not).
    recorded = {r.name: r for r in adopted.program.recorded if not r.options.get("read")}

    def engine(urn: str) -> str:
        return urn.replace("::pulumi:pulumi:Stack$", "::") if urn else ""

    urns = _urn_from_file(adopted.file, adopted.program.stack, "megaticket-dr")
    for spec in adopted.file["resources"]:
        record = recorded[spec.get("logicalName", spec["name"])]
        assert spec["type"] == record.type
        assert urns[spec["name"]] == engine(record.urn), spec["name"]
        if spec.get("parent"):
            assert urns[spec["parent"]] == engine(record.parent)
        else:
            assert record.parent.endswith(f"pulumi:pulumi:Stack::megaticket-dr-{adopted.program.stack}")
        if not spec.get("component"):
            assert adopted.file["nameTable"][spec["provider"]] == engine(record.provider)
            assert spec["version"] == metadata.version("pulumi_aws")


def test_import_file_has_pulumis_bulk_import_shape(adopted: Adopted) -> None:
    f = adopted.file
    assert set(f) <= {"nameTable", "resources"} and f["resources"]
    names = [r["name"] for r in f["resources"]]
    assert len(names) == len(set(names)), "names must be unique: parents are referenced by name"
    assert not set(names) & set(f["nameTable"]), "a name table entry and a resource may not share a name"
    seen: set[str] = set()
    for spec in f["resources"]:
        assert set(spec) <= IMPORT_SPEC_KEYS, set(spec) - IMPORT_SPEC_KEYS
        assert isinstance(spec["type"], str) and spec["type"].count(":") == 2
        assert not spec["type"].startswith("pulumi:providers:"), "providers are referenced, not imported"
        if spec.get("component"):
            assert "id" not in spec and "provider" not in spec
        else:
            assert isinstance(spec["id"], str) and spec["id"].strip() and "⟨" not in spec["id"]
            assert spec["provider"] in f["nameTable"]
        if "parent" in spec:
            assert spec["parent"] in seen or spec["parent"] in f["nameTable"], spec
        seen.add(spec["name"])
    for name, urn in f["nameTable"].items():
        assert re.fullmatch(rf"urn:pulumi:{adopted.program.stack}::megaticket-dr::pulumi:providers:aws::{name}", urn)
    urns = list(_urn_from_file(f, adopted.program.stack, "megaticket-dr").values())
    assert len(urns) == len(set(urns)), "two entries would get the same URN"


def test_components_above_imported_resources_are_created_by_the_import(adopted: Adopted) -> None:
    components = {r.name: r.type for r in adopted.program.components}
    parents = {spec["parent"] for spec in adopted.file["resources"] if spec.get("parent")}
    for name in parents:
        spec = _spec(adopted, name)
        assert spec is not None and spec.get("component") is True and spec["type"] == components[name]


# --- what is reported ----------------------------------------------------------------------------


def test_asg_pinned_to_a_numbered_launch_template_version_is_imported_and_reported(adopted: Adopted) -> None:
    entry = _entry(adopted, "web-tier-asg")
    assert entry.status == "import" and _spec(adopted, "web-tier-asg") is not None
    (problem,) = entry.problems
    assert problem.kind == "design" and "version 2" in problem.problem
    assert "$Latest" in problem.fix and "update-auto-scaling-group" in problem.fix
    assert f"--auto-scaling-group-name {adopted.program.settings.web.asg_name}" in problem.fix
    assert not _entry(adopted, "app-tier-asg").problems


def test_table_with_another_key_schema_is_left_out_and_reported(adopted: Adopted) -> None:
    if adopted.program.stack != "seoul":
        # seoul owns the data tables; tokyo's only table is the approval page's one-time ids
        assert [d.inputs["name"] for d in adopted.program.of_type("aws:dynamodb/table:Table")] == [
            "stfc-lambda-dev-approvals"]
        return
    entry = _entry(adopted, "tables-reservations")
    assert entry.status == "problem" and _spec(adopted, "tables-reservations") is None
    (problem,) = entry.problems
    assert problem.kind == "replace" and "reservationId" in problem.problem and "hash id" in problem.problem
    assert "tables.reservations.hashKey reservationId" in problem.fix and "never let Pulumi replace" in problem.fix
    assert _spec(adopted, "tables-performances") is not None  # the others import


def test_table_keyed_by_a_number_cannot_be_declared_and_says_so(adopted: Adopted) -> None:
    if adopted.program.stack != "seoul":
        return
    (problem,) = _entry(adopted, "tables-venues").problems
    assert problem.kind == "replace" and "venueId (N)" in problem.problem
    assert "string (S) keys only" in problem.fix and _spec(adopted, "tables-venues") is None


def test_what_the_deployment_lacks_is_reported_as_created_not_imported(adopted: Adopted) -> None:
    if adopted.program.stack != "tokyo":
        assert adopted.plan.not_found == []
        return
    # The documents' deployment has no approval page API: it is created, not imported.
    page_api = [d.name for d in adopted.program.cloud_resources if d.type.startswith("aws:apigatewayv2/")]
    assert page_api and sorted(e.name for e in adopted.plan.not_found) == sorted(
        ["failover-failback-state-machine", *page_api])
    failback = next(e for e in adopted.plan.not_found if e.name == "failover-failback-state-machine")
    assert "stfc-stepfunction-dev-an1-failback" in failback.looked_for
    assert _spec(adopted, "failover-failback-state-machine") is None


def test_resources_the_program_does_not_declare_are_reported_with_a_fix(adopted: Adopted) -> None:
    found = {(u.type.rsplit(":", 1)[-1], u.id) for u in adopted.plan.unmanaged}
    assert all(u.fix for u in adopted.plan.unmanaged)
    if adopted.program.stack == "seoul":
        assert found == {("Table", "KDT-Msp4-PLDR-legacy-sessions")}
        return
    assert found == {
        ("Function", "stfc-lambda-dev-legacy-step5"),
        ("EventRule", "ssw-dr-failover-dr-event-bus/terraform-stray-rule"),
        ("TopicSubscription", "email:former-oncall@example.com"),
        ("RolePolicy", "stfc-lambda-dev-step0-role:terraform-admin"),
    }


def test_ami_copy_cannot_be_imported_and_the_fix_names_the_setting(clean_tokyo: Adopted) -> None:
    (problem,) = _entry(clean_tokyo, "golden-ami-copy").problems
    assert problem.kind == "cannot-import" and "ami.id" in problem.fix
    assert _spec(clean_tokyo, "golden-ami-copy") is None


@pytest.mark.parametrize("stack", ["seoul", "tokyo"])
def test_an_account_with_nothing_deployed_plans_every_resource_as_created_and_no_problem(stack: str) -> None:
    # A first run where nothing exists yet: a role's attachments, a zone's records and the AMI copy
    # are simply not there (AWS answers NoSuchEntity for what hangs on the absent role), not errors.
    program = _program(stack)
    if not _SESSION:
        _SESSION.append(boto3.session.Session())
    with mock_aws():
        clients = Clients(_SESSION[0])
        plan = build_plan(program, clients, clients.preflight(program.settings.region))
    assert plan.problems == [] and plan.unmanaged == []
    assert {e.urn for e in plan.not_found} == {d.urn for d in program.cloud_resources}
    assert plan.import_file()["resources"] == []


# --- the command --------------------------------------------------------------------------------


def test_cli_writes_the_file_and_reports_as_json_against_moto_server(moto: Moto, tmp_path: Path) -> None:
    program = _program("seoul")
    session = boto3.session.Session(aws_access_key_id="testing", aws_secret_access_key="testing")

    def clients(service: str, region: str) -> Any:
        return session.client(service, region_name=region, endpoint_url=moto.endpoint)

    expected = adopt_deployment.deploy(program, clients, TERRAFORM_SHAPE)
    out = tmp_path / "import-seoul.json"
    run = drctl(moto.endpoint, "import-plan", "--stack", "seoul", "--out", str(out), "--json")
    assert run.code == 1, run.stderr  # problems to fix first
    report = run.json()
    assert report["stack"] == "seoul" and report["file"] == str(out) and report["ok"] is False
    assert {p["name"] for p in report["problems"]} == {"tables-reservations", "tables-venues", "web-tier-asg"}
    assert all(p["problems"][0]["fix"] for p in report["problems"])
    assert [u["id"] for u in report["unmanaged"]] == ["KDT-Msp4-PLDR-legacy-sessions"]
    written = json.loads(out.read_text())
    by_urn = {r.urn: r.name for r in program.resources}
    ids = {r["name"]: r["id"] for r in written["resources"] if not r.get("component")}
    for urn, import_id in expected.items():
        if by_urn[urn] not in ("tables-reservations", "tables-venues"):
            assert ids[by_urn[urn]] == import_id
    assert report["counts"]["import"] == len(ids)


@pytest.mark.parametrize(("args", "message"), [
    (["--stack", "nosuch", "--out", "x.json"], "stack must be one of"),
    (["--stack", "tokyo", "--out", "/nonexistent-dir/x.json"], "--out must be in an existing directory"),
    (["--stack", "tokyo", "--out", "."], "--out must name a file"),
    (["--stack", "tokyo", "--out", "x.json", "--set", "healthCheck.interval=15"], "healthCheck.interval"),
    (["--stack", "tokyo", "--out", "x.json", "--set", "novalue"], "--set must be key=value"),
])
def test_bad_input_is_one_line_and_exit_2(args: list[str], message: str, capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from drctl.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DRCTL_PROJECT_DIR", str(ROOT))
    assert main(["import-plan", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("drctl: error: ") and message in err
    assert not (tmp_path / "x.json").exists()


def test_out_is_required() -> None:
    from drctl.cli import main

    with pytest.raises(SystemExit) as stop:
        main(["import-plan", "--stack", "tokyo"])
    assert stop.value.code == 2
