"""The Golden AMI this stack's instances boot: built in Seoul, copied to Tokyo (000 section 4.1).

Exactly one of three sources, in this order:
- `existing_id`: an AMI that already exists in this region (nothing is created). With
  `read_build` (the primary stack) the image is looked up by that id and its `Build` tag is the
  build this stack reports;
- `source_id`: the Seoul Golden AMI, copied into the provider's region with `aws.ec2.AmiCopy`,
  encrypted (EBS default key) and tagged with its source and build, so `drctl doctor` can tell
  that Tokyo runs the same build as Seoul;
- neither (the primary stack pinned by build): the one AMI owned by this account whose name
  starts with `name` and whose `Build` tag is exactly `build`. Never "the newest": a test build
  with a matching name would otherwise roll Seoul's launch templates and replace Tokyo's copy on
  the next routine `pulumi up`. Two images with the same build fail the lookup (no most_recent).

The copy is `protect`ed and retained on delete: it is what Tokyo boots in a failover, and an old
build is the rollback. Rolling to a new build is deliberate (docs/day-two.md): the engine refuses
to replace a protected copy until it is unprotected, and the replaced copy stays in the account.
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
    read_build: bool = False  # with existing_id: report the image's own Build tag
    tags: Mapping[str, str] = field(default_factory=dict)


class GoldenAmi(pulumi.ComponentResource):
    image_id: pulumi.Output[str]
    build: pulumi.Output[str]  # the Build tag of the image this stack boots

    def __init__(self, name: str, args: GoldenAmiArgs,
                 opts: Optional[pulumi.ResourceOptions] = None) -> None:
        super().__init__("megaticket-dr:compute:GoldenAmi", name, None, opts)
        self.build = pulumi.Output.from_input(args.build)
        if args.existing_id is not None and args.read_build:
            pinned = self._lookup([aws.ec2.GetAmiFilterArgs(name="image-id", values=[args.existing_id])])
            self.image_id = pinned.id
            self.build = pinned.tags.apply(lambda tags: (tags or {}).get(BUILD_TAG) or "untagged")
        elif args.existing_id is not None:
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
                opts=pulumi.ResourceOptions(parent=self, protect=True, retain_on_delete=True))
            self.image_id = copy.id
        else:
            image = self._lookup([aws.ec2.GetAmiFilterArgs(name="name", values=[f"{args.name}*"]),
                                  aws.ec2.GetAmiFilterArgs(name=f"tag:{BUILD_TAG}", values=[str(args.build)]),
                                  aws.ec2.GetAmiFilterArgs(name="state", values=["available"])])
            self.image_id = image.id
        self.register_outputs({"image_id": self.image_id, "build": self.build})

    def _lookup(self, filters: list[aws.ec2.GetAmiFilterArgs]) -> pulumi.Output[aws.ec2.GetAmiResult]:
        # Exactly one match, or the lookup fails: no most_recent, so nothing floats.
        return aws.ec2.get_ami_output(most_recent=False, owners=["self"], filters=filters,
                                      opts=pulumi.InvokeOutputOptions(parent=self))
