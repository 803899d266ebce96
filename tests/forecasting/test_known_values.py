"""Known-value checks: exact seasonal-naive output, Holt-Winters accuracy and agreement with statsmodels."""

import warnings

import numpy as np
import pytest
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from forecasting import HoltWinters, LastValue, SeasonalNaive

STEP_S = 300
SEASON_STEPS = 288
QUANTILES = (0.05, 0.5, 0.9, 0.95)


def test_seasonal_naive_repeats_last_season_exactly():
    season = np.array([1.0, 4.0, 9.0, 4.0, 1.0])  # 5 steps of 300 s = 1500 s season
    history = np.tile(season, 6)  # 30 steps -> 25 zero residuals (>= MIN_RESIDUALS)
    fc = SeasonalNaive(season_s=1500).fit(history, STEP_S).predict(12, QUANTILES)
    np.testing.assert_array_equal(fc.quantile(0.5), np.tile(season, 3)[:12])
    # perfectly periodic: all in-sample errors are 0, so the band collapses onto the point
    np.testing.assert_array_equal(fc.quantile(0.95), fc.quantile(0.05))
    assert fc.model == "seasonal_naive"


def test_seasonal_naive_band_widens_by_sqrt_of_seasons_ahead():
    rng = np.random.default_rng(3)
    history = np.tile([10.0, 20.0, 30.0, 20.0], 50) + rng.normal(0, 1.0, 200)
    fc = SeasonalNaive(season_s=1200).fit(history, STEP_S).predict(8, (0.5, 0.95))
    resid = history[4:] - history[:-4]
    offset_1 = np.quantile(resid, 0.95)
    width = fc.quantile(0.95) - history[-4:][np.arange(8) % 4]
    np.testing.assert_allclose(width[:4], offset_1)  # first season ahead: k = 1
    np.testing.assert_allclose(width[4:], offset_1 * np.sqrt(2.0))  # second season: k = 2


def test_seasonal_naive_uses_relative_spread_with_few_residuals():
    history = np.tile([2.0, 4.0], 5)  # 10 steps, 8 residuals < MIN_RESIDUALS = 20
    fc = SeasonalNaive(season_s=600).fit(history, STEP_S).predict(2, (0.5, 0.95))
    # offset = z_0.95 * 0.25 * point = 1.6449 * 0.25 * point
    np.testing.assert_allclose(fc.quantile(0.95), np.array([2.0, 4.0]) * (1 + 1.6448536 * 0.25))
    np.testing.assert_allclose(fc.quantile(0.5), [2.0, 4.0])


def test_last_value_repeats_last_observation():
    fc = LastValue().fit([3.0, 1.0, 7.5], STEP_S).predict(4, (0.5,))
    np.testing.assert_array_equal(fc.quantile(0.5), [7.5] * 4)


def test_holt_winters_tracks_a_noisy_sine(make_diurnal):
    n = 7 * SEASON_STEPS
    history, _ = make_diurnal(n, noise_sd=0.5, seed=11)
    _, truth = make_diurnal(SEASON_STEPS, start=n)
    fc = HoltWinters().fit(history, STEP_S).predict(SEASON_STEPS, QUANTILES)
    mae = np.abs(fc.quantile(0.5) - truth).mean()
    flat_mae = np.abs(history.mean() - truth).mean()  # ~3.2 ACU for amplitude 5
    assert mae < 0.25  # bound: half the noise sd (0.5 ACU); measured ~0.1
    assert mae < 0.1 * flat_mae


def test_holt_winters_point_matches_statsmodels(make_diurnal):
    history, _ = make_diurnal(4 * SEASON_STEPS, seed=5)
    horizon = 2 * SEASON_STEPS
    ours = HoltWinters().fit(history, STEP_S).predict(horizon, (0.5,))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = ExponentialSmoothing(
            history, seasonal="add", seasonal_periods=SEASON_STEPS, initialization_method="heuristic"
        ).fit(use_brute=False)
    point = np.asarray(ref.forecast(horizon))
    # our p50 = point + median in-sample error (small); statsmodels 0.15 deviates from the
    # textbook formula at exactly h = m (it reuses a seasonal state one season older)
    not_m = np.arange(1, horizon + 1) != SEASON_STEPS
    np.testing.assert_allclose(ours.quantile(0.5)[not_m], point[not_m], atol=0.1)


def test_holt_winters_errors_do_not_leak_statsmodels_warnings(make_diurnal):
    history, _ = make_diurnal(2 * SEASON_STEPS, noise_sd=3.0, seed=2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        HoltWinters(trend="damped").fit(history, STEP_S).predict(12, QUANTILES)


@pytest.mark.parametrize("trend", ["none", "damped"])
def test_holt_winters_p95_above_p50(make_diurnal, trend):
    history, _ = make_diurnal(3 * SEASON_STEPS, seed=9)
    fc = HoltWinters(trend=trend).fit(history, STEP_S).predict(36, QUANTILES)
    assert np.all(fc.quantile(0.95) - fc.quantile(0.5) > 0.3)  # noise sd 0.5 -> ~0.8 ACU
