"""Turn observed demand into the step-grid history array that ``policy.recommend`` takes.

Owns the two adapter steps shared by the HTTP API and the CLI:

* :func:`series_from_points`: wire points ``(ts, demand_acu)`` → a ``traces.TraceSeries``
  in ACU, so that regularisation onto the grid is done by ``traces.demand_series`` (one
  implementation: max per step, NaN for a step without samples);
* :func:`history_until`: a ``traces.DemandSeries`` → the array ending at ``now``, padded
  with NaN when the data stops early and cut when it runs past ``now``.

Grid rule (from ``traces.demand_series``): step ``k`` covers
``[start + k*step_s, start + (k+1)*step_s)`` with ``start`` a multiple of ``step_s`` since
the Unix epoch, so ``now`` must also be such a multiple. Imports ``traces`` public names
only; no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

import numpy as np
import numpy.typing as npt

from traces import DemandSeries, TraceSeries

Loc = tuple[str | int, ...]
"""Location of an input field, e.g. ``("history", 3, "ts")`` or ``("now",)``."""


class HistoryError(ValueError):
    """Observed history cannot be placed on the step grid up to ``now``.

    Attributes:
        loc: the input field the message is about, e.g. ``("now",)``.
    """

    def __init__(self, message: str, *, loc: Loc) -> None:
        super().__init__(message)
        self.loc = loc


def epoch_s(ts: datetime) -> int:
    """Return whole seconds since the Unix epoch, floored (sub-second parts dropped).

    Args:
        ts: a timezone-aware timestamp.

    Returns:
        Seconds since 1970-01-01T00:00:00Z.
    """
    return math.floor(ts.timestamp())


def series_from_points(
    ts: Sequence[datetime], demand_acu: Sequence[float], *, cluster_id: str
) -> TraceSeries:
    """Build a one-signal ACU series from observed points.

    Args:
        ts: timezone-aware sample times, strictly increasing (the caller checks), length n.
        demand_acu: demand at each sample, ACU, finite and >= 0, length n.
        cluster_id: the cluster the samples belong to.

    Returns:
        A series with unit ``acu``, ``ts`` of shape (n,) ``datetime64[s]`` UTC (floored to
        whole seconds) and ``value`` of shape (n,) float64.
    """
    seconds = np.array([epoch_s(t) for t in ts], dtype=np.int64)
    return TraceSeries(
        cluster_id=cluster_id,
        signal="demand_acu",
        unit="acu",
        ts=seconds.astype("datetime64[s]"),
        value=np.asarray(demand_acu, dtype=np.float64),
    )


def series_end(demand: DemandSeries) -> datetime:
    """Return the end of the last grid step, the default ``now`` (UTC).

    Args:
        demand: demand on the step grid.

    Returns:
        ``demand.start + n_steps * step_s``.
    """
    return demand.start + timedelta(seconds=demand.n_steps * demand.step_s)


def _grid_now(now: datetime, step_s: int) -> int:
    """Return ``now`` in epoch seconds; raise HistoryError unless it is on the grid."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise HistoryError(f"now {now.isoformat()} has no timezone; give a UTC offset", loc=("now",))
    now_s = epoch_s(now)
    if now_s % step_s or now.microsecond:
        before = datetime.fromtimestamp(now_s - now_s % step_s, tz=UTC)
        after = before + timedelta(seconds=step_s)
        raise HistoryError(
            f"now {now.isoformat()} is not on the {step_s}-s step grid (a multiple of step_s since "
            f"the Unix epoch); e.g. {before.isoformat()} or {after.isoformat()}",
            loc=("now",),
        )
    return now_s


def history_until(
    demand: DemandSeries, now: datetime, *, max_steps: int | None = None
) -> npt.NDArray[np.float64]:
    """Return the demand history whose last element is the step ending at ``now``.

    Steps after the data's end are NaN (missing); steps at or after ``now`` are dropped,
    so a CSV can be replayed "as of" an earlier ``now``.

    Args:
        demand: demand on the step grid, ``demand_acu`` of shape (n_steps,), ACU.
        now: timezone-aware end of the last history step; a multiple of ``step_s`` since
            the epoch.
        max_steps: longest history allowed, in steps, or None for no limit.

    Returns:
        Demand per step, shape ((now - demand.start) / step_s,), ACU, NaN where missing.
        A fresh writable array.

    Raises:
        HistoryError: ``now`` is naive, off the grid, not after the first step's start, or
            more than ``max_steps`` steps after it.

    Examples:
        >>> from traces import AcuRule, demand_series
        >>> s = series_from_points([datetime(2024, 1, 1, tzinfo=UTC)], [2.0], cluster_id="c")
        >>> d = demand_series(s, step_s=300, rule=AcuRule())
        >>> history_until(d, datetime(2024, 1, 1, 0, 10, tzinfo=UTC))
        array([ 2., nan])
    """
    step_s = demand.step_s
    n_steps = (_grid_now(now, step_s) - epoch_s(demand.start)) // step_s
    if n_steps <= 0:
        raise HistoryError(
            f"now {now.isoformat()} is not after the first history step ({demand.start.isoformat()})",
            loc=("now",),
        )
    if max_steps is not None and n_steps > max_steps:
        raise HistoryError(
            f"history spans {n_steps} steps of {step_s} s up to now; at most {max_steps} are accepted",
            loc=("history",),
        )
    out = np.full(n_steps, np.nan, dtype=np.float64)
    kept = min(n_steps, demand.n_steps)
    out[:kept] = demand.demand_acu[:kept]
    return out
