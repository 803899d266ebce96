"""Rolling-origin backtests: where the origins go, the error matrix, and in-sample intervals.

This module owns the arithmetic shared by the backtest-selected forecaster (``selection``)
and by models whose own intervals come from rolling-origin errors (``seasonal_ar``,
``mstl``). Pure numpy over ``RollingForecaster.point_paths``; no statsmodels, no state.

Split of a gap-free window of n steps, horizon H (``split_origins``)::

    training  y[:T]                    the candidate is fitted here, once
    origins   T, T + s, ..., <= n - H  every ORIGIN_STRIDE_STEPS = s steps; the forecast
                                       from origin o predicts y[o : o + H] from y[:o]
    T = max(n - calibration_steps, min(preferred_train_steps, n - H - MIN_ORIGIN_SPAN_STEPS))

so the backtest covers the last ``calibration_steps`` (default 2 days) when the window is long,
and short windows keep ``preferred_train_steps`` (2 seasons, what Holt-Winters needs) for
training while at least ``MIN_ORIGIN_SPAN_STEPS`` of origins remain. Example at 300-s steps,
H = 36, 2-day calibration: n = 4,032 → T = 3,456, 181 origins; n = 864 → T = 576, 85 origins;
n = 576 → T = 492, 17 origins.
"""

from __future__ import annotations

import numpy as np

from forecasting.base import IntArray, RollingForecaster
from forecasting.errors import InsufficientHistoryError, ModelFitError
from forecasting.excursions import OneOffs
from forecasting.intervals import MIN_RESIDUALS, conformal_offsets, extend_by_sqrt
from forecasting.types import FloatArray

__all__ = [
    "MIN_ORIGIN_SPAN_STEPS",
    "ORIGIN_STRIDE_STEPS",
    "in_sample_offsets",
    "rolling_errors",
    "split_origins",
]

# One origin every 3 steps (15 min at 300 s): neighbouring origins share almost all of their
# errors, so a denser grid adds cost, not information.
ORIGIN_STRIDE_STEPS = 3
# At least 48 steps (4 h at 300 s, 17 origins) of origins, or the p95 of a band is a maximum.
MIN_ORIGIN_SPAN_STEPS = 48
# In-sample intervals of a standalone model look back at most this many origins' worth.
_IN_SAMPLE_SPAN_STEPS = 864


def split_origins(
    n_steps: int, horizon: int, calibration_steps: int, preferred_train_steps: int
) -> tuple[int, IntArray]:
    """Return (T, origins) for a rolling-origin backtest (module formula).

    Args:
        n_steps: window length n, steps.
        horizon: H, steps ahead scored from each origin, >= 1.
        calibration_steps: the span at the end of the window the origins should cover.
        preferred_train_steps: training length kept for short windows when possible.

    Returns:
        T (training steps, >= 1) and the origins, shape (n_origins,), ascending, each in
        [T, n - H].

    Raises:
        InsufficientHistoryError: ``n_steps < H + MIN_ORIGIN_SPAN_STEPS + 1``.
    """
    last = n_steps - horizon
    need = horizon + MIN_ORIGIN_SPAN_STEPS + 1
    if last - MIN_ORIGIN_SPAN_STEPS < 1:
        raise InsufficientHistoryError(
            f"history has {n_steps} steps; a backtest at horizon {horizon} needs >= {need}"
        )
    train = max(n_steps - calibration_steps, min(preferred_train_steps, last - MIN_ORIGIN_SPAN_STEPS))
    return train, np.arange(train, last + 1, ORIGIN_STRIDE_STEPS, dtype=np.int64)


def rolling_errors(
    model: RollingForecaster,
    y: FloatArray,
    origins: IntArray,
    horizon: int,
    one_offs: OneOffs | None = None,
) -> FloatArray:
    """Return backtest errors ``y[o + h] - yhat[o, h]`` of a fitted model.

    Args:
        model: fitted forecaster supporting ``point_paths``.
        y: the series scored against, shape (n,), ACU.
        origins: shape (n_origins,), each in [look-back, n - horizon].
        horizon: steps, >= 1.
        one_offs: ``y``'s one-off excursions (``excursions.one_offs``): the forecast from
            each origin starts from the history as it would have been cleaned at that origin
            (``OneOffs.states``). None: from ``y`` itself.

    Returns:
        Errors, shape (n_origins, horizon), ACU.

    Raises:
        ModelFitError: the model produced non-finite forecasts.
    """
    if one_offs is None:
        paths = model.point_paths(y, origins, horizon)
    else:
        paths = np.empty((origins.size, horizon))
        for history, hit in one_offs.states(origins):
            paths[hit] = model.point_paths(history, origins[hit], horizon)
    steps = np.arange(horizon, dtype=np.int64)
    errors = y[origins[:, np.newaxis] + steps[np.newaxis, :]] - paths
    if not np.all(np.isfinite(errors)):
        raise ModelFitError(f"{model.model_name_} produced non-finite backtest forecasts")
    return np.asarray(errors, dtype=np.float64)


def in_sample_offsets(
    model: RollingForecaster, y: FloatArray, horizon: int, quantiles: tuple[float, ...], look_back: int
) -> FloatArray | None:
    """Conformal offsets from the fitted model's own rolling errors on its history.

    Origins cover the last ``_IN_SAMPLE_SPAN_STEPS`` possible positions; the model's
    parameters were fitted on the same steps, so these intervals are slightly optimistic
    (the backtest-selected forecaster calibrates out of sample instead).

    Args:
        model: fitted forecaster.
        y: the model's fitted history, shape (n,), ACU.
        horizon: steps wanted, >= 1 (measured up to min(horizon, n // 4), extended by
            ``intervals.extend_by_sqrt``).
        quantiles: ascending probabilities.
        look_back: the first usable origin (the model's season or AR order).

    Returns:
        Offsets of shape (n_quantiles, horizon), ACU; None when fewer than
        ``intervals.MIN_RESIDUALS`` origins fit.
    """
    h_cal = min(horizon, max(1, y.size // 4))
    last = y.size - h_cal
    origins = np.arange(max(look_back, last - _IN_SAMPLE_SPAN_STEPS), last + 1, dtype=np.int64)
    if origins.size < MIN_RESIDUALS:
        return None
    errors = rolling_errors(model, y, origins[::ORIGIN_STRIDE_STEPS], h_cal)
    return extend_by_sqrt(conformal_offsets(errors, quantiles), horizon, tuple(quantiles))
