"""The intercept correction (forecasting.bias): known values, invariants, and the level shift it is for."""

import warnings

import numpy as np
import pytest
from conftest import diurnal
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting import forecast_demand
from forecasting.bias import BAND_HIGH, BAND_LOW, BIASED_FORECAST, intercept_correction
from forecasting.selection import AutoForecaster

PAST = np.linspace(-1.0, 1.0, 201)  # q10 = -0.8, median 0, q90 = 0.8


@pytest.mark.parametrize(
    ("recent", "shift"),
    [
        (np.full(12, -6.0), -6.0),  # over-forecast by 6 at every step: shifted down by 6
        (np.full(12, 3.0), 3.0),  # under-forecast: shifted up
        (np.r_[np.full(7, -2.0), np.full(5, 0.0)], -2.0),  # the median decides: 7 of 12 far below
        (np.r_[np.full(6, -2.0), np.full(6, 0.0)], -1.0),  # median -1, below q10 = -0.8
        (np.r_[np.full(5, -2.0), np.full(7, 0.0)], 0.0),  # 5 of 12 far below: median 0, no shift
        (np.full(12, -0.79), 0.0),  # inside the band
        (np.full(12, 0.8), 0.0),  # on its edge: inside
        (np.array([-9.0]), 0.0),  # one error is no evidence
    ],
)
def test_known_shifts(recent, shift):
    got, note = intercept_correction(recent, PAST, "holt_winters")
    assert got == pytest.approx(shift)
    assert (note is None) == (shift == 0.0)
    if note is not None:
        assert note.startswith(f"{BIASED_FORECAST} holt_winters forecast the last hour ")
        assert f"its forecast is shifted by {shift:+.3g} ACU" in note


def test_the_shift_is_relative_to_the_model_s_usual_bias():
    past = np.linspace(1.0, 3.0, 201)  # a model that always under-forecast by about 2 ACU
    assert intercept_correction(np.full(12, 2.5), past, "ses") == (0.0, None)
    assert intercept_correction(np.full(12, 5.0), past, "ses")[0] == pytest.approx(3.0)
    assert (BAND_LOW, BAND_HIGH) == (0.1, 0.9)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.floats(-50, 50, allow_nan=False), min_size=10, max_size=300),
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=60),
)
def test_recent_errors_inside_the_past_band_never_shift(past, where):
    past_a = np.asarray(past)
    lo, hi = np.quantile(past_a, [BAND_LOW, BAND_HIGH])
    recent = lo + (hi - lo) * np.asarray(where)  # every recent error inside the band
    assert intercept_correction(recent, past_a, "m") == (0.0, None)


def _daily(n: int, mean: float, amp: float, rng: np.random.Generator, t0: int = 0) -> np.ndarray:
    t = np.arange(t0, t0 + n)
    return np.clip(mean + amp * np.sin(t * 2 * np.pi / 288) + rng.normal(0, 0.1 * mean, n), 0, None)


def test_a_level_shift_down_is_followed_within_the_hour():
    # 9 days of a daily cycle around 8 ACU, then around 2 ACU: Holt-Winters, fitted on the old
    # regime, kept forecasting a mean of 10-11 ACU for hours (the realised mean is 2.5).
    rng = np.random.default_rng(3)
    y = np.r_[_daily(9 * 288, 8.0, 3.0, rng), _daily(3 * 288, 2.0, 0.75, rng, 9 * 288)]
    end = 9 * 288 + 24  # two hours after the shift
    truth = y[end : end + 36].mean()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fc = forecast_demand(y[:end], step_s=300, horizon=36, quantiles=(0.5, 0.9))
        auto = AutoForecaster(horizon=36, quantiles=(0.5, 0.9)).fit(y[:end], 300)
    assert fc.model == "holt_winters" and any(w.startswith(BIASED_FORECAST) for w in fc.warnings)
    assert abs(fc.quantile(0.5).mean() - truth) < 1.0 < truth
    auto.shift_ = 0.0  # the same fit without the correction
    assert auto.predict(36, (0.5, 0.9)).quantile(0.5).mean() > 3 * truth


@pytest.mark.parametrize("seed", [1, 2])
def test_silent_while_the_model_tracks_the_series(seed):
    y, _ = diurnal(9 * 288, seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for end in range(7 * 288, 9 * 288, 72):
            fc = forecast_demand(y[:end], step_s=300, horizon=36, quantiles=(0.5, 0.9))
            assert not [w for w in fc.warnings if w.startswith(BIASED_FORECAST)], end
