"""Demand forecasting: ACU demand history → quantile forecast.

A leaf package: it imports nothing else of acuplan (``policy`` imports it). Pure and
deterministic: no clocks, no I/O, no module state; the same input gives the same output.
(``shared_backtests()`` opens a block in which forecasts of one window share their fits:
state the caller scopes, which changes no output. The first fit sets BLAS to one thread for
the process, ``blas``: the arrays are tiny and OpenBLAS's worker threads cost ~9x per fit.)

Public API::

    fc = forecast_demand(history_acu, step_s=300, horizon=36, quantiles=(0.5, 0.9, 0.95),
                         config=ForecastConfig())
    fc.demand_acu          # (n_quantiles, horizon) ACU, finite, >= 0, non-crossing
    SeasonalNaive(season_s=86400).fit(history_acu, step_s).predict(horizon, quantiles)

    fc.model, fc.candidates  # the backtest winner and every candidate's pinball score

Modules: ``types`` (QuantileForecast, ModelScore), ``config`` (ForecastConfig), ``errors``,
``validation`` and ``history`` (input checks, gap filling), ``intervals`` (residual and
split-conformal quantiles, post-processing), ``base`` (estimator protocol), ``baselines``
(SeasonalNaive, LastValue), ``ses`` (ETS(A,N,N)), ``holt_winters`` (statsmodels ETS), ``seasonal_ar`` (ARIMA
(p,0,0)(0,1,0)_m), ``mstl`` (statsmodels MSTL + AR), ``ar`` (AR(p) arithmetic),
``backtest`` (rolling origins), ``registry`` (model names), ``calibration`` (recency-weighted,
adaptive (ACI), hour-of-day conformal offsets), ``unprecedented`` (the level-excess rule and
its warning), ``selection`` (AutoForecaster), ``auto`` (forecast_demand), ``blas`` (one BLAS
thread).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from forecasting.auto import forecast_demand
    from forecasting.base import BaseForecaster, Forecaster, RollingForecaster
    from forecasting.baselines import LastValue, SeasonalNaive
    from forecasting.config import ForecastConfig
    from forecasting.errors import (
        ForecastingError,
        ForecastWarning,
        InsufficientHistoryError,
        InvalidHistoryError,
        InvalidParameterError,
        ModelFitError,
        NotFittedError,
    )
    from forecasting.holt_winters import HoltWinters
    from forecasting.mstl import MSTLForecaster
    from forecasting.registry import MODEL_NAMES, make_model
    from forecasting.seasonal_ar import SeasonalAR
    from forecasting.selection import AutoForecaster, shared_backtests
    from forecasting.ses import SimpleExpSmoothing
    from forecasting.types import ModelName, ModelScore, Quantile, QuantileForecast
    from forecasting.unprecedented import UNPRECEDENTED_LEVEL

_EXPORTS: dict[str, str] = {
    "forecast_demand": "forecasting.auto",
    "BaseForecaster": "forecasting.base",
    "Forecaster": "forecasting.base",
    "RollingForecaster": "forecasting.base",
    "LastValue": "forecasting.baselines",
    "SeasonalNaive": "forecasting.baselines",
    "ForecastConfig": "forecasting.config",
    "ForecastingError": "forecasting.errors",
    "ForecastWarning": "forecasting.errors",
    "InsufficientHistoryError": "forecasting.errors",
    "InvalidHistoryError": "forecasting.errors",
    "InvalidParameterError": "forecasting.errors",
    "ModelFitError": "forecasting.errors",
    "NotFittedError": "forecasting.errors",
    "HoltWinters": "forecasting.holt_winters",
    "MSTLForecaster": "forecasting.mstl",
    "MODEL_NAMES": "forecasting.registry",
    "make_model": "forecasting.registry",
    "SeasonalAR": "forecasting.seasonal_ar",
    "AutoForecaster": "forecasting.selection",
    "shared_backtests": "forecasting.selection",
    "SimpleExpSmoothing": "forecasting.ses",
    "ModelName": "forecasting.types",
    "ModelScore": "forecasting.types",
    "Quantile": "forecasting.types",
    "QuantileForecast": "forecasting.types",
    "UNPRECEDENTED_LEVEL": "forecasting.unprecedented",
}
"""Public name -> the module that defines it; imported on first use, so importing the
package (or one of its light modules) does not load every dependency."""


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = [
    "MODEL_NAMES",
    "AutoForecaster",
    "BaseForecaster",
    "ForecastConfig",
    "ForecastWarning",
    "Forecaster",
    "ForecastingError",
    "HoltWinters",
    "InsufficientHistoryError",
    "InvalidHistoryError",
    "InvalidParameterError",
    "LastValue",
    "MSTLForecaster",
    "ModelFitError",
    "ModelName",
    "ModelScore",
    "NotFittedError",
    "Quantile",
    "RollingForecaster",
    "QuantileForecast",
    "SeasonalAR",
    "SeasonalNaive",
    "SimpleExpSmoothing",
    "UNPRECEDENTED_LEVEL",
    "forecast_demand",
    "make_model",
    "shared_backtests",
]
