"""The input checks of :func:`policy.advice.advise.advise` (one owner for the HTTP service, CLI, library).

Each refuses an input the advice cannot answer for with an :class:`~policy.errors.InvalidRequestError`
naming the field: a side series off the history's grid, a history too short, a replayed window
mostly not observed, an observed capacity above MaxCapacity, settings that do not fit the cluster.
Pure: no clock, no I/O.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from placement import MAX_ACU_LIMIT
from policy.advice.types import AdviceConfig, CurrentSettings
from policy.advice.words import plural
from policy.errors import InvalidRequestError
from policy.scaler import half_ceil
from policy.types import ClusterSpec

FloatArray = npt.NDArray[np.float64]


def side_series(values: npt.ArrayLike | None, n: int, field: str) -> FloatArray | None:
    """A side series (connections, volume bytes) on the demand's grid, checked, or None."""
    if values is None:
        return None
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim != 1 or len(arr) != n:
        raise InvalidRequestError(
            f"{field} has shape {arr.shape}; it must be on the history's grid ({n},)", field
        )
    bad = np.flatnonzero(np.isinf(arr) | (arr < 0))
    if bad.size:
        raise InvalidRequestError(
            f"{field}[{int(bad[0])}]={float(arr[bad[0]])!r} must be finite and >= 0", field
        )
    return arr


def check_replayed_coverage(scored: FloatArray, window_from: datetime, step_s: int, least: float) -> None:
    """Refuse advice on a replayed window that was mostly not observed.

    A missing step is replayed at the last observed load, so a window of gaps would score
    any MinCapacity as free and safe. The rule is the planner's thin-data rule
    (``PolicyConfig.min_coverage_24h``, :mod:`policy.quality`) over the whole window.

    Args:
        scored: demand over the replayed window, shape (n,), ACU; NaN where missing.
        window_from: start of the window (UTC).
        step_s: step length, seconds.
        least: the least observed share.

    Raises:
        InvalidRequestError: less than ``least`` of the window observed (field ``demand_acu``).
    """
    share = float(np.isfinite(scored).mean()) if scored.size else 0.0
    if share < least:
        end = window_from + timedelta(seconds=len(scored) * step_s)
        raise InvalidRequestError(
            f"only {share:.0%} of the replayed window ({window_from:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} "
            f"UTC, after the warm-up) was observed; advice needs at least {least:.0%} to say what a "
            "setting costs and risks (a missing step would be replayed at the last load)",
            "demand_acu",
        )


def check_history_length(n_steps: int, step_s: int, warmup_s: int) -> None:
    """Refuse a history shorter than the replay's warm-up plus one day (one owner for HTTP and library).

    The message gives the length in steps, exactly, and in days truncated (never rounded up
    to the length it lacks).

    Args:
        n_steps: the history's steps (missing ones included).
        step_s: step length, seconds, > 0.
        warmup_s: the replay's warm-up, seconds.

    Raises:
        InvalidRequestError: ``n_steps * step_s < warmup_s + 86400`` (field ``history``).

    Example:
        >>> try:
        ...     check_history_length(863, 300, 2 * 86_400)
        ... except InvalidRequestError as exc:
        ...     print(str(exc)[:77])
        the history has 2.996 days (863 steps of 300 s); advice needs at least 3 days
    """
    need_s = warmup_s + 86_400
    if n_steps * step_s >= need_s:
        return
    days = n_steps * step_s * 1000 // 86_400 / 1000  # truncated to 3 decimals (in integers): never "3.000"
    raise InvalidRequestError(
        f"the history has {plural(days, 'day', 'g')} ({plural(n_steps, 'step')} of {step_s} s); advice needs "
        f"at least {plural(need_s / 86_400, 'day', 'g')} ({plural(-(-need_s // step_s), 'step')}): the "
        f"{warmup_s / 86_400:g}-day warm-up plus one day to replay",
        "history",
    )


CAPACITY_TOLERANCE = 1e-6
"""Relative slack of :func:`check_capacity_within_max` (float noise of ``ACUUtilization x MaxCapacity``)."""


