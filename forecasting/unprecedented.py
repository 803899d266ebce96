"""Unprecedented levels: demand above anything of the recent past raises the upper quantiles.

This module owns the rule, and its warning, for the moments calibrated intervals know least
about: when demand has just risen above every level of the recent past (a burst or a level
shift), the backtest errors were measured at lower levels and models that repeat yesterday
(seasonal naive, Holt-Winters' season) lag the new level. Pure numpy.

Rule, for a gap-free window y of n steps (``r`` = steps per hour, ``d`` = steps in
``REFERENCE_S``)::

    L_now = mean(y[n - r : n])                                  # the last hour
    L_max = max of the hourly means of y[n - r - d : n - r]     # whole hours, counted back
    E     = L_now - L_max                                       # the excess, ACU
    if E > MIN_EXCESS_FRAC * L_max: every quantile above 0.5 is raised by E (whole horizon)

i.e. the forecast assumes the part of the new level above anything seen before persists.
The reference is 2 days: on the forecast benchmark, origins whose last hour rose above the
previous 2 days' hourly means (3.5% of origins) covered 0.850 at p90 and 0.904 at p95 with
the calibrated offsets alone and 0.895 / 0.934 with the excess added, while the mean pinball
loss fell by 0.6%. (Raising to the whole new level over-covered daily peaks: 0.99.) A rise
of at most 5% is day-to-day wobble of the peaks (on stationary noise the last hour tops the
48 before it 2% of the time) and is left alone; 1.1% of the benchmark's origins exceed it.
Example: hourly means up to 4.0 ACU in the last 2 days and 6.5 ACU in the last hour raise
p90, p95 and p99 by 2.5 ACU.

A level the chosen model repeats is not unprecedented: when it forecasts by repeating the
series from ``repeat_steps`` back (the weekly seasonal naive: a weekend batch, a Monday
morning), the two hours it repeats from, starting one season before the last hour, join the
reference (a 30-ACU batch every Saturday 02:00-06:00 over a week of 1 ACU is forecast at
30 ACU by that model, and raising its p90 by another 29 ACU set a 31.5-ACU floor).
"""

from __future__ import annotations

import numpy as np

from forecasting.types import FloatArray

__all__ = ["MIN_EXCESS_FRAC", "RECENT_S", "REFERENCE_S", "UNPRECEDENTED_LEVEL", "level_excess"]

RECENT_S = 3600  # the recent level: the last hour
REFERENCE_S = 2 * 86_400  # the range it is compared with: the 2 days before that hour
MIN_EXCESS_FRAC = 0.05  # a rise must top the reference ceiling by more than 5% of it
UNPRECEDENTED_LEVEL = "unprecedented level:"
"""How the rule's warning starts (callers find it among a forecast's warnings by it)."""


def level_excess(y: FloatArray, step_s: int, repeat_steps: int | None = None) -> tuple[float, str | None]:
    """Return the excess E of the last hour over the recent past (module rule) and its warning.

    Args:
        y: gap-free demand window, shape (n,), ACU.
        step_s: step length, seconds.
        repeat_steps: the chosen model repeats the series from this many steps back (module
            docstring, last paragraph); None: it repeats nothing beyond the reference span.

    Returns:
        ``(E, note)``: E in ACU (0.0 when the last hour is not above every hourly mean of
        the reference span, or the window holds less than two hours) and the warning text
        starting with :data:`UNPRECEDENTED_LEVEL` (None when E is 0).

    Examples:
        >>> y = np.r_[np.full(48, 4.0), np.full(12, 6.5)]
        >>> round(level_excess(y, 300)[0], 3)
        2.5
        >>> week = np.r_[np.full(12, 6.5), np.full(2016 - 12, 4.0)]  # the same hour a week before
        >>> level_excess(np.r_[week, np.full(12, 6.5)], 300, repeat_steps=2016)
        (0.0, None)
    """
    r = max(1, RECENT_S // step_s)
    past = y[max(0, y.size - r - REFERENCE_S // step_s) : y.size - r]
    whole = past.size // r * r
    if whole == 0:
        return 0.0, None
    recent = float(np.mean(y[-r:]))
    ceiling = float(np.max(past[past.size - whole :].reshape(-1, r).mean(axis=1)))
    if repeat_steps is not None and y.size >= repeat_steps + r:
        start = y.size - repeat_steps - r
        repeated = y[start : min(start + 2 * r, y.size - r)]
        ceiling = max(ceiling, float(np.max(repeated[: repeated.size // r * r].reshape(-1, r).mean(axis=1))))
    excess = recent - ceiling
    if not excess > MIN_EXCESS_FRAC * ceiling:
        return 0.0, None
    hours = whole // r
    return excess, (
        f"{UNPRECEDENTED_LEVEL} demand over the last hour averaged {recent:.4g} ACU, more than "
        f"{MIN_EXCESS_FRAC:.0%} above every hourly mean of the {hours} hours before it (at most "
        f"{ceiling:.4g} ACU); the quantiles above p50 are raised by {excess:.4g} ACU over the "
        "whole horizon, as if the new level persists"
    )
