"""The Route53 hosted zone both failover records live in.

Both stacks write one record each into the same public zone (PRIMARY from seoul, SECONDARY
from tokyo); neither owns the zone, so it is looked up by domain unless an id is configured.
"""

from __future__ import annotations

from typing import Optional

import pulumi
import pulumi_aws as aws


def hosted_zone_id(domain: str, configured_id: Optional[str],
                   provider: Optional[pulumi.ProviderResource] = None) -> pulumi.Output[str]:
    """`configured_id` when given, else the id of the public zone named `domain`.

    The lookup asks for the public zone explicitly: a private zone of the same name (common for
    split-horizon set-ups) would otherwise be an equally good match, and health-checked failover
    must live in the zone the internet resolves.
    """
    if configured_id:
        return pulumi.Output.from_input(configured_id)
    zone = aws.route53.get_zone_output(name=domain, private_zone=False,
                                       opts=pulumi.InvokeOutputOptions(provider=provider))
    return zone.zone_id
