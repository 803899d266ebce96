"""Buying the capacity: every price computation against a figure worked out by hand."""

import numpy as np
import pytest

from policy.advice.prices import DEFAULT_PRICE_BOOK, PriceBook
from policy.advice.purchase import (
    CapacityProfile,
    break_even_sentence,
    purchase_options,
    savings_plan_commitment,
    smallest_class,
)

BOOK = DEFAULT_PRICE_BOOK


def _steady(acu: float = 80.0, peak: float = 40.0, n: int = 2, **kw: float) -> CapacityProfile:
    hours = np.full(24 * 7, acu)
    return CapacityProfile(
        hourly_acu=hours,
        reader_hourly_acu=hours / 2,
        peak_instance_acu=peak,
        n_instances=n,
        mean_acu=acu,
        **kw,
    )


def _one_instance(hours: np.ndarray) -> CapacityProfile:
    """One instance billed ``hours`` of capacity (ACU per hour), peaking at 1 ACU."""
    return CapacityProfile(
        hourly_acu=hours,
        reader_hourly_acu=hours,
        peak_instance_acu=1.0,
        n_instances=1,
        mean_acu=float(np.mean(hours)),
    )


def _by_name(profile: CapacityProfile, book: PriceBook = BOOK) -> dict[str, float]:
    return {o.name: o.monthly_cost_usd for o in purchase_options(profile, book)}


def test_serverless_standard_and_io_optimized_by_hand() -> None:
    costs = _by_name(_steady(storage_gib=100, io_million_per_month=50))
    # 80 ACU x 730 h x $0.12 + 100 GiB x $0.10 + 50 M x $0.20
    assert costs["serverless_standard"] == pytest.approx(80 * 730 * 0.12 + 10 + 10)
    # 80 ACU x 730 h x $0.16 + 100 GiB x $0.225, no I/O charge
    assert costs["serverless_io_optimized"] == pytest.approx(80 * 730 * 0.16 + 22.5)


def test_a_steady_80_acu_cluster_is_cheaper_provisioned() -> None:
    # 40 ACU per instance needs 80 GiB: db.r6g.4xlarge (128 GiB, 8 x the $0.26/h large), 2 of them.
    options = purchase_options(_steady(), BOOK)
    costs = {o.name: o.monthly_cost_usd for o in options}
    assert costs["provisioned_r6g_on_demand"] == pytest.approx(2 * 2.08 * 730)
    assert costs["provisioned_r6g_ri_1yr_no_upfront"] == pytest.approx(2 * 2.08 * 730 * 0.70)
    assert costs["provisioned_r6g_ri_3yr_all_upfront"] == pytest.approx(2 * 2.08 * 730 * 0.45)
    # r7g is covered by Database Savings Plans at 20 % off; r6g is not.
    assert costs["provisioned_r7g_savings_plan"] == round(2 * 2.208 * 730 * 0.80, 2)  # to the cent
    assert "provisioned_r6g_savings_plan" not in costs
    # Mixed: one r6g.4xlarge writer + readers at their own 40 ACU mean, serverless.
    assert costs["mixed_provisioned_writer"] == pytest.approx(2.08 * 730 + 40 * 730 * 0.12)
    assert options[0].name == "provisioned_r6g_ri_3yr_all_upfront"
    assert options[0].monthly_cost_usd < costs["serverless_standard"]


def test_break_even_sentence_states_the_level_where_they_cost_the_same() -> None:
    profile = _steady()
    text = break_even_sentence(profile, purchase_options(profile, BOOK), BOOK)
    even = 2 * 2.08 * 730 / (730 * 0.12)  # 34.7 ACU
    assert f"when the cluster's capacity (all instances) averages {even:.1f} ACU," in text
    # the capacity of every instance, not demand: a reader that says "demand 5.5 ACU" is not contradicted
    assert "and this one's averages 80.0 ACU, so provisioned is cheaper by $3,971/month" in text


def test_savings_plan_commitment_is_the_newsvendor_quantile() -> None:
    spend = np.array([1.0, 1.0, 1.0, 1.0, 10.0])
    # d = 0.35: the 35 % quantile (lower) of spend is 1.0; commit 0.65 $/h.
    assert savings_plan_commitment(spend, 0.35) == pytest.approx(0.65)
    hours = np.array([1.0, 1.0, 1.0, 1.0, 10.0]) / 0.12  # ACU giving that spend
    profile = _one_instance(hours)
    costs = _by_name(profile)
    # Four hours pay the commitment only; the fifth pays 0.65 + (10 - 1.0) on demand.
    assert costs["savings_plan_serverless"] == pytest.approx((4 * 0.65 + 0.65 + 9.0) / 5 * 730)


def test_a_cluster_idle_most_hours_is_not_sold_a_zero_dollar_savings_plan() -> None:
    # Paused 3 hours in 4: the best commitment is $0/h, i.e. Serverless Standard on demand.
    hours = np.array([0.0, 0.0, 0.0, 2.0] * 6)
    profile = _one_instance(hours)
    assert savings_plan_commitment(hours * 0.12, 0.35) == 0.0
    costs = _by_name(profile)
    assert "savings_plan_serverless" not in costs and "serverless_standard" in costs


def test_no_provisioned_class_holds_a_peak_beyond_256_acu() -> None:
    assert smallest_class(BOOK.instances, "r6g", 300.0) is None
    costs = _by_name(_steady(acu=500, peak=300))
    assert not any(name.startswith("provisioned") for name in costs)
    assert "no memory-optimised class holds" in break_even_sentence(
        _steady(acu=500, peak=300), purchase_options(_steady(acu=500, peak=300), BOOK), BOOK
    )


def test_prices_are_overridable() -> None:
    book = BOOK.model_copy(update={"serverless_standard_usd_per_acu_hour": 0.14})
    assert _by_name(_steady(), book)["serverless_standard"] == pytest.approx(80 * 730 * 0.14)


def test_prices_are_whole_cents() -> None:
    # The JSON carried 190.52999999999997 where the table printed 190.53.
    for option in purchase_options(_steady(storage_gib=33, io_million_per_month=7), BOOK):
        assert option.monthly_cost_usd == round(option.monthly_cost_usd, 2)
        assert option.compute_usd_per_month == round(option.compute_usd_per_month, 2)


def test_every_option_has_a_label_in_words() -> None:
    labels = {o.name: o.label for o in purchase_options(_steady(), BOOK)}

    assert labels["serverless_standard"] == "Serverless v2 on demand, Aurora Standard storage"
    assert labels["savings_plan_serverless"] == "Serverless v2 on a 1-year Database Savings Plan, no upfront"
    assert labels["provisioned_r6g_ri_3yr_all_upfront"].endswith(", 3-year Reserved Instances, all upfront")
    assert labels["provisioned_r6g_on_demand"].startswith("2 x db.r6g.")
    assert not any("_" in label for label in labels.values())  # no internal id leaks into the words
