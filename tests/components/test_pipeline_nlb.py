"""nlb.mode on-failover: the program declares the pipeline NLB's name once step 1 has created it.

(The day-two sequence up -> failover -> up -> scale-out runs in moto in
tests/failover/test_up_after_failover.py.)
"""

from __future__ import annotations

import base64
from typing import Any, Optional

import pytest

from components.pipeline_nlb import load_balancer_arn_named
from tests.conftest import run_program
from userdata.render import NLB_DNS_PLACEHOLDER, parse_env_assignments

LT = "aws:ec2/launchTemplate:LaunchTemplate"
PREFIX = "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer"
NLB_ARN = f"{PREFIX}/net/MegaTicket-DR-NLB/50dc6c495c0c9188"
NLB_DNS = "MegaTicket-DR-NLB-50dc6c495c0c9188.elb.ap-northeast-1.amazonaws.com"


def _answers(balancers: dict[str, tuple[str, str]]) -> Any:
    """Data source answers for load balancers that exist: arn -> (type, dns name)."""
    def answer(token: str, args: dict[str, Any]) -> Optional[dict[str, Any]]:
        if token == "aws:lb/getLbs:getLbs":
            return {"arns": sorted(balancers), "id": "ap-northeast-1"}
        if token == "aws:lb/getLoadBalancer:getLoadBalancer":
            kind, dns = balancers[args["arn"]]
            return {"arn": args["arn"], "loadBalancerType": kind, "dnsName": dns}
        return None
    return answer


def _web_url(balancers: dict[str, tuple[str, str]], preview: bool = False) -> str:
    run = run_program("tokyo", preview, overrides=["nlb.mode=on-failover"], invokes=_answers(balancers))
    script = base64.b64decode(run.one(LT, "web-tier-lt").inputs["userData"]).decode()
    return parse_env_assignments(script)["INTERNAL_API_URL"]


def test_while_the_pipeline_nlb_exists_the_web_user_data_carries_its_name(preview: bool) -> None:
    # A real lookup runs in preview too (it depends on nothing unknown).
    assert _web_url({NLB_ARN: ("network", NLB_DNS)}, preview) == f"http://{NLB_DNS}:3001"


@pytest.mark.parametrize("balancers", [
    pytest.param({}, id="no-load-balancers"),
    pytest.param({f"{PREFIX}/net/Other-NLB/1": ("network", "Other-NLB-1.elb.amazonaws.com"),
                  f"{PREFIX}/net/MegaTicket-DR-NLB-old/2": ("network", "x.elb.amazonaws.com")},
                 id="only-other-names"),
    pytest.param({f"{PREFIX}/app/MegaTicket-DR-NLB/3": ("application", "alb.elb.amazonaws.com")},
                 id="an-alb-with-the-nlb-name"),
])
def test_without_the_pipeline_nlb_the_web_user_data_keeps_the_placeholder(balancers: Any) -> None:
    assert _web_url(balancers) == f"http://{NLB_DNS_PLACEHOLDER}:3001"


def test_the_lookup_runs_only_in_on_failover_mode() -> None:
    run = run_program("tokyo", invokes=_answers({NLB_ARN: ("network", NLB_DNS)}))
    assert "aws:lb/getLbs:getLbs" not in {token for token, _ in run.invokes}


@pytest.mark.parametrize(("arns", "expected"), [
    ([NLB_ARN], NLB_ARN),
    ([f"{PREFIX}/net/MegaTicket-DR-NLB-2/1", NLB_ARN], NLB_ARN),   # a longer name is another NLB
    ([f"{PREFIX}/net/X-MegaTicket-DR-NLB/1"], None),
    ([f"{PREFIX}/app/MegaTicket-DR-NLB/9"], f"{PREFIX}/app/MegaTicket-DR-NLB/9"),  # type checked later
    ([], None),
])
def test_load_balancer_arn_is_matched_by_exact_name(arns: list[str], expected: Optional[str]) -> None:
    assert load_balancer_arn_named(arns, "MegaTicket-DR-NLB") == expected
