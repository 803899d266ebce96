"""Adaptive, conditional conformal calibration of rolling-origin backtest errors.

This module owns how the backtest errors of the model that forecasts become its quantile
offsets (``selection.AutoForecaster``, the default of ``forecast_demand``). Pure numpy and
no state between calls: "online" means the updates are replayed, in time order, over the
errors the history already holds, so the same history always gives the same offsets.

Input: errors ``e[k, j] = y[o_k + j] - yhat[o_k + j | o_k]`` of the chosen model from origins
``o_k`` (ascending, every few steps, the last ones up to n - h_cal), steps j = 0..h_cal - 1,
grouped in horizon bands (``intervals.horizon_bands``: steps 1, 2-3, 4-7, 8-15, ...; error
spread grows with the step). For quantile q and step j of band b:

1. **Recency-weighted conformal quantile** (Barber, Candès, Ramdas & Tibshirani 2023,
   "Conformal prediction beyond exchangeability", Ann. Statist. 51(2), eq. (10)): an error
   of origin o weighs ``w = 2 ** (-(n - o) / half_life)``, the test point 1, and
   ``Q(L)`` is the smallest error s of the band with ``sum(w[e <= s]) >= L (sum(w) + 1)``
   (the largest error if none is).
2. **Span from the data** (``half_life``): at checkpoints every ``CHECKPOINT_S`` over the last
   ``PREQUENTIAL_S`` of origins, each candidate of ``HALF_LIVES_S`` calibrates from the errors
   known at the checkpoint c (origins <= c - h_cal, aged from c) and is scored by the pinball
   loss of the errors of the next checkpoint's origins; the lowest total wins (ties: the
   longer half-life). Every origin before it still counts, with its weight.
3. **Adaptive level** (ACI; Gibbs & Candès 2021, "Adaptive conformal inference under
   distribution shift", NeurIPS, §2): for each requested q > 0.5 and band, the level L
   starts at q and is replayed over the origins of the last ``ACI_REPLAY_S`` in time order::

       L <- L + gamma * (miss_k - (1 - q)),   miss_k = share of origin k's errors in the band
                                              whose weighted p-value is >= L

   (the paper's ``alpha_{t+1} = alpha_t + gamma (alpha - err_t)`` with ``L = 1 - alpha``), so
   misses raise the level within hours and a calm run lowers it; p-values are taken against
   the band's final weighted distribution, and L stays in ``[0.5, 1]``. Quantiles <= 0.5 keep
   L = q (only the upper quantiles, which size capacity, adapt).
4. **Conditional by hour of day** ("Mondrian" conformal: Vovk, Gammerman & Shafer 2005,
   *Algorithmic Learning in a Random World*, §4.5): errors are binned by the phase of the step
   they score in the daily season (``N_BINS`` = 24 bins: the hour of day at a whole-hour
   season); step j takes ``BIN_SHARE * Q_bin(L) + (1 - BIN_SHARE) * Q(L)`` from its phase bin
   when that bin holds >= ``MIN_BIN_ERRORS`` errors of the band, else the pooled ``Q(L)``.
   Weekday bins are not used: a 7-day span holds one day of each weekday. Errors scored on
   the steps of a one-off excursion (``excursions``) count in the pooled ``Q(L)`` but in no
   bin: with one error per bin and day, one burst on one day of seven made the bin's p90 the
   burst (59 ACU for three days at an hour where demand stayed near 6), and one burst is no
   evidence about that hour of the next days.

Example: 2,016 equally weighted errors in a band, ACI at rest: p95 is the 1,917th smallest
(0.95 x 2,017 = 1,916.2, rounded up). Every setting below was chosen on the forecast
benchmark's dev series and checked on its held-out ones (``benchmarks/forecast_suite.py``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from forecasting.base import IntArray
from forecasting.excursions import BoolArray
from forecasting.intervals import horizon_bands
from forecasting.types import FloatArray

__all__ = [
    "ACI_EVERY_S",
    "ACI_GAMMA",
    "ACI_REPLAY_S",
    "BIN_SHARE",
    "CHECKPOINT_S",
    "HALF_LIVES_S",
    "MIN_BIN_ERRORS",
    "N_BINS",
    "PREQUENTIAL_S",
    "Calibration",
    "aci_levels",
    "calibrate",
    "choose_half_life",
    "weighted_quantiles",
]

# Recency half-lives the data chooses from, seconds (a fixed 1.5 days did as well on the dev
# series; 6 h and 12 h made the quantiles noisy and lost 3% pinball).
HALF_LIVES_S: tuple[int, ...] = (86_400, 2 * 86_400, 4 * 86_400)
# Prequential scoring of the half-lives: a checkpoint every 6 h over the last 2 days.
CHECKPOINT_S = 6 * 3600
PREQUENTIAL_S = 2 * 86_400
# ACI: one update per hour of origins (the policy's re-plan cadence) over the last 2 days,
# gamma = 0.02 per update, i.e. the 0.005 of Gibbs & Candès' experiments per 15-minute origin
# folded into hourly steps (per-origin updates gave the same coverage at 4x the cost).
ACI_EVERY_S = 3600
ACI_GAMMA = 0.02
ACI_REPLAY_S = 2 * 86_400
# Phase bins of the daily season, and the errors of a band a bin needs (>= 5 above a p95).
N_BINS = 24
MIN_BIN_ERRORS = 100
# A bin holds at most 7 days of one hour; bins alone under-covered the pooled p90 by 1 point
# on the dev series (noisy quantiles), so the bin and the pooled quantile are averaged.
BIN_SHARE = 0.5


@dataclass(frozen=True)
class Calibration:
    """Offsets calibrated from backtest errors, and how.

    Attributes:
        offsets: shape (n_quantiles, h_cal), ACU; add to the point forecast of the h_cal
            steps after the origin. Non-decreasing along quantiles.
        half_life_steps: the recency half-life chosen (module step 2), steps.
        levels: ACI levels, shape (n_bands, n_quantiles): in [0.5, 1] for q > 0.5, else q.
    """

    offsets: FloatArray
    half_life_steps: int
    levels: FloatArray


def weighted_quantiles(scores: FloatArray, weights: FloatArray, levels: FloatArray) -> FloatArray:
    """Recency-weighted conformal quantiles (module step 1).

    Args:
        scores: shape (N,), N >= 1.
        weights: shape (N,), > 0.
        levels: shape (n_levels,), in (0, 1].

    Returns:
        Shape (n_levels,): per level L the smallest score s with
        ``sum(weights[scores <= s]) >= L * (sum(weights) + 1)``, else the largest score.

    Examples:
        >>> weighted_quantiles(np.arange(1.0, 20.0), np.ones(19), np.array([0.5, 0.95])).tolist()
        [10.0, 19.0]
    """
    order = np.argsort(scores, kind="stable")
    cum = np.cumsum(weights[order])
    return _lookup(scores[order], cum, float(cum[-1]) + 1.0, levels)


def _lookup(sorted_scores: FloatArray, cum: FloatArray, total: float, levels: FloatArray) -> FloatArray:
    """Weighted quantiles from sorted scores and their cumulative weights (same shape)."""
    idx = np.searchsorted(cum, levels * total, side="left")
    return np.asarray(sorted_scores[np.minimum(idx, sorted_scores.size - 1)], dtype=np.float64)


def _strictly_below(sorted_scores: FloatArray, cum_before: FloatArray) -> FloatArray:
    """Weight of the scores strictly below each sorted score: tied scores share their group's.

    An error misses level L exactly when the weight strictly below it reaches ``L (W + 1)``
    (then the level's quantile is a smaller score). Counting a tied score's earlier-sorted
    twins as below would make the last of a run of equal errors (a constant series, demand
    on the 0.5-ACU grid) look like a miss at any level and drive the ACI level to 1.
    """
    first = np.r_[True, sorted_scores[1:] != sorted_scores[:-1]]
    group_start = np.maximum.accumulate(np.where(first, np.arange(sorted_scores.size), 0))
    return np.asarray(cum_before[group_start], dtype=np.float64)


def _steps(seconds: int, step_s: int) -> int:
    return max(1, seconds // step_s)


def choose_half_life(
    probe: FloatArray,
    origins: IntArray,
    h_cal: int,
    quantiles: FloatArray,
    half_lives: FloatArray,
    checkpoint: int,
    span: int,
) -> float:
    """Return the half-life with the lowest prequential pinball (module step 2).

    Vectorised: per checkpoint c, half-life and probe column, the cumulative weights of the
    errors known at c, in score order, form rows that laid end to end ascend, so one
    ``searchsorted`` finds every quantile.

    Args:
        probe: errors of one step per horizon band (its last), shape (n_origins, n_probe),
            ACU; every band's error scale at a fraction of the cost of all steps.
        origins: shape (n_origins,), ascending.
        h_cal: steps scored per origin (an origin's errors are known h_cal steps after it).
        quantiles: shape (n_q,), in (0, 1).
        half_lives: candidates, shape (n_hl,), steps, ascending.
        checkpoint: steps between checkpoints (and the origins each one scores).
        span: steps of origins the checkpoints cover, counted back from the last origin.

    Returns:
        The winning half-life, steps (ties: the longer); the longest when no checkpoint has
        two known origins before it.
    """
    last = int(origins[-1])
    cps = np.arange(last - span // checkpoint * checkpoint, last - checkpoint + 1, checkpoint)
    slot = (origins - cps[0]) // checkpoint if cps.size else origins
    known = origins[np.newaxis, :] <= (cps - h_cal)[:, np.newaxis]  # (n_cp, n_origins)
    rows = np.flatnonzero((origins >= (cps[0] if cps.size else last + 1)) & (slot < cps.size))
    rows = rows[np.count_nonzero(known[slot[rows]], axis=1) >= 2]
    if rows.size == 0:
        return float(half_lives[-1])
    n_origins, n_probe = probe.shape
    order = np.argsort(probe, axis=0)
    scores = np.take_along_axis(probe, order, axis=0).T  # (n_probe, n_origins), ascending
    age = (origins[order].T - last).astype(np.float64)  # <= 0, per sorted score
    weights = np.exp2(age[np.newaxis] / half_lives[:, np.newaxis, np.newaxis])  # (n_hl, n_probe, n)
    cum = np.cumsum(known[:, order.T][:, np.newaxis] * weights[np.newaxis], axis=-1)  # (n_cp, n_hl, ..)
    test = np.exp2((cps - last)[:, np.newaxis] / half_lives[np.newaxis, :])  # test weight 1, same units
    total = (cum[..., -1] + test[..., np.newaxis]).ravel()
    shift = np.concatenate([[0.0], np.cumsum(total[:-1])])
    flat = (cum.reshape(total.size, n_origins) + shift[:, np.newaxis]).ravel()
    idx = np.searchsorted(flat, total[:, np.newaxis] * quantiles[np.newaxis, :] + shift[:, np.newaxis])
    idx = np.minimum(idx - (np.arange(total.size) * n_origins)[:, np.newaxis], n_origins - 1)
    column = np.arange(total.size) % n_probe
    thr = scores[column[:, np.newaxis], idx].reshape(cps.size, half_lives.size, n_probe, quantiles.size)
    diff = probe[rows][:, np.newaxis, :, np.newaxis] - thr[slot[rows]]  # (S, n_hl, n_probe, n_q)
    q = quantiles[np.newaxis, np.newaxis, np.newaxis, :]
    loss = np.sum(np.maximum(q * diff, (q - 1.0) * diff), axis=(0, 2, 3))
    best = min(range(half_lives.size), key=lambda i: (loss[i], -half_lives[i]))
    return float(half_lives[best])


def aci_levels(pvalues: FloatArray, starts: IntArray, quantiles: FloatArray, replay: IntArray) -> FloatArray:
    """Replay the ACI update over backtest origins (module step 3).

    Args:
        pvalues: weighted p-values of the errors, shape (n_origins, h_cal), in [0, 1).
        starts: first column of each horizon band, shape (n_bands,), ascending from 0.
        quantiles: shape (n_q,), each > 0.5.
        replay: rows of ``pvalues`` to replay, in time order.

    Returns:
        Levels, shape (n_bands, n_q), in [0.5, 1].

    Examples:
        >>> p = np.full((5, 2), 0.99)  # five origins whose errors all top the p90: 0.9 + 5 * 0.018
        >>> aci_levels(p, np.array([0]), np.array([0.9]), np.arange(5)).round(3).tolist()
        [[0.99]]
    """
    widths = np.diff(np.append(starts, pvalues.shape[1])).astype(np.float64)[:, np.newaxis]
    band = np.repeat(np.arange(starts.size), widths[:, 0].astype(np.int64))
    levels = np.tile(quantiles, (starts.size, 1))
    target = 1.0 - quantiles[np.newaxis, :]
    for k in replay.tolist():
        above = pvalues[k][:, np.newaxis] >= levels[band]  # (h_cal, n_q)
        miss = np.add.reduceat(above, starts, axis=0) / widths
        levels = np.minimum(np.maximum(levels + ACI_GAMMA * (miss - target), 0.5), 1.0)
    return levels


def calibrate(
    errors: FloatArray,
    origins: IntArray,
    n_steps: int,
    quantiles: tuple[float, ...],
    season_steps: int,
    step_s: int,
    one_off: BoolArray | None = None,
) -> Calibration:
    """Calibrate quantile offsets from backtest errors (module steps 1-4).

    Args:
        errors: ``y[o + j] - yhat[o + j | o]``, shape (n_origins, h_cal), ACU, finite,
            n_origins >= 1, rows in ascending origin order.
        origins: shape (n_origins,), ascending step indices of the window, each
            <= n_steps - h_cal.
        n_steps: window length n; the forecast's first step is step n.
        quantiles: ascending probabilities in (0, 1), length n_quantiles.
        season_steps: the daily season m, steps (phase bins are m / N_BINS steps).
        step_s: step length, seconds (turns the module's spans into steps).
        one_off: shape (n_steps,), True at the steps of a one-off excursion
            (``excursions.OneOffs.runs``): their errors count in the pooled quantile but in
            no phase bin (one burst on one day is no evidence about that hour of the next
            days). None: every error counts in its bin.

    Returns:
        ``Calibration``; ``offsets`` has shape (n_quantiles, h_cal), ACU.

    Examples:
        >>> e = np.tile([-9.0, -8.0, -7.0, -6.0], (100, 1))  # the same errors at every origin
        >>> calibrate(e, np.arange(100) * 3, 340, (0.5, 0.9), 288, 300).offsets.tolist()
        [[-9.0, -7.0, -7.0, -6.0], [-9.0, -7.0, -7.0, -6.0]]

        (Steps 2-3 share a band: its errors -8 and -7 weigh the same, and the test point's
        weight puts even the median on -7.)
    """
    h_cal = errors.shape[1]
    qs = np.asarray(quantiles, dtype=np.float64)
    slices = horizon_bands(h_cal)
    half_lives = np.array(sorted({_steps(s, step_s) for s in HALF_LIVES_S}), dtype=np.float64)
    half_life = choose_half_life(
        errors[:, [sl.stop - 1 for sl in slices]],
        origins,
        h_cal,
        qs,
        half_lives,
        _steps(CHECKPOINT_S, step_s),
        _steps(PREQUENTIAL_S, step_s),
    )
    weights = np.exp2(-(n_steps - origins).astype(np.float64) / half_life)
    steps = np.arange(h_cal, dtype=np.int64)
    targets = origins[:, np.newaxis] + steps[np.newaxis, :]
    target_bins = targets % season_steps * N_BINS // season_steps
    if one_off is not None:
        target_bins = np.where(one_off[targets], -1, target_bins)  # in no bin
    forecast_bins = (n_steps + steps) % season_steps * N_BINS // season_steps
    sorted_bands = []
    pvalues = np.empty_like(errors)
    for sl in slices:
        flat = errors[:, sl].ravel()
        order = np.argsort(flat)
        w = np.repeat(weights, sl.stop - sl.start)[order]
        cum = np.cumsum(w)
        below = np.empty(flat.size)
        below[order] = _strictly_below(flat[order], cum - w) / (cum[-1] + 1.0)  # the p-value
        pvalues[:, sl] = below.reshape(errors.shape[0], -1)
        sorted_bands.append((flat[order], w, cum, target_bins[:, sl].ravel()[order]))
    levels = np.tile(qs, (len(slices), 1))
    upper = qs > 0.5
    if upper.any():
        recent = origins >= origins[-1] - _steps(ACI_REPLAY_S, step_s)
        hourly = (origins[-1] - origins) % _steps(ACI_EVERY_S, step_s) == 0
        starts = np.array([sl.start for sl in slices], dtype=np.int64)
        levels[:, upper] = aci_levels(pvalues, starts, qs[upper], np.flatnonzero(recent & hourly))
    offsets = np.empty((qs.size, h_cal))
    for sl, (scores, w, cum, bins), level in zip(slices, sorted_bands, levels, strict=True):
        pooled = _lookup(scores, cum, float(cum[-1]) + 1.0, level)
        by_bin: dict[int, FloatArray] = {}
        for j in range(sl.start, sl.stop):
            b = int(forecast_bins[j])
            if b not in by_bin:
                in_bin = bins == b
                by_bin[b] = pooled
                if np.count_nonzero(in_bin) >= MIN_BIN_ERRORS:
                    bin_cum = np.cumsum(w[in_bin])
                    binned = _lookup(scores[in_bin], bin_cum, float(bin_cum[-1]) + 1.0, level)
                    by_bin[b] = BIN_SHARE * binned + (1.0 - BIN_SHARE) * pooled
            offsets[:, j] = by_bin[b]
    return Calibration(np.sort(offsets, axis=0), int(half_life), levels)
