"""Which purchase option the advice headlines (QA 68 #1, #2): never a 3-year term on a short
history or beside growth, never a price borrowed from us-east-1 in another region, never a
commitment that saves under 5 %."""

from datetime import UTC, datetime

import numpy as np
import pytest

from policy.advice.prices import DEFAULT_PRICE_BOOK, advice_prices, us_east_1_estimates
from policy.advice.purchase import (
    COMMITMENT_MIN_SAVING,
    LONG_COMMITMENT_MIN_HISTORY_H,
    CapacityProfile,
    PurchaseOption,
    break_even_sentence,
    cheapest_way_sentence,
    headline_option,
    purchase_options,
)

BOOK = DEFAULT_PRICE_BOOK
MONTH_H = 31 * 24.0


def _steady(acu: float = 80.0, peak: float = 40.0) -> CapacityProfile:
    hours = np.full(24 * 7, acu)
    return CapacityProfile(
        hourly_acu=hours, reader_hourly_acu=hours / 2, peak_instance_acu=peak, n_instances=2, mean_acu=acu
    )


def _option(name: str, usd: float, **kw: object) -> PurchaseOption:
    return PurchaseOption.model_validate(
        {"name": name, "monthly_cost_usd": usd, "compute_usd_per_month": usd, "basis": "-", **kw}
    )


def test_terms_in_years() -> None:
    years = {o.name: o.commitment_years for o in purchase_options(_steady(), BOOK)}
    assert years["serverless_standard"] == years["provisioned_r6g_on_demand"] == 0
    assert years["mixed_provisioned_writer"] == 0
    assert years["provisioned_r6g_ri_1yr_no_upfront"] == years["provisioned_r7g_savings_plan"] == 1
    assert years["savings_plan_serverless"] == 1
    assert years["provisioned_r6g_ri_3yr_all_upfront"] == 3


def test_a_month_of_history_headlines_the_3_year_reserved_instances() -> None:
    options = purchase_options(_steady(), BOOK)
    assert options[0].name == "provisioned_r6g_ri_3yr_all_upfront"
    headline = headline_option(options, BOOK, history_h=MONTH_H)
    assert headline.option == options[0] and headline.clauses == ()


def test_a_short_history_headlines_1_year_at_most_and_says_why() -> None:
    # QA 68 #1: 2 x db.r6g.12xlarge 3-year all upfront headlined from 2 days of history
    options = purchase_options(_steady(), BOOK)
    assert LONG_COMMITMENT_MIN_HISTORY_H == 30 * 24
    headline = headline_option(options, BOOK, history_h=48.0)
    assert headline.option.name == "provisioned_r6g_ri_1yr_no_upfront"
    [clause] = headline.clauses
    assert clause == (
        "a longer commitment was left out, 2 x db.r6g.4xlarge, 3-year Reserved Instances, all upfront, "
        f"${options[0].monthly_cost_usd:,.2f}/month: 3 years is too long to commit to on 2.0 replayed days"
    )


def test_growth_past_max_capacity_headlines_1_year_at_most_even_on_a_long_history() -> None:
    # QA 68 #1: a 3-year RI headlined beside "the writer's need passes 16 ACU in 4.5 days"
    options = purchase_options(_steady(), BOOK)
    at = datetime(2024, 5, 17, tzinfo=UTC)
    headline = headline_option(options, BOOK, history_h=MONTH_H, growth_at=at)
    assert headline.option.commitment_years == 1
    assert headline.clauses[0].endswith(
        "3 years is too long to commit to on a forecast of growth past MaxCapacity by 2024-05-17"
    )
    short = headline_option(options, BOOK, history_h=120.0, growth_at=at)
    assert short.clauses[0].endswith(
        "on 5.0 replayed days with a forecast of growth past MaxCapacity by 2024-05-17"
    )


def test_no_clause_when_the_longer_commitment_costs_more_anyway() -> None:
    # the README quick start: a 1-year Savings Plan below the 3-year RI's price keeps its line as it is
    options = (
        _option("savings_plan_serverless", 161.42, commitment_usd_per_hour=0.2, estimate=True),
        _option("provisioned_r6g_ri_3yr_all_upfront", 170.82, instance_class="db.r6g.large", n_instances=2),
        _option("serverless_standard", 220.0),
    )
    assert headline_option(options, BOOK, history_h=288.0).option.name == "savings_plan_serverless"
    assert headline_option(options, BOOK, history_h=288.0).clauses == ()


def test_a_commitment_saving_under_5_percent_does_not_headline() -> None:
    # QA 68 #1 (nightly_idle): a commitment saving $7/month, 4 %, against a plan that pauses nightly
    assert COMMITMENT_MIN_SAVING == 0.05
    options = (
        _option("savings_plan_serverless", 170.99, commitment_usd_per_hour=0.1, estimate=True),
        _option("serverless_standard", 177.91),
    )
    headline = headline_option(options, BOOK, history_h=MONTH_H)
    assert headline.option.name == "serverless_standard"
    assert headline.clauses == (
        "the cheapest commitment, Serverless v2 on a 1-year Database Savings Plan, no upfront, saves "
        "$6.92/month (4%), under 5%: not worth its term",
    )
    worth = (_option("savings_plan_serverless", 160.0, estimate=True), options[1])  # 10 % off
    assert headline_option(worth, BOOK, history_h=MONTH_H).option.name == "savings_plan_serverless"


