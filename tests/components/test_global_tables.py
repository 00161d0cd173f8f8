"""GlobalTables: the four MegaTicket tables in Seoul, each with a PITR-protected Tokyo replica."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws
import pytest

from components.global_tables import GlobalTables, GlobalTablesArgs
from offline_preview.engine import UNKNOWN
from stack_config import TableSpec, settings_for_stack
from tests.conftest import ROOT, run_component

TABLE = "aws:dynamodb/table:Table"
DEFAULT_TABLES = settings_for_stack(ROOT, "seoul").data.tables


def _declare(tables: tuple[TableSpec, ...] = DEFAULT_TABLES, **overrides: object):
    def body() -> None:
        seoul = aws.Provider("ap-northeast-2", region="ap-northeast-2")
        args = GlobalTablesArgs(**{"table_prefix": "KDT-Msp4-PLDR", "tables": tables,
                                   "replica_regions": ("ap-northeast-1",), **overrides})
        component = GlobalTables("tables", args, pulumi.ResourceOptions(provider=seoul))
        pulumi.export("names", component.table_names)
        pulumi.export("arns", component.table_arns)
        pulumi.export("streams", component.stream_arns)
    return body


def test_declares_the_four_document_tables_under_the_prefix(preview: bool) -> None:
    # GIVEN the default table settings WHEN the component is declared
    run = run_component(_declare(), preview, stack="seoul", region="ap-northeast-2")
    # THEN there is one table per suffix, named <prefix>-<suffix>, keyed on "id", under the component
    tables = run.by_type(TABLE)
    assert sorted(t.inputs["name"] for t in tables) == [
        "KDT-Msp4-PLDR-performances", "KDT-Msp4-PLDR-reservations",
        "KDT-Msp4-PLDR-schedules", "KDT-Msp4-PLDR-venues"]
    component = run.one("megaticket-dr:data:GlobalTables", "tables")
    for table in tables:
        assert table.parent == component.urn
        assert table.inputs["hashKey"] == "id"
        assert table.inputs["attributes"] == [{"name": "id", "type": "S"}]
        assert run.region_of(table) == "ap-northeast-2"


def test_every_table_is_on_demand_streamed_recoverable_protected_and_encrypted(preview: bool) -> None:
    run = run_component(_declare(), preview, stack="seoul", region="ap-northeast-2")
    for table in run.by_type(TABLE):
        inputs = table.inputs
        assert inputs["billingMode"] == "PAY_PER_REQUEST"
        assert "readCapacity" not in inputs and "writeCapacity" not in inputs
        assert inputs["streamEnabled"] is True
        assert inputs["streamViewType"] == "NEW_AND_OLD_IMAGES"
        assert inputs["pointInTimeRecovery"] == {"enabled": True}
        assert inputs["deletionProtectionEnabled"] is True
        assert inputs["serverSideEncryption"] == {"enabled": True}
        assert inputs["tags"]["Name"] == inputs["name"]


def test_every_table_has_a_tokyo_replica_with_point_in_time_recovery(preview: bool) -> None:
    run = run_component(_declare(), preview, stack="seoul", region="ap-northeast-2")
    for table in run.by_type(TABLE):
        assert table.inputs["replicas"] == [{
            "regionName": "ap-northeast-1", "pointInTimeRecovery": True,
            "propagateTags": True, "deletionProtectionEnabled": True}]


def test_a_range_key_becomes_a_second_string_attribute(preview: bool) -> None:
    tables = (TableSpec("schedules", "performanceId", "startsAt"),)
    run = run_component(_declare(tables), preview, stack="seoul", region="ap-northeast-2")
    table = run.one(TABLE, "tables-schedules")
    assert table.inputs["hashKey"] == "performanceId"
    assert table.inputs["rangeKey"] == "startsAt"
    assert table.inputs["attributes"] == [{"name": "performanceId", "type": "S"},
                                          {"name": "startsAt", "type": "S"}]


def test_deletion_protection_off_applies_to_table_and_replicas(preview: bool) -> None:
    run = run_component(_declare(deletion_protection=False, replica_regions=("ap-northeast-1", "us-west-2")),
                        preview, stack="seoul", region="ap-northeast-2")
    for table in run.by_type(TABLE):
        assert table.inputs["deletionProtectionEnabled"] is False
        assert [(r["regionName"], r["deletionProtectionEnabled"]) for r in table.inputs["replicas"]] == [
            ("ap-northeast-1", False), ("us-west-2", False)]


def test_outputs_map_each_suffix_to_its_name_arn_and_stream(preview: bool) -> None:
    run = run_component(_declare(), preview, stack="seoul", region="ap-northeast-2")
    suffixes = [t.suffix for t in DEFAULT_TABLES]
    # Names are known before deploy in both modes: the DR stack and user data rely on that.
    assert run.outputs["names"] == {s: f"KDT-Msp4-PLDR-{s}" for s in suffixes}
    if preview:
        assert run.outputs["arns"] == UNKNOWN and run.outputs["streams"] == UNKNOWN
    else:
        assert run.outputs["arns"] == {s: f"⟨KDT-Msp4-PLDR-{s}.arn⟩" for s in suffixes}
        assert run.outputs["streams"] == {s: f"⟨KDT-Msp4-PLDR-{s}.streamArn⟩" for s in suffixes}


@pytest.mark.parametrize(("overrides", "message"), [
    ({"tables": ()}, "tables must list at least one"),
    ({"tables": (TableSpec("venues", "id", None), TableSpec("venues", "id", None))}, "distinct suffixes"),
    ({"tables": (TableSpec("venues", "id", "id"),)}, "range_key must differ"),
    ({"replica_regions": ()}, "replica_regions must name at least one region"),
    ({"replica_regions": ("ap-northeast-1", "ap-northeast-1")}, "replica_regions must be distinct"),
])
def test_bad_arguments_fail_with_one_line_naming_the_field(overrides: dict, message: str) -> None:
    args = {"table_prefix": "KDT-Msp4-PLDR", "tables": DEFAULT_TABLES,
            "replica_regions": ("ap-northeast-1",), **overrides}
    with pytest.raises(ValueError, match=message) as error:
        GlobalTablesArgs(**args)
    assert "\n" not in str(error.value)
