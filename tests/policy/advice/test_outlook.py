"""Alerts from the forecast with lead time: MaxCapacity, the budget, max_connections."""

from datetime import UTC, datetime

import numpy as np
import pytest

from policy.advice.outlook import (
    MIN_TREND_DAYS,
    forecast_alerts,
    max_capacity_for_connections,
    max_connections,
    untested_growth_note,
)
from policy.advice.types import CurrentSettings
from policy.scaler import ScalerModel

END = datetime(2024, 3, 10, tzinfo=UTC)  # the history ends at midnight
MODEL = ScalerModel()


def _office(days: int, busy: float, quiet: float) -> np.ndarray:
    hour = (np.arange(days * 288) % 288) / 12
    return np.where((hour >= 8) & (hour < 18), busy, quiet)


def _alerts(demand: np.ndarray, current: CurrentSettings, **kw):  # type: ignore[no-untyped-def]
    return forecast_alerts(
        demand,
        end=END,
        step_s=300,
        current=current,
        read_frac=0.5,
        price_usd_per_acu_hour=0.12,
        model=MODEL,
        recommended_floors=np.full(288, 0.5),
        horizon_s=7 * 86_400,
        quantile=0.95,
        **{"monthly_budget_usd": None, **kw},
    )


def test_max_connections_follows_aws_table() -> None:
    assert max_connections("aurora-postgresql", 16, 1.0) == 3360
    assert max_connections("aurora-postgresql", 64, 1.0) == 5000
    # PostgreSQL with MinCapacity 0 or 0.5 is capped at 2,000.
    assert max_connections("aurora-postgresql", 16, 0.5) == 2000
    assert max_connections("aurora-postgresql", 4, 0.0) == 823
    assert max_connections("aurora-mysql", 8, 0.5) == 1000
    # Between rows the lower row applies (an alert comes early, never late).
    assert max_connections("aurora-mysql", 2) == 90
    assert max_connections("aurora-postgresql", 12) == 1669
    assert max_connections("aurora-mysql", 256) == 6000
    # 3,000 connections need the 16-ACU row (3,360).
    assert max_capacity_for_connections("aurora-postgresql", 3000, 1.0) == 16.0
    assert max_capacity_for_connections("aurora-postgresql", 3000, 0.5) is None


def test_max_capacity_alert_names_the_first_hour_and_its_lead_time() -> None:
    # 10 ACU 08:00-18:00: the writer takes half, 5 / 0.95 = 5.26 ACU > MaxCapacity 5 at 08:00.
    alerts, outlook = _alerts(_office(5, 10.0, 1.0), CurrentSettings(max_capacity_acu=5.0))
    (alert,) = alerts
    assert (alert.kind, alert.source) == ("max_capacity", "forecast")
    assert alert.at == datetime(2024, 3, 10, 8, tzinfo=UTC) and alert.lead_time_s == 8 * 3600
    assert alert.value == pytest.approx(5.26) and alert.limit == 5.0
    assert "raise MaxCapacity to 5.5 ACU" in alert.message
    assert outlook.writer_need_acu == (5.26,) * 7


def test_growth_beyond_the_horizon_is_a_trend_alert() -> None:
    # Daily peaks grow 0.6 ACU/day: the writer's need 0.6 x 0.5 / 0.95 = 0.316 ACU/day.
    n = 8 * 288
    grow = 2 + 0.3 * np.arange(n) / 288
    hour = np.arange(n) % 288 / 12
    demand = np.where((hour >= 8) & (hour < 18), 2 * grow, grow)
    alerts, _ = _alerts(demand, CurrentSettings(max_capacity_acu=12.0))
    (alert,) = alerts
    assert "grows +0.32 ACU/day over the last 8 days" in alert.message
    # The fitted last day needs 4.55 ACU: (12 - 4.55) / 0.316 = 23.6 days to MaxCapacity 12.
    assert alert.lead_time_s == pytest.approx(23.6 * 86_400, rel=0.01)


def test_budget_alert_says_when_a_months_budget_is_spent() -> None:
    # 2 ACU flat, half reads: writer and tier-1 reader each hold 1 / 0.7 -> 1.5 ACU:
    # 3 ACU x 730 h x $0.12 = $262.80 a month; $200 is spent after 200 / 262.8 x 730 h.
    alerts, outlook = _alerts(
        np.full(5 * 288, 2.0), CurrentSettings(max_capacity_acu=16.0), monthly_budget_usd=200
    )
    assert outlook.projected_monthly_cost_usd == {"current": 262.8, "recommended": 262.8}
    budget = [a for a in alerts if a.kind == "budget"]
    assert [a.value for a in budget] == [262.8, 262.8]
    assert budget[0].lead_time_s == pytest.approx(200 / 262.8 * 730 * 3600, abs=60)


def test_connections_alert_at_the_postgres_cap_of_low_min_capacity() -> None:
    rng = np.random.default_rng(0)
    connections = np.clip(1800 + 120 * rng.standard_normal(5 * 288), 0, 1990)
    current = CurrentSettings(max_capacity_acu=16.0)  # MinCapacity 0.5: max_connections 2,000
    alerts, outlook = _alerts(np.full(5 * 288, 2.0), current, connections=connections)
    (alert,) = alerts
    assert (alert.kind, alert.source, alert.limit) == ("connections", "forecast", 2000.0)
    assert alert.lead_time_s is not None and alert.value is not None and alert.value >= 2000
    assert "raise MinCapacity to 1 ACU or more" in alert.message and "after a reboot" in alert.message
    assert outlook.max_connections == 2000
    # At MinCapacity 1 the limit is 3,360: no alert.
    alerts, outlook = _alerts(
        np.full(5 * 288, 2.0), current.model_copy(update={"min_capacity_acu": 1.0}), connections=connections
    )
    assert alerts == [] and outlook.max_connections == 3360


