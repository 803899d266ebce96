"""forecast_demand: model selection, fallbacks with exact warnings, and hard inputs (table-driven)."""

import re
import warnings

import numpy as np
import pytest

from forecasting import (
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


def test_clean_two_weeks_uses_holt_winters_without_warnings(make_diurnal):
    history, _ = make_diurnal(14 * SEASON_STEPS)
    fc, emitted = run(history)
    assert (fc.model, fc.warnings, emitted) == ("holt_winters", (), [])
    assert_valid(fc)


def test_only_the_max_history_window_is_used(make_diurnal):
    history, _ = make_diurnal(20 * SEASON_STEPS, seed=4)
    window = history[-14 * SEASON_STEPS :]
    assert run(history)[0] == run(window)[0]


CASES = [
    # (id, history, expected model, expected warning regex or None)
    (
        "all-zeros",
        np.zeros(3 * SEASON_STEPS),
        "seasonal_naive",
        r"^history is constant \(0 ACU over 864 steps\); holt_winters skipped; using seasonal_naive$",
    ),
    (
        "constant",
        np.full(3 * SEASON_STEPS, 2.5),
        "seasonal_naive",
        r"^history is constant \(2\.5 ACU over 864 steps\)",
    ),
    (
        "single-step",
        np.array([4.0]),
        "last_value",
        r"^history has 1 steps, shorter than one season \(288 steps of 300 s\)",
    ),
    (
        "shorter-than-one-season",
        np.linspace(1.0, 5.0, 200),
        "last_value",
        r"^history has 200 steps, shorter than one season \(288 steps of 300 s\); "
        r"holt_winters needs >= 576; using last_value$",
    ),
    (
        "shorter-than-two-seasons",
        np.linspace(1.0, 5.0, 400),
        "seasonal_naive",
        r"^history has 400 steps; holt_winters with season 288 steps needs >= 576; "
        r"using seasonal_naive$",
    ),
]


@pytest.mark.parametrize(("history", "model", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_degenerate_history_degrades_with_warning(history, model, pattern):
    fc, emitted = run(history)
    assert fc.model == model
    assert_valid(fc)
    assert len(fc.warnings) == 1 and re.search(pattern, fc.warnings[0]), fc.warnings
    assert emitted == list(fc.warnings)


def test_all_zero_history_forecasts_zero():
    fc, _ = run(np.zeros(1000))
    np.testing.assert_array_equal(fc.demand_acu, 0.0)


def test_constant_history_forecasts_the_constant():
    fc, _ = run(np.full(1000, 3.0))
    np.testing.assert_array_equal(fc.demand_acu, 3.0)


def test_min_seasons_is_respected(make_diurnal):
    history, _ = make_diurnal(3 * SEASON_STEPS)
    fc, _ = run(history, config=ForecastConfig(min_seasons=4))
    assert fc.model == "seasonal_naive"
    assert "needs >= 1152" in fc.warnings[0]


def test_explicit_seasonal_naive_skips_holt_winters(make_diurnal):
    history, _ = make_diurnal(3 * SEASON_STEPS)
    fc, emitted = run(history, config=ForecastConfig(model="seasonal_naive"))
    assert (fc.model, emitted) == ("seasonal_naive", [])


def test_nan_gaps_are_filled_and_reported(make_diurnal):
    history, _ = make_diurnal(5 * SEASON_STEPS)
    history[:3] = np.nan  # leading gap
    history[400:700] = np.nan  # a day-long outage
    history[-5:] = np.nan  # the most recent steps are missing too
    fc, emitted = run(history)
    assert fc.model == "holt_winters"
    assert_valid(fc)
    assert fc.warnings[0].startswith("history_acu had 308 missing (NaN) steps of 1440; filled")
    assert emitted == list(fc.warnings)


def test_isolated_spike_stays_bounded(make_diurnal):
    history, _ = make_diurnal(7 * SEASON_STEPS)
    history[-100] = 500.0  # one 5-minute burst at 50x normal demand
    fc, _ = run(history)
    assert_valid(fc)
    assert fc.model == "holt_winters"
    assert fc.quantile(0.5).max() < 50.0  # one step must not blow up the median


def test_very_large_values_scale_cleanly(make_diurnal):
    history, _ = make_diurnal(7 * SEASON_STEPS)
    small, _ = run(history)
    large, _ = run(history * 1e5)  # ~1e6 ACU
    assert_valid(large)
    assert large.model == "holt_winters"
    np.testing.assert_allclose(large.demand_acu, small.demand_acu * 1e5, rtol=1e-3)


def test_holt_winters_failure_falls_back_to_seasonal_naive(make_diurnal, monkeypatch):
    def broken(*args, **kwargs):
        raise np.linalg.LinAlgError("singular matrix")

    monkeypatch.setattr("forecasting.holt_winters._build_model", broken)
    history, _ = make_diurnal(3 * SEASON_STEPS)
    fc, emitted = run(history)
    assert fc.model == "seasonal_naive"
    assert fc.warnings == (
        "holt_winters fit failed (statsmodels ExponentialSmoothing fit failed: singular matrix); "
        "using seasonal_naive",
    )
    assert emitted == list(fc.warnings)


def test_holt_winters_non_finite_output_falls_back(make_diurnal, monkeypatch):
    monkeypatch.setattr(
        "forecasting.holt_winters.HoltWinters._state_forecast",
        lambda self, origins, h: np.full(np.broadcast(origins, h).shape, np.nan),
    )
    history, _ = make_diurnal(3 * SEASON_STEPS)
    fc, _ = run(history)
    assert fc.model == "seasonal_naive"
    assert "non-finite" in fc.warnings[0]
    assert_valid(fc)


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
