"""The end of a lull: after an unexplained drop, the plan keeps the level before it in reach for a day.

Owns :data:`LULL_HOLD_S` and :func:`keep_level_through_lull`. The forecaster keeps the upper
quantiles at the old level for the first hour or two of an unprecedented drop
(:func:`forecasting.unprecedented.level_drop`), and then follows the new level with intervals
calibrated on the flat days before it, as narrow there as they were before the drop. A lull
of some hours may end with the old level coming back in one step (a batch that stopped and
restarts, clients that failed over and back, a maintenance window) or be the new normal, and
nothing in those hours tells which; the costs are not symmetric: keeping the old level in the
risk quantile costs the floor it takes for Aurora's scaler to reach it in time
(:mod:`policy.floors`, and only where the scaler could not: the plan's low quantile stays at
the lull), while an unforeseen return finds capacity at the lull's level with the whole ramp
to climb. So the plan's quantiles above p50 keep the lowest hourly mean of the 2 days before
the drop began while every hour since has stayed more than 5 % below it, for up to
:data:`LULL_HOLD_S` (``level_drop(..., hold_s=LULL_HOLD_S)``); an hour back at the old level,
or a day at the new one, ends it. The forecast itself is left calibrated (a day's hold in the
forecaster raised the forecast benchmark's pinball mean: ``forecasting.unprecedented``).

Measured (``acuplan`` replays, the bench's configuration; Aurora alone's SLO-violation minutes
in brackets): ``ec2-cpu-step-825cc2`` (15 ACU, 11 h at 4, back at once) slow ramp 7.5 -> 0.9
of 11.7 minutes for +1.1 % cost, default 2.1 -> 0.2 of 3.1 for +1.2 %; ``ec2-cpu-step-ac20cd``
(6.6 ACU, 14 h at 0.4, back to 9) slow 11.7 -> 4.8 of 11.7 for +0.3 %, default 3.3 -> 1.2 for
+0.3 %. The price where the drop lasted: ``asg-cpu-misconfiguration``'s last 20 h (9.5 ->
2.2 ACU to the trace's end) cost +0.6 % for no minute, ``rds-cpu-e47b3b``'s day-long drop
+0.6 % for no minute (the posture then held Aurora alone's floor in 21 re-plans).
ASSUMPTION: a day, the daily season (also the VPA recommender's half-life), chosen before
the replays and not tuned on them. Pure numpy.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from forecasting import ForecastConfig
from forecasting.history import fill_gaps, recent_window
from forecasting.unprecedented import level_drop, widen_upper

FloatArray = npt.NDArray[np.float64]

LULL_HOLD_S = 86_400
"""Longest a drop keeps the old level in the plan's upper quantiles, seconds (module docstring)."""

WEEKLY_MODEL = "seasonal_naive_weekly"
"""The forecaster's model that repeats last week: its repeated hours join the reference."""


def keep_level_through_lull(
    history: FloatArray,
    demand_q: FloatArray,
    quantiles: tuple[float, ...],
    *,
    step_s: int,
    model: str,
    config: ForecastConfig,
) -> tuple[FloatArray, str | None]:
    """Raise the forecast's quantiles above p50 to the level before a lull (module rule).

    Args:
        history: validated demand history ending now, shape (n,), ACU; NaN for missing.
        demand_q: the forecast, shape (len(quantiles), horizon), ACU.
        quantiles: ascending, the rows of ``demand_q``.
        step_s: step length, seconds.
        model: the forecaster's model (the weekly one's repeated hours join the reference).
        config: forecasting options (the window and seasons the forecaster used).

    Returns:
        ``(demand_q, note)``: the forecast unchanged and None outside a lull; else the
        forecast with rows above 0.5 at least the old level, and the reason, starting with
        ``"lull:"``.
    """
    window = recent_window(history, config.max_history_s // step_s)
    if np.all(np.isnan(window)):
        return demand_q, None
    y, _ = fill_gaps(window, max(config.season_s // step_s, 1))
    repeat = max(config.weekly_season_s // step_s, 1) if model == WEEKLY_MODEL else None
    level, note = level_drop(y, step_s, repeat, hold_s=LULL_HOLD_S)
    if note is None or not np.any(np.asarray(demand_q)[np.asarray(quantiles) > 0.5] < level):
        return demand_q, None
    raised = widen_upper(demand_q, quantiles, excess_acu=0.0, drop_floor_acu=level)
    return raised, f"lull: {note}; the plan keeps it in reach for up to {LULL_HOLD_S // 3600} h (policy.lull)"
