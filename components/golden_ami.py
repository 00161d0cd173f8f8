"""The Golden AMI this stack's instances boot: built in Seoul, copied to Tokyo (000 section 4.1).

Exactly one of three sources, in this order:
- `existing_id`: an AMI that already exists in this region (nothing is created);
- `source_id`: the Seoul Golden AMI, copied into the provider's region with `aws.ec2.AmiCopy`,
  encrypted (EBS default key) and tagged with its source and build, so `drctl doctor` can tell
  that Tokyo runs the same build as Seoul;
- neither (the primary stack without a configured id): the most recent AMI owned by this
  account whose name starts with `name`, looked up with `aws.ec2.get_ami`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Optional

import pulumi
import pulumi_aws as aws

# failover/checks.py compares the build tag between the two regions.
from failover.contract import BUILD_TAG, ami_copy_name
from failover.contract import SOURCE_AMI_TAG as SOURCE_TAG


@dataclass(frozen=True)
class GoldenAmiArgs:
    """Checked by stack_config (the name leaves room for the copy's `-<source id>`)."""

    name: str
    existing_id: Optional[str] = None
    source_id: Optional[pulumi.Input[str]] = None
    source_region: str = "ap-northeast-2"
    build: pulumi.Input[str] = "unknown"
    tags: Mapping[str, str] = field(default_factory=dict)


class GoldenAmi(pulumi.ComponentResource):
    image_id: pulumi.Output[str]

    def __init__(self, name: str, args: GoldenAmiArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:compute:GoldenAmi", name, None, opts)
        if args.existing_id is not None:
            self.image_id = pulumi.Output.from_input(args.existing_id)
        elif args.source_id is not None:
            source_id = pulumi.Output.from_input(args.source_id)
            copy = aws.ec2.AmiCopy(
                f"{name}-copy",
                # AMI names are unique per region: a new source (new build) must not collide with
                # the copy it replaces, which Pulumi deletes only after the new one exists.
                name=source_id.apply(lambda source: ami_copy_name(args.name, source)),
                description=pulumi.Output.concat("Golden AMI copied from ", source_id, " in ",
                                                 args.source_region),
                source_ami_id=source_id,
                source_ami_region=args.source_region,
                encrypted=True,
                tags={**dict(args.tags), "Name": args.name, SOURCE_TAG: source_id,
                      "SourceRegion": args.source_region, BUILD_TAG: args.build},
                opts=pulumi.ResourceOptions(parent=self))
            self.image_id = copy.id
        else:
            image = aws.ec2.get_ami_output(
                most_recent=True, owners=["self"],
                filters=[aws.ec2.GetAmiFilterArgs(name="name", values=[f"{args.name}*"]),
                         aws.ec2.GetAmiFilterArgs(name="state", values=["available"])],
                opts=pulumi.InvokeOutputOptions(parent=self))
            self.image_id = image.id
        self.register_outputs({"image_id": self.image_id})
