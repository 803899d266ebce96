"""forecast_demand: model selection, fallbacks with exact warnings, and hard inputs (table-driven)."""

import re
import warnings

import numpy as np
import pytest

from forecasting import (
    MODEL_NAMES,
    ForecastConfig,
    ForecastingError,
    ForecastWarning,
    InsufficientHistoryError,
    InvalidHistoryError,
    ModelFitError,
    forecast_demand,
)

STEP_S = 300
SEASON_STEPS = 288
HORIZON = 36
QUANTILES = (0.5, 0.9, 0.95)


def run(history, **kwargs):
    """Call forecast_demand recording warnings; return (forecast, emitted warning texts)."""
    kwargs = {"step_s": STEP_S, "horizon": HORIZON, "quantiles": QUANTILES} | kwargs
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fc = forecast_demand(history, **kwargs)
    ours = [str(w.message) for w in caught if issubclass(w.category, ForecastWarning)]
    assert len(ours) == len(caught), f"non-ForecastWarning leaked: {caught}"
    return fc, ours


def assert_valid(fc):
    d = fc.demand_acu
    assert d.shape == (len(QUANTILES), HORIZON)
    assert np.all(np.isfinite(d)) and np.all(d >= 0.0)
    assert np.all(np.diff(d, axis=0) >= 0.0)


def test_clean_two_weeks_selects_by_backtest_without_warnings(make_diurnal):
    history, _ = make_diurnal(14 * SEASON_STEPS)
    fc, emitted = run(history)
    assert (fc.warnings, emitted) == ((), [])
    assert_valid(fc)
    names = [c.model for c in fc.candidates]
    assert names == list(ForecastConfig().candidates), "every candidate is scored on a 14-day window"
    assert names == [m for m in MODEL_NAMES if m != "mstl"]  # mstl only when asked for by name
    best = min(fc.candidates, key=lambda c: c.pinball_acu)
    assert fc.model == best.model and fc.backtest_pinball_acu == best.pinball_acu
    assert fc.model in {"holt_winters", "mstl"}  # a noisy sine: the seasonal smoothers win
    assert fc.n_backtest_origins == 181  # 2 days of origins, one every 3 steps


def test_only_the_max_history_window_is_used(make_diurnal):
    history, _ = make_diurnal(20 * SEASON_STEPS, seed=4)
    window = history[-14 * SEASON_STEPS :]
    assert run(history)[0] == run(window)[0]


CASES = [
    # (id, history, expected model, expected warning regex)
    (
        "all-zeros",
        np.zeros(3 * SEASON_STEPS),
        "seasonal_naive",
        r"^history is constant \(0 ACU over 864 steps\); backtest skipped; using seasonal_naive$",
    ),
    (
        "constant",
        np.full(3 * SEASON_STEPS, 2.5),
        "seasonal_naive",
        r"^history is constant \(2\.5 ACU over 864 steps\)",
    ),
    (
        "constant-shorter-than-one-season",
        np.full(100, 2.5),
        "last_value",
        r"^history is constant \(2\.5 ACU over 100 steps\); backtest skipped; using last_value$",
    ),
    (
        "single-step",
        np.array([4.0]),
        "last_value",
        r"^history is constant \(4 ACU over 1 steps\)",
    ),
    (
        "too-short-to-backtest",
        np.linspace(1.0, 5.0, 60),
        "last_value",
        r"^history has 60 steps; a backtest at horizon 36 needs >= 85; using last_value$",
    ),
    (
        "shorter-than-one-season",
        np.linspace(1.0, 5.0, 200),
        "last_value",  # a ramp: the last value beats a lagging smoothed level
        r"^history has 200 steps, 116 before the backtest origins; seasonal_ar needs >= 341, "
        r"holt_winters needs >= 576; chose among last_value, ses$",
    ),
]