def test_connections_already_at_the_limit_are_a_history_alert() -> None:
    connections = np.full(5 * 288, 1200.0)  # MySQL at MaxCapacity 8 allows 1,000
    current = CurrentSettings(max_capacity_acu=8.0, engine="aurora-mysql")
    alerts, _ = _alerts(np.full(5 * 288, 2.0), current, connections=connections)
    (alert,) = alerts
    assert (alert.source, alert.at, alert.limit) == ("history", None, 1000.0)
    # 1,320 connections (10 % over the peak) need the 16-ACU row on MySQL (2,000).
    assert "raise MaxCapacity to 16 ACU" in alert.message


def test_growth_the_median_forecast_sees_beyond_a_day_is_alerted_when_it_crosses() -> None:
    # Demand doubling every day (QA case): the writer's need (half of 64 ACU / 0.95 = 33.7 ACU
    # at the end) tops MaxCapacity 64 on the second day, beyond the 24 calibrated hours; a
    # straight line through the daily peaks (the old fallback) put it days later than the
    # outlook printed beside it.
    demand = 0.5 * np.exp2(np.arange(7 * 288) / 288)
    alerts, outlook = _alerts(demand, CurrentSettings(max_capacity_acu=64.0))
    (alert,) = [a for a in alerts if a.kind == "max_capacity"]
    assert alert.message.startswith("the median demand forecast needs")
    assert alert.lead_time_s is not None and 24 * 3600 <= alert.lead_time_s < 2 * 86_400
    assert outlook.writer_need_acu[1] >= 64.0  # the outlook's own second day agrees


def _trend_messages(demand: np.ndarray, max_acu: float) -> list[str]:
    alerts, _ = _alerts(demand, CurrentSettings(max_capacity_acu=max_acu))
    return [a.message for a in alerts if "grows" in a.message]


def test_a_weekly_job_is_no_growth() -> None:
    # QA 61: 13 days idle at 0.6 ACU with a 12-ACU report job on two Mondays (days 1 and 8): a
    # least-squares line through the daily peaks read +0.43 ACU/day and MaxCapacity in 24 days.
    demand = np.full(13 * 288, 0.6)
    for day in (1, 8):
        demand[day * 288 + 72 : day * 288 + 96] = 12.0
    assert _trend_messages(demand, 16.0) == []


def test_one_step_up_is_a_level_shift_not_growth() -> None:
    # 6 days at 2 ACU, then 3 days at 7 ACU: a line read +0.5 ACU/day; the forecasters see the new level.
    demand = np.concatenate([np.full(6 * 288, 2.0), np.full(3 * 288, 7.0)])
    demand = demand * (1 + 0.05 * np.sin(np.arange(len(demand)) / 7))
    assert _trend_messages(demand, 32.0) == []


def test_noisy_growth_with_a_spike_is_still_growth() -> None:
    # The daily peaks rise 0.6 ACU/day with noise and one day's 3x spike: Theil-Sen's slope is not
    # pulled by the spike, and the rise is significant (Mann-Kendall).
    rng = np.random.default_rng(3)
    days = 10
    peaks = 2 + 0.6 * np.arange(days) + rng.normal(0, 0.2, days)
    peaks[4] *= 3
    demand = np.repeat(peaks, 288) * np.where(np.arange(days * 288) % 288 < 144, 1.0, 0.5)
    [message] = _trend_messages(demand, 24.0)
    assert message.startswith("the writer's daily peak need grows +0.3")  # 0.6 x 0.5 / 0.95 = 0.32
    assert "(Theil-Sen slope of the daily peaks; Mann-Kendall p = " in message


def _ramp(days: int, lo: float, hi: float) -> np.ndarray:
    """Demand rising linearly from ``lo`` to ``hi`` ACU over ``days`` days at 300 s."""
    return np.linspace(lo, hi, days * 288)


def test_growth_on_too_few_days_to_test_is_said_not_alerted() -> None:
    # QA 73 #5: 1 to 31 ACU over 4 days: the trend test needs 5 daily peaks, and nothing said
    # the demand rose every day while MaxCapacity and purchases were sized to it.
    model, current = ScalerModel(), CurrentSettings(max_capacity_acu=16.0)  # one tier-1 reader

    def note(demand: np.ndarray) -> list[str]:
        return untested_growth_note(demand, step_s=300, read_frac=0.5, current=current, model=model)

    (sentence,) = note(_ramp(4, 1.0, 31.0))
    # the writer's share 0.5 of the day's last-hour peak, over the SLO utilisation 0.95
    last = 31.0 * 0.5 / model.slo_utilisation
    assert sentence.startswith("the writer's daily peak need rose on each of the last 4 whole days (")
    assert (
        f"to {last:.3g} ACU), too few days to test for growth (the trend test takes {MIN_TREND_DAYS})"
        in sentence
    )
    assert note(_ramp(MIN_TREND_DAYS, 1.0, 31.0)) == []  # the trend alert's to judge
    assert note(_ramp(2, 1.0, 31.0)) == []  # two days rise in order half the time by chance
    assert note(_ramp(4, 10.0, 11.0)) == []  # 10 % in all: a busier day, not growth
    wobble = _ramp(4, 1.0, 31.0)
    wobble[2 * 288 : 3 * 288] = 40.0  # the third day's peak above the fourth's: not rising every day
    assert note(wobble) == []
