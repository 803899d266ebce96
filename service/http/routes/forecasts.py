"""``/v1/forecasts`` and ``/v1/clusters/{cluster_id}/forecasts``: quantile demand forecasts."""

from __future__ import annotations

from fastapi import APIRouter

from policy import ClusterSpec
from service.http.clusters import cluster_config, cluster_spec, load_cluster
from service.http.deps import PolicyConfigDep, RuntimeDep, WriteScope
from service.http.forecasting import forecast_on_pool
from service.http.routes.responses import errors
from service.http.schemas.clusters import ClusterId, stored_inputs, window_start
from service.http.schemas.jobs import ClusterForecastRequest, ForecastRequest, ForecastResponse
from service.http.schemas.recommendations import PolicyOverrides, RecommendationRequest
from service.http.strict import StrictRoute
from service.inputs.formats import off_grid_warnings

router = APIRouter(tags=["forecasts"], route_class=StrictRoute)


@router.post("/forecasts", response_model=ForecastResponse, responses=errors(422, 503))
def create_forecast(
    body: ForecastRequest, runtime: RuntimeDep, base_config: PolicyConfigDep, _: WriteScope
) -> ForecastResponse:
    """Forecast ACU demand quantiles from a history (the forecaster recommendations use).

    The history follows the recommendation rules (``step_s`` grid, max per step, missing
    steps stay missing, ``now`` on the grid; samples off the grid are said in the warnings,
    as ``POST /v1/recommendations`` says them). The model is chosen by backtest; its name
    and any fallbacks are in the response.
    """
    request = RecommendationRequest(
        cluster=ClusterSpec(),
        step_s=body.step_s,
        now=body.now,
        history=body.history,
        config=PolicyOverrides(),
    )
    quantiles = body.checked_quantiles()
    horizon = body.horizon_steps(body.step_s)
    inputs = request.to_inputs(base_config, now_s=int(runtime.clock()))
    off_grid = off_grid_warnings(body.history, step_s=body.step_s, field="history", stored=False)
    fc = forecast_on_pool(runtime, inputs, horizon=horizon, quantiles=quantiles)
    return fc.model_copy(update={"warnings": [*off_grid, *fc.warnings]}) if off_grid else fc


@router.post(
    "/clusters/{cluster_id}/forecasts", response_model=ForecastResponse, responses=errors(404, 422, 503)
)
def create_cluster_forecast(
    cluster_id: ClusterId,
    body: ClusterForecastRequest,
    runtime: RuntimeDep,
    base_config: PolicyConfigDep,
    _: WriteScope,
) -> ForecastResponse:
    """Forecast a registered cluster's demand from its stored metrics.

    Same rules as ``POST /v1/forecasts``; ``horizon_s`` is a multiple of the cluster's step.
    """
    store = runtime.store
    quantiles = body.checked_quantiles()
    record = load_cluster(store, cluster_id)
    horizon = body.horizon_steps(record.step_s)
    config = cluster_config(record, base_config, None)
    stored_range = store.point_range(cluster_id)
    since, until = window_start(body.now, stored_range[1], record.step_s)
    ts, values = store.points(cluster_id, since_s=since, until_s=until)
    spec = cluster_spec(record)
    inputs = stored_inputs(
        ts,
        values,
        step_s=record.step_s,
        now=body.now,
        cluster=spec,
        config=config,
        previous=None,
        stored=stored_range,
    )
    return forecast_on_pool(runtime, inputs, horizon=horizon, quantiles=quantiles)
