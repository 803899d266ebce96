"""Unprecedented levels: demand above (or below) anything of the recent past widens the upper quantiles.

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

The mirror rule, for a fall below every level of the recent past (``level_drop``)::

    L_min = min of the hourly means of y[n - r - d : n - r]
    if L_now < (1 - MIN_EXCESS_FRAC) * L_min: every quantile above 0.5 is at least L_min

i.e. the median follows the models to the new level, and the upper quantiles keep the
lowest level of the reference in case the old level returns: a metric dropout, a restart or
a brief outage look like this in their first hour, and a history that never varied before
gives a backtest with zero errors, so the calibrated interval alone would be certain of a
level seen for one step (3 days at a constant 5 ACU, then one 0: every candidate tied,
last value forecast 0 at p50 and p95, and the plan auto-paused the cluster). In the
forecaster the rule lasts while the drop is unprecedented: once an hour at the new level is
in the reference (after at most two hours) the models' forecast stands. The weekly model's
repeated hours join the reference as above (a quiet Sunday it repeats is not a drop).

``level_drop(..., hold_s=...)`` extends the rule over a run of hours: for k from
hold_s / 3600 - 1 down to 0, the last k + 1 hours must all lie more than ``MIN_EXCESS_FRAC``
below every hourly mean of the d steps before them, and the first (longest) run that does
gives L_min:
the lowest level of the days before the drop *began* (a fall over several hours, or an hour
only part of which fell, counts from its first hour). An hour back at the old level ends
it. The forecaster keeps the default (one hour, the rule above): held longer, the upper
quantiles over-cover a drop that lasts, and the forecast benchmark's pinball mean rose
(dev 0.6019 -> 0.6066, held-out 0.7805 -> 0.7818, Bitbrains VM 421 over-covering p90 at
0.927) with a day's hold. The policy holds a day, for the floor it insures
(:mod:`policy.lull`).
"""

from __future__ import annotations

import numpy as np

from forecasting.types import FloatArray

__all__ = [
    "MIN_EXCESS_FRAC",
    "RECENT_S",
    "REFERENCE_S",
    "UNPRECEDENTED_DROP",
    "UNPRECEDENTED_LEVEL",
    "level_drop",
    "level_excess",
    "widen_upper",
]

RECENT_S = 3600  # the recent level: the last hour
REFERENCE_S = 2 * 86_400  # the range it is compared with: the 2 days before that hour
MIN_EXCESS_FRAC = 0.05  # a rise must top the reference ceiling by more than 5% of it
UNPRECEDENTED_LEVEL = "unprecedented level:"
"""How the rule's warning starts (callers find it among a forecast's warnings by it)."""
UNPRECEDENTED_DROP = "unprecedented drop:"
"""How the mirror rule's warning starts."""


