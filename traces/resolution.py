"""How often a signal was sampled: its resolutions, each sample's period, its holes (pure).

Owns the rules every input format shares (:mod:`traces.uploads` reports them,
:mod:`traces.signals` grids by them). Imports nothing of ours.

Rules, for one signal's strictly increasing sample times:

* A **resolution** is a spacing seen in a run of at least :data:`MIN_RUN` equal
  consecutive spacings (CloudWatch ages 1-minute data into 5-minute and then hourly data,
  so a long export holds runs of 60, 300 and 3600 s). The signal's **step** is its finest
  resolution; with no such run (a handful of samples) it is the most common spacing
  (the smallest on a tie). Several resolutions make the signal **mixed**.
* **Irregular** sampling (:func:`sampling`): runs must account for a real share of the
  spacings, not be chance runs of a jittered clock (an agent pushing every 50-70 s makes
  a few runs of 54 or 68 s among thousands of spacings). A signal with more than
  :data:`MIN_RUN` spacings is irregular when fewer than :data:`REGULAR_SHARE` of its
  spacings lie in runs and fewer than that share are whole multiples of the step above
  (a lattice: a sparse count or an export with many holes has few runs, yet every
  spacing is a multiple of 60 s; below :data:`LATTICE_MIN_S` multiples are common by
  chance and do not count). An irregular signal has no resolutions; its step is the
  median spacing rounded to the nearest of :data:`COMMON_STEPS_S` (by ratio, the finer
  on a tie), every sample's period is that step (a sample counts in every step it
  overlaps, as an offset grid's do: the step's max, conservative, so a sample that comes
  10 s late leaves no step empty; :func:`traces.demand_series`, which bins a sample in the
  one step holding it, would leave about 4 % of the 60-s steps of a 50-70 s clock empty),
  and its holes are the runs of steps of the
  epoch-aligned grid of that step that no sample's period reaches (a 70-s spacing leaves
  10 s uncovered but no step without a sample: no hole). The caller says so
  (:attr:`Sampling.irregular`); nothing is moved, only read.
* A sample's **period** is the resolution of the run it belongs to (when it sits between
  two, the run it starts: the spacing after it is the one it measures, so the first
  5-minute sample after 1-minute ones covers 5 minutes, not 1 with a 4-minute hole), else
  the signal's step: a sample covers ``[ts, ts + period)`` (CloudWatch stamps a datapoint
  with the start of its period).
* A **hole** is a spacing longer than the period of the sample before it: the interval
  ``[ts + period, next ts)`` had no sample (an irregular signal's holes: above).
* The **offset** is the most common ``ts mod step``; samples with another remainder are
  **off-grid**.
* **Jitter** (:func:`snap_jitter`, applied before the rules above): scrapers and agents
  stamp samples a few seconds late, so exact runs never form and every spacing looks like
  a new resolution. When the median spacing is within 10 % of a common step
  (:data:`COMMON_STEPS_S`) and every sample lies within :data:`JITTER_SHARE` of a step of
  one grid (its phase the circular mean of ``ts mod step``) without two sharing a grid
  time, each sample moves to its grid time and the caller says so. Anything else is left
  as it came (irregular data is read by the **Irregular** rule, never moved).

Errors: none are raised; the functions expect strictly increasing integer times (the
callers sort and deduplicate) and return None or empty results for too few samples.
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
"""Sampling steps jitter is snapped to and irregular signals are read on: CloudWatch periods
(1, 5, 10, 30 s high-resolution; 60 s and multiples: Amazon CloudWatch User Guide, "Metrics
concepts", period) and the usual Prometheus scrape intervals (15, 30, 60 s)."""

JITTER_SHARE: Final[float] = 0.2
"""Largest distance of a sample from its grid time that counts as jitter, as a share of the step."""

REGULAR_SHARE: Final[float] = 0.5
"""Least share of a signal's spacings that its runs (or its step's lattice) must account for
to be regular (module docstring, **Irregular**). ASSUMPTION 0.5: a regular export keeps
nearly all its spacings in runs (a hole breaks a run only where it is; 10 % of samples
missing at random still leaves 88 % in runs), while a jittered clock's chance runs hold
1-25 % of them (spacings drawn from 50-70 s: about 1 %; from 59-61 s: about 25 %);
half sits well between the two and needs no tuning to either."""

LATTICE_MIN_S: Final[int] = 10
"""Least step whose whole multiples count as evidence of a grid (module docstring,
**Irregular**), seconds. ASSUMPTION 10 s: a random spacing is a multiple of a step of
``s`` seconds about once in ``s``, so below 10 s chance alone comes near
:data:`REGULAR_SHARE` (every spacing is a multiple of 1 s); finer signals are regular by
their runs only."""


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


def _raw_runs(ts_s: IntArray) -> list[Run]:
    """Every run of at least :data:`MIN_RUN` equal spacings, chance runs included, oldest first."""
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


def _most_common(diffs: IntArray) -> int:
    """The most common spacing, the smallest on a tie."""
    values, counts = np.unique(diffs, return_counts=True)
    return int(values[np.flatnonzero(counts == counts.max())[0]])


def nearest_common_step(seconds: float) -> int:
    """Return the step of :data:`COMMON_STEPS_S` nearest to ``seconds`` by ratio (the finer on a tie).

    Args:
        seconds: a spacing, > 0.

    Returns:
        Seconds, one of :data:`COMMON_STEPS_S`.

    Examples:
        >>> nearest_common_step(61.5), nearest_common_step(45.0), nearest_common_step(200.0)
        (60, 60, 300)
    """
    ratio = [abs(math.log(c / seconds)) for c in COMMON_STEPS_S]
    return COMMON_STEPS_S[min(range(len(ratio)), key=lambda k: (round(ratio[k], 12), k))]


@dataclass(frozen=True)
class Sampling:
    """How one signal was sampled (the rules of the module docstring).

    Attributes:
        runs: the resolutions' runs, oldest first; empty when irregular or without runs.
        step_s: the signal's step, seconds; None for a single sample.
        irregular: no run or lattice accounts for :data:`REGULAR_SHARE` of the spacings;
            ``step_s`` is then the median spacing on :data:`COMMON_STEPS_S`.
        regular_share: the larger of the share of spacings in runs and, for a step of at
            least :data:`LATTICE_MIN_S`, the share that are whole multiples of it (1.0 for
            too few spacings to tell).
        median_s: the median spacing, seconds (None for a single sample).
        spread_s: the 5th and 95th percentiles of the spacings, seconds ((0, 0) for a
            single sample).
    """

    runs: tuple[Run, ...]
    step_s: int | None
    irregular: bool = False
    regular_share: float = 1.0
    median_s: float | None = None
    spread_s: tuple[float, float] = (0.0, 0.0)


def sampling(ts_s: IntArray) -> Sampling:
    """Return a signal's resolutions and step, telling regular from irregular sampling.

    The rule (module docstring, **Resolution** and **Irregular**): runs of at least
    :data:`MIN_RUN` equal spacings are resolutions when, with more than :data:`MIN_RUN`
    spacings, at least :data:`REGULAR_SHARE` of the spacings lie in runs or are whole
    multiples of the step they give (a step of at least :data:`LATTICE_MIN_S`); else the
    signal is irregular, has no resolutions, and its step is the median spacing rounded to
    :func:`nearest_common_step`.

    Args:
        ts_s: sample times, epoch seconds, strictly increasing, shape (n,).

    Returns:
        The :class:`Sampling`; raises nothing.

    Examples:
        >>> s = sampling(np.array([0, 60, 120, 180, 480, 780, 1080]))
        >>> s.step_s, s.irregular, [r.resolution_s for r in s.runs]
        (60, False, [60, 300])
        >>> s = sampling(np.cumsum(np.random.default_rng(7).integers(50, 71, 1000)))
        >>> s.step_s, s.irregular, s.runs
        (60, True, ())
    """
    diffs = np.diff(ts_s)
    if diffs.size == 0:
        return Sampling((), None)
    found = _raw_runs(ts_s)
    step = min(r.resolution_s for r in found) if found else _most_common(diffs)
    median = float(np.median(diffs))
    spread = (float(np.percentile(diffs, 5)), float(np.percentile(diffs, 95)))
    if diffs.size <= MIN_RUN:
        return Sampling(tuple(found), step, median_s=median, spread_s=spread)
    share = sum(r.last - r.first for r in found) / diffs.size
    if step >= LATTICE_MIN_S:
        share = max(share, float(np.count_nonzero(diffs % step == 0)) / diffs.size)
    if share >= REGULAR_SHARE:
        return Sampling(tuple(found), step, regular_share=share, median_s=median, spread_s=spread)
    return Sampling((), nearest_common_step(median), True, share, median, spread)


def runs(ts_s: IntArray) -> list[Run]:
    """Return the runs of at least :data:`MIN_RUN` equal spacings, oldest first.

    Chance runs of an irregular signal (:func:`sampling`) are no resolutions: none then.

    Args:
        ts_s: sample times, epoch seconds, strictly increasing, shape (n,).

    Returns:
        The runs; empty for fewer than ``MIN_RUN + 1`` samples, no regular stretch or
        irregular sampling.

    Examples:
        >>> [(r.resolution_s, r.first, r.last) for r in runs(np.array([0, 60, 120, 180, 480, 780, 1080]))]
        [(60, 0, 3), (300, 3, 6)]
    """
    return list(sampling(ts_s).runs)


def step_of(ts_s: IntArray, found: list[Run] | None = None) -> int | None:
    """Return a signal's step (:func:`sampling`).

    Its finest resolution, else its most common spacing; for irregular sampling its median
    spacing on :data:`COMMON_STEPS_S`.

    Args:
        ts_s: sample times, epoch seconds, strictly increasing, shape (n,).
        found: :func:`runs` of ``ts_s`` if already computed.

    Returns:
        Seconds, or None for a single sample.
    """
    if found:
        return min(r.resolution_s for r in found)
    return sampling(ts_s).step_s


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
    every = runs(ts_s) if found is None else found
    for run in every:  # a run's last sample: its period, unless it also starts a run (below)
        out[run.last] = run.resolution_s
    for run in every:  # every sample a run's spacing follows measures that spacing
        out[run.first : run.last] = run.resolution_s
    return out


def holes(ts_s: IntArray, period_s: IntArray, *, grid_s: int | None = None) -> list[tuple[int, int]]:
    """Return the intervals without a sample, ``[end of a sample's period, next sample)``.

    Args:
        ts_s: sample times, epoch seconds, strictly increasing, shape (n,).
        period_s: :func:`periods`, shape (n,).
        grid_s: for an irregular signal (:func:`sampling`), its step: a hole is then a run
            of steps of the epoch-aligned grid that no sample's period reaches,
            ``[first such step, end of the last)``. None: the regular rule.

    Returns:
        (start, end) epoch seconds per hole, oldest first.

    Examples:
        >>> holes(np.array([0, 70, 130, 320]), np.array([60, 60, 60, 60]), grid_s=60)
        [(240, 300)]
    """
    ends = ts_s[:-1] + period_s[:-1]
    if grid_s is None:
        idx = np.flatnonzero(ts_s[1:] > ends)
        return [(int(ends[i]), int(ts_s[i + 1])) for i in idx]
    first = -(-ends // grid_s)  # the first step starting at or after a period's end
    stop = ts_s[1:] // grid_s  # the step the next sample starts in
    idx = np.flatnonzero(stop > first)
    return [(int(first[i]) * grid_s, int(stop[i]) * grid_s) for i in idx]


def offset_of(ts_s: IntArray, step_s: int) -> tuple[int, int]:
    """Return the grid offset (the most common remainder) and how many samples are off it.

    The grid is whole steps from the UTC midnight that starts the first sample's day. For a
    step that divides a day (every step a history is read on) that is the grid of whole
    steps since the epoch; for one that does not (7-minute data), the epoch's grid sits at
    another time of day (1714953600 mod 420 is 360), so samples exactly 420 s apart from
    midnight read as "360 s past the 420-s grid".

    Args:
        ts_s: sample times, epoch seconds, shape (n,).
        step_s: the grid step, seconds, > 0.

    Returns:
        (offset in seconds, number of samples with another remainder).
    """
    if ts_s.size == 0:
        return 0, 0
    midnight = int(ts_s.min()) // 86_400 * 86_400
    rem = (ts_s - midnight) % step_s
    values, counts = np.unique(rem, return_counts=True)
    offset = int(values[np.flatnonzero(counts == counts.max())[0]])
    return offset, int(np.count_nonzero(rem != offset))
