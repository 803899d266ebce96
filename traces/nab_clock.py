"""Reconstruct the UTC time of NAB CloudWatch samples from their naive timestamps.

This module owns the timestamp rule for the Numenta Anomaly Benchmark (NAB) AWS
CloudWatch files used by :mod:`traces.convert` (pure, no I/O). It imports nothing of
ours outside ``traces``.

What the raw files show
    NAB stamps are naive ``YYYY-MM-DD HH:MM:SS``; NAB does not name a time zone. The
    three NAB files that span the US spring-forward of 2014-03-09 jump from 01:5x to
    03:00 and then carry 12 consecutive rows all stamped exactly ``03:00:00`` before
    the 5-minute cadence resumes (``ec2_request_latency_system_failure.csv``:
    01:56, 12 x 03:00:00, 03:01, 03:06, ...).

What happened (the evidence)
    1. 03:00:00 is the first valid wall time after the 02:00-02:59 hour that does not
       exist in US time zones on that day, so a step of the export interpreted the
       stamps in a US DST zone and clamped non-existent wall times forward to
       03:00:00. NAB's curators worked in the US; we assume ``America/New_York``
       (every mainland US zone switches at 02:00 local on the same day, so the data
       cannot tell them apart).
    2. The clock that *produced* the stamps did not observe DST. 01:56 + 13 x 5 min
       = 03:01, the first unclamped stamp: the naive clock advanced exactly 5 minutes
       per sample through the transition, i.e. the 12 clamped rows are the samples
       of 02:01 ... 02:56 on a continuous clock. A DST-observing wall clock would go
       from 01:56 to 03:01 in 5 real minutes and could not hold 12 more 5-minute
       samples in between. Row counts agree: on a continuous clock the file's 4032
       rows fill the 4033 five-minute slots from its first to its last stamp (both
       included) except exactly one (its single 10-minute step), while a
       DST-observing reading would leave 12 rows without a place on the grid.
    3. So every stamp is on one fixed-offset clock. Under the America/New_York
       assumption that clock is New York *standard* time, EST = UTC-5, all year.

The rule (deterministic)
    a. A *clamped run* is a maximal run of k >= 1 consecutive rows with the same
       naive stamp S where S is the first valid wall time after a spring-forward gap
       of the zone (S is valid, S - 1 s does not exist).
    b. Row i of the run (i = 1..k) gets ``prev + i * step_s``, where ``prev`` is the
       stamp of the row before the run; the run must then end exactly one step
       before the next row (``prev + (k + 1) * step_s == next``). Anything else is
       refused (:class:`~traces.errors.ConversionError`): a run that does not fit, a
       run at the first or last row, and unclamped consecutive rows that straddle a
       DST transition (the clock could then be DST-aware).
    c. Every stamp (reconstructed or not) is converted to UTC with one fixed offset,
       by default the zone's standard offset: UTC = naive + 5 h for America/New_York.
    d. Irregular steps (e.g. a 10-minute step: one missing sample) stay gaps: no row
       is added, dropped or interpolated. The result must be strictly increasing.

Caveat
    The diurnal troughs of several NAB series sit at 06-08 h on the naive clock
    (02-03 h if that clock were UTC), which hints that the underlying clock may be
    UTC itself rather than EST. The data cannot settle this. Switching is one
    constant, :data:`NAB_CLOCK_OFFSET_S` (set it to 0); the clamp detection keeps
    using :data:`NAB_ZONE`, and the 5-minute grid and the reconstruction do not
    depend on the offset.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Final
from zoneinfo import ZoneInfo

from traces.errors import ConversionError

NAB_ZONE: Final[str] = "America/New_York"
"""Assumed zone of the NAB export step (see the module docstring)."""

NAB_CLOCK_OFFSET_S: Final[int | None] = None
"""UTC offset of the clock that produced NAB stamps, seconds; None = the standard
(non-DST) offset of :data:`NAB_ZONE`, i.e. -18000 (EST). 0 would read it as UTC."""

NAB_STEP_S: Final[int] = 300
"""Nominal CloudWatch period of the NAB files, seconds (SOURCES.md: 5 min)."""

_EPOCH_NAIVE = datetime(1970, 1, 1)


def wall_time_exists(naive: datetime, zone: ZoneInfo) -> bool:
    """Return True if the naive wall time occurs in ``zone`` (is not inside a DST gap).

    Args:
        naive: Naive wall time.
        zone: The time zone.

    Returns:
        False for e.g. 2014-03-09 02:30 in America/New_York, True otherwise.
    """
    aware = naive.replace(tzinfo=zone)
    return aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


def is_gap_end(naive: datetime, zone: ZoneInfo) -> bool:
    """Return True if ``naive`` is the first valid wall time after a spring-forward gap.

    Args:
        naive: Naive wall time.
        zone: The time zone.

    Returns:
        True for e.g. 2014-03-09 03:00:00 in America/New_York.
    """
    return wall_time_exists(naive, zone) and not wall_time_exists(naive - timedelta(seconds=1), zone)


def standard_offset_s(zone: ZoneInfo, at: datetime) -> int:
    """Return the zone's standard-time UTC offset (without DST) at ``at``, seconds.

    Args:
        zone: The time zone.
        at: Naive wall time where the offset is evaluated.

    Returns:
        E.g. -18000 (UTC-5) for America/New_York.
    """
    aware = at.replace(tzinfo=zone)
    utcoffset, dst = aware.utcoffset(), aware.dst()
    if utcoffset is None or dst is None:
        raise ConversionError(f"zone {zone.key} gives no offset at {at.isoformat()}")
    return int((utcoffset - dst).total_seconds())


def _run_end(naive: Sequence[datetime], start: int) -> int:
    """Return the index one past the run of rows equal to ``naive[start]``."""
    end = start + 1
    while end < len(naive) and naive[end] == naive[start]:
        end += 1
    return end


def _fill_run(
    prev: datetime | None, nxt: datetime | None, k: int, stamp: datetime, step: timedelta
) -> list[datetime]:
    """Re-stamp a clamped run of ``k`` rows between ``prev`` and ``nxt`` (rule b)."""
    if prev is None or nxt is None:
        raise ConversionError(
            f"{k} row(s) stamped {stamp} (a DST gap end) at the edge of the file; "
            "the reconstruction rule needs a row on both sides"
        )
    filled = [prev + i * step for i in range(1, k + 1)]
    if filled[-1] + step != nxt:
        raise ConversionError(
            f"{k} row(s) stamped {stamp} (a DST gap end) do not fill the span from {prev} "
            f"to {nxt} at one row per {step}; the reconstruction rule does not apply"
        )
    return filled


def _utc_offset(naive: datetime, zone: ZoneInfo) -> timedelta | None:
    """Return the zone's UTC offset at a naive wall time (fold=0)."""
    return naive.replace(tzinfo=zone).utcoffset()


