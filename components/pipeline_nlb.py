"""nlb.mode on-failover: the web user data the program declares follows the pipeline's NLB.

Failover step 1 creates the NLB named `nlb.name`; step 2 writes its DNS name into a new version of
the web launch template (and makes it the default). A `pulumi up` that changes the template also
makes a new version, and the default, from what the program declares (001 section 3.4: every
apply makes a version). If the program still declared NLB_DNS_PLACEHOLDER then, an up during or
after a failover would put the placeholder back into `$Latest` and the next scale-out would launch
web instances that cannot reach the app tier.

So the program asks AWS the question step 1 answers, by the same name: while an NLB named
`nlb.name` exists, the user data carries its DNS name (the very text step 2 writes, so the two
never disagree about content); while there is none (before a failover, after failback deleted
it), the placeholder that step 2 fills. `pulumi preview` and `up` run the lookup for real.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any, Optional

import pulumi
import pulumi_aws as aws

from userdata.render import NLB_DNS_PLACEHOLDER

_ARN_NAME = re.compile(r":loadbalancer/[a-z]+/([^/]+)/[^/]+$")


def load_balancer_arn_named(arns: Iterable[str], name: str) -> Optional[str]:
    """The ARN of the load balancer called `name` among ELBv2 ARNs (`loadbalancer/<type>/<name>/<id>`;
    a name is unique per region and account across types)."""
    found = sorted(arn for arn in arns if (m := _ARN_NAME.search(arn)) and m.group(1) == name)
    return found[0] if found else None


def _network_dns(result: Any) -> str:
    # Step 1 refuses a load balancer of another type under this name; so does the program.
    return str(result.dns_name) if result.load_balancer_type == "network" else NLB_DNS_PLACEHOLDER


def pipeline_nlb_dns(nlb_name: str, provider: pulumi.ProviderResource) -> pulumi.Output[str]:
    """The DNS name of the NLB called `nlb_name` in the provider's region, or NLB_DNS_PLACEHOLDER."""
    opts = pulumi.InvokeOutputOptions(provider=provider)

    def dns(arns: Optional[list[str]]) -> pulumi.Input[str]:
        arn = load_balancer_arn_named(arns or [], nlb_name)
        if arn is None:
            return NLB_DNS_PLACEHOLDER
        return aws.lb.get_load_balancer_output(arn=arn, opts=opts).apply(_network_dns)

    # A list, not aws.lb.get_load_balancer(name=...): that lookup fails the whole program when
    # the NLB does not exist, which is the normal state of a pilot light.
    return aws.lb.get_lbs_output(opts=opts).arns.apply(dns)
