"""``/v1/clusters``: register a cluster once, then list, read and delete registrations."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from service.http.clusters import load_cluster, not_registered
from service.http.deps import PolicyConfigDep, ReadScope, RuntimeDep, StoreDep, WriteScope
from service.http.learning import LEARNING_KIND, LearningStatus
from service.http.routes.responses import errors
from service.http.schemas.clusters import (
    ENGINE_KEY,
    MAX_PAGE,
    ClusterId,
    ClusterList,
    ClusterPublic,
    ClusterRegistration,
)
from service.http.schemas.path_ids import CLUSTER_ID_CHECK
from service.http.strict import StrictRoute
from service.store import StepChangeError

router = APIRouter(prefix="/clusters", tags=["clusters"], route_class=StrictRoute)


@router.put(
    "/{cluster_id}",
    response_model=ClusterPublic,
    status_code=200,
    responses={201: {"model": ClusterPublic, "description": "Registered"}, **errors(409, 422)},
)
def register_cluster(
    cluster_id: ClusterId,
    body: ClusterRegistration,
    response: Response,
    store: StoreDep,
    base_config: PolicyConfigDep,
    _: WriteScope,
) -> ClusterPublic:
    """Register a cluster (201) or replace its registration (200).

    Stores the topology, limits, read share, price, metrics step, policy overrides and
    the Aurora ``engine`` (default ``aurora-postgresql``; used when rendering actions),
    so later calls send only new metrics. Stored metrics and recommendations are kept
    when a registration is replaced; ``revision`` counts the updates. A replacement that
    changes ``step_s`` while the cluster has stored metrics (sent at the old step) is a 409
    ``conflict`` naming both steps, and the registration is kept as it was.
    """
    body.check(base_config)
    spec = {**body.spec(cluster_id).model_dump(mode="json"), ENGINE_KEY: body.engine}
    config = body.config.model_dump(exclude_none=True)
    try:
        record, created = store.upsert_cluster(cluster_id, spec=spec, step_s=body.step_s, config=config)
    except StepChangeError as exc:
        raise _step_conflict(exc) from None
    response.status_code = 201 if created else 200
    return ClusterPublic.of(record, store.point_range(cluster_id))


def _step_conflict(exc: StepChangeError) -> HTTPException:
    """The 409 for a step change over stored metrics: both steps, and the two ways out."""
    cid = exc.cluster_id
    return HTTPException(
        409,
        f"step_s={exc.step_s} cannot replace the registered step_s={exc.stored_step_s} of cluster "
        f"{cid!r}: its {exc.n_points} stored samples were sent at {exc.stored_step_s} s, and on a "
        f"{exc.step_s}-s grid they would read as another history; keep step_s={exc.stored_step_s}, "
        f"or delete the cluster with its metrics (DELETE /v1/clusters/{cid}; its recommendations "
        "are kept) and register it again, or register the new step under a new cluster id",
    )


@router.get("", response_model=ClusterList, responses=errors(422))
def list_clusters(
    store: StoreDep,
    _: ReadScope,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = 100,
    after: Annotated[
        str | None,
        Query(max_length=128, description="Last id of the previous page."),
        CLUSTER_ID_CHECK,
    ] = None,
) -> ClusterList:
    """List registered clusters ordered by id, a page at a time.

    ``after`` must be a cluster id (the path's rule), else a 422 at ``after``; a parameter given twice
    or one the endpoint does not take is a 422 at its name (:func:`service.http.queries.check_query`).
    """
    records = store.list_clusters(limit=limit, after=after)
    data = [ClusterPublic.of(r, store.point_range(r.cluster_id)) for r in records]
    next_after = records[-1].cluster_id if len(records) == limit else None
    return ClusterList(data=data, count=len(data), next_after=next_after)


@router.get("/{cluster_id}", response_model=ClusterPublic, responses=errors(404, 422))
def get_cluster(cluster_id: ClusterId, store: StoreDep, _: ReadScope) -> ClusterPublic:
    """Return a registered cluster with a summary of its stored metrics."""
    return ClusterPublic.of(load_cluster(store, cluster_id), store.point_range(cluster_id))


@router.get("/{cluster_id}/learning", response_model=LearningStatus, responses=errors(404, 422))
def get_cluster_learning(cluster_id: ClusterId, store: StoreDep, _: ReadScope) -> LearningStatus:
    """Return the cluster's newest risk-quantile learning job: its state, data, choice and reason.

    A per-cluster recommendation queues one once a day of data time has passed since the
    last (``ACUPLAN_LEARN_EVERY_S``) and plans at the newest succeeded one's choice; its
    explanation's ``risk_quantile.learning_job_id`` names it.
    """
    load_cluster(store, cluster_id)
    return LearningStatus.of(store.latest_job(LEARNING_KIND, cluster_id))


@router.delete("/{cluster_id}", status_code=204, response_class=Response, responses=errors(404, 422))
def delete_cluster(cluster_id: ClusterId, runtime: RuntimeDep, _: WriteScope) -> Response:
    """Delete a registration, its stored metrics and its learning jobs; recommendations are kept.

    Its advice alerts leave ``/metrics``; registered again, it learns its risk quantile afresh.
    """
    if not runtime.store.delete_cluster(cluster_id):  # never registered, or a concurrent DELETE won
        raise not_registered(cluster_id)
    runtime.metrics.clear_advice_alerts(cluster_id)
    return Response(status_code=204)
