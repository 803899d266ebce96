"""Known values for seasonal_ar, ses, mstl and the rolling-origin paths (against statsmodels)."""

import numpy as np
import pytest
from conftest import SEASON_STEPS, diurnal
from statsmodels.tsa.ar_model import AutoReg

from forecasting import (
    MODEL_NAMES,
    ForecastConfig,
    HoltWinters,
    MSTLForecaster,
    SeasonalAR,
    SimpleExpSmoothing,
    make_model,
)
from forecasting.ar import MAX_PHI_SUM, fit_ar
from forecasting.ses import ses_levels

STEP_S = 300


def test_seasonal_ar_coefficients_match_statsmodels_autoreg():
    history, _ = diurnal(5 * SEASON_STEPS, seed=6)
    model = SeasonalAR(order=3).fit(history, STEP_S)
    d = history[SEASON_STEPS:] - history[:-SEASON_STEPS]
    ref = AutoReg(d, lags=3, trend="n").fit()
    np.testing.assert_allclose(model.coef_[1], ref.params, rtol=1e-8)


def test_seasonal_ar_decays_to_seasonal_naive():
    history, _ = diurnal(5 * SEASON_STEPS, seed=6)
    history[-12:] += 3.0  # the last hour runs 3 ACU above yesterday
    model = SeasonalAR().fit(history, STEP_S)
    path = model.predict(SEASON_STEPS, (0.5,)).quantile(0.5)
    excess = path - history[-SEASON_STEPS:] - np.median(path - history[-SEASON_STEPS:])
    assert excess[0] > 1.0  # the excess is carried forward ...
    assert abs(excess[-1]) < 0.5  # ... and decays towards yesterday's shape


def test_ar_fit_caps_explosive_coefficients():
    x = 1.05 ** np.arange(200)  # explosive growth: OLS gives phi > 1
    _, phi = fit_ar(x, 1, constant=False, field="x")
    assert np.sum(np.abs(phi)) == pytest.approx(MAX_PHI_SUM)


def test_ses_levels_follow_the_recursion():
    x = np.array([2.0, 4.0, 3.0, 5.0])
    alpha = 0.5
    expected = [2.0]
    for v in x[1:]:
        expected.append(alpha * v + (1 - alpha) * expected[-1])
    np.testing.assert_allclose(ses_levels(x, alpha), expected)


def test_ses_alpha_is_high_for_a_random_walk_and_low_for_noise():
    rng = np.random.default_rng(2)
    walk = 500 + np.cumsum(rng.normal(0, 1, 2000))
    noise = 50 + rng.normal(0, 1, 2000)
    assert SimpleExpSmoothing().fit(walk, STEP_S).alpha_ > 0.9
    assert SimpleExpSmoothing().fit(noise, STEP_S).alpha_ < 0.1


def test_mstl_repeats_a_clean_daily_pattern():
    t = np.arange(4 * SEASON_STEPS)
    history = 10 + 4 * np.sin(2 * np.pi * t / SEASON_STEPS)
    model = MSTLForecaster().fit(history, STEP_S)
    assert model.periods_ == (SEASON_STEPS,)  # 4 days cannot hold two weekly cycles
    fc = model.predict(36, (0.5,))
    truth = 10 + 4 * np.sin(2 * np.pi * np.arange(t.size, t.size + 36) / SEASON_STEPS)
    np.testing.assert_allclose(fc.quantile(0.5), truth, atol=0.05)


def test_mstl_adds_the_weekly_component_with_enough_history():
    history, _ = diurnal(15 * SEASON_STEPS, seed=8)
    model = MSTLForecaster().fit(history, STEP_S)
    assert model.periods_ == (SEASON_STEPS, 7 * SEASON_STEPS)


def test_holt_winters_filter_continues_statsmodels_states():
    history, _ = diurnal(5 * SEASON_STEPS, seed=9)
    full = HoltWinters(trend="damped").fit(history, STEP_S)
    cut = HoltWinters(trend="damped").fit(history, STEP_S)
    for name in ("y_", "level_", "trend_", "season_"):  # pretend the fit ended 300 steps early
        setattr(cut, name, getattr(full, name)[:-300].copy())
    origins = np.array([history.size - 200, history.size])
    np.testing.assert_allclose(
        cut.point_paths(history, origins, 36), full.point_paths(history, origins, 36), atol=1e-9
    )


@pytest.mark.parametrize("name", MODEL_NAMES)
def test_point_paths_never_read_at_or_after_the_origin(name):
    history, _ = diurnal(8 * SEASON_STEPS, seed=10)
    model = make_model(name, ForecastConfig()).fit(history[: 7 * SEASON_STEPS], STEP_S)
    origins = np.array([7 * SEASON_STEPS + 10, 7 * SEASON_STEPS + 100], dtype=np.int64)
    before = model.point_paths(history, origins, 36)
    changed = history.copy()
    changed[origins[0] :] += 100.0  # the future, from the first origin on
    after = model.point_paths(changed, origins[:1], 36)
    np.testing.assert_array_equal(after, before[:1])
