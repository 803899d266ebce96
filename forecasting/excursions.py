"""One-off excursions: left out of the states models forecast from, kept in what they are scored on.

This module owns which past steps the backtest-selected forecaster (``selection``) sees
replaced, and from when on. A model that repeats the past (seasonal naive, the seasonal AR's
lags, Holt-Winters' season) repeats a one-off burst a season later at its *median*: one 20x
burst of an hour on an otherwise daily series made the next day's p50 for that hour 121 ACU
where demand stayed near 6, and the plan raised MinCapacity to 91 ACU for it. A burst that
did not happen on the days before is no evidence that it happens again on the next; the
backtest errors are still measured against the *actual* series, so the burst counts in the
pooled conformal quantiles: in those above about 1 minus its share of the calibration errors
(one hour of seven days is 0.6%: roughly p99.4 and up), not in p90.
Pure numpy, no state.

Rule, for a gap-free window y of n steps with a season of m steps (a day) and a week of W:

1. **Baseline**: for t >= 2m, ``b[t]`` = the median of ``y[t - k m]`` over the up to
   ``BASELINE_SEASONS`` = 3 seasons before t (the same time on the previous days).
2. **Far out, upward**: ``r = (y - b) / max(b, 0.5)``, the residual relative to the baseline
   (demand's noise grows with its level: an absolute fence set by the quiet hours flags the
   noise of the busy ones). Step t is *far out* when r is above Tukey's far-out fence
   ``Q3 + 3 IQR`` (the limit ``forecast::tsoutliers`` uses on its remainders: Hyndman et al.,
   R package *forecast*; Tukey 1977, *Exploratory Data Analysis*) and ``y - b`` is at least
   ``MIN_EXCURSION_ACU`` (0.5 ACU, one step of Aurora's capacity grid: "Aurora Serverless v2
   ... scales in increments of 0.5 ACU", Aurora User Guide, "How Aurora Serverless v2 works";
   a smaller one cannot move a floor). The quartiles of a step's day come from the residuals
   of the days before it (the first day's from itself). Only upward: a dip below the baseline
   costs nothing when it is repeated (Aurora's scaler covers the difference), and flagging
   dips replaced a jittered daily peak by another day's level on a network-traffic series.
3. **Recurring**: a far-out step t *recurs* when, on one of the 3 days before or after it or
   a week before or after it (in the window), some step within ``JITTER_S`` of its time was far
   out too *and* at least ``RECUR_SHARE`` (10%) of t's height above ``b[t]`` (in the window's
   first two days, which have no baseline, any step that high). A daily job that starts a
   little earlier or later, or is 5x larger one day than another, recurs from its second run
   on, and so does its first run; a Saturday batch recurs with the next or previous Saturday;
   a 0.7-ACU blip near a 60-ACU burst's time on another day does not make the burst recur
   (QA: with "far out" alone it did, and 27 of 60 bursts on a quiet series were kept). A step
   with no week before or after it in the window cannot be told from a weekly pattern and
   counts as recurring.
4. **One-off**: a run of far-out steps is replaced only when none of its steps recurs, it
   lasts at most a quarter of a season (6 h of a day), and the ``RETURN_S`` = 1 h after it
   holds no far-out step (the series came back). It is *confirmed* at the end of that hour.
   A level shift (far out from the shift on, or on and off for days) stays.
5. **Replacement**: ``b[t]`` plus the residual interpolated linearly between the steps just
   before and just after the run, clipped at 0.

Example: 4 ACU every day, 80 ACU from 08:20 to 09:20 once: those 12 steps are forecast from
as 4 ACU once 10:20 has passed, and scored as 80; the same hour on a second day makes both
days' runs a pattern the seasonal models repeat.

Backtests (:meth:`OneOffs.states`): the forecast from origin o starts from the history with
the one-off runs confirmed before o replaced and every other run as it was, which is what a
forecast made at o would have seen, with one exception: a run that recurs *later* is never
replaced, although a forecast made between the two runs would have replaced it (the window
knows it is a pattern; its backtest errors at those origins are the seasonal models' with the
pattern learnt, slightly optimistic for them).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from forecasting.types import FloatArray

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]

__all__ = [
    "BASELINE_SEASONS",
    "FAR_OUT_IQR",
    "JITTER_S",
    "MIN_EXCURSION_ACU",
    "RECUR_SHARE",
    "RETURN_S",
    "OneOffs",
    "one_offs",
]

BASELINE_SEASONS = 3
"""Seasons back the baseline's median takes. ASSUMPTION: three is the least count whose median
ignores one unusual day."""
FAR_OUT_IQR = 3.0
"""Tukey's far-out fence, in interquartile ranges beyond the upper quartile (as forecast::tsoutliers)."""
MIN_EXCURSION_ACU = 0.5
"""Aurora Serverless v2's capacity step, ACU: a smaller excursion cannot change a floor."""
RECUR_SHARE = 0.1
"""A far-out step on another day makes t recur only when at least this share of t's height above
its baseline (module step 3). ASSUMPTION: a tenth, so that a job five times larger on one day than
another still recurs, while a noise blip far smaller than the burst does not."""
JITTER_S = 1800
"""A step is an excursion only beyond every step within this many seconds of its time on the
days before. ASSUMPTION: half an hour, two plan steps."""
RETURN_S = 3600
"""Seconds after a run that must be unflagged for it to count as one-off. ASSUMPTION: one hour,
the policy's re-plan interval."""


