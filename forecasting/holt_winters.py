"""Additive Holt-Winters (ETS A,N,A or A,Ad,A) via statsmodels, with empirical intervals.

This module owns the only statsmodels call of the package (``_build_model``, one place for
the keyword arguments) and the conversion of the fitted states into quantile forecasts.

Model (Hyndman & Athanasopoulos, FPP3 §8.3, additive seasonality, optional damped trend)::

    yhat[t+h | t] = l[t] + (phi + phi^2 + ... + phi^h) * b[t] + s[t + h - m * (k + 1)],
    k = floor((h - 1) / m)

with level ``l``, trend ``b`` (0 without trend), season ``s`` of m steps and damping ``phi``.
The point forecast evaluates this from the fitted states directly. (statsmodels 0.15's own
``forecast`` differs from the formula at exactly h = m, where it reuses a seasonal state one
season older; the states themselves match its fitted values.)

Choices, with sources:

* additive only: multiplicative seasonality divides by the level and breaks on the zeros
  that idle (auto-paused) clusters produce;
* ``initialization_method="heuristic"``: a 4,032-step fit takes ~10 ms versus ~400 ms for
  "estimated" (measured); it needs >= 2 full seasons and >= 10 + 2 * (m // 2) steps
  (statsmodels ``_initialization_heuristic``; PHPA checks the same);
* ``use_brute=False``: on 30 seeded synthetic series the brute-force start grid never lowered
  the SSE by more than 0.5% and cost 4-10x the time;
* the series is divided by its maximum before fitting and the states multiplied back
  (additive ETS is scale-equivariant; this keeps the optimiser well-conditioned at 1e6 ACU).

Intervals: for each step h up to min(horizon, m, n - m - MIN_RESIDUALS), the empirical
quantiles of the in-sample h-step errors ``y[o + h] - yhat[o + h | o]`` over origins
o >= m (the first season is skipped as initialisation transient); later steps reuse the last
measured column times sqrt(h / h_max). In-sample errors are slightly optimistic (parameters
were fitted on the same window). Too few origins: the relative spread of ``intervals``.
statsmodels warnings are caught and logged at DEBUG; a ``ConvergenceWarning`` also becomes a
note (the fit is kept: its backtest decides whether it is used); failures raise
``ModelFitError``.
"""

from __future__ import annotations

import logging
import warnings
from typing import Any, Literal

import numpy as np
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.holtwinters import ExponentialSmoothing

from forecasting.base import IntArray, RollingForecaster
from forecasting.errors import InsufficientHistoryError, InvalidParameterError, ModelFitError
from forecasting.intervals import (
    MIN_RESIDUALS,
    extend_by_sqrt,
    relative_spread_offsets,
)
from forecasting.types import FloatArray
from forecasting.validation import season_steps

__all__ = ["HoltWinters", "holt_winters_min_steps"]

logger = logging.getLogger(__name__)

_FIT_KWARGS: dict[str, Any] = {"optimized": True, "use_brute": False}


