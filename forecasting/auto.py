"""``forecast_demand``: the one entry point ``policy`` calls.

This module owns model selection and fallback. It validates inputs, keeps the recent window
(``ForecastConfig.max_history_s``), fills gaps once (``forecasting.history``), picks a model,
and falls back to a simpler one when the history cannot support it or the fit fails. Every
fallback is a ``ForecastWarning`` *and* a line in ``QuantileForecast.warnings``; it never
emits NaN and never crashes on short, constant, all-zero, gappy or spiky history.

Selection (``config.model`` = "auto" or "holt_winters"; n = steps in the window, m = season
steps, need = ``holt_winters_min_steps(m, config.min_seasons)``):

==========================  ================  =============================================
condition                   model             warning
==========================  ================  =============================================
n < m                       last_value        "history has n steps, shorter than one season"
m <= n < need               seasonal_naive    "history has n steps; holt_winters with season
                                              m steps needs >= need; using seasonal_naive"
history constant (incl. 0)  seasonal_naive    "history is constant (v ACU over n steps)…"
otherwise                   holt_winters      none; on ModelFitError → seasonal_naive + warning
==========================  ================  =============================================

``config.model == "seasonal_naive"`` skips Holt-Winters (``SeasonalNaive`` itself degrades to
last value when n < m).

Thread-safety note: Holt-Winters silences statsmodels warnings with
``warnings.catch_warnings``, which changes process-wide warning filters while it runs.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from forecasting.base import BaseForecaster
from forecasting.baselines import LastValue, SeasonalNaive
from forecasting.config import ForecastConfig
from forecasting.errors import ForecastWarning, InsufficientHistoryError, ModelFitError
from forecasting.history import fill_gaps, gap_message, recent_window
from forecasting.holt_winters import HoltWinters, holt_winters_min_steps
from forecasting.types import FloatArray, QuantileForecast
from forecasting.validation import (
    check_history,
    check_horizon,
    check_quantiles,
    check_step_s,
    season_steps,
)

__all__ = ["forecast_demand"]


def _note(notes: list[str], message: str) -> None:
    notes.append(message)
    warnings.warn(message, ForecastWarning, stacklevel=3)


def _choose(y: FloatArray, m: int, step_s: int, config: ForecastConfig) -> tuple[BaseForecaster, str | None]:
    """Return the forecaster for gap-free window ``y`` and the reason if it is a fallback."""
    n = int(y.size)
    if config.model == "seasonal_naive":
        return SeasonalNaive(season_s=config.season_s), None
    need = holt_winters_min_steps(m, config.min_seasons)
    if n < m:
        return LastValue(), (
            f"history has {n} steps, shorter than one season ({m} steps of {step_s} s); "
            f"holt_winters needs >= {need}; using last_value"
        )
    if n < need:
        return SeasonalNaive(season_s=config.season_s), (
            f"history has {n} steps; holt_winters with season {m} steps needs >= {need}; using seasonal_naive"
        )
    if np.ptp(y) == 0.0:
        return SeasonalNaive(season_s=config.season_s), (
            f"history is constant ({float(y[0]):g} ACU over {n} steps); holt_winters skipped; "
            "using seasonal_naive"
        )
    return HoltWinters(season_s=config.season_s), None


def forecast_demand(
    history_acu: npt.ArrayLike,
    step_s: int = 300,
    horizon: int = 36,
    quantiles: Sequence[float] = (0.5, 0.9, 0.95),
    config: ForecastConfig | None = None,
) -> QuantileForecast:
    """Forecast ACU demand quantiles for the next ``horizon`` steps.

    Args:
        history_acu: demand per step, shape (n_steps,), ACU, >= 0; NaN marks a missing step.
            The last element is the step just before the forecast starts.
        step_s: step length, seconds (default 300, DESIGN.md §2).
        horizon: number of steps to forecast, >= 1 (default 36 = 3 h at 300 s).
        quantiles: strictly ascending probabilities in (0, 1).
        config: model choice, season and history window; ``ForecastConfig()`` if None.

    Returns:
        ``QuantileForecast`` with ``demand_acu`` of shape (n_quantiles, horizon), ACU: finite,
        >= 0, non-crossing; ``model`` names the model used and ``warnings`` every fallback.

    Raises:
        InvalidParameterError: bad ``step_s``, ``horizon``, ``quantiles`` or
            ``config.season_s`` (not a multiple of ``step_s``, or under two steps).
        InvalidHistoryError: negative or infinite values, or not 1-D (names index and value).
        InsufficientHistoryError: empty history, or no observed value in the window.

    Warns:
        ForecastWarning: gaps filled, simpler model used, or Holt-Winters fit failed.

    Examples:
        >>> fc = forecast_demand([2.0, 3.0, 4.0] * 200, step_s=300, horizon=3,
        ...                      config=ForecastConfig(season_s=900))
        >>> fc.model, fc.quantile(0.5).round(3).tolist()
        ('holt_winters', [2.0, 3.0, 4.0])
    """
    config = config if config is not None else ForecastConfig()
    step_s = check_step_s(step_s)
    horizon = check_horizon(horizon)
    qs = check_quantiles(quantiles)
    m = season_steps(config.season_s, step_s)
    window = recent_window(check_history(history_acu), config.max_history_s // step_s)
    if np.all(np.isnan(window)):
        raise InsufficientHistoryError(
            f"the last {window.size} steps of history_acu (max_history_s="
            f"{config.max_history_s}) are all missing (NaN); need at least 1 observed step"
        )
    y, n_missing = fill_gaps(window, m)
    notes: list[str] = []
    if n_missing:
        _note(notes, gap_message(n_missing, y.size, m))
    forecaster, reason = _choose(y, m, step_s, config)
    if reason is not None:
        _note(notes, reason)
    try:
        fc = forecaster.fit(y, step_s).predict(horizon, qs)
    except ModelFitError as exc:
        if not isinstance(forecaster, HoltWinters):
            raise
        _note(notes, f"holt_winters fit failed ({exc}); using seasonal_naive")
        fc = SeasonalNaive(season_s=config.season_s).fit(y, step_s).predict(horizon, qs)
    return QuantileForecast(
        quantiles=fc.quantiles,
        demand_acu=fc.demand_acu,
        model=fc.model,
        warnings=(*notes, *fc.warnings),
    )
