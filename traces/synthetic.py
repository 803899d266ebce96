"""Seeded synthetic demand for tests and demos (pure, no I/O).

This module owns generators of plausible ACU demand with daily and weekly shape and
bursts. It imports nothing of ours outside ``traces``. Output depends only on the
arguments (explicit ``seed``, ``numpy.random.default_rng``).
"""

from __future__ import annotations

from typing import Final

import numpy as np
import numpy.typing as npt

DAY_S: Final[int] = 86_400
WEEK_S: Final[int] = 7 * DAY_S
PEAK_HOUR: Final[float] = 14.0
"""Hour of day (UTC of the synthetic clock) of the daily peak."""
WEEKEND_FRAC: Final[float] = 0.6
"""Daily swing on Saturday/Sunday relative to weekdays (enterprise-like weekly cycle)."""
BURST_MEAN_STEPS: Final[float] = 3.0
"""Mean burst length in steps (geometric)."""
BURST_HEIGHT_FRAC: Final[tuple[float, float]] = (0.5, 1.0)
"""A burst adds U(0.5, 1.0) * (peak_acu - base_acu)."""


def _validate(
    n_steps: int, step_s: int, base_acu: float, peak_acu: float, noise_frac: float, burst_prob: float
) -> None:
    """Raise ValueError for out-of-domain arguments of :func:`diurnal_demand`."""
    if n_steps < 0:
        raise ValueError(f"n_steps must be >= 0, got {n_steps}")
    if step_s <= 0:
        raise ValueError(f"step_s must be > 0, got {step_s}")
    if not 0.0 <= base_acu <= peak_acu:
        raise ValueError(f"need 0 <= base_acu <= peak_acu, got {base_acu} and {peak_acu}")
    if noise_frac < 0.0:
        raise ValueError(f"noise_frac must be >= 0, got {noise_frac}")
    if not 0.0 <= burst_prob <= 1.0:
        raise ValueError(f"burst_prob must be in [0, 1], got {burst_prob}")


def _burst_mask(rng: np.random.Generator, n_steps: int, burst_prob: float) -> npt.NDArray[np.float64]:
    """Return per-step added burst height in units of (peak - base)."""
    extra = np.zeros(n_steps, dtype=np.float64)
    starts = np.flatnonzero(rng.random(n_steps) < burst_prob)
    lengths = rng.geometric(1.0 / BURST_MEAN_STEPS, size=starts.shape[0])
    heights = rng.uniform(*BURST_HEIGHT_FRAC, size=starts.shape[0])
    for start, length, height in zip(starts, lengths, heights, strict=True):
        segment = extra[start : start + length]
        np.maximum(segment, height, out=segment)
    return extra


def diurnal_demand(
    n_steps: int,
    step_s: int = 300,
    seed: int = 0,
    base_acu: float = 4,
    peak_acu: float = 16,
    noise_frac: float = 0.05,
    burst_prob: float = 0.01,
) -> npt.NDArray[np.float64]:
    """Generate seeded ACU demand with a daily and weekly cycle and bursts.

    Step 0 is Monday 00:00 of the synthetic clock. The noise-free shape is::

        day(t)  = (1 - cos(2*pi*(hour(t) - PEAK_HOUR + 12) / 24)) / 2   in [0, 1], 1 at 14:00
        week(t) = 1 on Mon-Fri, WEEKEND_FRAC (0.6) on Sat-Sun
        demand  = base_acu + (peak_acu - base_acu) * (day * week + burst)

    then multiplied by ``1 + noise_frac * N(0, 1)`` and clipped at 0. A burst starts
    at each step with probability ``burst_prob``, lasts Geometric(1/3) steps and adds
    U(0.5, 1.0) * (peak_acu - base_acu), so bursts can exceed ``peak_acu``.
    Typical values with the defaults: about 4 ACU at night, 16 ACU at 14:00 on a
    weekday, 11.2 ACU at 14:00 on a weekend, up to about 28 ACU in a burst.

    Args:
        n_steps: Number of steps, >= 0.
        step_s: Step length, seconds, > 0.
        seed: Seed of ``numpy.random.default_rng``; equal seeds give equal output.
        base_acu: Demand at the daily trough, ACU, >= 0.
        peak_acu: Demand at the weekday daily peak (before noise/bursts), ACU,
            >= base_acu.
        noise_frac: Standard deviation of the multiplicative noise, >= 0.
        burst_prob: Per-step probability that a burst starts, in [0, 1].

    Returns:
        Demand per step, shape (n_steps,), float64, ACU, all finite and >= 0.

    Raises:
        ValueError: If an argument is outside the domain stated above.
    """
    _validate(n_steps, step_s, base_acu, peak_acu, noise_frac, burst_prob)
    rng = np.random.default_rng(seed)
    t_s = np.arange(n_steps, dtype=np.float64) * step_s
    hour = (t_s % DAY_S) / 3600.0
    day = (1.0 - np.cos(2.0 * np.pi * (hour - PEAK_HOUR + 12.0) / 24.0)) / 2.0
    weekend = (t_s % WEEK_S) >= 5 * DAY_S
    week = np.where(weekend, WEEKEND_FRAC, 1.0)
    burst = _burst_mask(rng, n_steps, burst_prob)
    demand = base_acu + (peak_acu - base_acu) * (day * week + burst)
    demand *= 1.0 + noise_frac * rng.standard_normal(n_steps)
    return np.clip(demand, 0.0, None)
