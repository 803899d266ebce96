"""Seasonal ARIMA(p,0,0)(0,1,0)_m: an AR(p) on seasonal differences, fitted by least squares.

This module owns the ARIMA-family model of the package. It pays at the policy's 3-h horizon:
seasonal naive repeats yesterday, this model also carries today's deviation from yesterday
forward and lets it decay, which is what a level shift or a busy day looks like.

Model (Box & Jenkins; FPP3 §9.9 notation ARIMA(p,0,0)(0,1,0)_m, no constant)::

    d[t]    = y[t] - y[t - m]                               # seasonal difference
    d[t]    = phi_1 d[t-1] + ... + phi_p d[t-p] + e[t]      # AR(p), ``ar.fit_ar``
    yhat[t] = y[t - m] + dhat[t]   (yhat[t - m] when t - m is itself in the future)

So the forecast starts at "yesterday + today's recent excess" and decays to seasonal naive
as ``dhat`` reverts to 0. Conditional least squares is the statsmodels ``AutoReg`` estimator
(exact for the stated model; ``SARIMAX``'s Kalman-filter MLE on m = 288 takes seconds). No
constant: a constant on seasonal differences is a linear trend, which a 14-day window
cannot support.

Intervals of the standalone model: split-conformal offsets of its own in-sample rolling
errors (``backtest.in_sample_offsets``; three coefficients, so barely optimistic).
"""

from __future__ import annotations

import numpy as np

from forecasting.ar import MIN_AR_ROWS, ArCoefficients, ar_paths, fit_ar
from forecasting.backtest import in_sample_offsets
from forecasting.base import IntArray, RollingForecaster
from forecasting.errors import InsufficientHistoryError, InvalidParameterError
from forecasting.intervals import relative_spread_offsets
from forecasting.types import FloatArray
from forecasting.validation import season_steps

__all__ = ["SeasonalAR"]


class SeasonalAR(RollingForecaster):
    """ARIMA(p,0,0)(0,1,0)_m forecaster (see the module docstring for formula and intervals).

    Args:
        season_s: seasonal period, seconds (default one day); a multiple of ``step_s``
            spanning >= 2 steps (checked in ``fit``).
        order: p, AR lags on the seasonal differences, 1-8 (default 3: lags up to 15 min at
            300 s carry the current excess; more lags did not lower backtest error).

    Fitted attributes (besides ``BaseForecaster``'s):
        season_steps_: m, steps.
        y_: fitted history, shape (n_steps,), ACU.
        coef_: (0.0, phi) with phi of shape (p,).

    Raises (from ``fit``):
        InvalidParameterError: ``order`` outside 1-8.
        InsufficientHistoryError: fewer than ``m + order + ar.MIN_AR_ROWS`` steps.

    Examples:
        >>> y = np.tile([1.0, 2.0, 3.0, 4.0], 40)
        >>> SeasonalAR(season_s=1200, order=1).forecast(y, 300, 4, (0.5,)).demand_acu.tolist()
        [[1.0, 2.0, 3.0, 4.0]]
    """

    season_steps_: int
    y_: FloatArray
    coef_: ArCoefficients

    def __init__(self, season_s: int = 86_400, order: int = 3) -> None:
        self.season_s = season_s
        self.order = order

    def min_fit_steps(self, step_s: int) -> int:
        """Return ``m + order + ar.MIN_AR_ROWS``, the fewest steps ``fit`` accepts."""
        return season_steps(self.season_s, step_s) + self.order + MIN_AR_ROWS

    def _gap_season_steps(self, step_s: int) -> int:
        if isinstance(self.order, bool) or not isinstance(self.order, int) or not 1 <= self.order <= 8:
            raise InvalidParameterError(f"order must be an integer in 1..8, got {self.order!r}")
        return season_steps(self.season_s, step_s)

    def _fit(self, y: FloatArray, step_s: int) -> list[str]:
        m = season_steps(self.season_s, step_s)
        if y.size < self.min_fit_steps(step_s):
            raise InsufficientHistoryError(
                f"history has {y.size} steps; seasonal_ar with season {m} steps and order "
                f"{self.order} needs >= {self.min_fit_steps(step_s)}"
            )
        self.season_steps_ = m
        self.y_ = y.copy()
        self.coef_ = fit_ar(y[m:] - y[:-m], self.order, constant=False, field="seasonal differences")
        self.model_name_ = "seasonal_ar"
        return []

    def point_paths(self, y: FloatArray, origins: IntArray, horizon: int) -> FloatArray:
        """Module formula from each origin.

        Args:
            y: gap-free demand, shape (n,), ACU, extending the fitted history.
            origins: shape (n_origins,), each in [m + order, n].
            horizon: number of steps, >= 1.

        Returns:
            Shape (n_origins, horizon), ACU.
        """
        m = self.season_steps_
        d_hat = ar_paths(y[m:] - y[:-m], origins - m, horizon, self.coef_)
        out = np.empty_like(d_hat)
        known = min(horizon, m)  # steps whose value one season back is observed
        steps = np.arange(known, dtype=np.int64)
        out[:, :known] = y[origins[:, np.newaxis] + steps[np.newaxis, :] - m] + d_hat[:, :known]
        for h in range(known, horizon):
            out[:, h] = out[:, h - m] + d_hat[:, h]
        return out

    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> FloatArray:
        n = self.y_.size
        point = self.point_paths(self.y_, np.array([n], dtype=np.int64), horizon)[0]
        look_back = self.season_steps_ + self.order
        offsets = in_sample_offsets(self, self.y_, horizon, quantiles, look_back)
        if offsets is None:
            h = np.arange(1, horizon + 1, dtype=np.float64)
            offsets = relative_spread_offsets(point, quantiles, np.sqrt(h))
        raw: FloatArray = point[np.newaxis, :] + offsets
        return raw
