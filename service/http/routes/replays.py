"""``/v1/replays``: replay policies over a history as asynchronous jobs (create, poll, result, cancel)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Response

from policy import ClusterSpec, ReplayReport
from service.http.clusters import cluster_spec, load_cluster
from service.http.deps import PolicyConfigDep, ReadScope, RuntimeDep, WriteScope
from service.http.routes.job_access import cancel_stored_job, stored_job, succeeded_result
from service.http.routes.responses import errors
from service.http.schemas.jobs import ReplayJob, ReplayRequest
from service.http.schemas.path_ids import JOB_ID_CHECK, JOB_ID_PATTERN
from service.http.schemas.recommendations import check_priced, request_error
from service.http.strict import StrictRoute

router = APIRouter(prefix="/replays", tags=["replays"], route_class=StrictRoute)

JobId = Annotated[
    str, Path(json_schema_extra={"pattern": JOB_ID_PATTERN}, description="A replay job id."), JOB_ID_CHECK
]


@router.post("", response_model=ReplayJob, status_code=202, responses=errors(404, 422, 503))
def create_replay(
    body: ReplayRequest, response: Response, runtime: RuntimeDep, base_config: PolicyConfigDep, _: WriteScope
) -> ReplayJob:
    """Start a replay job; poll ``Location`` until ``status`` is final, then fetch the result.

    The inputs (history on the grid, cluster, configuration) are fixed now, so the
    report does not depend on metrics stored later. Jobs survive a restart (a job that
    was running is started again). 503 ``overloaded`` when too many jobs are waiting. A
    posted ``cluster`` in a region without a built-in price and no
    ``price_usd_per_acu_hour`` is a 422 at that field, as for recommendations
    (:func:`~service.http.schemas.recommendations.check_priced`).
    """
    if (body.history is None) == (body.cluster_id is None):
        raise request_error([(("body",), "give exactly one of history (with cluster) or cluster_id")])
    if body.cluster_id is not None:
        record = load_cluster(runtime.store, body.cluster_id)
        ts, values = runtime.store.points(body.cluster_id, since_s=0, until_s=2**62)
        if not ts:
            raise request_error([(("cluster_id",), f"cluster {body.cluster_id!r} has no stored metrics")])
        inputs = body.inputs(ts, values, step_s=record.step_s, cluster=cluster_spec(record), base=base_config)
    else:
        if body.cluster is not None:
            check_priced(body.cluster)
        ts, values = body.wire_points(int(runtime.clock()))
        inputs = body.inputs(
            ts, values, step_s=body.step_s, cluster=body.cluster or ClusterSpec(), base=base_config
        )
    job = runtime.replays.submit(inputs)
    response.headers["Location"] = f"/v1/replays/{job.id}"
    return ReplayJob.of(job, {})


@router.get("/{job_id}", response_model=ReplayJob, responses=errors(404, 422))
def get_replay(job_id: JobId, runtime: RuntimeDep, _: ReadScope) -> ReplayJob:
    """Return a replay job's state and, while it runs, its progress per policy."""
    return ReplayJob.of(stored_job(runtime, job_id, "replay"), runtime.replays.progress(job_id))


@router.get("/{job_id}/result", response_model=ReplayReport, responses=errors(404, 409, 422))
def get_replay_result(job_id: JobId, runtime: RuntimeDep, _: ReadScope) -> ReplayReport:
    """Return the report of a succeeded job; 409 ``conflict`` (with the status) before that."""
    return ReplayReport.model_validate(succeeded_result(stored_job(runtime, job_id, "replay"), "replay"))


@router.delete("/{job_id}", response_model=ReplayJob, responses=errors(404, 422))
def cancel_replay(job_id: JobId, runtime: RuntimeDep, _: WriteScope) -> ReplayJob:
    """Cancel a job: a queued one at once, a running one at its next decision; final jobs stay."""
    job = cancel_stored_job(runtime, job_id, "replay")
    return ReplayJob.of(job, runtime.replays.progress(job_id))
