"""``/v1/clusters/{cluster_id}/recommendations``: recommend from stored metrics; the history."""

from __future__ import annotations

import contextlib
import math
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Response

from policy import PolicyConfig
from policy.trace_replay.learn import enough_to_learn, learning_span_s, learnt_planning
from service.http.clusters import cluster_config, cluster_spec, ingest, load_cluster, pending_history
from service.http.deps import PolicyConfigDep, ReadScope, RuntimeDep, StoreDep, WriteScope
from service.http.learning import LEARNING_KIND, POSTURE, LearningInputs, learning_due, planning_quantile
from service.http.pool import PoolFullError
from service.http.routes.responses import errors
from service.http.runtime import Runtime
from service.http.schemas.clusters import (
    MAX_PAGE,
    ClusterId,
    ClusterRecommendationRequest,
    HistoryId,
    RecommendationList,
    StoredRecommendation,
    StoredRecommendationSummary,
    check_requested_now,
    stored_inputs,
)
from service.http.schemas.recommendations import RecommendInputs
from service.http.solving import recommend_and_store
from service.http.strict import StrictRoute
from service.inputs.formats import points_from_wire
from service.inputs.history import grid_floor
from service.store import RecommendationRecord, Store

router = APIRouter(
    prefix="/clusters/{cluster_id}/recommendations",
    tags=["cluster-recommendations"],
    route_class=StrictRoute,
)

RecommendationId = Annotated[int, Path(ge=1, le=2**62, description="A stored recommendation's id.")]


def load_recommendation(store: Store, cluster_id: str, rec_id: int) -> RecommendationRecord:
    """Return one stored recommendation of a cluster.

    Raises:
        fastapi.HTTPException: 404 ``not_found``.
    """
    record = store.get_recommendation(cluster_id, rec_id)
    if record is None:
        raise HTTPException(404, f"cluster {cluster_id!r} has no recommendation {rec_id}")
    return record


def _queue_learning(runtime: Runtime, cluster_id: str, inputs: RecommendInputs, config: PolicyConfig) -> None:
    """Queue a learning job on the history ending at the plan's ``now`` when one is due."""
    every_s = runtime.settings.learn_every_s
    if not every_s or not enough_to_learn(len(inputs.history_acu), inputs.step_s, POSTURE):
        return  # off, or nothing to learn yet: no job (and no query), the next plan asks again
    latest = runtime.store.latest_job(LEARNING_KIND, cluster_id)
    clock_ms = runtime.store.now_ms()
    if not learning_due(
        latest,
        now=inputs.now,
        every_s=every_s,
        config=config,
        posture=POSTURE,
        clock_ms=clock_ms,
        cluster=inputs.cluster,
        step_s=inputs.step_s,
    ):
        return
    span = math.ceil(learning_span_s(POSTURE) / inputs.step_s)
    history = [None if math.isnan(v) else float(v) for v in inputs.history_acu[-span:].tolist()]
    learning = LearningInputs(
        demand_acu=history, now=inputs.now, step_s=inputs.step_s, cluster=inputs.cluster, config=config
    )
    with contextlib.suppress(PoolFullError):  # stored as failed "overloaded": queued again at the next call
        runtime.replays.submit(learning, cluster_id=cluster_id)


