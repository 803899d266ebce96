"""Storage in the advice: the volume and its growth, backup retention, I/O-Optimized break-even.

Owns :class:`StorageAdvice` and :func:`storage_advice`. Pure arithmetic on a
:class:`~policy.advice.prices.PriceBook`; a month is 730 hours (30.42 days).

* **Volume and growth.** From a ``VolumeBytesUsed`` history (CloudWatch, bytes; sparse
  is fine: only finite samples count) the volume now is the last sample and the growth
  the least-squares slope over the history, GiB per day; without one, the volume the
  caller states (growth unknown). Storage is billed on the month's mean volume: the
  volume now plus half a month of growth.
* **Backups.** Aurora charges nothing for backup storage up to 100 % of the cluster
  volume, and nothing at all with a 1-day retention period (sources: aurora-pricing,
  aurora-backup). The continuous backup holds the volume plus every change within the
  retention period, so what is billed is estimated as ``change per day x (retention
  days - 1)`` GiB at the backup price (ASSUMPTION: one day of changes is covered with the
  volume, which makes a 1-day retention free as AWS states). The change per day is the
  caller's (e.g. CloudWatch ``BackupRetentionPeriodStorageUsed`` / retention days) or
  else the volume's net growth, a lower bound.
* **I/O-Optimized break-even.** I/O-Optimized multiplies compute by the ratio of the
  ACU-hour prices (0.16 / 0.12 in us-east-1) and storage by 0.225 / 0.10, and charges no
  I/O requests (sources: aurora-pricing). It costs the same as Standard when
  ``I/O millions x $0.20 = compute x (ratio - 1) + GiB x ($0.225 - $0.10)``.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from policy.advice.prices import HOURS_PER_MONTH, PriceBook
from policy.types import FrozenModel

GIB = float(2**30)
"""Bytes per GiB (``VolumeBytesUsed`` is in bytes)."""

DAYS_PER_MONTH = HOURS_PER_MONTH / 24.0
"""A 730-hour month in days (30.42)."""

MIN_GROWTH_SPAN_DAYS = 1.0
"""A growth rate needs samples at least this far apart."""


class StorageAdvice(FrozenModel):
    """Storage costs and the I/O-Optimized comparison.

    Attributes:
        storage_gib: the cluster volume now, GiB.
        source: ``VolumeBytesUsed`` (read off the history), ``given`` (the caller's
            figure) or ``unknown`` (none: storage is priced at 0).
        growth_gib_per_day: the volume's growth, GiB per day (None: not measured).
        storage_gib_in_30_days: the volume projected 30 days ahead, GiB.
        storage_usd_per_month: storage on the month's mean volume under ``standard`` and
            ``io_optimized``, USD.
        backup_retention_days: the retention period priced.
        backup_change_gib_per_day: changed data per day the backups hold, GiB.
        backup_billed_gib: backup storage above the free amount, GiB.
        backup_usd_per_month: its cost, USD per month.
        io_million_per_month: I/O requests per month, millions (None: unknown).
        io_optimized_break_even_io_million: the I/O requests per month, millions, at which
            I/O-Optimized costs as much as Standard for this compute and storage.
        io_optimized_saving_usd_per_month: Standard minus I/O-Optimized per month
            (positive: I/O-Optimized is cheaper; None while the I/O is unknown).
        sentences: what it means, one sentence each.
    """

    storage_gib: float
    source: Literal["VolumeBytesUsed", "given", "unknown"]
    growth_gib_per_day: float | None
    storage_gib_in_30_days: float
    storage_usd_per_month: dict[str, float]
    backup_retention_days: int
    backup_change_gib_per_day: float
    backup_billed_gib: float
    backup_usd_per_month: float
    io_million_per_month: float | None
    io_optimized_break_even_io_million: float
    io_optimized_saving_usd_per_month: float | None
    sentences: tuple[str, ...]


def volume_growth(volume_bytes: npt.ArrayLike, step_s: int) -> tuple[float | None, float | None]:
    """The volume now and its growth from a ``VolumeBytesUsed`` series.

    Args:
        volume_bytes: bytes per step, shape (n,); NaN where there is no sample.
        step_s: step length, seconds.

    Returns:
        (the last finite sample in GiB, the least-squares slope in GiB per day); the volume
        is None without a finite sample, the slope None unless finite samples span at
        least :data:`MIN_GROWTH_SPAN_DAYS`.
    """
    values = np.asarray(volume_bytes, dtype=np.float64)
    ok = np.flatnonzero(np.isfinite(values))
    if ok.size == 0:
        return None, None
    gib = values[ok] / GIB
    days = ok * step_s / 86_400.0
    if days[-1] - days[0] < MIN_GROWTH_SPAN_DAYS:
        return float(gib[-1]), None
    slope = float(np.polyfit(days, gib, 1)[0])
    return float(gib[-1]), slope


def storage_advice(
    *,
    volume_gib: float | None,
    growth_gib_per_day: float | None,
    given_gib: float,
    compute_standard_usd_per_month: float,
    io_million_per_month: float | None,
    backup_retention_days: int,
    backup_change_gib_per_day: float | None,
    book: PriceBook,
) -> StorageAdvice:
    """Price storage, backups and the I/O-Optimized choice for one cluster.

    Args:
        volume_gib: the volume now from ``VolumeBytesUsed``, GiB (None: not measured).
        growth_gib_per_day: its growth, GiB per day (None: not measured).
        given_gib: the caller's volume, GiB, used when ``volume_gib`` is None.
        compute_standard_usd_per_month: the advised compute under Standard, USD per month.
        io_million_per_month: I/O requests per month, millions (None: unknown).
        backup_retention_days: ``BackupRetentionPeriod``, 1-35 days.
        backup_change_gib_per_day: changed GiB per day (None: the growth, if measured).
        book: the prices.

    Returns:
        The :class:`StorageAdvice` (see the module docstring for every formula).
    """
    if volume_gib is not None:
        gib, source = volume_gib, "VolumeBytesUsed"
    else:
        gib, source = given_gib, ("given" if given_gib > 0 else "unknown")
    growth = growth_gib_per_day if volume_gib is not None else None
    mean_gib = max(gib + (growth or 0.0) * DAYS_PER_MONTH / 2.0, 0.0)
    in_30 = max(gib + (growth or 0.0) * 30.0, 0.0)
    storage = {
        "standard": round(mean_gib * book.standard_storage_usd_per_gib_month, 2),
        "io_optimized": round(mean_gib * book.io_optimized_storage_usd_per_gib_month, 2),
    }
    change = backup_change_gib_per_day if backup_change_gib_per_day is not None else max(growth or 0.0, 0.0)
    billed = change * (backup_retention_days - 1)
    backup_usd = billed * book.backup_usd_per_gib_month
    ratio = book.serverless_io_optimized_usd_per_acu_hour / book.serverless_standard_usd_per_acu_hour
    extra = compute_standard_usd_per_month * (ratio - 1.0) + mean_gib * (
        book.io_optimized_storage_usd_per_gib_month - book.standard_storage_usd_per_gib_month
    )
    break_even = extra / book.io_usd_per_million if book.io_usd_per_million > 0 else float("inf")
    saving = None if io_million_per_month is None else io_million_per_month * book.io_usd_per_million - extra
    out = _sentences(
        gib=gib,
        source=source,
        growth=growth,
        in_30=in_30,
        storage=storage,
        retention=backup_retention_days,
        change=change,
        measured_change=backup_change_gib_per_day is not None,
        billed=billed,
        backup_usd=backup_usd,
        io=io_million_per_month,
        break_even=break_even,
        saving=saving,
        ratio=ratio,
        book=book,
    )
    return StorageAdvice(
        storage_gib=round(gib, 3),
        source=source,  # type: ignore[arg-type]
        growth_gib_per_day=None if growth is None else round(growth, 4),
        storage_gib_in_30_days=round(in_30, 3),
        storage_usd_per_month=storage,
        backup_retention_days=backup_retention_days,
        backup_change_gib_per_day=round(change, 4),
        backup_billed_gib=round(billed, 3),
        backup_usd_per_month=round(backup_usd, 2),
        io_million_per_month=io_million_per_month,
        io_optimized_break_even_io_million=round(break_even, 2),
        io_optimized_saving_usd_per_month=None if saving is None else round(saving, 2),
        sentences=tuple(out),
    )


def _sentences(
    *,
    gib: float,
    source: str,
    growth: float | None,
    in_30: float,
    storage: dict[str, float],
    retention: int,
    change: float,
    measured_change: bool,
    billed: float,
    backup_usd: float,
    io: float | None,
    break_even: float,
    saving: float | None,
    ratio: float,
    book: PriceBook,
) -> list[str]:
    out = []
    if source == "VolumeBytesUsed":
        grows = (
            f"grows {growth:+.2f} GiB/day (least squares over the history), {in_30:,.1f} GiB in 30 days"
            if growth is not None
            else "has too short a history for a growth rate"
        )
        out.append(
            f"the volume holds {gib:,.1f} GiB (VolumeBytesUsed) and {grows}; storage costs "
            f"${storage['standard']:,.2f}/month under Standard, ${storage['io_optimized']:,.2f} under "
            "I/O-Optimized"
        )
    elif source == "given":
        out.append(
            f"the volume holds {gib:,.1f} GiB (as given; no VolumeBytesUsed history, so no growth rate); "
            f"storage costs ${storage['standard']:,.2f}/month under Standard"
        )
    else:
        out.append("storage is not priced: give a VolumeBytesUsed history or the volume in GiB")
    basis = "as given" if measured_change else "the volume's net growth, a lower bound"
    if retention == 1:
        out.append(
            "backups are free with the 1-day retention period (AWS charges none up to the volume's size)"
        )
    else:
        out.append(
            f"a {retention}-day backup retention keeps about {billed:,.1f} GiB beyond the free 100% of the "
            f"volume ({change:.2f} GiB changed per day, {basis}), ${backup_usd:,.2f}/month at "
            f"${book.backup_usd_per_gib_month}/GiB-month"
        )
    head = (
        f"I/O-Optimized costs as much as Standard at {break_even:,.1f} million I/O requests a month "
        f"(compute x{ratio:.2f}, storage ${book.io_optimized_storage_usd_per_gib_month} instead of "
        f"${book.standard_storage_usd_per_gib_month}/GiB-month, no ${book.io_usd_per_million}/million "
        "I/O charge)"
    )
    if io is None or saving is None:
        out.append(f"{head}; give the I/O per month (VolumeReadIOPs + VolumeWriteIOPs) to compare")
    else:
        winner = "I/O-Optimized" if saving > 0 else "Standard"
        out.append(f"{head}; at {io:,.1f} million {winner} is cheaper by ${abs(saving):,.2f}/month")
    return out