def test_one_region_rule_for_the_headline_the_break_even_and_the_prices_note() -> None:
    # QA 68 #2: eu-west-2 set provisioned aside but headlined a Savings Plan priced with us-east-1's
    # discount, and the break-even compared us-east-1's instance price with eu-west-2's ACU-hour
    book, pricing = advice_prices("eu-west-2", 0.14, price_given=False)
    assert us_east_1_estimates(book) and not us_east_1_estimates(BOOK)
    assert "us-east-1's estimates" in pricing.notes[0]
    assert advice_prices("us-east-1", 0.12, price_given=False)[1].notes == ()
    own = book.model_copy(
        update={
            "instances": tuple(i.model_copy(update={"estimate": False}) for i in book.instances),
            "ri_discount": {"1yr_no_upfront": 0.31, "3yr_all_upfront": 0.56},
            "savings_plan_serverless_discount": 0.3,
            "savings_plan_instance_discount": 0.15,
        }
    )
    assert not us_east_1_estimates(own)  # a caller's own figures are the region's

    profile = _steady()
    options = purchase_options(profile, book)
    assert options[0].instance_class is not None
    headline = headline_option(options, book, history_h=MONTH_H)
    assert headline.option.name == "serverless_standard"  # neither provisioned nor the Savings Plan
    assert not headline.option.estimate
    cheapest = options[0]
    assert headline.clauses == (
        "provisioned, Reserved Instance and Savings Plan options set aside as priced at us-east-1's "
        f"estimates, none built in for eu-west-2: the cheapest, {cheapest.label}, reads "
        f"${cheapest.monthly_cost_usd:,.2f}/month; price it in eu-west-2 before comparing",
    )
    text = break_even_sentence(profile, options, book)
    assert text.endswith(
        "so provisioned is cheaper by $5,139/month at us-east-1's instance price, an estimate: none built "
        "in for eu-west-2, so price it there before comparing"
    )
    assert "estimate" not in break_even_sentence(profile, purchase_options(profile, BOOK), BOOK)


@pytest.mark.parametrize("history_h", [48.0, MONTH_H])
def test_the_headline_is_always_one_of_the_options(history_h: float) -> None:
    options = purchase_options(_steady(acu=3.0, peak=2.0), BOOK)
    assert headline_option(options, BOOK, history_h=history_h).option in options


def test_the_cheapest_way_line_is_the_advice_s_own_for_every_front_end() -> None:
    # The CLI composed this line itself, so the JSON, the HTML report and HTTP had no headline
    # (QA 68): it is Advice.cheapest_way now, the CLI prints it as it is.
    options = purchase_options(_steady(), BOOK)
    month = cheapest_way_sentence(options, BOOK, history_h=MONTH_H)
    top = options[0]
    assert month == f"cheapest way to buy it: ${top.monthly_cost_usd:,.2f}/month, {top.label}"
    short = cheapest_way_sentence(options, BOOK, history_h=48.0)
    pick = headline_option(options, BOOK, history_h=48.0)
    assert short.startswith(
        f"cheapest way to buy it: ${pick.option.monthly_cost_usd:,.2f}/month, {pick.option.label} "
        "(priced from 2.0 replayed days: check a month or more first) (a longer commitment was left out"
    )
    grows = cheapest_way_sentence(
        options, BOOK, history_h=MONTH_H, growth_at=datetime(2024, 6, 1, tzinfo=UTC)
    )
    assert (
        "(sized to the history: the max_capacity alert forecasts the need past MaxCapacity by 2024-06-01)"
        in grows
    )
    # auto-pause below every option: no commitment, paid paused or not, is the cheapest way
    paused = cheapest_way_sentence(
        options, BOOK, history_h=MONTH_H, auto_pause_usd_per_month=top.monthly_cost_usd - 1
    )
    assert paused.startswith(
        "cheapest way to run it: auto-pause (MinCapacity 0) on demand at "
        f"${top.monthly_cost_usd - 1:,.2f}/month"
    )
    assert (
        cheapest_way_sentence(
            options, BOOK, history_h=MONTH_H, auto_pause_usd_per_month=top.monthly_cost_usd + 1
        )
        == month
    )


def test_demand_held_down_by_maxcapacity_headlines_nothing_sized_to_instances() -> None:
    # QA 73 #3: demand pinned at MaxCapacity 16 ("how far demand goes above 16 ACU is unknown")
    # headlined a 1-year Reserved Instance of 2 x db.r6g.xlarge, sized to the capped peak.
    options = purchase_options(_steady(), BOOK)
    free = headline_option(options, BOOK, history_h=MONTH_H)
    assert free.option.instance_class is not None  # a month of steady load: RIs headline
    capped = headline_option(options, BOOK, history_h=MONTH_H, capped=True)
    assert capped.option.instance_class is None and capped.option.commitment_years <= 1
    cheapest_sized = next(o for o in options if o.instance_class is not None and o.commitment_years <= 1)
    assert any(
        c.startswith("options sized to instances set aside: MaxCapacity held the history's demand down")
        and cheapest_sized.label in c
        for c in capped.clauses
    )
    line = cheapest_way_sentence(options, BOOK, history_h=MONTH_H, capped=True)
    assert line.startswith(f"cheapest way to buy it: ${capped.option.monthly_cost_usd:,.2f}/month, ")
    assert "db.r6g" not in line.split("(")[0]
