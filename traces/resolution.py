"""How often a signal was sampled: its resolutions, each sample's period, its holes (pure).

Owns the rules every input format shares (:mod:`traces.uploads` reports them,
:mod:`traces.signals` grids by them). Imports nothing of ours.

Rules, for one signal's strictly increasing sample times:

* A **resolution** is a spacing seen in a run of at least :data:`MIN_RUN` equal
  consecutive spacings (CloudWatch ages 1-minute data into 5-minute and then hourly data,
  so a long export holds runs of 60, 300 and 3600 s). The signal's **step** is its finest
  resolution; with no such run (a handful of samples) it is the most common spacing
  (the smallest on a tie). Several resolutions make the signal **mixed**.
* A sample's **period** is the resolution of the run it belongs to (the first such run
  when it sits between two), else the signal's step: a sample covers ``[ts, ts + period)``
  (CloudWatch stamps a datapoint with the start of its period).
* A **hole** is a spacing longer than the period of the sample before it: the interval
  ``[ts + period, next ts)`` had no sample.
* The **offset** is the most common ``ts mod step``; samples with another remainder are
  **off-grid**.
* **Jitter** (:func:`snap_jitter`, applied before the rules above): scrapers and agents
  stamp samples a few seconds late, so exact runs never form and every spacing looks like
  a new resolution. When the median spacing is within 10 % of a common step
  (:data:`COMMON_STEPS_S`) and every sample lies within :data:`JITTER_SHARE` of a step of
  one grid (its phase the circular mean of ``ts mod step``) without two sharing a grid
  time, each sample moves to its grid time and the caller says so. Anything else is left
  as it came (irregular data is not forced onto a grid).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

MIN_RUN: Final[int] = 3
"""Equal consecutive spacings that make a resolution (3 spacings = 4 samples)."""

IntArray = npt.NDArray[np.int64]

COMMON_STEPS_S: Final[tuple[int, ...]] = (
    1,
    5,
    10,
    15,
    20,
    30,
    60,
    120,
    300,
    600,
    900,
    1800,
    3600,
    7200,
    10_800,
    21_600,
    43_200,
    86_400,
)
"""Sampling steps jitter is snapped to: CloudWatch periods (1, 5, 10, 30 s high-resolution;
60 s and multiples: Amazon CloudWatch User Guide, "Metrics concepts", period) and the usual
Prometheus scrape intervals (15, 30, 60 s)."""

JITTER_SHARE: Final[float] = 0.2
"""Largest distance of a sample from its grid time that counts as jitter, as a share of the step."""


def snap_jitter(ts_s: IntArray) -> tuple[IntArray, int, int]:
    """Move jittered sample times onto their grid (module docstring, **Jitter**).

    Args:
        ts_s: sample times, epoch seconds, strictly increasing, shape (n,).

    Returns:
        (times, step, largest move): the snapped times, shape (n,), strictly increasing,
        the grid step and the largest move in seconds; ``ts_s`` itself, 0 and 0 when
        nothing moves (regular data, too few samples, irregular data).

    Examples:
        >>> t, step, moved = snap_jitter(np.array([0, 301, 600, 902, 1200, 1499]))
        >>> t.tolist(), step, moved
        ([0, 300, 600, 900, 1200, 1500], 300, 2)
    """
    unchanged = (ts_s, 0, 0)
    if ts_s.size < MIN_RUN + 1:
        return unchanged
    median = float(np.median(np.diff(ts_s)))
    step = min(COMMON_STEPS_S, key=lambda c: abs(c - median))
    if abs(median - step) > 0.1 * step or step == 1:
        return unchanged
    rem = ts_s % step
    angle = 2.0 * np.pi * rem / step
    phase = math.atan2(float(np.sin(angle).mean()), float(np.cos(angle).mean()))
    values, counts = np.unique(rem, return_counts=True)
    # The grid's phase: the epoch grid (0), the most common remainder or the circular mean,
    # whichever moves the samples least in total with no move above the bound and no two
    # samples on one grid time; a later candidate must do 1 % better.
    best: tuple[float, IntArray, int] | None = None
    for offset in (0, int(values[np.argmax(counts)]), round(phase * step / (2.0 * np.pi)) % step):
        grid = offset + np.round((ts_s - offset) / step).astype(np.int64) * step
        moved = np.abs(grid - ts_s)
        largest = int(moved.max())
        if largest > JITTER_SHARE * step or np.any(np.diff(grid) <= 0):
            continue
        total = float(moved.sum())
        if best is None or total < 0.99 * best[0]:
            best = (total, grid, largest)
    if best is None or best[2] == 0:
        return unchanged
    return best[1], step, best[2]


@dataclass(frozen=True)
class Run:
    """A stretch of samples at one resolution.

    Attributes:
        resolution_s: the spacing, seconds.
        first: index of its first sample.
        last: index of its last sample (inclusive).
    """

    resolution_s: int
    first: int
    last: int


def runs(ts_s: IntArray) -> list[Run]:
    """Return the runs of at least :data:`MIN_RUN` equal spacings, oldest first.

    Args:
        ts_s: sample times, epoch seconds, strictly increasing, shape (n,).

    Returns:
        The runs; empty for fewer than ``MIN_RUN + 1`` samples or no regular stretch.

    Examples:
        >>> [(r.resolution_s, r.first, r.last) for r in runs(np.array([0, 60, 120, 180, 480, 780, 1080]))]
        [(60, 0, 3), (300, 3, 6)]
    """
    diffs = np.diff(ts_s)
    out: list[Run] = []
    i = 0
    while i < len(diffs):
        j = i
        while j + 1 < len(diffs) and diffs[j + 1] == diffs[i]:
            j += 1
        if j - i + 1 >= MIN_RUN:
            out.append(Run(int(diffs[i]), i, j + 1))
        i = j + 1
    return out


def step_of(ts_s: IntArray, found: list[Run] | None = None) -> int | None:
    """Return a signal's step: its finest resolution, else its most common spacing.

    Args:
        ts_s: sample times, epoch seconds, strictly increasing, shape (n,).
        found: :func:`runs` of ``ts_s`` if already computed.

    Returns:
        Seconds, or None for a single sample.
    """
    found = runs(ts_s) if found is None else found
    if found:
        return min(r.resolution_s for r in found)
    diffs = np.diff(ts_s)
    if diffs.size == 0:
        return None
    values, counts = np.unique(diffs, return_counts=True)
    return int(values[np.flatnonzero(counts == counts.max())[0]])


def periods(ts_s: IntArray, *, default_s: int, found: list[Run] | None = None) -> IntArray:
    """Return each sample's period (the rules of the module docstring).

    Args:
        ts_s: sample times, epoch seconds, strictly increasing, shape (n,).
        default_s: the period of a sample in no run (the signal's step), seconds, > 0.
        found: :func:`runs` of ``ts_s`` if already computed.

    Returns:
        Seconds per sample, shape (n,), >= 1.
    """
    out = np.full(ts_s.shape[0], max(int(default_s), 1), dtype=np.int64)
    assigned = np.zeros(ts_s.shape[0], dtype=bool)
    for run in runs(ts_s) if found is None else found:
        sl = slice(run.first, run.last + 1)
        free = ~assigned[sl]
        out[sl][free] = run.resolution_s
        assigned[sl] = True
    return out


def holes(ts_s: IntArray, period_s: IntArray) -> list[tuple[int, int]]:
    """Return the intervals without a sample, ``[end of a sample's period, next sample)``.

    Args:
        ts_s: sample times, epoch seconds, strictly increasing, shape (n,).
        period_s: :func:`periods`, shape (n,).

    Returns:
        (start, end) epoch seconds per hole, oldest first.
    """
    ends = ts_s[:-1] + period_s[:-1]
    idx = np.flatnonzero(ts_s[1:] > ends)
    return [(int(ends[i]), int(ts_s[i + 1])) for i in idx]


def offset_of(ts_s: IntArray, step_s: int) -> tuple[int, int]:
    """Return the grid offset (most common ``ts mod step``) and how many samples are off it.

    Args:
        ts_s: sample times, epoch seconds, shape (n,).
        step_s: the grid step, seconds, > 0.

    Returns:
        (offset in seconds, number of samples with another remainder).
    """
    if ts_s.size == 0:
        return 0, 0
    rem = ts_s % step_s
    values, counts = np.unique(rem, return_counts=True)
    offset = int(values[np.flatnonzero(counts == counts.max())[0]])
    return offset, int(np.count_nonzero(rem != offset))