def holt_winters_min_steps(n_season_steps: int, min_seasons: int = 2) -> int:
    """Return the fewest history steps Holt-Winters accepts for a season of m steps.

    ``max(min_seasons * m, 10 + 2 * (m // 2))``, the statsmodels heuristic-initialisation
    rule with ``min_seasons`` >= 2 (e.g. m = 288 → 576; m = 4 → 14).
    """
    return max(min_seasons * n_season_steps, 10 + 2 * (n_season_steps // 2))


def _build_model(y: FloatArray, n_season_steps: int, trend: str) -> Any:
    """Return the (unfitted) statsmodels model; the only place its arguments are written."""
    damped = trend == "damped"
    return ExponentialSmoothing(
        y,
        trend="add" if damped else None,
        damped_trend=damped,
        seasonal="add",
        seasonal_periods=n_season_steps,
        initialization_method="heuristic",
    )


class HoltWinters(RollingForecaster):
    """Additive Holt-Winters forecaster (see the module docstring for formula and intervals).

    Args:
        season_s: seasonal period, seconds (default one day); a multiple of ``step_s``
            spanning >= 2 steps (checked in ``fit``).
        trend: ``"none"`` (level + season, the default: a 14-day window rarely supports
            extrapolating a trend) or ``"damped"`` (additive damped trend).

    Fitted attributes (besides ``BaseForecaster``'s):
        season_steps_: m, steps.
        y_: fitted history, shape (n_steps,), ACU.
        level_, trend_, season_: filtered states after each step, shape (n_steps,), ACU.
        damping_: phi (1.0 without trend).
        params_: smoothing parameters ``{"alpha", "beta", "gamma", "phi"}`` (NaN if unused).

    Raises (from ``fit``):
        InsufficientHistoryError: fewer than ``holt_winters_min_steps(m)`` steps.
        ModelFitError: statsmodels failed or returned non-finite states.
    """

    season_steps_: int
    y_: FloatArray
    level_: FloatArray
    trend_: FloatArray
    season_: FloatArray
    damping_: float
    params_: dict[str, float]

    def __init__(self, season_s: int = 86_400, trend: Literal["none", "damped"] = "none") -> None:
        self.season_s = season_s
        self.trend = trend

    def min_fit_steps(self, step_s: int) -> int:
        """Return ``holt_winters_min_steps(m)``, the fewest steps ``fit`` accepts."""
        return holt_winters_min_steps(season_steps(self.season_s, step_s))

    def _gap_season_steps(self, step_s: int) -> int:
        if self.trend not in ("none", "damped"):
            raise InvalidParameterError(f"trend must be 'none' or 'damped', got {self.trend!r}")
        return season_steps(self.season_s, step_s)

    def _fit(self, y: FloatArray, step_s: int) -> list[str]:
        m = season_steps(self.season_s, step_s)
        needed = holt_winters_min_steps(m)
        if y.size < needed:
            raise InsufficientHistoryError(
                f"history has {y.size} steps; holt_winters with season {m} steps needs >= {needed}"
            )
        scale = float(np.max(y)) or 1.0
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                results = _build_model(y / scale, m, self.trend).fit(**_FIT_KWARGS)
            except Exception as exc:  # statsmodels/scipy raise many types; re-raised, chained
                raise ModelFitError(f"statsmodels ExponentialSmoothing fit failed: {exc}") from exc
        for w in caught:
            logger.debug(
                "holt_winters statsmodels_warning category=%s message=%s", w.category.__name__, w.message
            )
        self._store_states(y, m, scale, results)
        self.model_name_ = "holt_winters"
        if any(issubclass(w.category, ConvergenceWarning) for w in caught):
            return [
                f"holt_winters: the statsmodels optimiser did not converge "
                f"({(getattr(results, 'mle_retvals', None) or {}).get('message', 'no message')}); "
                f"using its last parameters "
                f"(alpha={self.params_['alpha']:.3g}, gamma={self.params_['gamma']:.3g})"
            ]
        return []

    def _store_states(self, y: FloatArray, m: int, scale: float, results: Any) -> None:
        p = results.params
        damped = self.trend == "damped"
        states = [
            np.asarray(a, dtype=np.float64) * scale for a in (results.level, results.trend, results.season)
        ]
        phi = float(p["damping_trend"]) if damped else 1.0
        if not all(np.all(np.isfinite(s)) for s in states) or not np.isfinite(phi):
            raise ModelFitError("statsmodels ExponentialSmoothing returned non-finite states")
        self.season_steps_ = m
        self.y_ = y.copy()
        self.level_, self.trend_, self.season_ = states
        self.damping_ = phi
        self.params_ = {
            "alpha": float(p["smoothing_level"]),
            "beta": float(p["smoothing_trend"]) if damped else float("nan"),
            "gamma": float(p["smoothing_seasonal"]),
            "phi": phi if damped else float("nan"),
        }

    def _state_forecast(
        self,
        origins: IntArray,
        h: IntArray,
        states: tuple[FloatArray, FloatArray, FloatArray] | None = None,
    ) -> FloatArray:
        """Evaluate the module formula for state indices and steps ahead (broadcast together).

        ``states`` = (level, trend, season) arrays to read; the fitted ones if None.
        """
        m, phi = self.season_steps_, self.damping_
        level_all, trend_all, season_all = states or (self.level_, self.trend_, self.season_)
        hf = h.astype(np.float64)
        phi_sum = hf if phi == 1.0 else phi * (1.0 - phi**hf) / (1.0 - phi)
        k = (h - 1) // m + 1
        season: FloatArray = season_all[origins + h - m * k]
        level: FloatArray = level_all[origins]
        trend: FloatArray = trend_all[origins]
        return level + phi_sum * trend + season

    def _filter(self, y_new: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """Continue the fitted states over ``y_new`` (steps after the fitted history).

        The ETS(A,Ad,A) update with the fitted parameters (FPP3 §8.3; statsmodels'
        ``holt_win_add_add_dam`` recursion), one step at a time::

            l[t] = alpha (y[t] - s[t-m]) + (1 - alpha)(l[t-1] + phi b[t-1])
            b[t] = beta (l[t] - l[t-1]) + (1 - beta) phi b[t-1]
            s[t] = gamma (y[t] - l[t-1] - phi b[t-1]) + (1 - gamma) s[t-m]

        Returns:
            (level, trend, season), each shape (n_steps_ + len(y_new),), ACU.
        """
        m, phi = self.season_steps_, self.damping_
        alpha, gamma = self.params_["alpha"], self.params_["gamma"]
        beta = 0.0 if np.isnan(self.params_["beta"]) else self.params_["beta"]
        # The recursion runs on Python floats (the same IEEE arithmetic as numpy's scalars,
        # several times faster); only the last state and the last season are read back.
        lev, tr = float(self.level_[-1]), float(self.trend_[-1])
        seasons = self.season_[-m:].tolist()  # the fit holds >= 2 seasons (holt_winters_min_steps)
        new_level, new_trend, new_season = [], [], []
        for y in y_new.tolist():
            prev = lev + phi * tr
            s_m = seasons[-m]
            level_t = alpha * (y - s_m) + (1.0 - alpha) * prev
            tr = beta * (level_t - lev) + (1.0 - beta) * phi * tr
            lev = level_t
            season_t = gamma * (y - prev) + (1.0 - gamma) * s_m
            seasons.append(season_t)
            new_level.append(lev)
            new_trend.append(tr)
            new_season.append(season_t)
        return (
            np.concatenate([self.level_, np.array(new_level, dtype=np.float64)]),
            np.concatenate([self.trend_, np.array(new_trend, dtype=np.float64)]),
            np.concatenate([self.season_, np.array(new_season, dtype=np.float64)]),
        )

    def point_paths(self, y: FloatArray, origins: IntArray, horizon: int) -> FloatArray:
        """Module formula from the states after ``y[o - 1]``, filtering past the fit if needed.

        Args:
            y: gap-free demand, shape (n,), ACU, extending the fitted history.
            origins: shape (n_origins,), each in [1, n].
            horizon: number of steps, >= 1.

        Returns:
            Shape (n_origins, horizon), ACU.
        """
        n_fit = self.y_.size
        level, trend, season = self.level_, self.trend_, self.season_
        if origins.max() > n_fit:
            level, trend, season = self._filter(y[n_fit : int(origins.max())])
        h = np.arange(1, horizon + 1, dtype=np.int64)[np.newaxis, :]
        return self._state_forecast((origins - 1)[:, np.newaxis], h, (level, trend, season))

    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> FloatArray:
        n, m = self.y_.size, self.season_steps_
        h = np.arange(1, horizon + 1, dtype=np.int64)
        point = self._state_forecast(np.full_like(h, n - 1), h)
        h_max = min(horizon, m, n - m - MIN_RESIDUALS)
        if h_max < 1:
            return point + relative_spread_offsets(point, quantiles, np.sqrt(h.astype(float)))
        qs = np.asarray(quantiles, dtype=np.float64)
        offsets = np.empty((qs.size, h_max))
        for step in range(1, h_max + 1):
            origins = np.arange(m, n - step, dtype=np.int64)
            steps = np.full_like(origins, step)
            errors = self.y_[origins + step] - self._state_forecast(origins, steps)
            offsets[:, step - 1] = np.quantile(errors, qs)
        return point + extend_by_sqrt(offsets, horizon, quantiles)
