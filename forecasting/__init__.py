"""Demand forecasting: ACU demand history → quantile forecast.

A leaf package: it imports nothing else of acuplan (``policy`` imports it). Pure and
deterministic: no clocks, no I/O, no module state; the same input gives the same output.

Public API::

    fc = forecast_demand(history_acu, step_s=300, horizon=36, quantiles=(0.5, 0.9, 0.95),
                         config=ForecastConfig())
    fc.demand_acu          # (n_quantiles, horizon) ACU, finite, >= 0, non-crossing
    SeasonalNaive(season_s=86400).fit(history_acu, step_s).predict(horizon, quantiles)

Modules: ``types`` (QuantileForecast), ``config`` (ForecastConfig), ``errors``,
``validation`` and ``history`` (input checks, gap filling), ``intervals`` (residual
quantiles, post-processing), ``base`` (estimator protocol), ``baselines`` (SeasonalNaive,
LastValue), ``holt_winters`` (statsmodels ETS), ``auto`` (forecast_demand).
"""

from forecasting.auto import forecast_demand
from forecasting.base import BaseForecaster, Forecaster
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
from forecasting.types import ModelName, Quantile, QuantileForecast

__all__ = [
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
    "ModelFitError",
    "ModelName",
    "NotFittedError",
    "Quantile",
    "QuantileForecast",
    "SeasonalNaive",
    "forecast_demand",
]
