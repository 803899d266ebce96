"""Seasonality in the cluster's own time zone: a UTC series onto the local wall clock and back.

Owns :func:`local_seconds`, :func:`to_local`, :func:`local_steps` and :func:`from_local`. Business-hour peaks
follow the local clock, so across a daylight-saving switch they move by an hour in UTC; a
forecaster that learns a daily season from UTC steps would then put the 09:00 peak at
10:00 (or 08:00) for the rest of its history. The history is therefore put on the local
wall-clock grid before forecasting and the forecast read back onto UTC steps:

* spring forward (the local clock skips an hour): those local steps exist on no clock,
  so they take the same local time a day earlier (else the step before), as the
  forecaster fills a gap, but are not gaps: a complete history is not reported as missing
  an hour;
* fall back (an hour occurs twice): the two UTC steps that share a local step are merged by
  their max (the conservative statistic, like every step of demand);
* a future UTC step reads the forecast of its local step.

The rule is the same in both directions and stated here once; ``zoneinfo`` (the IANA
database, shipped with the ``tzdata`` package) gives the offsets. Pure.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def local_seconds(first_utc: datetime, n: int, step_s: int, tz: ZoneInfo) -> IntArray:
    """Local wall-clock time of each of ``n`` UTC steps starting at ``first_utc``, in seconds.

    The wall clock is counted like Unix time (``utc + utcoffset(utc)``), so ``// 86_400`` is
    the local date (day 0 a Thursday) and ``% 86_400`` the time of day. Offsets are read
    once per UTC hour and per step only in an hour whose offset changes (a switch), which
    assumes at most one switch in any hour (they are weeks apart in the IANA database).

    Args:
        first_utc: start of the first step, timezone-aware.
        n: number of steps.
        step_s: step length, seconds.
        tz: the time zone.

    Returns:
        Shape (n,), seconds: non-decreasing except where the clock goes back an hour in
        autumn (the repeated hour's wall times occur twice), and jumping over the skipped
        hour in spring.
    """
    t = int(first_utc.timestamp()) + np.arange(n, dtype=np.int64) * step_s

    def offset(x: int) -> int:
        return int(
            (datetime.fromtimestamp(x, tz=UTC).astimezone(tz).utcoffset() or timedelta(0)).total_seconds()
        )

    hours, first = np.unique(t // 3600, return_index=True)
    at_start = np.array([offset(int(h) * 3600) for h in hours], dtype=np.int64)
    at_end = np.array([offset(int(h) * 3600 + 3599) for h in hours], dtype=np.int64)
    out = t + np.repeat(at_start, np.diff(np.append(first, n)))
    for h in hours[at_start != at_end]:  # an hour with a switch: per step
        inside = np.flatnonzero(t // 3600 == h)
        out[inside] = [x + offset(int(x)) for x in t[inside]]
    return np.asarray(out, dtype=np.int64)


def local_steps(first_utc: datetime, n: int, step_s: int, tz: ZoneInfo) -> IntArray:
    """Local wall-clock step index of each of ``n`` UTC steps starting at ``first_utc``.

    Args:
        first_utc: start of the first step, timezone-aware.
        n: number of steps.
        step_s: step length, seconds.
        tz: the cluster's time zone.

    Returns:
        Shape (n,): ``floor((utc + utcoffset(utc)) / step_s)`` (:func:`local_seconds`);
        non-decreasing, with a jump over the skipped hour in spring and a repeat of the
        doubled hour in autumn.
    """
    return np.asarray(local_seconds(first_utc, n, step_s, tz) // step_s, dtype=np.int64)


def to_local(history: FloatArray, *, end_utc: datetime, step_s: int, tz: ZoneInfo) -> tuple[FloatArray, int]:
    """Put a UTC history ending at ``end_utc`` on the local wall-clock grid.

    Args:
        history: demand per UTC step, shape (n,), the last step ending at ``end_utc``; NaN
            for missing steps.
        end_utc: end of the last step (``now``), timezone-aware.
        step_s: step length, seconds.
        tz: the cluster's time zone.

    Returns:
        (the local series, shape (m,): the max where two UTC steps fall (autumn); where none
        does (the hour skipped in spring) the same local time a day earlier, else the step
        before, else NaN; NaN where the UTC step is NaN; the local index of its last step).
    """
    n = len(history)
    first = end_utc - timedelta(seconds=n * step_s)
    idx = local_steps(first, n, step_s, tz)
    local = np.full(int(idx[-1] - idx[0] + 1), np.nan)
    for i, value in zip(idx - idx[0], history, strict=True):
        if np.isfinite(value):
            local[i] = value if np.isnan(local[i]) else max(local[i], value)
    day = max(1, 86_400 // step_s)
    skipped = np.ones(local.size, dtype=bool)
    skipped[idx - idx[0]] = False
    for i in np.flatnonzero(skipped).tolist():  # ascending: a filled step may feed the next
        local[i] = local[i - day] if i >= day and np.isfinite(local[i - day]) else local[i - 1]
    return local, int(idx[-1])


def from_local(
    forecast: FloatArray, *, last_local: int, end_utc: datetime, horizon: int, step_s: int, tz: ZoneInfo
) -> FloatArray:
    """Read a forecast made on the local grid back onto the next ``horizon`` UTC steps.

    Args:
        forecast: quantile forecast on the local grid, shape (n_quantiles, h_local), its
            first column the local step after ``last_local``.
        last_local: the local index of the history's last step.
        end_utc: start of the first forecast UTC step (``now``).
        horizon: UTC steps to return.
        step_s: step length, seconds.
        tz: the cluster's time zone.

    Returns:
        Shape (n_quantiles, horizon).

    Raises:
        ValueError: the local forecast is too short for the UTC horizon (see
            :func:`local_horizon`).
    """
    idx = local_steps(end_utc, horizon, step_s, tz) - last_local - 1
    idx = np.maximum(idx, 0)  # the doubled autumn hour right at now reads the first column
    if idx.max(initial=0) >= forecast.shape[1]:
        raise ValueError(
            f"local forecast has {forecast.shape[1]} steps; the UTC horizon needs {idx.max() + 1}"
        )
    return np.asarray(forecast[:, idx], dtype=np.float64)


def local_horizon(*, last_local: int, end_utc: datetime, horizon: int, step_s: int, tz: ZoneInfo) -> int:
    """Local steps to forecast so that the next ``horizon`` UTC steps are covered (>= 1)."""
    idx = local_steps(end_utc, horizon, step_s, tz)
    return max(int(idx.max()) - last_local, 1)
