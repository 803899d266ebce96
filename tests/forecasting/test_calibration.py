"""Rough calibration: the stated p90 covers about 90% of outcomes over rolling origins (seeded)."""

import warnings

import numpy as np
import pytest

from forecasting import ForecastConfig, forecast_demand

STEP_S = 300
SEASON_STEPS = 288
HORIZON = 36  # 3 h ahead
N_ORIGINS = 12  # one every 2 h over the last day


def bursty_diurnal(n_steps: int, seed: int) -> np.ndarray:
    """Daily sine + Gaussian noise + rare positive bursts, ACU, seeded."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    base = 8.0 + 4.0 * np.sin(2 * np.pi * t / SEASON_STEPS) + 0.002 * t  # slow growth
    bursts = np.where(rng.random(n_steps) < 0.01, rng.uniform(2.0, 6.0, n_steps), 0.0)
    return np.clip(base + rng.normal(0.0, 0.6, n_steps) + bursts, 0.0, None)


@pytest.mark.parametrize("model", ["auto", "seasonal_naive"])
def test_p90_coverage_over_rolling_origins(model):
    series = bursty_diurnal(8 * SEASON_STEPS + HORIZON * N_ORIGINS, seed=42)
    config = ForecastConfig(model=model)
    hits, total = 0, 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # clean series: no fallbacks expected
        for k in range(N_ORIGINS):
            origin = 8 * SEASON_STEPS + k * HORIZON
            fc = forecast_demand(
                series[:origin], step_s=STEP_S, horizon=HORIZON, quantiles=(0.5, 0.9), config=config
            )
            actual = series[origin : origin + HORIZON]
            hits += int(np.sum(actual <= fc.quantile(0.9)))
            total += HORIZON
    coverage = hits / total
    assert 0.75 <= coverage <= 0.99, f"p90 coverage {coverage:.3f} outside the loose band"


def test_offsets_beyond_the_measured_steps_widen_the_spread_not_the_median_bias() -> None:
    from forecasting.intervals import extend_by_sqrt

    measured = np.array([[-0.5, -1.0], [1.0, 1.35], [2.0, 3.35]])  # p10, p50, p90 over 2 steps
    out = extend_by_sqrt(measured, 8, (0.1, 0.5, 0.9))

    assert out[:, :2].tolist() == measured.tolist()
    assert out[1, 2:].tolist() == [1.35] * 6  # a lagging model's median bias is carried, not grown
    assert out[2, -1] == pytest.approx(1.35 + 2.0 * 2.0)  # spread 2.0 x sqrt(8 / 2)
    assert out[0, -1] == pytest.approx(1.35 - 2.35 * 2.0)
    assert extend_by_sqrt(measured, 8)[1, -1] == pytest.approx(1.35 * 2.0)  # no quantiles: the whole column
