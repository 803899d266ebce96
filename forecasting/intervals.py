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
"""

from __future__ import annotations

from statistics import NormalDist

import numpy as np

from forecasting.errors import ModelFitError
from forecasting.types import FloatArray

__all__ = [
    "MIN_RESIDUALS",
    "REL_SPREAD_FRAC",
    "extend_by_sqrt",
    "finalize",
    "relative_spread_offsets",
    "residual_offsets",
]

# Below 20 errors an empirical p95 is just the sample maximum; use the stated spread instead.
MIN_RESIDUALS = 20
# Relative std-dev assumed without enough errors: 25% of the point forecast, so the p95 sits
# ~41% above p50, deliberately wide (fail safe toward capacity, STYLE.md principle 8).
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


def extend_by_sqrt(offsets: FloatArray, horizon: int) -> FloatArray:
    """Extend per-step offsets measured for steps 1..h_max to ``horizon`` steps.

    Steps beyond ``h_max`` reuse the last measured column scaled by ``sqrt(h / h_max)``
    (random-walk error growth, conservative for damped models).

    Args:
        offsets: shape (n_quantiles, h_max), ACU, h_max >= 1.
        horizon: number of steps wanted, >= 1.

    Returns:
        Shape (n_quantiles, horizon), ACU.
    """
    h_max = offsets.shape[1]
    if horizon <= h_max:
        return offsets[:, :horizon].copy()
    h = np.arange(h_max + 1, horizon + 1, dtype=np.float64)
    tail = np.outer(offsets[:, -1], np.sqrt(h / h_max))
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
