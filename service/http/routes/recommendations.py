"""``POST /v1/recommendations``: history + cluster in, a ForecastOnly Recommendation out (stored)."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Response

from policy import Recommendation
from service.http.deps import PolicyConfigDep, RuntimeDep, WriteScope
from service.http.routes.responses import errors
from service.http.schemas.recommendations import RecommendationRequest
from service.http.solving import recommend_and_store, stateless_key
from service.http.strict import StrictRoute
from service.inputs.formats import off_grid_warnings

router = APIRouter(prefix="/recommendations", tags=["recommendations"], route_class=StrictRoute)


@router.post("", response_model=Recommendation, responses=errors(422, 503))
def create_recommendation(
    request: RecommendationRequest, response: Response, base_config: PolicyConfigDep, runtime: RuntimeDep,
    _: WriteScope,
) -> Recommendation:  # fmt: skip
    """Recommend per-step ACU floors and a reader layout for the next horizon.

    History is regularised to the ``step_s`` grid (max per step; a step without samples
    is missing; samples off the grid are counted in a warning, as ``/metrics`` does),
    forecast at the configured quantiles, and planned by the CP-SAT optimiser
    under the cluster's limits. The result is advice only (``mode: ForecastOnly``); a
    solver that finds no plan yields a normal 200 with ``is_fail_safe: true`` and a plan
    that never lowers the current floor.

    The solve runs on the bounded solver pool (503 ``overloaded`` when it is full, 503
    ``timeout`` past the request deadline). Every recommendation is stored with its
    inputs' SHA-256 and explanation in the stateless history ``_stateless:<cluster_id>``
    (kept apart from a registered cluster of the same id; ``_stateless:sha256-<32 hex>``
    when the id has characters a URL path id cannot, ``solving.stateless_key``); the ``Location`` and
    ``X-Recommendation-Id`` headers name the stored record.

    Errors, all ``{"error": <code>, "detail": [{"field": <path or null>, "message": ...}]}``:
    422 ``invalid_request`` for malformed input (e.g. ``history.3.ts`` out of order,
    ``cluster.limits.min_acu`` off the 0.5-ACU grid, a history spanning too many steps,
    ``cluster.price_usd_per_acu_hour`` not given for a ``cluster.topology.region`` without
    a built-in price, which would be planned at us-east-1's rate);
    422 with a policy error code (e.g. ``invalid_request``, ``insufficient_history``) when
    the policy rejects the input; 500 ``internal_error`` with an empty ``detail``.
    """
    inputs = request.to_inputs(base_config, now_s=int(runtime.clock()))
    key = stateless_key(inputs.cluster.cluster_id)
    off_grid = off_grid_warnings(request.history, step_s=request.step_s, field="history", stored=False)
    stored, rec = recommend_and_store(runtime, inputs, history_key=key, warnings=off_grid)
    response.headers["Location"] = f"/v1/clusters/{quote(key, safe='')}/recommendations/{stored.id}"
    response.headers["X-Recommendation-Id"] = str(stored.id)
    return rec
