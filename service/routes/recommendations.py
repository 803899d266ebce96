"""``POST /v1/recommendations``: history + cluster in, a ForecastOnly Recommendation out."""

from __future__ import annotations

from fastapi import APIRouter

import policy
from policy import Recommendation
from service.deps import PolicyConfigDep
from service.schemas import ErrorResponse, RecommendationRequest

router = APIRouter(prefix="/recommendations", tags=["recommendations"])


@router.post(
    "",
    response_model=Recommendation,
    responses={
        422: {
            "model": ErrorResponse,
            "description": "Invalid request: `error` is `invalid_request` (wire format, cross-field "
            "rules, a body that is not JSON) or a policy error code; `detail` lists "
            "`{field, message}` with `field` a dotted path such as `history.3.ts` or null",
        },
        500: {"model": ErrorResponse, "description": "Internal error: `internal_error`, empty `detail`"},
    },
)
def create_recommendation(request: RecommendationRequest, base_config: PolicyConfigDep) -> Recommendation:
    """Recommend per-step ACU floors and a reader layout for the next horizon.

    History is regularised to the ``step_s`` grid (max per step; a step without samples
    is missing), forecast at the configured quantiles, and planned by the CP-SAT optimiser
    under the cluster's limits. The result is advice only (``mode: ForecastOnly``); a
    solver that finds no plan yields a normal 200 with ``is_fail_safe: true`` and a plan
    that never lowers the current floor.

    Runs in the worker threadpool (the solve takes up to the configured time limit).

    Errors, all ``{"error": <code>, "detail": [{"field": <path or null>, "message": ...}]}``:
    422 ``invalid_request`` for malformed input (e.g. ``history.3.ts`` out of order,
    ``cluster.limits.min_acu`` off the 0.5-ACU grid, a history spanning too many steps);
    422 with a policy error code (e.g. ``invalid_request``, ``insufficient_history``) when
    the policy rejects the input; 500 ``internal_error`` with an empty ``detail``.
    """
    inputs = request.to_inputs(base_config)
    return policy.recommend(
        inputs.history_acu,
        now=inputs.now,
        step_s=inputs.step_s,
        cluster=inputs.cluster,
        config=inputs.config,
        previous=inputs.previous,
    )
