"""Backtest selection, split-conformal calibration and the reported scores (seeded, no files)."""

import warnings

import numpy as np
import pytest
from conftest import SEASON_STEPS, diurnal

from forecasting import AutoForecaster, ForecastConfig, ModelScore, forecast_demand
from forecasting.backtest import split_origins
from forecasting.intervals import conformal_offsets, horizon_bands, pinball_score
from traces import AcuRule, TraceSeries, demand_series

STEP_S = 300
HORIZON = 36
QUANTILES = (0.5, 0.9, 0.95)


def test_horizon_bands_double_in_width():
    bands = [(b.start, b.stop) for b in horizon_bands(36)]
    assert bands == [(0, 1), (1, 3), (3, 7), (7, 15), (15, 31), (31, 36)]
    assert [(b.start, b.stop) for b in horizon_bands(1)] == [(0, 1)]


def test_conformal_offsets_are_split_conformal_order_statistics():
    errors = np.arange(1.0, 20.0)[:, np.newaxis]  # 19 errors 1..19, one step
    offsets = conformal_offsets(errors, (0.1, 0.5, 0.9, 0.95))
    # k = floor(20 * 0.1) = 2; ceil(20 * 0.5) = 10; ceil(20 * 0.9) = 18; ceil(20 * 0.95) = 19
    np.testing.assert_array_equal(offsets[:, 0], [2.0, 10.0, 18.0, 19.0])


def test_conformal_offsets_pool_errors_within_a_band():
    errors = np.tile([0.0, 1.0, 2.0, 3.0], (40, 1))  # bands {1}, {2, 3}, {4}
    offsets = conformal_offsets(errors, (0.5,))
    np.testing.assert_array_equal(offsets[0], [0.0, 2.0, 2.0, 3.0])  # band {2,3}: 80 errors


def test_pinball_score_of_perfect_forecast_is_zero():
    assert pinball_score(np.zeros((5, 3)), np.zeros((2, 3)), (0.5, 0.9)) == 0.0
    # e = 1 above a p90 offset of 0: loss 0.9; below a p50 offset of 2: loss 0.5 * 1
    assert pinball_score(np.ones((1, 1)), np.array([[2.0], [0.0]]), (0.5, 0.9)) == pytest.approx(0.7)


def test_split_covers_the_last_calibration_span_or_keeps_two_seasons():
    train, origins = split_origins(4032, 36, 576, 576)
    assert (train, origins[0], origins[-1], origins.size) == (3456, 3456, 3996, 181)
    train, origins = split_origins(864, 36, 576, 576)
    assert (train, origins.size) == (576, 85)


def weekly(n_days: int, seed: int = 0) -> np.ndarray:
    """A weekday/weekend pattern: 10 ACU busy hours on weekdays, 3 ACU otherwise, plus noise."""
    t = np.arange(n_days * SEASON_STEPS)
    day = t // SEASON_STEPS
    busy = (day % 7 < 5) & (t % SEASON_STEPS >= 96) & (t % SEASON_STEPS < 216)
    rng = np.random.default_rng(seed)
    return np.where(busy, 10.0, 3.0) + rng.normal(0.0, 0.2, t.size)


def test_weekly_pattern_selects_a_weekly_model():
    history = weekly(14)[: 13 * SEASON_STEPS + 100]  # backtest spans Friday to Sunday
    fc = forecast_demand(history, step_s=STEP_S, horizon=HORIZON, quantiles=QUANTILES)
    assert fc.model == "seasonal_naive_weekly"
    scores = {c.model: c.pinball_acu for c in fc.candidates}
    assert scores["seasonal_naive_weekly"] < 0.5 * scores["seasonal_naive"]


