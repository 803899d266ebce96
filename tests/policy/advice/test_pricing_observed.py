"""advise(): the region and rate every dollar uses, and today's bill from the observed capacity."""

from datetime import UTC, datetime

import numpy as np
import pytest

from placement import Topology
from policy import ClusterSpec, InvalidRequestError
from policy.advice.advise import advise
from policy.advice.observed import observed_reasons
from policy.advice.prices import DEFAULT_PRICE_BOOK, PriceBook, advice_prices, unpriced_region
from policy.advice.types import AdviceConfig, CurrentSettings, ObservedToday

START = datetime(2024, 3, 4, tzinfo=UTC)
EU_WEST_2 = Topology(region="eu-west-2", az_ids=("euw2-az1", "euw2-az2", "euw2-az3"), writer_az_id="euw2-az1")


def test_the_book_is_the_clusters_region_with_its_own_standard_rate() -> None:
    book, pricing = advice_prices("eu-west-2", 0.14, price_given=False)

    # placement.pricing's eu-west-2 row: $0.14 Standard, $0.19 I/O-Optimized (UNVERIFIED there)
    assert (book.region, book.serverless_standard_usd_per_acu_hour) == ("eu-west-2", 0.14)
    assert book.serverless_io_optimized_usd_per_acu_hour == 0.19
    assert book.instances == DEFAULT_PRICE_BOOK.instances  # no eu-west-2 instance prices built in...
    assert pricing.notes == (  # ...and it says so
        "the provisioned, Reserved Instance, Savings Plan and backup prices are us-east-1's estimates "
        "(none built in for eu-west-2)",
    )
    assert pricing.sentence().startswith(
        "prices: eu-west-2, Aurora Serverless v2 $0.14 per ACU-hour (Standard; $0.19 I/O-Optimized) from "
        "Price List via third-party repo, UNVERIFIED"
    )
    home = advice_prices("us-east-1", 0.12, price_given=False)
    assert home[0] == DEFAULT_PRICE_BOOK and home[1].notes == ()


def test_a_region_without_prices_says_whose_it_uses() -> None:
    assert unpriced_region("eu-west-2") is None
    assert unpriced_region("eu-central-1") == (
        "no built-in Aurora price for 'eu-central-1' (known: eu-west-2, us-east-1)"
    )
    _, assumed = advice_prices("eu-central-1", 0.12, price_given=False)
    assert assumed.source.startswith("us-east-1's rate, assumed for eu-central-1")
    _, own = advice_prices("eu-central-1", 0.15, price_given=True)
    assert own.serverless_standard_usd_per_acu_hour == 0.15
    assert own.source == "the cluster's own price_usd_per_acu_hour"
    assert own.notes[0].startswith("no built-in Aurora price for 'eu-central-1'")


@pytest.mark.parametrize(
    ("book", "field"),
    [
        (PriceBook(), "config.prices.region"),  # us-east-1's book for a eu-west-2 cluster
        (PriceBook(region="eu-west-2", serverless_standard_usd_per_acu_hour=0.13), None),
    ],
)
def test_a_callers_book_for_another_region_or_rate_is_refused(book: PriceBook, field: str | None) -> None:
    with pytest.raises(InvalidRequestError) as caught:
        advice_prices("eu-west-2", 0.14, price_given=False, book=book)
    assert caught.value.field == (field or "config.prices.serverless_standard_usd_per_acu_hour")


