"""Baseline forecasters: ``SeasonalNaive`` (the one every forecast must beat) and ``LastValue``.

This module owns the naive point rules and their residual-based quantiles. Pure numpy.

Both repeat the last period of ``p`` steps (``p`` = season for seasonal naive, 1 for last
value). For step h = 1..horizon after the history ``y`` of n steps::

    point[h]   = y[n - p + (h - 1) mod p]
    k[h]       = ceil(h / p)                      # periods ahead
    e          = y[p:] - y[:-p]                   # the model's own in-sample errors
    demand[q,h] = point[h] + Q_q(e) * sqrt(k[h])  # Q_q: empirical quantile

The sqrt(k) widening is the seasonal-random-walk error growth (Hyndman & Athanasopoulos,
FPP3 §5.5, sigma_h = sigma * sqrt(k)). With fewer than ``intervals.MIN_RESIDUALS`` errors the
offset is ``z_q * REL_SPREAD_FRAC * point[h] * sqrt(k[h])`` instead (see ``intervals``).
Results are clipped at 0 and sorted by ``intervals.finalize``.
"""

from __future__ import annotations

import numpy as np

from forecasting.base import IntArray, RollingForecaster
from forecasting.intervals import relative_spread_offsets, residual_offsets
from forecasting.types import FloatArray
from forecasting.validation import season_steps

__all__ = ["LastValue", "SeasonalNaive"]


def naive_forecast(
    last_period_acu: FloatArray,
    residuals_acu: FloatArray,
    horizon: int,
    quantiles: tuple[float, ...],
) -> FloatArray:
    """Return the raw periodic-naive quantile forecast (module formula).

    Args:
        last_period_acu: the last ``p`` history steps, shape (p,), ACU.
        residuals_acu: in-sample period-difference errors, shape (n_steps - p,), ACU.
        horizon: number of steps, >= 1.
        quantiles: ascending probabilities in (0, 1).

    Returns:
        Shape (n_quantiles, horizon), ACU, before clipping/sorting.
    """
    p = last_period_acu.size
    h = np.arange(1, horizon + 1)
    point = last_period_acu[(h - 1) % p]
    widening = np.sqrt(((h - 1) // p + 1).astype(np.float64))
    offsets = residual_offsets(residuals_acu, quantiles, widening)
    if offsets is None:
        offsets = relative_spread_offsets(point, quantiles, widening)
    return point[np.newaxis, :] + offsets


class _PeriodicNaive(RollingForecaster):
    """Shared fitted state: the last period and the period-difference residuals.

    Fitted attributes (besides ``BaseForecaster``'s):
        period_steps_: ``p``, the period repeated, steps.
        last_period_: shape (p,), ACU.
        residuals_: shape (n_steps - p,), ACU.
    """

    period_steps_: int
    last_period_: FloatArray
    residuals_: FloatArray

    def _set_period(self, y: FloatArray, period_steps: int) -> None:
        self.period_steps_ = period_steps
        self.last_period_ = y[-period_steps:].copy()
        self.residuals_ = y[period_steps:] - y[:-period_steps]

    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> FloatArray:
        return naive_forecast(self.last_period_, self.residuals_, horizon, quantiles)

    def point_paths(self, y: FloatArray, origins: IntArray, horizon: int) -> FloatArray:
        """Repeat the period before each origin: ``yhat[o, h] = y[o - p + (h mod p)]``.

        Args:
            y: gap-free demand, shape (n,), ACU.
            origins: shape (n_origins,), each in [p, n].
            horizon: number of steps, >= 1.

        Returns:
            Shape (n_origins, horizon), ACU.
        """
        p = self.period_steps_
        h = np.arange(horizon, dtype=np.int64)
        return np.asarray(y[origins[:, np.newaxis] - p + h[np.newaxis, :] % p], dtype=np.float64)


class LastValue(_PeriodicNaive):
    """Repeat the last observed value; quantiles from one-step differences widened by sqrt(h).

    The module formula with p = 1. Used when the history is shorter than one season.

    Examples:
        >>> LastValue().forecast([1.0, 2.0, 3.0], 300, 2, (0.5,)).demand_acu.tolist()
        [[3.0, 3.0]]
    """

    def __init__(self) -> None:
        pass

    def _gap_season_steps(self, step_s: int) -> int:
        return 1

    def _fit(self, y: FloatArray, step_s: int) -> list[str]:
        self.model_name_ = "last_value"
        self._set_period(y, 1)
        return []


class SeasonalNaive(_PeriodicNaive):
    """Repeat the last season; quantiles from seasonal differences widened by sqrt(seasons).

    The module formula with p = season steps. If the history is shorter than one season it
    degrades to ``LastValue`` behaviour, reports ``model="last_value"`` and warns.

    Typical result (p = 288, errors with Q_0.5 = 0, Q_0.95 = 1.2 ACU): a step whose value one
    season ago was 4 ACU gets p50 = 4.0 and p95 = 5.2 ACU for h <= 288, p95 = 5.7 ACU for
    288 < h <= 576.

    Args:
        season_s: seasonal period, seconds (default one day); must be a multiple of
            ``step_s`` spanning >= 2 steps (checked in ``fit``).

    Examples:
        >>> y = [1.0, 2.0, 3.0] * 2
        >>> SeasonalNaive(season_s=900).forecast(y, 300, 4, (0.5,)).demand_acu.tolist()
        [[1.0, 2.0, 3.0, 1.0]]
    """

    def __init__(self, season_s: int = 86_400) -> None:
        self.season_s = season_s

    def min_fit_steps(self, step_s: int) -> int:
        """Return m, the season in steps: shorter histories degrade to last value."""
        return season_steps(self.season_s, step_s)

    def _gap_season_steps(self, step_s: int) -> int:
        return season_steps(self.season_s, step_s)

    def _fit(self, y: FloatArray, step_s: int) -> list[str]:
        m = season_steps(self.season_s, step_s)
        if y.size >= m:
            self.model_name_ = "seasonal_naive"
            self._set_period(y, m)
            return []
        self.model_name_ = "last_value"
        self._set_period(y, 1)
        return [
            f"history has {y.size} steps, shorter than one season ({m} steps of "
            f"{step_s} s); seasonal_naive falls back to last_value"
        ]
