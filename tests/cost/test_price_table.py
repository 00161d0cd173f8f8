"""prices.json: every figure dated, sourced and either confirmed (where it was seen) or noted."""

from __future__ import annotations

import copy
import json
import re

import pytest

from cost.instances import instance_hour_key
from cost.table import TABLE_PATH, PriceTableError, parse_table
from tests.cost.helpers import SEOUL, TABLE, TOKYO, VIRGINIA

DRILL_PRICED_TYPES = ("t3.micro", "t3.small", "t3.medium")
DOCUMENT = json.loads(TABLE_PATH.read_text(encoding="utf-8"))
RULES_SOURCE = (TABLE_PATH.parent / "rules.py").read_text(encoding="utf-8")


def test_every_price_key_the_rules_use_is_in_the_table():
    used = set(re.findall(r'"((?:vpc|elb|kms|route53|cloudwatch|logs|dynamodb|dataTransfer|ebs|sfn'
                          r'|lambda|sns|sqs|events)\.[A-Za-z0-9.]+)"', RULES_SOURCE))
    used |= {f"route53.healthCheck.{k}" for k in ("awsEndpoint", "nonAwsEndpoint",
                                                   "optionAwsEndpoint", "optionNonAwsEndpoint")}
    used |= {f"elb.{kind}.{unit}" for kind in ("application", "network") for unit in ("hour", "lcuHour")}
    # drill reports price the instances a drill runs (cost/instances.py): the types the stacks use
    # by default and the neighbouring sizes an operator is likely to choose
    used |= {instance_hour_key(t) for t in DRILL_PRICED_TYPES}
    assert used - TABLE.keys == set()
    assert TABLE.keys - used == set(), "a figure nothing prices is dead data"


def test_the_default_tier_instance_types_have_a_drill_price():
    from stack_config import settings_for_stack

    for stack in ("seoul", "tokyo"):
        s = settings_for_stack(TABLE_PATH.parent.parent, stack, [])
        for tier in (s.web, s.app):
            assert tier.instance_type in DRILL_PRICED_TYPES
            assert TABLE.price(instance_hour_key(tier.instance_type), s.region).usd > 0


def test_every_regional_figure_covers_the_three_regions_the_stacks_use():
    for key in TABLE.keys:
        regions = {region for k, region in TABLE.prices if k == key}
        assert regions in ({TOKYO, SEOUL, VIRGINIA}, {"global"}), (key, regions)


def test_every_figure_has_a_date_a_public_source_and_says_whether_it_was_confirmed():
    for price in TABLE.prices.values():
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", price.date)
        assert price.source.startswith("https://aws.amazon.com/")
        assert price.confirmed or price.note.startswith("not confirmed")


def _broken(mutate) -> dict:
    document = copy.deepcopy(DOCUMENT)
    mutate(document["prices"]["kms.key.month"]["regions"][TOKYO])
    return document


@pytest.mark.parametrize("mutate, message", [
    (lambda f: f.update(usd=-1), "prices.json kms.key.month ap-northeast-1 usd must be a non-negative number"),
    (lambda f: f.update(usd="1"), "usd must be a non-negative number"),
    (lambda f: f.pop("date"), "date must be YYYY-MM-DD"),
    (lambda f: f.update(source="http://example.com"), "needs a public https source"),
    (lambda f: f.pop("seenAt"), "is confirmed but says nowhere it was seen"),
    (lambda f: f.update(confirmed=False), "is not confirmed and needs a note"),
    (lambda f: f.update(confirmed="yes"), "confirmed must be true or false"),
])
def test_a_malformed_figure_is_refused_naming_the_entry(mutate, message):
    with pytest.raises(PriceTableError, match=re.escape(message)):
        parse_table(_broken(mutate))


def test_hours_per_month_and_as_of_are_checked():
    with pytest.raises(PriceTableError, match="hoursPerMonth"):
        parse_table({**DOCUMENT, "hoursPerMonth": 24})
    with pytest.raises(PriceTableError, match="asOf"):
        parse_table({**DOCUMENT, "asOf": "November"})
