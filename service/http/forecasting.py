"""Run a demand forecast for the HTTP API on the solver pool.

Owns :func:`forecast_on_pool`: the same forecaster ``policy.recommend`` uses
(``forecasting.forecast_demand`` with the service's ``ForecastConfig``), counted in the
solver-time and forecast-model metrics. Imports ``forecasting`` public names and
``service`` modules.
"""

from __future__ import annotations

import warnings

from forecasting import ForecastWarning, QuantileForecast, forecast_demand
from service.http.runtime import Runtime
from service.http.schemas.jobs import ForecastResponse
from service.http.schemas.recommendations import RecommendInputs
from service.http.solving import run_on_pool


def _forecast(inputs: RecommendInputs, horizon: int, quantiles: tuple[float, ...]) -> QuantileForecast:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForecastWarning)  # reported in the response instead
        return forecast_demand(
            inputs.history_acu,
            step_s=inputs.step_s,
            horizon=horizon,
            quantiles=quantiles,
            config=inputs.config.forecast,
        )


def forecast_on_pool(
    runtime: Runtime, inputs: RecommendInputs, *, horizon: int, quantiles: tuple[float, ...]
) -> ForecastResponse:
    """Forecast ``horizon`` steps of ``inputs.step_s`` after ``inputs.now``.

    Args:
        runtime: the app's runtime.
        inputs: validated history, step and configuration.
        horizon: how far ahead, steps (``_ForecastKnobs.horizon_steps``).
        quantiles: strictly ascending probabilities in (0, 1) (``_ForecastKnobs.checked_quantiles``).

    Returns:
        The forecast.

    Raises:
        service.http.pool.PoolFullError: the solver pool is full.
        service.http.solving.SolverTimeoutError: past the request deadline.
        forecasting.ForecastingError: the forecaster rejects the history (input errors: 422).
    """
    fc = run_on_pool(runtime, "forecast", _forecast, inputs, horizon, quantiles)
    runtime.metrics.forecast_model.labels(model=fc.model).inc()
    return ForecastResponse(
        start=inputs.now,
        step_s=inputs.step_s,
        quantiles=list(fc.quantiles),
        demand_acu=[[float(v) for v in row] for row in fc.demand_acu],
        model=fc.model,
        warnings=list(fc.warnings),
    )