@dataclass(frozen=True)
class OneOffs:
    """A window's confirmed one-off excursions (module rule).

    Attributes:
        y: the window as observed, shape (n,), ACU.
        cleaned: the window with every confirmed run replaced, shape (n,), ACU, >= 0.
        runs: ``(start, end)`` step indices of each replaced run, ``y[start:end]``, ascending.
        confirm_steps: a run is confirmed ``confirm_steps`` after its end (``RETURN_S``).
    """

    y: FloatArray
    cleaned: FloatArray
    runs: tuple[tuple[int, int], ...]
    confirm_steps: int

    @property
    def n_replaced(self) -> int:
        """Steps replaced in ``cleaned``."""
        return sum(end - start for start, end in self.runs)

    @property
    def mask(self) -> BoolArray:
        """Shape (n,), True at the steps of the replaced runs."""
        inside = np.zeros(self.y.size, dtype=np.bool_)
        for start, end in self.runs:
            inside[start:end] = True
        return inside

    def states(self, origins: IntArray) -> Iterator[tuple[FloatArray, BoolArray]]:
        """The history a forecast from each origin starts from, grouped by origin.

        Args:
            origins: shape (n_origins,), step indices; the forecast from o reads ``[:o]``.

        Yields:
            ``(history, hit)``: a series of shape (n,) (``cleaned`` with the runs that began
            before o but are confirmed only after it restored to ``y``) and the mask of the
            origins, shape (n_origins,), it is the history of. The masks partition the origins.
        """
        if not self.runs:
            yield self.cleaned, np.ones(origins.size, dtype=np.bool_)
            return
        pending = np.zeros((origins.size, len(self.runs)), dtype=np.bool_)
        for k, (start, end) in enumerate(self.runs):
            pending[:, k] = (origins > start) & (origins < end + self.confirm_steps)
        groups, which = np.unique(pending, axis=0, return_inverse=True)
        for g, restore in enumerate(groups):
            history = self.cleaned
            if restore.any():
                history = self.cleaned.copy()
                for start, end in (self.runs[int(k)] for k in np.flatnonzero(restore)):
                    history[start:end] = self.y[start:end]
            yield history, np.asarray(which.reshape(-1) == g)


def _shifted(y: FloatArray, lags: list[int]) -> FloatArray:
    """``y`` shifted forward by each lag, shape (len(lags), n); NaN where the window has none."""
    n = y.size
    back = np.full((len(lags), n), np.nan)
    for k, lag in enumerate(lags):
        if n > lag:
            back[k, lag:] = y[: n - lag]
    return back