def test_a_eu_west_2_cluster_is_priced_there_and_observed_capacity_is_compared_with_today() -> None:
    demand = np.full(3 * 288, 1.0)  # 3 days at 5 minutes: the 2-day warm-up, then 1 day replayed
    capacity = np.full(3 * 288, 6.0)  # the capacity metric says 6 ACU per instance all along
    capacity[-12:] = np.nan  # the last hour not observed

    advice = advise(
        demand,
        start=START,
        step_s=300,
        cluster=ClusterSpec(topology=EU_WEST_2),
        current=CurrentSettings(min_capacity_acu=4.0, max_capacity_acu=16.0),
        capacity_acu=capacity,
    )

    # Today: writer and tier-1 reader held at MinCapacity 4 = 8 ACU x 730 h x eu-west-2's $0.14.
    assert advice.current.monthly_cost_usd == pytest.approx(8 * 730 * 0.14, abs=0.01)
    assert advice.pricing is not None and advice.pricing.region == "eu-west-2"
    assert advice.pricing.serverless_standard_usd_per_acu_hour == 0.14
    standard = next(o for o in advice.purchase_options if o.name == "serverless_standard")
    assert "x $0.14/ACU-h" in standard.basis  # was us-east-1's $0.12 whatever the region
    assert advice.reasons[-1] == advice.pricing.sentence()
    # Observed: 6 ACU x 2 instances over the 23 observed hours against the replay's 4 x 2.
    assert advice.observed == ObservedToday(
        hours=23.0,
        instances=2,
        mean_capacity_acu=6.0,
        acu_hours=276.0,
        monthly_cost_usd=round(12 * 730 * 0.14, 2),
        simulated_acu_hours=184.0,
        simulated_monthly_cost_usd=round(8 * 730 * 0.14, 2),
        difference_pct=50.0,
    )
    said = [r for r in advice.reasons if r.startswith(("observed today:", "caveat:"))]
    assert said[0] == (
        "observed today: the capacity metric averaged 6 ACU per instance over the 23 observed hours of the "
        "replayed window, 276.0 ACU-hours for today's 2 instances ($1,226.40/month at $0.14 per ACU-hour), "
        "against 184.0 ACU-hours ($817.60/month) for today's settings replayed over the same steps: 50.0% "
        "above the simulation"
    )
    assert said[1].startswith("caveat: the observed capacity and the simulation of today's settings differ")


def test_observed_close_to_the_simulation_has_no_caveat_and_no_capacity_says_nothing() -> None:
    close = ObservedToday(
        hours=24.0,
        instances=2,
        mean_capacity_acu=4.2,
        acu_hours=201.6,
        monthly_cost_usd=735.84,
        simulated_acu_hours=192.0,
        simulated_monthly_cost_usd=700.8,
        difference_pct=5.0,
    )
    (line,) = observed_reasons(close, 0.12)
    assert line.endswith("5.0% above the simulation")
    assert observed_reasons(None, 0.12) == []
    # an idle cluster: -100 % of $0.15 a month is no caveat (under a dollar a month either way)
    idle = close.model_copy(
        update={
            "mean_capacity_acu": 0.0,
            "acu_hours": 0.0,
            "monthly_cost_usd": 0.0,
            "simulated_acu_hours": 0.04,
            "simulated_monthly_cost_usd": 0.15,
            "difference_pct": -100.0,
        }
    )
    (line,) = observed_reasons(idle, 0.12)
    assert line.endswith("100.0% below the simulation")
    dearer = idle.model_copy(update={"simulated_monthly_cost_usd": 1.5, "simulated_acu_hours": 0.41})
    assert observed_reasons(dearer, 0.12)[1].startswith("caveat: ")


def test_without_capacity_the_advice_has_no_observed_part() -> None:
    advice = advise(
        np.full(3 * 288, 1.0),
        start=START,
        step_s=300,
        cluster=ClusterSpec(),
        current=CurrentSettings(min_capacity_acu=4.0, max_capacity_acu=16.0),
        config=AdviceConfig(),
    )
    assert advice.observed is None
    assert not any(r.startswith(("observed today", "caveat:")) for r in advice.reasons)
    assert advice.reasons[-1] == (
        "prices: us-east-1, Aurora Serverless v2 $0.12 per ACU-hour (Standard; $0.16 I/O-Optimized) from AWS "
        "Price List us-east-1 (sources: aurora-pricing)"
    )