def reconstruct_naive(
    naive: Sequence[datetime], *, zone: ZoneInfo, step_s: int = NAB_STEP_S
) -> tuple[list[datetime], int]:
    """Undo the DST clamping of naive stamps (rules a and b), without changing offsets.

    Args:
        naive: Naive stamps in file order, length n_rows.
        zone: Zone whose DST gaps clamped the stamps (America/New_York for NAB).
        step_s: Nominal sampling step, seconds.

    Returns:
        (stamps on the continuous naive clock, length n_rows; number of rows
        re-stamped).

    Raises:
        ConversionError: If a clamped run does not fit rule b, if two unclamped
            consecutive rows straddle a DST transition of ``zone`` (the clock might
            observe DST; not covered by the rule), or if the result is not strictly
            increasing.
    """
    step = timedelta(seconds=step_s)
    out = list(naive)
    clamped = [False] * len(naive)
    i = 0
    while i < len(naive):
        end = _run_end(naive, i)
        if is_gap_end(naive[i], zone):
            prev = out[i - 1] if i > 0 else None
            nxt = naive[end] if end < len(naive) else None
            out[i:end] = _fill_run(prev, nxt, end - i, naive[i], step)
            clamped[i:end] = [True] * (end - i)
        i = end
    for j in range(1, len(out)):
        if out[j] <= out[j - 1]:
            raise ConversionError(
                f"timestamps not strictly increasing: {out[j - 1]} then {out[j]} (row {j + 2})"
            )
        unclamped = not (clamped[j - 1] or clamped[j])
        if unclamped and _utc_offset(naive[j - 1], zone) != _utc_offset(naive[j], zone):
            raise ConversionError(
                f"rows {j + 1} and {j + 2} ({naive[j - 1]} -> {naive[j]}) straddle a DST "
                f"transition of {zone.key} without clamped rows; the clock may observe DST "
                "and the reconstruction rule does not apply"
            )
    return out, sum(clamped)


def nab_naive_to_utc(
    naive: Sequence[datetime],
    *,
    zone_name: str = NAB_ZONE,
    step_s: int = NAB_STEP_S,
    clock_offset_s: int | None = NAB_CLOCK_OFFSET_S,
) -> tuple[list[int], int]:
    """Convert NAB naive stamps to UTC epoch seconds (rules a-d of the module docstring).

    Args:
        naive: Naive stamps in file order, length n_rows.
        zone_name: IANA zone assumed for the export step (default America/New_York).
        step_s: Nominal sampling step, seconds (300).
        clock_offset_s: Fixed UTC offset of the stamps' clock, seconds; None uses
            the standard offset of ``zone_name`` (-18000 for America/New_York).

    Returns:
        (UTC epoch seconds, length n_rows, strictly increasing; number of rows
        re-stamped by the DST reconstruction).

    Raises:
        ConversionError: If the input is empty or the rule does not apply.

    Examples:
        >>> from datetime import datetime as d
        >>> raw = [d(2014, 3, 9, 1, 56)] + [d(2014, 3, 9, 3, 0)] * 12 + [d(2014, 3, 9, 3, 1)]
        >>> utc, n_fixed = nab_naive_to_utc(raw)
        >>> n_fixed, {b - a for a, b in zip(utc, utc[1:])}
        (12, {300})
    """
    if not naive:
        raise ConversionError("no timestamps to convert")
    zone = ZoneInfo(zone_name)
    stamps, n_fixed = reconstruct_naive(naive, zone=zone, step_s=step_s)
    offset = standard_offset_s(zone, stamps[0]) if clock_offset_s is None else clock_offset_s
    utc = [int((s - _EPOCH_NAIVE).total_seconds()) - offset for s in stamps]
    return utc, n_fixed
