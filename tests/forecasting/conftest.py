"""Seeded synthetic demand series shared by the forecasting tests (no network, no files)."""

from collections.abc import Callable

import numpy as np
import pytest

STEP_S = 300  # the default step: CloudWatch's 5-minute period
SEASON_STEPS = 288  # one day of 300 s steps
QUANTILES = (0.05, 0.5, 0.9, 0.95)


def diurnal(
    n_steps: int,
    *,
    level: float = 10.0,
    amplitude: float = 5.0,
    noise_sd: float = 0.5,
    seed: int = 0,
    start: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """Return (observed, truth), shape (n_steps,), ACU: a daily sine plus seeded Gaussian noise.

    ``truth`` is the noise-free sine; ``start`` shifts the time index (for truth beyond the end).
    """
    t = np.arange(start, start + n_steps)
    truth = level + amplitude * np.sin(2 * np.pi * t / SEASON_STEPS)
    noise = np.random.default_rng(seed).normal(0.0, noise_sd, n_steps)
    return np.clip(truth + noise, 0.0, None), truth


@pytest.fixture
def make_diurnal() -> Callable[..., tuple[np.ndarray, np.ndarray]]:
    return diurnal


@pytest.fixture
def three_days() -> np.ndarray:
    """Three days (864 steps) of noisy diurnal demand: enough for every model."""
    return diurnal(3 * SEASON_STEPS, seed=1)[0]
