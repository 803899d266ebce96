"""Actions: a recommendation rendered as AWS CLI, boto3 and Terraform (nothing is executed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from placement import PreviousLayout
from policy import Recommendation
from service.actions import render_actions
from service.deps import ReadScope, StoreDep, WriteScope
from service.routes.cluster_recommendations import RecommendationId, load_recommendation
from service.routes.responses import errors
from service.schemas_actions import ActionsRequest, ActionsResponse, Engine
from service.schemas_clusters import ClusterId

router = APIRouter(tags=["actions"])


@router.post("/actions", response_model=ActionsResponse, responses=errors(422))
def render_recommendation_actions(body: ActionsRequest, _: WriteScope) -> ActionsResponse:
    """Render a recommendation as the RDS calls, AWS CLI commands and Terraform that realise it.

    Capacity changes become ``modify-db-cluster --serverless-v2-scaling-configuration``
    at their times; reader windows become ``create-db-instance`` (``db.serverless``, AZ,
    promotion tier) and ``delete-db-instance``; readers in ``previous`` are kept or
    deleted. Advice only: nothing is executed.
    """
    return render_actions(body.check())


@router.get(
    "/clusters/{cluster_id}/recommendations/{rec_id}/actions",
    response_model=ActionsResponse,
    responses=errors(404, 422),
)
def get_stored_recommendation_actions(
    cluster_id: ClusterId,
    rec_id: RecommendationId,
    store: StoreDep,
    _: ReadScope,
    engine: Annotated[Engine, Query(description="The cluster's engine.")] = "aurora-postgresql",
) -> ActionsResponse:
    """Render a stored recommendation's actions, using the layout it was given as ``previous``."""
    item = load_recommendation(store, cluster_id, rec_id).item
    previous = item.inputs.get("previous")
    return render_actions(
        ActionsRequest(
            recommendation=Recommendation.model_validate(item.recommendation),
            engine=engine,
            previous=None if previous is None else PreviousLayout.model_validate(previous),
        )
    )
