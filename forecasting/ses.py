"""Simple exponential smoothing, ETS(A,N,N): the non-seasonal level model and its arithmetic.

This module owns the level recursion shared by the ``ses`` model (on the raw series: what
statsforecast's AutoETS picks for 5-minute database load, since ETS does not fit seasons
longer than 24 steps) and by ``mstl`` (on the deseasonalised series, as statsforecast's MSTL
does with AutoETS).

Model (FPP3 §8.1)::

    l[t]    = alpha y[t] + (1 - alpha) l[t-1],   l[0] = y[0]
    yhat[t+h | t] = l[t]                          for every h >= 1

``alpha`` minimises the one-step squared error sum(y[t] - l[t-1])^2 over t >= 1 (bounded
scalar search on [0.001, 1], ``scipy.optimize.minimize_scalar``); the recursion runs as a
first-order linear filter (``scipy.signal.lfilter``), ~1 ms for 4,032 steps including the
search. scipy is a statsmodels dependency, declared in pyproject because it is called here.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.signal import lfilter

from forecasting.backtest import in_sample_offsets
from forecasting.base import IntArray, RollingForecaster
from forecasting.errors import InsufficientHistoryError, ModelFitError
from forecasting.intervals import relative_spread_offsets
from forecasting.types import FloatArray

__all__ = ["SimpleExpSmoothing", "fit_alpha", "ses_levels"]

_ALPHA_BOUNDS = (0.001, 1.0)  # alpha = 1 is last value; below 0.001 the level never moves
_MIN_STEPS = 10  # fewer one-step errors make alpha arbitrary


def ses_levels(x: FloatArray, alpha: float) -> FloatArray:
    """Return the level after each step, ``l[t]`` (module formula), shape (n,)."""
    if x.size == 1:
        return x.astype(np.float64, copy=True)
    rest, _ = lfilter([alpha], [1.0, alpha - 1.0], x[1:], zi=[(1.0 - alpha) * x[0]])
    return np.concatenate([x[:1], np.asarray(rest, dtype=np.float64)])


def fit_alpha(x: FloatArray) -> float:
    """Return the smoothing parameter minimising the one-step squared error of ``x`` (n,).

    Raises:
        InsufficientHistoryError: fewer than 10 steps.
        ModelFitError: the search returned a non-finite value.
    """
    if x.size < _MIN_STEPS:
        raise InsufficientHistoryError(f"history has {x.size} steps; ses needs >= {_MIN_STEPS}")
    scale = float(np.max(np.abs(x))) or 1.0
    z = x / scale  # the optimum is scale-free; this keeps the SSE well-conditioned at 1e6 ACU

    def sse(alpha: float) -> float:
        return float(np.sum((z[1:] - ses_levels(z, alpha)[:-1]) ** 2))

    result = minimize_scalar(sse, bounds=_ALPHA_BOUNDS, method="bounded", options={"xatol": 1e-4})
    alpha = float(result.x)
    if not np.isfinite(alpha):
        raise ModelFitError(f"ses alpha search returned {alpha}")
    return alpha


class SimpleExpSmoothing(RollingForecaster):
    """ETS(A,N,N) forecaster: a flat forecast at the smoothed level (module docstring).

    Intervals of the standalone model: split-conformal offsets of its in-sample rolling
    errors (one parameter, so barely optimistic).

    Fitted attributes (besides ``BaseForecaster``'s):
        y_: fitted history, shape (n_steps,), ACU.
        alpha_: smoothing parameter in [0.001, 1].

    Raises (from ``fit``):
        InsufficientHistoryError: fewer than 10 steps.

    Examples:
        >>> SimpleExpSmoothing().forecast([5.0] * 20, 300, 2, (0.5,)).demand_acu.tolist()
        [[5.0, 5.0]]
    """

    y_: FloatArray
    alpha_: float

    def __init__(self) -> None:
        pass

    def min_fit_steps(self, step_s: int) -> int:
        """Return 10, the fewest steps ``fit`` accepts."""
        return _MIN_STEPS

    def _gap_season_steps(self, step_s: int) -> int:
        return 1

    def _fit(self, y: FloatArray, step_s: int) -> list[str]:
        self.alpha_ = fit_alpha(y)
        self.y_ = y.copy()
        self.model_name_ = "ses"
        return []

    def point_paths(self, y: FloatArray, origins: IntArray, horizon: int) -> FloatArray:
        """Repeat the level after ``y[o - 1]`` (origins in [1, n]); shape (n_origins, horizon)."""
        level = ses_levels(y[: int(origins.max())], self.alpha_)[origins - 1]
        return np.repeat(level[:, np.newaxis], horizon, axis=1)

    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> FloatArray:
        point = self.point_paths(self.y_, np.array([self.y_.size], dtype=np.int64), horizon)[0]
        offsets = in_sample_offsets(self, self.y_, horizon, quantiles, 1)
        if offsets is None:
            h = np.arange(1, horizon + 1, dtype=np.float64)
            offsets = relative_spread_offsets(point, quantiles, np.sqrt(h))
        raw: FloatArray = point[np.newaxis, :] + offsets
        return raw
