"""History preparation: keep the recent window and fill missing steps.

This module owns how gaps (NaN steps, normal in CloudWatch exports) become values before any
model sees the history. It never raises on gaps and never emits warnings itself; callers turn
the returned count into a ``ForecastWarning``.

Gap rule (applied in time order, so filled values can serve later gaps):

1. a missing step ``t >= season_steps`` takes the value at the same phase one season earlier,
   ``y[t - season_steps]`` (demand repeats daily, so this keeps the daily shape);
2. otherwise (first season) it takes the last observed value before it, ``y[t - 1]``;
3. leading missing steps (nothing observed before them) take the first observed value.
"""

from __future__ import annotations

import numpy as np

from forecasting.types import FloatArray

__all__ = ["fill_gaps", "gap_message", "recent_window"]


def recent_window(history_acu: FloatArray, max_steps: int) -> FloatArray:
    """Return the most recent ``max_steps`` steps (all of them if shorter).

    Args:
        history_acu: shape (n_steps,), ACU.
        max_steps: window length in steps, >= 1.

    Returns:
        A view of shape (min(n_steps, max_steps),).
    """
    return history_acu[-max(1, max_steps) :]


def fill_gaps(history_acu: FloatArray, season_steps: int) -> tuple[FloatArray, int]:
    """Fill NaN steps by the module's gap rule.

    Args:
        history_acu: shape (n_steps,), ACU, with at least one non-NaN value.
        season_steps: season length in steps, >= 1.

    Returns:
        ``(filled, n_missing)``: a new array of shape (n_steps,) with no NaN, and how many
        steps were filled. The input is not modified.

    Examples:
        >>> fill_gaps(np.array([np.nan, 1.0, 2.0, np.nan, 4.0]), season_steps=2)[0].tolist()
        [1.0, 1.0, 2.0, 1.0, 4.0]
    """
    y = np.array(history_acu, dtype=np.float64, copy=True)
    missing = np.flatnonzero(np.isnan(y))
    if missing.size == 0:
        return y, 0
    first_observed = float(y[np.flatnonzero(~np.isnan(y))[0]])
    for t in missing.tolist():
        if t >= season_steps:
            y[t] = y[t - season_steps]
        elif t > 0:  # y[t - 1] is observed or already filled (ascending order)
            y[t] = y[t - 1]
        else:
            y[t] = first_observed
    return y, int(missing.size)


def gap_message(n_missing: int, n_steps: int, season_steps: int) -> str:
    """Return the warning text for ``n_missing`` filled steps out of ``n_steps``."""
    return (
        f"the history had {n_missing} of {n_steps} steps missing; the forecaster filled them from the same "
        f"phase one season ({season_steps} steps) earlier, else the last observed value"
    )