def _office_hours(n_days: int) -> np.ndarray:
    """Weekdays 09:00-17:00 at 24 ACU, else 0.5 ACU, from a Monday 00:00; no noise."""
    t = np.arange(n_days * SEASON_STEPS)
    busy = (t // SEASON_STEPS % 7 < 5) & (t % SEASON_STEPS >= 108) & (t % SEASON_STEPS < 204)
    return np.where(busy, 24.0, 0.5)


@pytest.mark.parametrize(
    ("end_step", "p50_at_9"),
    [
        (14 * SEASON_STEPS + 96, 24.0),  # Monday 08:00 after a flat weekend: every level model scores 0
        (12 * SEASON_STEPS + 96, 0.5),  # Saturday 08:00 after identical weekdays: daily = weekly there
    ],
)
def test_tied_backtest_is_settled_on_the_earlier_origins(end_step: int, p50_at_9: float) -> None:
    # The 2-day backtest cannot tell the models apart (QA case from the issue tracker's shapes:
    # Monday's p50 was 0.5 ACU against 24 served, Saturday's 24); the week before can.
    history = _office_hours(15)[:end_step]
    fc = forecast_demand(history, step_s=STEP_S, horizon=HORIZON, quantiles=QUANTILES)
    assert fc.model == "seasonal_naive_weekly"
    assert fc.demand_acu[QUANTILES.index(0.5), 12] == pytest.approx(p50_at_9)


def test_random_walk_selects_a_level_model():
    history = 50.0 + np.cumsum(np.random.default_rng(5).normal(0.0, 0.5, 6 * SEASON_STEPS))
    fc = forecast_demand(np.clip(history, 0.0, None), step_s=STEP_S, horizon=HORIZON, quantiles=QUANTILES)
    assert fc.model in {"last_value", "ses", "seasonal_ar"}


def test_report_fields_describe_the_choice():
    history, _ = diurnal(5 * SEASON_STEPS, seed=2)
    fc = AutoForecaster(horizon=HORIZON, quantiles=QUANTILES).fit(history, STEP_S).predict(HORIZON, QUANTILES)
    assert all(isinstance(c, ModelScore) for c in fc.candidates)
    assert fc.backtest_pinball_acu == min(c.pinball_acu for c in fc.candidates)
    assert fc.n_backtest_origins == split_origins(history.size, HORIZON, 576, 576)[1].size


def test_longer_prediction_than_backtest_horizon_widens():
    history, _ = diurnal(5 * SEASON_STEPS, seed=2)
    model = AutoForecaster(horizon=12, quantiles=QUANTILES).fit(history, STEP_S)
    fc = model.predict(48, QUANTILES)
    width = fc.quantile(0.95) - fc.quantile(0.5)
    assert width[-1] > width[11] > 0.0  # sqrt(h / 12) beyond the measured 12 steps


@pytest.mark.parametrize("seed", [11, 12])
def test_p95_coverage_over_rolling_origins(seed):
    """Seeded noisy diurnal demand with bursts: stated p95 covers ~95% (loose band: 48 origins)."""
    rng = np.random.default_rng(seed)
    n = 12 * SEASON_STEPS
    t = np.arange(n)
    series = 20 + 8 * np.sin(2 * np.pi * t / SEASON_STEPS) + rng.normal(0.0, 1.0, n)
    series += np.where(rng.random(n) < 0.01, rng.uniform(3.0, 8.0, n), 0.0)
    hits = total = 0
    for origin in range(8 * SEASON_STEPS, n - HORIZON, 24):
        fc = forecast_demand(series[:origin], step_s=STEP_S, horizon=HORIZON, quantiles=(0.5, 0.95))
        actual = series[origin : origin + HORIZON]
        hits += int(np.sum(actual <= fc.quantile(0.95)))
        total += HORIZON
    assert 0.90 <= hits / total <= 0.99, f"p95 coverage {hits / total:.3f}"


def test_jittered_timestamps_are_regularised_before_forecasting():
    """Jitter never reaches forecasting: traces.demand_series maps samples to the step grid."""
    rng = np.random.default_rng(3)
    n = 4 * SEASON_STEPS
    offsets = np.arange(n) * STEP_S + rng.integers(-60, 61, n)  # +-60 s jitter, still increasing
    ts = np.datetime64("2024-01-01T00:00:00", "s") + offsets.astype("timedelta64[s]")
    value = diurnal(n, seed=3)[0]
    series = TraceSeries("c", "capacity", "acu", ts, value)
    demand = demand_series(series, step_s=STEP_S, rule=AcuRule()).demand_acu
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # jitter can leave a step empty: a gap note
        fc = forecast_demand(demand, step_s=STEP_S, horizon=HORIZON, quantiles=QUANTILES)
    assert fc.demand_acu.shape == (3, HORIZON) and np.all(np.isfinite(fc.demand_acu))


def test_backtest_span_is_configurable():
    history, _ = diurnal(6 * SEASON_STEPS, seed=4)
    short = forecast_demand(history, config=ForecastConfig(backtest_s=86_400))
    assert short.n_backtest_origins == split_origins(history.size, HORIZON, 288, 576)[1].size


def test_a_window_asked_again_at_other_quantiles_reuses_its_fits_and_gives_the_same_forecast():
    from forecasting import selection, shared_backtests

    y, _ = diurnal(4 * SEASON_STEPS, seed=7)
    y[500:506] *= 4.0  # a one-off burst, so the kept one-offs matter
    first, second = (0.1, 0.5, 0.9), (0.05, 0.5, 0.8, 0.95)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fresh = forecast_demand(y, STEP_S, HORIZON, second)  # no block: fitted from scratch
        assert selection._backtests.get() is None
        with shared_backtests():
            forecast_demand(y, STEP_S, HORIZON, first)
            kept = selection._backtests.get()
            assert kept is not None
            (entry,) = kept.values()
            again = forecast_demand(y, STEP_S, HORIZON, second)  # the first call's fits
            assert list(kept.values()) == [entry]  # nothing refitted
        assert selection._backtests.get() is None  # nothing kept after the block
    assert again.model == fresh.model and again.warnings == fresh.warnings
    assert again.candidates == fresh.candidates
    np.testing.assert_array_equal(again.demand_acu, fresh.demand_acu)  # to the bit
    assert all(f.errors is None or not f.errors.flags.writeable for f in entry.fitted)