@router.post("", response_model=StoredRecommendation, status_code=201, responses=errors(404, 422, 503))
def create_cluster_recommendation(
    cluster_id: ClusterId,
    body: ClusterRecommendationRequest,
    response: Response,
    runtime: RuntimeDep,
    base_config: PolicyConfigDep,
    _: WriteScope,
) -> StoredRecommendation:
    """Recommend ACU floors and readers from the cluster's stored metrics, and store it.

    The risk quantile is the one learnt for this cluster (``service.http.learning``: the
    newest succeeded learning job, learnt under the same configured ``risk_quantile``,
    posture and registration, on data up to ``now``), unless the request's
    ``config.risk_quantile`` sets one; the explanation's ``risk_quantile`` says which and
    why. When a day of data time (``ACUPLAN_LEARN_EVERY_S``; 0: never) has passed since the
    cluster's last learning, a learning job is queued after the plan is stored (it replays
    the last 9 days; the next recommendation uses its choice; ``GET .../learning`` shows it).

    The history is the stored samples on the cluster's step grid up to ``now`` with the
    request's new ``points`` merged in (a new sample replaces a stored one at the same
    time; missing steps stay missing); without ``now``, the server's clock truncated to the
    grid, so a feed that stopped is flagged stale (and the plan held at ``previous``). The
    new ``points`` are stored only once the library has accepted the request, with the
    plan: a refused request (any 422, the library's own such as ``insufficient_history`` or
    a ``previous`` outside the limits included, or a 503) stores none of them and changes
    no stored sample. The plan, its inputs' SHA-256 and its explanation are stored before
    the 201 is sent (``Location`` names it).
    """
    store = runtime.store
    record = load_cluster(store, cluster_id)
    config = cluster_config(record, base_config, body.config)
    check_requested_now(body.now, step_s=record.step_s, config=config)
    ts_new: list[int] = []
    values_new: list[float] = []
    if body.points:
        ts_new, values_new = points_from_wire(body.points, now_s=int(runtime.clock()))
    # No now: the server's clock on the step grid, so a feed that stopped is flagged stale.
    now = body.now if body.now is not None else grid_floor(runtime.clock(), record.step_s)
    # Learnt under the cluster's own configuration; a request's overrides do not re-learn it.
    learnt_under = cluster_config(record, base_config, None)
    ts, values, stored_range = pending_history(store, record, ts_new, values_new, now=now)
    requested = body.config.risk_quantile if body.config is not None else None
    every_s = runtime.settings.learn_every_s
    first, last = stored_range[0], stored_range[1]
    # no job can exist for a history too short to learn from: spare the query (every call makes it)
    span = 0 if first is None or last is None else (last - first) // record.step_s + 1
    lookup = requested is None and every_s > 0 and enough_to_learn(span, record.step_s, POSTURE)
    choice = planning_quantile(
        learnt_under,
        requested=requested,
        learnt=store.latest_job(LEARNING_KIND, cluster_id, status="succeeded") if lookup else None,
        posture=POSTURE,
        now=now,
        every_s=every_s,
        cluster=cluster_spec(record),
        step_s=record.step_s,
    )
    planning = learnt_planning(config, choice.risk_quantile, choice.floor_from_forecast)
    inputs = stored_inputs(
        ts, values, step_s=record.step_s, now=now, cluster=cluster_spec(record), config=planning,
        previous=body.previous, stored=stored_range, source_flags=record.source_flags,
    )  # fmt: skip

    def store_points() -> None:  # only once the library accepted the request: a refusal stores none
        if ts_new:
            ingest(store, record, ts_new, values_new)

    stored, _rec = recommend_and_store(runtime, inputs, risk_quantile=choice, before_store=store_points)
    _queue_learning(runtime, cluster_id, inputs, learnt_under)
    response.headers["Location"] = f"/v1/clusters/{cluster_id}/recommendations/{stored.id}"
    return StoredRecommendation.of(stored)


@router.get("", response_model=RecommendationList, responses=errors(404, 422))
def list_cluster_recommendations(
    cluster_id: HistoryId,
    store: StoreDep,
    _: ReadScope,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Page size.")] = 50,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="Only ids below this (paging).")] = None,
) -> RecommendationList:
    """List a cluster's stored recommendations, newest first.

    Each entry has its inputs' SHA-256 and explanation; fetch one by id for the plan.
    404 ``not_found`` unless the cluster is registered or has stored recommendations (a
    deleted cluster's history is kept and still listed). Stateless recommendations
    (``POST /v1/recommendations``) are listed under ``_stateless:<cluster_id>`` (or
    ``_stateless:sha256-<32 hex>``, ``solving.stateless_key``), never under a registered cluster.
    """
    records = store.list_recommendations(cluster_id, limit=limit, before_id=before)
    if not records and store.get_cluster(cluster_id) is None and not store.count_recommendations(cluster_id):
        raise HTTPException(
            404, f"cluster {cluster_id!r} is not registered and has no stored recommendations"
        )
    data = [StoredRecommendationSummary.of(r) for r in records]
    return RecommendationList(
        data=data, count=len(data), next_before=records[-1].id if len(records) == limit else None
    )


@router.get("/{rec_id}", response_model=StoredRecommendation, responses=errors(404, 422))
def get_cluster_recommendation(
    cluster_id: HistoryId, rec_id: RecommendationId, store: StoreDep, _: ReadScope
) -> StoredRecommendation:
    """Return a stored recommendation with its inputs (history summarised) and explanation."""
    return StoredRecommendation.of(load_recommendation(store, cluster_id, rec_id))
