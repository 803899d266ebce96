"""Turn observed demand into the step-grid history array that ``policy.recommend`` takes.

Owns the two adapter steps shared by the HTTP API and the CLI:

* :func:`series_from_points`: wire points ``(ts, demand_acu)`` → a ``traces.TraceSeries``
  in ACU, so that regularisation onto the grid is done by ``traces.demand_series`` (one
  implementation: max per step, NaN for a step without samples);
* :func:`history_until`: a ``traces.DemandSeries`` → the array ending at ``now``, padded
  with NaN when the data stops early and cut when it runs past ``now``;
* :func:`points_demand` and :func:`points_history`: the two composed, the one pipeline
  the HTTP endpoints use for wire points.

* :func:`check_window`: the size and time range of that grid, checked from the first and
  last sample times alone, *before* any array is built (a far-future timestamp must cost a
  422, not gigabytes of memory or an ``OverflowError``).
* :func:`check_now`: a given ``now`` alone (aware, on the grid, from 1970, leaving room for
  the plan), so a bad ``now`` is blamed on ``now`` even when no history is at hand.
* :func:`grid_floor`: a clock reading truncated to the step grid (a registered cluster's
  default ``now`` over HTTP).

Grid rule (from ``traces.demand_series``): step ``k`` covers
``[start + k*step_s, start + (k+1)*step_s)`` with ``start`` a multiple of ``step_s`` since
the Unix epoch, so ``now`` must also be such a multiple. Time range: samples at or after
1970-01-01T00:00:00Z, and ``now`` plus the plan no later than 9999-12-31T23:59:59Z (the
end of Python's ``datetime``). Imports ``traces`` public names only; no I/O, no clock.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import ClassVar, Final

import numpy as np
import numpy.typing as npt

from traces import AcuRule, DemandSeries, TraceSeries, demand_series

Loc = tuple[str | int, ...]
"""Location of an input field, e.g. ``("history", 3, "ts")`` or ``("now",)``."""

EARLIEST_S: Final[int] = 0
"""Earliest accepted sample time, epoch seconds: 1970-01-01T00:00:00Z (the grid's anchor)."""

LATEST_S: Final[int] = 253_402_300_799
"""Latest time a plan may reach, epoch seconds: 9999-12-31T23:59:59Z, ``datetime``'s end."""


class HistoryError(ValueError):
    """Observed history cannot be placed on the step grid up to ``now``.

    Attributes:
        loc: the input field the message is about, e.g. ``("now",)``.
        code: the stable wire code.
    """

    code: ClassVar[str] = "history"

    def __init__(self, message: str, *, loc: Loc) -> None:
        super().__init__(message)
        self.loc = loc


def iso_s(seconds: int) -> str:
    """Format epoch seconds as an ISO 8601 UTC string, also past year 9999 (for messages).

    Args:
        seconds: seconds since the Unix epoch.

    Returns:
        E.g. ``2024-05-06T00:00:00Z``; ``10000-01-01T00:00:00Z`` does not overflow.
    """
    return f"{np.datetime64(seconds, 's')}Z"


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


def points_demand(
    ts: Sequence[datetime], demand_acu: Sequence[float], *, cluster_id: str, step_s: int
) -> DemandSeries:
    """Regularise observed ACU points onto the step grid (the one points -> grid pipeline).

    Args:
        ts: timezone-aware sample times, strictly increasing (the caller checks), length n.
        demand_acu: demand at each sample, ACU, finite and >= 0, length n.
        cluster_id: the cluster the samples belong to.
        step_s: the grid step, seconds.

    Returns:
        ``traces.demand_series`` of :func:`series_from_points` under ``traces.AcuRule``: the
        max per step, NaN for a step without samples.
    """
    series = series_from_points(ts, demand_acu, cluster_id=cluster_id)
    return demand_series(series, step_s=step_s, rule=AcuRule())


def points_history(
    ts: Sequence[datetime],
    demand_acu: Sequence[float],
    *,
    cluster_id: str,
    step_s: int,
    now: datetime,
    max_steps: int | None = None,
) -> npt.NDArray[np.float64]:
    """Observed ACU points -> the history array ``policy.recommend`` takes, ending at ``now``.

    Args:
        ts: sample times, as for :func:`points_demand`.
        demand_acu: demand at each sample, ACU, as for :func:`points_demand`.
        cluster_id: the cluster the samples belong to.
        step_s: the grid step, seconds.
        now: the end of the last history step (from :func:`check_window`).
        max_steps: longest history allowed, steps, or None.

    Returns:
        :func:`history_until` of :func:`points_demand`: shape (n_steps,), ACU, NaN where missing.

    Raises:
        HistoryError: as :func:`history_until`.
    """
    demand = points_demand(ts, demand_acu, cluster_id=cluster_id, step_s=step_s)
    return history_until(demand, now, max_steps=max_steps)


def series_end(demand: DemandSeries) -> datetime:
    """Return the end of the last grid step, the default ``now`` (UTC).

    Args:
        demand: demand on the step grid.

    Returns:
        ``demand.start + n_steps * step_s``.
    """
    return demand.start + timedelta(seconds=demand.n_steps * demand.step_s)


def grid_floor(seconds: float, step_s: int) -> datetime:
    """Truncate a clock reading to the step grid: the end of the last whole step (UTC).

    The HTTP API's default ``now`` for a registered cluster is the server's clock so
    truncated: the step still running is not planned from, and a feed that stopped
    shows as stale.

    Args:
        seconds: the clock, seconds since the Unix epoch (fractions dropped).
        step_s: the grid step, seconds, > 0.

    Returns:
        The latest multiple of ``step_s`` since the epoch at or before ``seconds``.

    Examples:
        >>> grid_floor(1_714_953_899.5, 300).isoformat()
        '2024-05-06T00:00:00+00:00'
    """
    whole = math.floor(seconds)
    return datetime.fromtimestamp(whole - whole % step_s, tz=UTC)


def _grid_now(now: datetime, step_s: int) -> int:
    """Return ``now`` in epoch seconds; raise HistoryError unless it is on the grid."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise HistoryError(f"now {now.isoformat()} has no timezone; give a UTC offset", loc=("now",))
    now_s = epoch_s(now)
    if now_s % step_s or now.microsecond:
        before = now_s - now_s % step_s
        nearest = [iso_s(s) for s in (before, before + step_s) if s <= LATEST_S]
        raise HistoryError(
            f"now {now.isoformat()} is not on the {step_s}-s step grid (a multiple of step_s since "
            f"the Unix epoch); e.g. {' or '.join(nearest)}",
            loc=("now",),
        )
    return now_s


def plan_span_s(horizon_s: int, plan_step_s: int) -> int:
    """Return how far past ``now`` a plan reaches: the horizon rounded up to whole plan steps.

    Args:
        horizon_s: the planning horizon, seconds.
        plan_step_s: the plan step, seconds.

    Returns:
        ``ceil(horizon_s / plan_step_s) * plan_step_s``, e.g. 10800 for 3 h in 900-s steps.
    """
    return -(-horizon_s // plan_step_s) * plan_step_s


def check_now(now: datetime, *, step_s: int, plan_s: int) -> int:
    """Check a given decision time on its own, before any history is read.

    Args:
        now: the decision time.
        step_s: grid step, seconds, > 0.
        plan_s: how far past ``now`` the plan reaches, seconds.

    Returns:
        ``now`` in epoch seconds.

    Raises:
        HistoryError: at ``("now",)``: ``now`` is naive, off the grid, before
            :data:`EARLIEST_S` (no history can precede it), or ``now + plan_s`` is after
            :data:`LATEST_S`.

    Examples:
        >>> check_now(datetime(2024, 5, 6, tzinfo=UTC), step_s=300, plan_s=900)
        1714953600
    """
    now_s = _grid_now(now, step_s)
    if now_s < EARLIEST_S:
        raise HistoryError(
            f"now {iso_s(now_s)} is before {iso_s(EARLIEST_S)}; like every timestamp it must be at "
            "or after it",
            loc=("now",),
        )
    if now_s + plan_s > LATEST_S:
        raise HistoryError(
            f"now {iso_s(now_s)}, too late for the {plan_s}-s plan: it must end by {iso_s(LATEST_S)}",
            loc=("now",),
        )
    return now_s


def check_window(
    first_s: int,
    last_s: int,
    *,
    step_s: int,
    now: datetime | None,
    max_steps: int,
    plan_s: int,
) -> datetime:
    """Check the step grid from the first sample to ``now`` before any array is built.

    Only integers are used, so a timestamp in year 9999 costs a message, never memory or
    an ``OverflowError``. Checks, in order: the first sample is at or after
    :data:`EARLIEST_S`; the samples span at most ``max_steps`` steps (``history``);
    a given ``now`` passes :func:`check_now`; ``now + plan_s`` is at most :data:`LATEST_S`;
    the history up to ``now`` is 1 to ``max_steps`` steps long.

    Args:
        first_s: first sample time, epoch seconds.
        last_s: last sample time, epoch seconds, >= ``first_s``.
        step_s: grid step, seconds, > 0.
        now: the decision time, or None for the end of the step holding the last sample.
        max_steps: most grid steps from the first sample's step to ``now``.
        plan_s: how far past ``now`` the plan reaches, seconds (the horizon rounded up to
            whole plan steps).

    Returns:
        ``now`` (or its default) in UTC.

    Raises:
        HistoryError: at ``("history",)`` for samples out of range or spanning too many
            steps (also when the default ``now`` leaves no room for the plan); at
            ``("now",)`` for a naive, off-grid, too early, too late or too distant ``now``.

    Examples:
        >>> check_window(0, 600, step_s=300, now=None, max_steps=10, plan_s=900).isoformat()
        '1970-01-01T00:15:00+00:00'
    """
    start_s = first_s - first_s % step_s
    if first_s < EARLIEST_S:
        raise HistoryError(
            f"history starts at {iso_s(first_s)}; timestamps must be at or after {iso_s(EARLIEST_S)}",
            loc=("history",),
        )
    n_data = (last_s - start_s) // step_s + 1
    if n_data > max_steps:
        raise HistoryError(
            f"history spans {n_data} steps of {step_s} s ({iso_s(first_s)} to {iso_s(last_s)}); "
            f"at most {max_steps} are accepted",
            loc=("history",),
        )
    loc: Loc = ("history",) if now is None else ("now",)
    now_s = start_s + n_data * step_s if now is None else check_now(now, step_s=step_s, plan_s=plan_s)
    if now_s + plan_s > LATEST_S:
        raise HistoryError(
            f"the last history step ends at {iso_s(now_s)}, too late for the {plan_s}-s plan: it must "
            f"end by {iso_s(LATEST_S)}",
            loc=loc,
        )
    n_steps = (now_s - start_s) // step_s
    if n_steps <= 0:
        raise HistoryError(
            f"now {iso_s(now_s)} is not after the first history step ({iso_s(start_s)})", loc=loc
        )
    if n_steps > max_steps:
        raise HistoryError(
            f"now {iso_s(now_s)} is {n_steps} steps of {step_s} s after the first history step "
            f"({iso_s(start_s)}); at most {max_steps} are accepted",
            loc=loc,
        )
    return datetime.fromtimestamp(now_s, tz=UTC)


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
