"""GoldenAmi: copy Seoul's Golden AMI into Tokyo, use a configured id, or look one up."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

from components.golden_ami import GoldenAmi, GoldenAmiArgs
from offline_preview.engine import UNKNOWN, ProgramRun
from tests.conftest import run_component

COPY = "aws:ec2/amiCopy:AmiCopy"
SEOUL_AMI = "ami-0123456789abcdef0"


def _run(preview: bool, **overrides: Any) -> ProgramRun:
    def body() -> None:
        tokyo = aws.Provider("ap-northeast-1", region="ap-northeast-1")
        args = GoldenAmiArgs(**{"name": "MegaTicket-Golden-AMI-DR", "source_region": "ap-northeast-2",
                                "build": "2026.11.1", "tags": {"Project": "MegaTicket"}, **overrides})
        ami = GoldenAmi("golden-ami", args, pulumi.ResourceOptions(provider=tokyo))
        pulumi.export("image_id", ami.image_id)
        pulumi.export("build", ami.build)
    return run_component(body, preview)


def test_seoul_ami_is_copied_encrypted_and_tagged_with_source_and_build(preview: bool) -> None:
    run = _run(preview, source_id=SEOUL_AMI)
    copy = run.one(COPY, "golden-ami-copy")
    assert copy.parent == run.one("megaticket-dr:compute:GoldenAmi", "golden-ami").urn
    assert run.region_of(copy) == "ap-northeast-1"
    assert copy.inputs["sourceAmiId"] == SEOUL_AMI
    assert copy.inputs["sourceAmiRegion"] == "ap-northeast-2"
    assert copy.inputs["encrypted"] is True
    assert copy.inputs["tags"] == {"Project": "MegaTicket", "Name": "MegaTicket-Golden-AMI-DR",
                                   "SourceAmiId": SEOUL_AMI, "SourceRegion": "ap-northeast-2",
                                   "Build": "2026.11.1"}
    # A new source gets a new name: the replacement never collides with the copy it replaces.
    assert copy.inputs["name"] == f"MegaTicket-Golden-AMI-DR-{SEOUL_AMI}"
    assert run.outputs["image_id"] == (UNKNOWN if preview else f"⟨MegaTicket-Golden-AMI-DR-{SEOUL_AMI}.id⟩")


def test_source_from_the_primary_stack_output(preview: bool) -> None:
    # In the tokyo stack the source id and build are the seoul stack's outputs.
    run = _run(preview, source_id=pulumi.Output.from_input("⟨seoul.goldenAmiId⟩"),
               build=pulumi.Output.from_input("⟨seoul.goldenAmiBuild⟩"))
    copy = run.one(COPY, "golden-ami-copy")
    assert copy.inputs["sourceAmiId"] == "⟨seoul.goldenAmiId⟩"
    assert copy.inputs["tags"]["Build"] == "⟨seoul.goldenAmiBuild⟩"


def test_existing_tokyo_ami_creates_nothing(preview: bool) -> None:
    run = _run(preview, existing_id="ami-0fedcba9876543210", source_id=SEOUL_AMI)
    assert run.by_type(COPY) == []
    assert run.invokes == []
    assert run.outputs["image_id"] == "ami-0fedcba9876543210"


def test_without_id_or_source_the_one_own_ami_with_that_exact_build_is_used(preview: bool) -> None:
    # Never "the newest by name": a test build would roll Seoul's templates and Tokyo's copy.
    run = _run(preview, name="MegaTicket-Golden-AMI")
    assert run.by_type(COPY) == []
    (token, args), = run.invokes
    assert token == "aws:ec2/getAmi:getAmi"
    assert args["mostRecent"] is False and args["owners"] == ["self"]
    assert {"name": "name", "values": ["MegaTicket-Golden-AMI*"]} in args["filters"]
    assert {"name": "tag:Build", "values": ["2026.11.1"]} in args["filters"]
    if not preview:
        assert run.outputs["image_id"].startswith("⟨ami ")
        assert run.outputs["build"] == "2026.11.1"  # the tag of the image found


def test_a_pinned_id_is_looked_up_to_report_its_own_build_tag(preview: bool) -> None:
    run = _run(preview, name="MegaTicket-Golden-AMI", existing_id="ami-0fedcba9876543210", read_build=True)
    (token, args), = run.invokes
    assert args["filters"] == [{"name": "image-id", "values": ["ami-0fedcba9876543210"]}]
    assert args["mostRecent"] is False
    if not preview:
        assert run.outputs["image_id"] == "ami-0fedcba9876543210"
        assert run.outputs["build"] == "⟨ami ami-0fedcba9876543210.tags.Build⟩"


def test_the_tokyo_copy_is_protected_and_retained(preview: bool) -> None:
    copy = _run(preview, source_id=SEOUL_AMI).one(COPY, "golden-ami-copy")
    assert copy.options["protect"] is True and copy.options["retainOnDelete"] is True