@pytest.mark.parametrize(("history", "model", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_degenerate_history_degrades_with_warning(history, model, pattern):
    fc, emitted = run(history)
    assert fc.model == model
    assert_valid(fc)
    assert re.search(pattern, fc.warnings[0]), fc.warnings
    # a rising ramp also ends above every earlier hour: the level warning follows the fallback;
    # with 17 origins (200 steps) p95 is beyond what split conformal can calibrate (17/18 = 0.944)
    assert all(
        w.startswith("unprecedented level:") or "backtest origins can calibrate" in w for w in fc.warnings[1:]
    ), fc.warnings
    assert emitted == list(fc.warnings)


def test_shorter_than_two_seasons_backtests_what_fits(make_diurnal):
    history, _ = make_diurnal(400)
    fc, _ = run(history)
    assert_valid(fc)
    assert {c.model for c in fc.candidates} == {"last_value", "ses", "seasonal_naive"}
    assert re.search(
        r"^history has 400 steps, 316 before the backtest origins; seasonal_ar needs", fc.warnings[0]
    )


def test_all_zero_history_forecasts_zero():
    fc, _ = run(np.zeros(1000))
    np.testing.assert_array_equal(fc.demand_acu, 0.0)


def test_constant_history_forecasts_the_constant():
    fc, _ = run(np.full(1000, 3.0))
    np.testing.assert_array_equal(fc.demand_acu, 3.0)


def test_mostly_zero_history_stays_non_negative(make_diurnal):
    history, _ = make_diurnal(7 * SEASON_STEPS)
    history[np.arange(history.size) % SEASON_STEPS < 200] = 0.0  # auto-paused most of each day
    fc, _ = run(history)
    assert_valid(fc)  # additive models only: zeros never divide (no multiplicative seasonality)


def test_min_seasons_keeps_holt_winters_out_of_short_backtests(make_diurnal):
    history, _ = make_diurnal(4 * SEASON_STEPS)  # 1,068 training steps < 4 seasons
    fc, _ = run(history, config=ForecastConfig(min_seasons=4))
    assert "holt_winters" not in {c.model for c in fc.candidates}
    assert "holt_winters" in {c.model for c in run(history)[0].candidates}


def test_explicit_model_is_backtested_alone(make_diurnal):
    history, _ = make_diurnal(3 * SEASON_STEPS)
    fc, emitted = run(history, config=ForecastConfig(model="seasonal_naive"))
    assert (fc.model, emitted) == ("seasonal_naive", [])
    assert [c.model for c in fc.candidates] == ["seasonal_naive"]


def test_nan_gaps_are_filled_and_reported(make_diurnal):
    history, _ = make_diurnal(5 * SEASON_STEPS)
    history[:3] = np.nan  # leading gap
    history[400:700] = np.nan  # a day-long outage
    history[-5:] = np.nan  # the most recent steps are missing too
    fc, emitted = run(history)
    assert_valid(fc)
    assert fc.warnings[0].startswith("the history had 308 of 1440 steps missing; the forecaster filled them")
    assert emitted == list(fc.warnings)


def test_isolated_spike_stays_bounded(make_diurnal):
    history, _ = make_diurnal(7 * SEASON_STEPS)
    history[-100] = 500.0  # one 5-minute burst at 50x normal demand
    fc, _ = run(history)
    assert_valid(fc)
    assert fc.quantile(0.5).max() < 50.0  # one step must not blow up the median
    assert fc.quantile(0.95).max() < 100.0


def test_very_large_values_scale_cleanly(make_diurnal):
    history, _ = make_diurnal(7 * SEASON_STEPS)
    small, _ = run(history)
    large, _ = run(history * 1e5)  # ~1e6 ACU
    assert_valid(large)
    assert large.model == small.model
    np.testing.assert_allclose(large.demand_acu, small.demand_acu * 1e5, rtol=1e-3)


def test_failed_candidate_is_dropped_with_a_warning(make_diurnal, monkeypatch):
    def broken(*args, **kwargs):
        raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr("forecasting.holt_winters._build_model", broken)
    history, _ = make_diurnal(7 * SEASON_STEPS)
    fc, emitted = run(history)
    assert_valid(fc)
    assert "holt_winters" not in {c.model for c in fc.candidates}
    assert fc.warnings == (
        "holt_winters dropped from the backtest: "
        "statsmodels ExponentialSmoothing fit failed: singular matrix",
    )
    assert emitted == list(fc.warnings)


def test_a_candidate_whose_backtest_loss_overflows_is_dropped_with_a_warning(make_diurnal, monkeypatch):
    # values near 1e308 can overflow the pinball sum of a finite error matrix (QA: a raw
    # pydantic ValidationError for ModelScore(pinball_acu=inf) instead of a forecast)
    import forecasting.selection as selection

    scores, calls = selection._scores, []

    def first_overflows(*args):
        score, held = scores(*args)
        calls.append(score)
        return (np.inf if len(calls) == 1 else score), held

    monkeypatch.setattr(selection, "_scores", first_overflows)
    history, _ = make_diurnal(7 * SEASON_STEPS)
    fc, _ = run(history)
    assert_valid(fc)
    first = ForecastConfig().candidates[0]
    assert first not in {c.model for c in fc.candidates}
    assert (
        f"{first} dropped from the backtest: its backtest pinball loss overflows float64 (values near 1e308)"
        in fc.warnings
    )


def test_only_candidate_failing_falls_back_to_seasonal_naive(make_diurnal, monkeypatch):
    monkeypatch.setattr(
        "forecasting.holt_winters.HoltWinters._state_forecast",
        lambda self, origins, h, states=None: np.full(np.broadcast(origins, h).shape, np.nan),
    )
    history, _ = make_diurnal(3 * SEASON_STEPS)
    fc, _ = run(history, config=ForecastConfig(model="holt_winters"))
    assert fc.model == "seasonal_naive"
    assert_valid(fc)
    assert re.search(
        r"^history has 864 steps; no candidate of \('holt_winters',\) could be backtested "
        r"\(holt_winters dropped from the backtest: holt_winters produced non-finite backtest "
        r"forecasts\); using seasonal_naive$",
        fc.warnings[0],
    )


def test_non_converging_fit_is_reported(make_diurnal, monkeypatch):
    monkeypatch.setattr(
        "forecasting.holt_winters._FIT_KWARGS",
        {"optimized": True, "use_brute": False, "minimize_kwargs": {"options": {"maxiter": 1}}},
    )
    history, _ = make_diurnal(3 * SEASON_STEPS)
    fc, _ = run(history, config=ForecastConfig(model="holt_winters"))
    assert fc.model == "holt_winters"
    assert_valid(fc)
    assert re.search(
        r"^holt_winters: the statsmodels optimiser did not converge \(.*ITERATIONS", fc.warnings[0]
    )


def test_forecast_is_deterministic(make_diurnal):
    history, _ = make_diurnal(10 * SEASON_STEPS, seed=3)
    assert run(history)[0] == run(history.copy())[0]


def test_model_fit_error_is_a_forecasting_error():
    assert issubclass(ModelFitError, ForecastingError)


def test_negative_value_names_field_and_index():
    history = np.ones(50)
    history[17] = -0.5
    with pytest.raises(InvalidHistoryError, match=r"history_acu\[17\]=-0\.5 must be >= 0 ACU"):
        forecast_demand(history, step_s=STEP_S, horizon=HORIZON, quantiles=QUANTILES)


def test_infinite_value_is_invalid():
    with pytest.raises(InvalidHistoryError, match=r"history_acu\[1\]=inf must be finite"):
        forecast_demand(np.array([1.0, np.inf]))


@pytest.mark.parametrize("history", [np.array([]), []], ids=["empty-array", "empty-list"])
def test_empty_history_is_insufficient(history):
    with pytest.raises(InsufficientHistoryError, match="history_acu is empty"):
        forecast_demand(history)


def test_all_missing_history_is_insufficient():
    with pytest.raises(InsufficientHistoryError, match="all missing"):
        forecast_demand(np.full(10, np.nan))


def test_two_dimensional_history_is_invalid():
    with pytest.raises(InvalidHistoryError, match=r"must be 1-D \(n_steps,\), got shape \(2, 3\)"):
        forecast_demand(np.ones((2, 3)))


def test_a_quantile_beyond_what_the_backtest_can_calibrate_is_said() -> None:
    """Split conformal needs ceil((n + 1) q) <= n errors: with 93 origins p99.9 and p0.1 are the
    most extreme errors seen, so the forecast says so (they saturated silently before)."""
    from traces import diurnal_demand

    history = diurnal_demand(3 * 288, step_s=300, seed=1, base_acu=2, peak_acu=10)
    with pytest.warns(ForecastWarning, match="beyond what 93 backtest origins can calibrate"):
        fc = forecast_demand(history, step_s=300, horizon=12, quantiles=(0.001, 0.5, 0.9, 0.999999999))
    plain = forecast_demand(history, step_s=300, horizon=12, quantiles=(0.5, 0.9, 0.95))

    (note,) = [w for w in fc.warnings if "calibrate" in w]
    assert note.startswith("quantile(s) 0.001, 0.999999999 are beyond what 93 backtest origins")
    assert "(0.0106 to 0.989)" in note
    assert not any("calibrate" in w for w in plain.warnings)