def check_capacity_within_max(
    capacity_acu: npt.ArrayLike | None, *, start: datetime, step_s: int, max_capacity_acu: float
) -> None:
    """Refuse an observed capacity above MaxCapacity: the MaxCapacity given is not the cluster's.

    Aurora never scales an instance above its MaxCapacity, so ``ServerlessDatabaseCapacity``
    (or ``ACUUtilization`` x MaxCapacity) above it means the MaxCapacity the caller gave is
    wrong (or was lowered during the history). Demand derived from CPU or a rate is not
    capacity and may exceed MaxCapacity (the ``max_capacity`` alert): do not pass it here.

    Args:
        capacity_acu: the observed capacity per step, shape (n,), ACU, NaN where missing;
            None: nothing to check.
        start: start of step 0 (UTC).
        step_s: step length, seconds.
        max_capacity_acu: the MaxCapacity given, ACU.

    Raises:
        InvalidRequestError: a step above ``max_capacity_acu`` (beyond
            :data:`CAPACITY_TOLERANCE`), field ``current.max_capacity_acu``; the message
            gives the observed maximum, its first step's time and the steps above.
    """
    if capacity_acu is None:
        return
    cap = np.asarray(capacity_acu, dtype=np.float64)
    above = np.flatnonzero(cap > max_capacity_acu * (1.0 + CAPACITY_TOLERANCE))  # NaN: False
    if not above.size:
        return
    peak = float(np.nanmax(cap))
    at = start + timedelta(seconds=int(np.flatnonzero(cap == peak)[0]) * step_s)
    raise InvalidRequestError(
        f"the observed capacity reached {peak:g} ACU at {at:%Y-%m-%d %H:%M}Z ({above.size} of {cap.size} "
        f"steps above MaxCapacity), above current.max_capacity_acu={max_capacity_acu:g}: Aurora never runs "
        "an instance above its MaxCapacity, so the cluster's is at least "
        f"{min(half_ceil(peak), MAX_ACU_LIMIT):g} ACU; "
        "give its real MaxCapacity (if it was lowered during the history, advise on the history since then)",
        "current.max_capacity_acu",
    )


def check_settings(
    cluster: ClusterSpec, current: CurrentSettings, config: AdviceConfig, *, step_s: int
) -> int:
    """Check today's settings and the timetable's slot against the cluster (one owner for HTTP and library).

    Args:
        cluster: the cluster (its AZ IDs and ``limits.min_acu``).
        current: today's settings.
        config: the advice configuration (``schedule_slot_s``).
        step_s: the history step, seconds.

    Returns:
        The timetable slot in whole history steps, seconds.

    Raises:
        InvalidRequestError: MaxCapacity below ``limits.min_acu`` (``current.max_capacity_acu``),
            a reader in an AZ that is not one of ``cluster.topology.az_ids``
            (``current.readers.<i>.az_id``), or a slot that, in whole history steps, does not
            divide a day (``config.schedule_slot_s``).
    """
    if current.max_capacity_acu < cluster.limits.min_acu:
        raise InvalidRequestError(
            f"current.max_capacity_acu={current.max_capacity_acu:g} is below the cluster's limits.min_acu "
            f"{cluster.limits.min_acu:g}",
            "current.max_capacity_acu",
        )
    for i, reader in enumerate(current.readers):
        if reader.az_id not in cluster.topology.az_ids:
            raise InvalidRequestError(
                f"current.readers[{i}].az_id={reader.az_id!r} is not one of the cluster's AZ IDs "
                f"({', '.join(cluster.topology.az_ids)} in {cluster.topology.region})",
                f"current.readers.{i}.az_id",
            )
    slot_s = max(config.schedule_slot_s // step_s, 1) * step_s  # whole history steps
    if 86_400 % slot_s:
        raise InvalidRequestError(
            f"schedule_slot_s={config.schedule_slot_s} rounded to whole {step_s}-s steps is {slot_s} s, "
            "which does not divide a day",
            "config.schedule_slot_s",
        )
    return slot_s