def _hourly_reference(y: FloatArray, step_s: int, repeat_steps: int | None) -> tuple[float, FloatArray, int]:
    """The last hour's mean and the hourly means it is compared with (module rule), ACU.

    The reference holds the whole hours of the ``REFERENCE_S`` before the last hour, counted
    back (their number is the third value), and the two hours the weekly model repeats from
    (``repeat_steps``); it is empty when the window holds less than two hours.
    """
    r = max(1, RECENT_S // step_s)
    past = y[max(0, y.size - r - REFERENCE_S // step_s) : y.size - r]
    whole = past.size // r * r
    if whole == 0:
        return float("nan"), np.zeros(0), 0
    means = past[past.size - whole :].reshape(-1, r).mean(axis=1)
    if repeat_steps is not None and y.size >= repeat_steps + r:
        start = y.size - repeat_steps - r
        repeated = y[start : min(start + 2 * r, y.size - r)]
        means = np.r_[means, repeated[: repeated.size // r * r].reshape(-1, r).mean(axis=1)]
    return float(np.mean(y[-r:])), means, whole // r


def level_excess(
    y: FloatArray, step_s: int, repeat_steps: int | None = None, lifted_acu: float = 0.0
) -> tuple[float, str | None]:
    """Return the excess E of the last hour over the recent past (module rule) and its warning.

    Args:
        y: gap-free demand window, shape (n,), ACU.
        step_s: step length, seconds.
        repeat_steps: the chosen model repeats the series from this many steps back (module
            docstring, last paragraph); None: it repeats nothing beyond the reference span.
        lifted_acu: what the forecast was already lifted by (the intercept correction,
            :mod:`forecasting.bias`, when positive), ACU >= 0: only the rest of E is added.

    Returns:
        ``(E', note)``: E' = max(E - lifted_acu, 0) in ACU, where E is 0.0 when the last hour
        is not above every hourly mean of the reference span or the window holds less than
        two hours; the warning text starts with :data:`UNPRECEDENTED_LEVEL` (None when E is 0).

    Examples:
        >>> y = np.r_[np.full(48, 4.0), np.full(12, 6.5)]
        >>> round(level_excess(y, 300)[0], 3)
        2.5
        >>> week = np.r_[np.full(12, 6.5), np.full(2016 - 12, 4.0)]  # the same hour a week before
        >>> level_excess(np.r_[week, np.full(12, 6.5)], 300, repeat_steps=2016)
        (0.0, None)
    """
    recent, means, hours = _hourly_reference(y, step_s, repeat_steps)
    if means.size == 0:
        return 0.0, None
    ceiling = float(np.max(means))
    excess = recent - ceiling
    if not excess > MIN_EXCESS_FRAC * ceiling:
        return 0.0, None
    seen = (
        f"{UNPRECEDENTED_LEVEL} demand over the last hour averaged {recent:.4g} ACU, more than "
        f"{MIN_EXCESS_FRAC:.0%} above every hourly mean of the {hours} hours before it (at most "
        f"{ceiling:.4g} ACU); "
    )
    if lifted_acu <= 0.0:
        return excess, seen + (
            f"the quantiles above p50 are raised by {excess:.4g} ACU over the whole horizon, as if "
            "the new level persists"
        )
    if excess <= lifted_acu:
        return 0.0, seen + (
            f"the forecast already follows it (lifted by {lifted_acu:.4g} ACU, the intercept correction), "
            "so nothing more is added"
        )
    return excess - lifted_acu, seen + (
        f"the quantiles above p50 are raised by {excess - lifted_acu:.4g} ACU over the whole horizon on "
        f"top of the intercept correction's {lifted_acu:.4g} ACU, as if the new level persists"
    )


def _hour_means(y: FloatArray, r: int) -> FloatArray:
    """Means of the whole hours (``r`` steps each) of ``y``, counted back from its end, oldest first."""
    whole = y.size // r * r
    return y[y.size - whole :].reshape(-1, r).mean(axis=1) if whole else np.zeros(0)


def _repeated_means(y: FloatArray, r: int, repeat_steps: int | None) -> FloatArray:
    """Means of the two hours the weekly model repeats from, one season before the last hour."""
    if repeat_steps is None or y.size < repeat_steps + r:
        return np.zeros(0)
    start = y.size - repeat_steps - r
    repeated = y[start : min(start + 2 * r, y.size - r)]
    means: FloatArray = repeated[: repeated.size // r * r].reshape(-1, r).mean(axis=1)
    return means


def level_drop(
    y: FloatArray, step_s: int, repeat_steps: int | None = None, hold_s: int = RECENT_S
) -> tuple[float, str | None]:
    """Return the level the upper quantiles keep after an unprecedented drop (module rule), and its warning.

    Args:
        y: gap-free demand window, shape (n,), ACU.
        step_s: step length, seconds.
        repeat_steps: as for :func:`level_excess`.
        hold_s: the longest run of hours since the drop began that still counts, seconds
            (module docstring); the default, one hour, is the forecaster's rule.

    Returns:
        ``(L_min, note)``: the lowest hourly mean of the ``REFERENCE_S`` before the drop, ACU,
        when the last hour's mean and those of every hour since the drop began (at most
        ``hold_s`` back, the last hour included) are more than ``MIN_EXCESS_FRAC`` below it
        (else 0.0, and 0.0 when the window holds less than two hours), and the warning
        starting with :data:`UNPRECEDENTED_DROP` (None when the rule does not fire).

    Examples:
        >>> y = np.r_[np.full(863, 5.0), 0.0]  # 3 days at 5 ACU, then one 0
        >>> level_drop(y, 300)[0]
        5.0
        >>> level_drop(np.r_[np.full(863, 5.0), np.zeros(25)], 300)[0]  # two hours at 0 now
        0.0
        >>> level_drop(np.r_[np.full(863, 5.0), np.zeros(25)], 300, hold_s=86_400)[0]  # held a day
        5.0
        >>> level_drop(np.r_[np.full(863, 5.0), np.zeros(300)], 300, hold_s=86_400)[0]  # 25 h at 0
        0.0
    """
    r = max(1, RECENT_S // step_s)
    means = _hour_means(y, r)
    if means.size < 2:
        return 0.0, None
    recent = float(np.mean(y[-r:]))
    repeated = _repeated_means(y, r, repeat_steps)
    n_ref = max(REFERENCE_S // step_s // r, 1)
    hold = max(hold_s // (r * step_s), 1)
    for k in reversed(range(min(hold, means.size - 1))):  # the longest run: from where the drop began
        cut = means.size - 1 - k  # the run is means[cut:], the reference the hours before it
        reference = np.r_[means[max(0, cut - n_ref) : cut], repeated]
        low = float(np.min(reference))
        if float(np.max(means[cut:])) < (1 - MIN_EXCESS_FRAC) * low:
            break
    else:
        return 0.0, None
    hours = cut - max(0, cut - n_ref)
    since = (
        f"before it (at least {low:.4g} ACU)"
        if k == 0
        else f"before the drop (at least {low:.4g} ACU), and so did each of the {k} hours since it began"
    )
    return low, (
        f"{UNPRECEDENTED_DROP} demand over the last hour averaged {recent:.4g} ACU, more than "
        f"{MIN_EXCESS_FRAC:.0%} below every hourly mean of the {hours} hours {since}; the quantiles "
        f"above p50 keep {low:.4g} ACU or more over the whole horizon, in case that level returns "
        f"({'a dropout, a restart' if k == 0 else 'the end of a lull'})"
    )


def widen_upper(
    demand_acu: FloatArray, quantiles: tuple[float, ...], *, excess_acu: float, drop_floor_acu: float
) -> FloatArray:
    """Apply both rules to a forecast: the quantiles above 0.5 raised by the excess, then to the floor.

    Args:
        demand_acu: forecast, shape (n_quantiles, horizon), ACU, rows in ``quantiles`` order.
        quantiles: ascending, length n_quantiles.
        excess_acu: :func:`level_excess`'s E (0.0: none), ACU.
        drop_floor_acu: :func:`level_drop`'s level (0.0: none), ACU.

    Returns:
        A new array of the same shape; rows at or below 0.5 unchanged. Adding one amount to
        every upper row and taking the max with one level keep the rows non-crossing.
    """
    out = np.array(demand_acu, dtype=np.float64, copy=True)
    upper = np.asarray(quantiles) > 0.5
    out[upper] = np.maximum(out[upper] + excess_acu, drop_floor_acu)
    return out
