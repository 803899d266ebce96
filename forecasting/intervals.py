"""Turning residuals into quantile offsets, and the one post-processing step.

This module owns (a) how every model converts its errors into per-step quantile offsets and
(b) ``finalize``, the single place where raw forecasts are clipped at 0, made non-crossing and
checked for finiteness. Pure numpy; no statsmodels.

Forecast for quantile q at step h (1-based) = point[h] + offset[q, h], where

* empirical: ``offset[q, h] = Q_q(residuals) * widening[h]`` with ``Q_q`` the linear-
  interpolated empirical quantile (``numpy.quantile``) of the model's own in-sample errors;
* fallback when fewer than ``MIN_RESIDUALS`` errors exist:
  ``offset[q, h] = z_q * REL_SPREAD_FRAC * point[h] * widening[h]`` with ``z_q`` the standard
  normal quantile. E.g. point 4 ACU, widening 1: p50 4.0, p90 5.28, p95 5.64 ACU.

``widening[h]`` is chosen by the model (sqrt of seasons ahead for seasonal naive, sqrt(h) for
last value, sqrt(h / h_max) beyond the last empirically measured step for Holt-Winters).

Split-conformal offsets (``conformal_offsets``, used by the backtest-selected forecaster and
the ``seasonal_ar`` / ``mstl`` models): given forecast errors ``e[o, h] = y - yhat`` from
rolling origins o, pool them per *horizon band* (steps 1, 2-3, 4-7, 8-15, 16-31, 32-63, ...:
width doubles, since error spread grows with h while the counts per band stay useful) and take
the split-conformal order statistic of the N pooled errors (Vovk et al. 2005; Lei et al.
2018, "Distribution-free predictive inference for regression", §2.2)::

    offset[q, band] = e_(k),   k = ceil((N + 1) q) for q >= 0.5,  floor((N + 1) q) for q < 0.5

(k clipped to 1..N; ``e_(k)`` the k-th smallest). Each band's offset applies to every step in
it. With N = 2,000 errors, p95 is the 1,901st smallest, i.e. the sample 95.05% quantile.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numpy as np
import numpy.typing as npt

from forecasting.errors import ModelFitError
from forecasting.types import FloatArray

__all__ = [
    "MIN_RESIDUALS",
    "complement_scores",
    "conformal_offsets",
    "horizon_bands",
    "pinball_score",
    "REL_SPREAD_FRAC",
    "extend_by_sqrt",
    "finalize",
    "relative_spread_offsets",
    "residual_offsets",
]

# Below 20 errors an empirical p95 is just the sample maximum; use the stated spread instead.
MIN_RESIDUALS = 20
# Relative std-dev assumed without enough errors: 25% of the point forecast, so the p95 sits
# ~41% above p50, deliberately wide (an ASSUMPTION that errs toward capacity: a shortfall
# costs SLO minutes, spare ACU only money).
REL_SPREAD_FRAC = 0.25


def residual_offsets(
    residuals: FloatArray, quantiles: tuple[float, ...], widening: FloatArray
) -> FloatArray | None:
    """Return empirical offsets ``Q_q(residuals) * widening[h]``, or None if too few errors.

    Args:
        residuals: in-sample errors (actual - forecast), shape (n_residuals,), ACU.
        quantiles: ascending probabilities in (0, 1), length n_quantiles.
        widening: per-step multiplier, shape (horizon,), >= 0.

    Returns:
        Offsets of shape (n_quantiles, horizon), ACU; None when
        ``n_residuals < MIN_RESIDUALS``.
    """
    if residuals.size < MIN_RESIDUALS:
        return None
    q = np.quantile(residuals, np.asarray(quantiles, dtype=np.float64))
    return np.outer(q, widening)


def relative_spread_offsets(
    point_acu: FloatArray, quantiles: tuple[float, ...], widening: FloatArray
) -> FloatArray:
    """Return fallback offsets ``z_q * REL_SPREAD_FRAC * |point[h]| * widening[h]``.

    Args:
        point_acu: point forecast, shape (horizon,), ACU.
        quantiles: ascending probabilities in (0, 1), length n_quantiles.
        widening: per-step multiplier, shape (horizon,).

    Returns:
        Offsets of shape (n_quantiles, horizon), ACU (0 wherever the point is 0).
    """
    z = np.array([NormalDist().inv_cdf(q) for q in quantiles], dtype=np.float64)
    return np.outer(z, REL_SPREAD_FRAC * np.abs(point_acu) * widening)


def extend_by_sqrt(
    offsets: FloatArray, horizon: int, quantiles: tuple[float, ...] | None = None
) -> FloatArray:
    """Extend per-step offsets measured for steps 1..h_max to ``horizon`` steps.

    Steps beyond ``h_max`` reuse the last measured column with its spread around the
    median scaled by ``sqrt(h / h_max)`` (random-walk error growth, conservative for damped
    models). The median offset itself (a bias, e.g. the model lagging a level shift) is
    carried as measured, not widened: widening it too made a weekly model's day-7 median
    2.5x the level after a shift on the bundled ``rds-cpu-cc0c53`` trace. Without
    ``quantiles`` the whole column is scaled (every row treated as spread around 0).

    Args:
        offsets: shape (n_quantiles, h_max), ACU, h_max >= 1.
        horizon: number of steps wanted, >= 1.
        quantiles: the probability of each row (the median offset is interpolated at 0.5
            from them); None: scale the column as a whole.

    Returns:
        Shape (n_quantiles, horizon), ACU.

    Examples:
        >>> extend_by_sqrt(np.array([[-1.0], [0.5], [2.0]]), 4, (0.1, 0.5, 0.9))[:, -1].tolist()
        [-2.5, 0.5, 3.5]
    """
    h_max = offsets.shape[1]
    if horizon <= h_max:
        return offsets[:, :horizon].copy()
    h = np.arange(h_max + 1, horizon + 1, dtype=np.float64)
    last = offsets[:, -1]
    centre = 0.0
    if quantiles is not None:
        order = np.argsort(quantiles)
        centre = float(np.interp(0.5, np.asarray(quantiles, dtype=np.float64)[order], last[order]))
    tail = centre + np.outer(last - centre, np.sqrt(h / h_max))
    return np.concatenate([offsets, tail], axis=1)


def finalize(demand_acu: FloatArray) -> FloatArray:
    """Post-process a raw forecast: check finiteness, clip at 0, sort along quantiles.

    Every forecast passes through here exactly once (via ``base.BaseForecaster.predict``).
    Sorting each column makes quantiles non-crossing without changing the set of values.

    Args:
        demand_acu: raw forecast, shape (n_quantiles, horizon), ACU.

    Returns:
        New array, shape (n_quantiles, horizon), finite, >= 0, non-decreasing along axis 0.

    Raises:
        ModelFitError: if any value is NaN or infinite (a numerical failure of the model).
    """
    if not np.all(np.isfinite(demand_acu)):
        n_bad = int(np.count_nonzero(~np.isfinite(demand_acu)))
        raise ModelFitError(f"forecast has {n_bad} non-finite value(s)")
    return np.sort(np.clip(demand_acu, 0.0, None), axis=0)


def horizon_bands(horizon: int) -> list[slice]:
    """Return the horizon bands as 0-based column slices: steps 1, 2-3, 4-7, 8-15, ...

    Args:
        horizon: number of steps, >= 1.

    Returns:
        Slices covering ``range(horizon)`` in order, e.g. horizon 36 ->
        [0:1], [1:3], [3:7], [7:15], [15:31], [31:36].
    """
    bands, start = [], 0
    while start < horizon:
        stop = min(horizon, 2 * start + 1)
        bands.append(slice(start, stop))
        start = stop
    return bands


def _rank_index(n: int, quantiles: tuple[float, ...]) -> npt.NDArray[np.int64]:
    """0-based index of the split-conformal order statistic k of N = ``n`` errors, per quantile."""
    ranks = [math.ceil((n + 1) * q) if q >= 0.5 else math.floor((n + 1) * q) for q in quantiles]
    return np.clip(np.array(ranks, dtype=np.int64), 1, n) - 1


def _order_statistics(errors: FloatArray, quantiles: tuple[float, ...]) -> FloatArray:
    """Split-conformal order statistics of ``errors`` (N,), one per quantile (module formula)."""
    idx = _rank_index(errors.size, quantiles)
    part = np.partition(errors, np.unique(idx))
    return np.asarray(part[idx], dtype=np.float64)


def complement_scores(
    errors: FloatArray, blocks: npt.NDArray[np.int64], n_blocks: int, quantiles: tuple[float, ...]
) -> FloatArray:
    """Per block b, ``pinball_score`` of the origins outside b with offsets calibrated on them.

    The same number as ``pinball_score(e[rest], conformal_offsets(e[rest], quantiles),
    quantiles)`` with ``rest = blocks != b`` (up to the order of a floating-point sum), for
    every block and band at once: the errors are sorted once within each band, and with a
    band's kept errors sorted (v_1 <= ... <= v_N, prefix sums S) and the offset c = v_k, its
    loss is ``q (S_N - S_k - (N - k) c) + (1 - q) (k c - S_k)``, O(1) per quantile. A block
    that holds no origin scores every origin (``_scores`` in ``selection`` uses one so).

    Args:
        errors: backtest errors ``y - yhat``, shape (n_origins, horizon), ACU, finite.
        blocks: block of each origin, shape (n_origins,), in ``0..n_blocks - 1``; every block
            leaves at least one origin outside it.
        n_blocks: number of blocks, >= 2.
        quantiles: ascending probabilities in (0, 1), length n_quantiles.

    Returns:
        Shape (n_blocks,), mean pinball loss, ACU, >= 0.

    Examples:
        >>> e = np.array([[0.0], [1.0], [2.0], [3.0]])
        >>> complement_scores(e, np.array([0, 0, 1, 1]), 2, (0.5,)).tolist()  # p50 of {2, 3} is 2
        [0.25, 0.25]
    """
    n_origins, horizon = errors.shape
    q = np.asarray(quantiles, dtype=np.float64)
    bands = horizon_bands(horizon)
    n_groups = len(bands) * n_blocks  # group g = band * n_blocks + block
    band_of_column = np.repeat(np.arange(len(bands)), [b.stop - b.start for b in bands])
    # Column-major: each band's errors are one contiguous stretch; sort within each band.
    flat = errors.T.ravel()
    band = np.repeat(band_of_column, n_origins).astype(np.int16)
    order = np.argsort(flat)  # the order among equal errors changes no order statistic or sum
    order = order[np.argsort(band[order], kind="stable")]
    values, band = flat[order], band[order]
    group = (band * n_blocks + np.tile(blocks, horizon)[order]).astype(np.int16)
    band_size = np.bincount(band, minlength=len(bands))
    band_start = np.concatenate([[0], np.cumsum(band_size)[:-1]])
    prefix = np.concatenate([[0.0], np.cumsum(values)])  # prefix[i]: sum of the i smallest
    # Positions of each group's errors in its sorted band, grouped, ascending.
    held = np.argsort(group, kind="stable")  # int16: a radix sort
    size = np.bincount(group, minlength=n_groups)
    start = np.concatenate([[0], np.cumsum(size)[:-1]])
    g_band = np.arange(n_groups) // n_blocks
    within = np.arange(flat.size) - np.repeat(start, size)
    kept_before = held - np.repeat(band_start[g_band], size) - within  # kept errors below each own one
    held_prefix = np.concatenate([[0.0], np.cumsum(values[held])])
    n_kept = (band_size[g_band] - size)[:, np.newaxis]  # (n_groups, 1)
    k = np.clip(np.where(q >= 0.5, np.ceil((n_kept + 1) * q), np.floor((n_kept + 1) * q)), 1, n_kept)
    k = k.astype(np.int64)  # (n_groups, n_q): 1-based rank among the band's kept errors
    # The k-th kept error sits after the j own errors with kept_before < k.
    lift = np.arange(n_groups) * (flat.size + 1)
    j = np.searchsorted(kept_before + np.repeat(lift, size), k - 1 + lift[:, np.newaxis], side="right")
    j -= start[:, np.newaxis]
    pos = band_start[g_band][:, np.newaxis] + k - 1 + j
    c = values[pos]
    own = held_prefix[start[:, np.newaxis] + j] - held_prefix[start[:, np.newaxis]]
    below = prefix[pos + 1] - prefix[band_start[g_band]][:, np.newaxis] - own  # the k smallest kept
    own_sum = held_prefix[start + size] - held_prefix[start]
    band_sum = prefix[band_start + band_size] - prefix[band_start]
    above = (band_sum[g_band] - own_sum)[:, np.newaxis] - below - (n_kept - k) * c
    # Both parts are sums of non-negative terms; differences of prefix sums can leave them a few
    # ulps below zero where the errors are (nearly) equal, e.g. a noise-free trend.
    above, under = np.maximum(above, 0.0), np.maximum(k * c - below, 0.0)
    loss = np.sum(q * above + (1.0 - q) * under, axis=1).reshape(len(bands), n_blocks)
    n_rest = n_origins - np.bincount(blocks, minlength=n_blocks)
    return np.asarray(loss.sum(axis=0) / (q.size * horizon * n_rest), dtype=np.float64)


def conformal_offsets(errors: FloatArray, quantiles: tuple[float, ...]) -> FloatArray:
    """Return split-conformal offsets per horizon band (module formula).

    Args:
        errors: backtest errors ``y - yhat``, shape (n_origins, horizon), ACU, finite,
            n_origins >= 1.
        quantiles: ascending probabilities in (0, 1), length n_quantiles.

    Returns:
        Offsets, shape (n_quantiles, horizon), ACU, non-decreasing along axis 0.
    """
    offsets = np.empty((len(quantiles), errors.shape[1]))
    for band in horizon_bands(errors.shape[1]):
        offsets[:, band] = _order_statistics(errors[:, band].ravel(), quantiles)[:, np.newaxis]
    return offsets


def pinball_score(errors: FloatArray, offsets: FloatArray, quantiles: tuple[float, ...]) -> float:
    """Return the mean pinball loss of ``yhat + offsets`` given errors ``e = y - yhat``.

    ``pinball_q(y, f) = max(q (y - f), (q - 1)(y - f))`` with ``y - f = e - offset``; averaged
    over quantiles, origins and steps.

    Args:
        errors: shape (n_origins, horizon), ACU.
        offsets: shape (n_quantiles, horizon), ACU.
        quantiles: length n_quantiles.

    Returns:
        Mean pinball loss, ACU, >= 0.
    """
    q = np.asarray(quantiles, dtype=np.float64)[:, np.newaxis, np.newaxis]
    diff = errors[np.newaxis, :, :] - offsets[:, np.newaxis, :]
    return float(np.mean(np.maximum(q * diff, (q - 1.0) * diff)))
