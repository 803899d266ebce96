"""Actions: a recommendation rendered as AWS CLI, boto3 and Terraform (nothing is executed)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from placement import PreviousLayout
from policy import Recommendation
from service.advice.actions import render_actions
from service.advice.identifiers import check_db_cluster_identifier
from service.http.deps import ReadScope, StoreDep, WriteScope
from service.http.routes.cluster_recommendations import RecommendationId, load_recommendation
from service.http.routes.responses import errors
from service.http.schemas.actions import ActionsRequest, ActionsResponse, Engine
from service.http.schemas.clusters import HistoryId, record_spec
from service.http.strict import StrictRoute

router = APIRouter(tags=["actions"], route_class=StrictRoute)


@router.post("/actions", response_model=ActionsResponse, responses=errors(422))
def render_recommendation_actions(body: ActionsRequest, _: WriteScope) -> ActionsResponse:
    """Render a recommendation as the RDS calls, AWS CLI commands and Terraform that realise it.

    Capacity changes become ``modify-db-cluster --serverless-v2-scaling-configuration``
    at their times; reader windows become ``create-db-instance`` (``db.serverless``, AZ,
    promotion tier) and ``delete-db-instance``; readers in ``previous`` are kept or
    deleted. Advice only: nothing is executed. ``db_cluster_identifier`` (else the
    recommendation's ``cluster_id``) must be a valid Aurora ``DBClusterIdentifier``: 1-63
    letters, digits and hyphens, a letter first, no ``--``, no trailing hyphen (else 422 at
    that field).
    """
    return render_actions(body.check())


@router.get(
    "/clusters/{cluster_id}/recommendations/{rec_id}/actions",
    response_model=ActionsResponse,
    responses=errors(404, 422),
)
def get_stored_recommendation_actions(
    cluster_id: HistoryId,
    rec_id: RecommendationId,
    store: StoreDep,
    _: ReadScope,
    engine: Annotated[
        Engine | None,
        Query(
            description=(
                "The Aurora engine for `create-db-instance --engine`: `aurora-postgresql` or "
                "`aurora-mysql`. Default: the engine the cluster was registered with, else "
                "`aurora-postgresql` (stateless or deleted clusters)."
            )
        ),
    ] = None,
) -> ActionsResponse:
    """Render a stored recommendation's actions, using the layout it was given as ``previous``.

    Query parameter ``engine`` (``aurora-postgresql`` or ``aurora-mysql``) picks the engine
    of the ``create-db-instance`` calls; without it the registered cluster's ``engine``
    is used, or ``aurora-postgresql`` when the cluster is not registered.

    The recommendation's ``cluster_id`` addresses the cluster in every call, so it must be a
    valid Aurora ``DBClusterIdentifier`` (1-63 letters, digits and hyphens, a letter first, no
    ``--``, no trailing hyphen); otherwise a 422 at ``cluster_id`` says to post the
    recommendation to ``POST /v1/actions`` with its ``db_cluster_identifier``.
    """
    item = load_recommendation(store, cluster_id, rec_id).item
    recommendation = Recommendation.model_validate(item.recommendation)
    hint = (
        "POST the recommendation to /v1/actions with db_cluster_identifier, the cluster's identifier in AWS"
    )
    check_db_cluster_identifier(recommendation.cluster_id, field="cluster_id", hint=hint)
    if engine is None:
        record = store.get_cluster(cluster_id)
        engine = "aurora-postgresql" if record is None else record_spec(record)[1]
    previous = item.inputs.get("previous")
    return render_actions(
        ActionsRequest(
            recommendation=recommendation,
            engine=engine,
            previous=None if previous is None else PreviousLayout.model_validate(previous),
        )
    )