def _rolling_max(y: FloatArray, half: int) -> FloatArray:
    """The max of ``y`` over the ``2 half + 1`` steps centred on each step (edges padded)."""
    windows = np.lib.stride_tricks.sliding_window_view(np.pad(y, half, mode="edge"), 2 * half + 1)
    return np.asarray(windows.max(axis=1), dtype=np.float64)


def _runs(mask: BoolArray) -> list[tuple[int, int]]:
    """``[start, end)`` of each run of True in ``mask``."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(padded[1:] != padded[:-1])
    return [(int(a), int(b)) for a, b in zip(edges[::2], edges[1::2], strict=True)]


def _upper_fences(relative: FloatArray, m: int) -> FloatArray:
    """Q3 + FAR_OUT_IQR IQR per step, from the residuals of the days before its day (module step 2)."""
    fences = np.empty(relative.size)
    for start in range(0, relative.size, m):
        seen = relative[: max(start, m)]  # the first day's fence comes from itself
        q1, q3 = np.quantile(seen, [0.25, 0.75])
        fences[start : start + m] = q3 + FAR_OUT_IQR * (q3 - q1)
    return fences


def one_offs(y: FloatArray, season_steps: int, step_s: int, week_steps: int) -> OneOffs:
    """Find and replace a window's one-off upward excursions (module rule).

    Args:
        y: gap-free demand window, shape (n,), ACU, >= 0.
        season_steps: steps in the daily season m, >= 2.
        step_s: step length, seconds.
        week_steps: steps in the weekly season W, >= ``season_steps``.

    Returns:
        The :class:`OneOffs` (no runs when the window holds fewer than three seasons).
    """
    m, n = season_steps, y.size
    observed = np.asarray(y, dtype=np.float64)
    cleaned = observed.copy()
    after = max(1, RETURN_S // step_s)
    if n < 3 * m:
        return OneOffs(observed, cleaned, (), after)
    ok = slice(2 * m, None)
    base = np.full(n, np.nan)
    base[ok] = np.nanmedian(
        _shifted(observed, [k * m for k in range(1, BASELINE_SEASONS + 1)])[:, ok], axis=0
    )
    resid = observed - base
    relative = resid[ok] / np.maximum(base[ok], MIN_EXCURSION_ACU)
    far = np.zeros(n, dtype=np.bool_)
    far[ok] = (relative > _upper_fences(relative, m)) & (resid[ok] >= MIN_EXCURSION_ACU)
    recurs = _recurs(observed, base, far, m, week_steps, JITTER_S // step_s)
    runs: list[tuple[int, int]] = []
    for a, b in _runs(far):
        if a == 2 * m or recurs[a:b].any() or b - a > m // 4 or b + after > n or far[b : b + after].any():
            continue  # nothing with a baseline before it, a pattern, a regime (not a burst), not over
        left, right = resid[a - 1], resid[b]
        frac = (np.arange(a, b) - (a - 1)) / (b - (a - 1))
        cleaned[a:b] = np.maximum(base[a:b] + left + frac * (right - left), 0.0)
        runs.append((a, b))
    return OneOffs(observed, cleaned, tuple(runs), after)


def _recurs(
    observed: FloatArray, base: FloatArray, far: BoolArray, m: int, week: int, half: int
) -> BoolArray:
    """Module step 3 for every step, shape (n,): True where a far-out step recurs (or may)."""
    n = observed.size
    t = np.arange(n)
    known = t >= 2 * m  # where far-out is known; before it any step counts
    far_height = _rolling_max(np.where(far | ~known, observed, -np.inf), half)  # of far-out steps near each
    needed = base + RECUR_SHARE * (observed - base)  # NaN on the first two days, where nothing is far out
    recurs = np.zeros(n, dtype=np.bool_)
    has_week = np.zeros(n, dtype=np.bool_)
    days = [k * m for k in range(1, BASELINE_SEASONS + 1)]
    for lag in [-week, *(-d for d in days), *days, week]:
        ref = t + lag
        inside = (ref >= 0) & (ref < n)
        recurs |= inside & (far_height[np.clip(ref, 0, n - 1)] >= needed)
        if abs(lag) == week:
            has_week |= inside
    return recurs | ~has_week
