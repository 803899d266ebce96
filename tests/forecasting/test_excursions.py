"""One-off excursions are left out of what the models forecast from, and only those, causally."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting import forecast_demand
from forecasting.backtest import rolling_errors
from forecasting.baselines import LastValue
from forecasting.excursions import one_offs

M = 288  # a day at 5 minutes
W = 7 * M  # a week
DAYS = 10


def _daily(days: int = DAYS, seed: int = 11, noise: float = 0.03) -> np.ndarray:
    """A daily sine of 2-6 ACU with multiplicative noise (at 0.03 no step of it is far out)."""
    rng = np.random.default_rng(seed)
    t = np.arange(days * M)
    return (4 + 2 * np.sin(2 * np.pi * t / M)) * rng.lognormal(0, noise, t.size)


def test_a_burst_seen_once_is_replaced_by_the_same_time_of_the_previous_days() -> None:
    y = _daily()
    at = 8 * M + 100  # 08:20 on day 8, for an hour
    y[at : at + 12] = 80.0
    found = one_offs(y, M, 300, W)
    assert found.runs == ((at, at + 12),) and found.n_replaced == 12
    assert found.confirm_steps == 12  # the hour after it
    outside = np.s_[at : at + 12]
    np.testing.assert_array_equal(np.delete(found.cleaned, outside), np.delete(y, outside))
    # the same time on days 5-7, their median, plus the neighbours' residuals: nowhere near 80
    same_time = np.median([y[at - k * M : at + 12 - k * M] for k in (1, 2, 3)], axis=0)
    assert np.all(np.abs(found.cleaned[at : at + 12] - same_time) < 2.0)
    np.testing.assert_array_equal(found.y, y)  # the observed window is kept as it was


def _a_week_apart(y: np.ndarray) -> None:
    for d in (1, 8):
        y[d * M + 100 : d * M + 112] = 80.0


def _every_day(y: np.ndarray) -> None:
    for d in range(DAYS):
        y[d * M + 100 : d * M + 112] = 80.0


@pytest.mark.parametrize(
    ("case", "change"),
    [
        ("every day", _every_day),
        ("a burst not over yet", lambda y: y.__setitem__(slice(-6, None), 80.0)),
        ("back for less than an hour", lambda y: y.__setitem__(slice(-20, -11), 80.0)),
        ("smaller than the 0.5-ACU grid", lambda y: y.__setitem__(slice(8 * M + 100, 8 * M + 112), 4.3)),
        ("longer than a quarter day", lambda y: y.__setitem__(slice(8 * M, 8 * M + 80), 80.0)),
        ("in the first week of the window", lambda y: y.__setitem__(slice(6 * M + 100, 6 * M + 112), 80.0)),
        ("a week after the same", _a_week_apart),
        ("a dip", lambda y: y.__setitem__(slice(8 * M + 100, 8 * M + 112), 0.0)),
    ],
)
def test_what_is_not_a_finished_one_off_upward_excursion_is_kept(
    case: str, change: Callable[[np.ndarray], None]
) -> None:
    y = np.full(DAYS * M, 4.0) if "grid" in case else _daily()
    change(y)
    found = one_offs(y, M, 300, W)
    assert found.runs == (), case
    np.testing.assert_array_equal(found.cleaned, y)


def test_a_level_shift_stays() -> None:
    y = _daily()
    y[8 * M :] *= 4
    found = one_offs(y, M, 300, W)
    np.testing.assert_array_equal(found.cleaned[: 9 * M], y[: 9 * M])  # the day of the shift is kept
    # the day after, the baseline still lags, and a step above the whole day before may be flagged;
    # it is replaced by the baseline plus its neighbours' residuals: the new level, not the old
    assert np.all(np.abs(found.cleaned - y) <= 0.1 * y)


@pytest.mark.parametrize(("first", "second"), [(80.0, 80.0), (20.0, 40.0), (40.0, 41.0), (10.0, 12.0)])
def test_a_daily_job_is_a_pattern_from_its_second_run_on_whatever_its_size(
    first: float, second: float
) -> None:
    # the QA case: a second run a little larger than the first was flagged too when "recurs"
    # meant "reached as high"; now it means "was far out as well"
    y = _daily()
    y[7 * M + 100 : 7 * M + 112] = first  # day 7
    y[8 * M + 106 : 8 * M + 118] = second  # day 8, half an hour later
    assert one_offs(y, M, 300, W).runs == ()


def test_a_job_seen_once_more_in_the_first_two_days_is_a_pattern() -> None:
    y = _daily()
    y[M + 100 : M + 112] = 20.0  # day 1 (no baseline there): a tenth of day 8's height above its
    y[8 * M + 100 : 8 * M + 112] = 80.0  # baseline (~5.5 ACU, so 13 ACU) on day 8, a week later
    assert one_offs(y, M, 300, W).runs == ()
    y[M + 100 : M + 112] = 10.0  # below a tenth of the way up
    assert one_offs(y, M, 300, W).runs == ((8 * M + 100, 8 * M + 112),)


def test_a_small_blip_near_the_time_on_another_day_does_not_keep_a_burst() -> None:
    # QA: one far-out 5-min blip of 0.7 ACU at 09:10 the day before kept a 60-ACU burst at
    # 09:00-10:00, and the next day's p50 repeated it (60.5 ACU)
    y = np.full(14 * M, 0.5) + np.random.default_rng(0).normal(0, 0.02, 14 * M)
    y[12 * M + 108 : 12 * M + 120] += 60.0
    y[11 * M + 110] += 0.7
    assert one_offs(y, M, 300, W).runs == ((12 * M + 108, 12 * M + 120),)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast_demand(y[: 13 * M + 96], step_s=300, horizon=36, quantiles=(0.5, 0.9))
    assert fc.quantile(0.5).max() < 1.0


def test_a_burst_two_days_after_a_level_shift_is_one_off() -> None:
    # QA: the shift's own steps are far out against a baseline that still lags; with "far out"
    # alone the burst recurred with them
    y = np.full(14 * M, 4.0) + np.random.default_rng(0).normal(0, 0.05, 14 * M)
    y[10 * M :] += 8.0
    y[12 * M + 108 : 12 * M + 120] += 20.0
    assert one_offs(y, M, 300, W).runs == ((12 * M + 108, 12 * M + 120),)


def test_a_burst_at_the_first_step_with_a_baseline_is_kept_and_nothing_is_nan() -> None:
    # the replacement interpolates the residual of the step before the run, which has no
    # baseline there: it was NaN, and every forecast from the window failed
    y = _daily(days=14)
    y[2 * M : 2 * M + 12] = 80.0
    found = one_offs(y, M, 300, W)
    assert found.runs == () and np.all(np.isfinite(found.cleaned))


def test_fewer_than_three_seasons_are_kept_as_they_are() -> None:
    y = _daily(days=2)
    y[M + 100 : M + 112] = 80.0
    found = one_offs(y, M, 300, W)
    assert found.runs == () and np.array_equal(found.cleaned, y) and found.cleaned is not y


def test_the_fence_of_a_day_does_not_depend_on_later_days() -> None:
    y = _daily()
    at = 7 * M + 100
    y[at : at + 12] = 80.0
    noisier = y.copy()
    wild = np.random.default_rng(5).lognormal(0, 1.0, noisier.size - 8 * M)  # wilder later days...
    phase = np.arange(8 * M, noisier.size) % M
    noisier[8 * M :] *= np.where(np.abs(phase - 106) < 24, 1.0, wild)  # ...but calm around 08:20
    assert one_offs(y, M, 300, W).runs[0] == one_offs(noisier, M, 300, W).runs[0] == (at, at + 12)


def test_each_backtest_origin_sees_only_the_runs_confirmed_before_it() -> None:
    y = _daily()
    at = 8 * M + 100
    y[at : at + 12] = 80.0
    found = one_offs(y, M, 300, W)
    model = LastValue().fit(y[: 7 * M], 300)
    origins = np.array([at, at + 1, at + 12, at + 23, at + 24, at + 30], dtype=np.int64)
    errors = rolling_errors(model, y, origins, 1, found)
    # last value: the step before the origin, raw until the run is confirmed at at + 24
    seen = np.where(origins < at + 24, y[origins - 1], found.cleaned[origins - 1])
    np.testing.assert_array_equal(errors[:, 0], y[origins] - seen)
    raw = rolling_errors(model, y, origins, 1)  # without the runs: from the history as it was
    np.testing.assert_array_equal(raw[:, 0], y[origins] - y[origins - 1])


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    at=st.integers(3 * M, 9 * M),
    length=st.integers(1, 60),
    level=st.floats(0.0, 200.0),
)
def test_only_flagged_steps_change_and_nothing_goes_negative(
    seed: int, at: int, length: int, level: float
) -> None:
    y = _daily(seed=seed)
    y[at : at + length] = level
    found = one_offs(y, M, 300, W)
    changed = np.flatnonzero(found.cleaned != y)
    assert changed.size == found.n_replaced and np.all(found.cleaned >= 0.0)
    assert found.n_replaced == 0 or (changed.min() >= at and changed.max() < at + length)
    assert np.all(found.cleaned[changed] < y[changed])  # only upward excursions are replaced
    np.testing.assert_array_equal(one_offs(y, M, 300, W).cleaned, found.cleaned)  # deterministic


def test_the_day_after_a_one_off_burst_the_median_does_not_repeat_it() -> None:
    y = _daily(days=10)
    at = 8 * M + 100
    y[at : at + 12] *= 20  # to about 120 ACU for an hour, once
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast_demand(y[: 9 * M + 96], step_s=300, horizon=36, quantiles=(0.5, 0.9))
    # before the fix a seasonal model won the backtest and forecast the burst again at p50 (121 ACU)
    assert fc.quantile(0.5).max() < 10.0
    # nor at p90 in that hour: one burst on one day is no evidence about the 08:00 hour (before
    # the fix its error put p90 at 59 ACU there for the next three days)
    assert fc.quantile(0.9).max() < 10.0


def test_a_new_daily_job_is_forecast_at_the_median_after_its_second_run() -> None:
    # the QA reproduction: a job at 08:00-09:00 on days 11 (20 ACU) and 12 (40 ACU) over ~4 ACU;
    # with "recurs" meaning "reached as high" both runs were replaced and p50 stayed at 4 ACU
    y = 4 + np.random.default_rng(0).normal(0, 0.15, 14 * M)
    y[11 * M + 96 : 11 * M + 108] = 20.0
    y[12 * M + 96 : 12 * M + 108] = 40.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast_demand(y[: 13 * M + 84], step_s=300, horizon=36, quantiles=(0.5, 0.9))
    assert fc.quantile(0.5)[12:24].max() > 35.0  # day 13's 08:00-09:00, an hour ahead
