"""``/v1/advice`` and ``/v1/clusters/{cluster_id}/advice``: advice as asynchronous jobs.

An advice replays the cluster's settings today, a MinCapacity timetable and the bound over
its history (40-120 s on a 2-week history), so it runs as a job on the replay jobs'
machinery (:class:`service.http.jobs.ReplayRunner`, the store's job table, the bounded job
pool): 202 with ``Location``, poll, fetch the result, ``DELETE`` to cancel; jobs survive a
restart. Everything the job would reject is a 422 up front, and so is a query parameter
(:data:`NoQuery`): none changes an advice.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.exceptions import RequestValidationError

from service.http.clusters import cluster_config, cluster_spec, load_cluster
from service.http.deps import PolicyConfigDep, ReadScope, RuntimeDep, WriteScope
from service.http.routes.job_access import cancel_stored_job, stored_job, succeeded_result
from service.http.routes.responses import errors
from service.http.runtime import Runtime
from service.http.schemas.advice import AdviceDocument, AdviceJob, AdviceRequest, ClusterAdviceRequest
from service.http.schemas.clusters import ClusterId, record_spec
from service.http.schemas.path_ids import JOB_ID_CHECK, JOB_ID_PATTERN
from service.http.schemas.recommendations import request_error
from service.http.strict import StrictRoute
from service.inputs.formats import off_grid_warnings
from service.store import JobRecord

router = APIRouter(tags=["advice"], route_class=StrictRoute)

JobId = Annotated[
    str, Path(json_schema_extra={"pattern": JOB_ID_PATTERN}, description="An advice job id."), JOB_ID_CHECK
]


_NO_QUERY = (
    "the advice endpoints take no query parameters, and their history is demand in ACU already (the "
    "posted history's demand_acu, or a registered cluster's stored metrics); a metric export's signal, "
    "format and timezone go with it to POST /v1/clusters/{cluster_id}/metrics/upload"
)
"""Why a query parameter changes no advice (after ``<name>=<value> changes nothing: ``)."""


def _no_query_parameters(request: Request) -> None:
    """Refuse every query parameter: the advice endpoints take none.

    FastAPI ignores a query parameter an endpoint does not declare, so ``?signal=CPUUtilization``
    (as ``POST /v1/clusters/{id}/metrics/upload`` takes it) would be accepted and change
    nothing: the advice's history is demand in ACU already. ``acuplan advise`` and
    ``recommend`` refuse ``--signal``, ``--rate`` and ``--peak-acu`` that change nothing
    (:func:`service.cli.exports.check_unused_options`); this is the API's side of that rule.

    Args:
        request: the request (its query string).

    Raises:
        fastapi.exceptions.RequestValidationError: a 422 ``invalid_request`` with one entry per
            parameter, at its name (e.g. ``signal``), saying it changes nothing and where a
            metric export's ``signal``, ``format`` and ``timezone`` go.
    """
    given: dict[str, str] = {}
    for name, value in request.query_params.multi_items():
        given.setdefault(name, value)  # a repeated name: its first value, once
    if not given:
        return
    raise RequestValidationError(
        [
            {
                "type": "value_error",
                "loc": ("query", name),
                "msg": f"{name}={value!r} changes nothing: {_NO_QUERY}",
                "input": None,
            }
            for name, value in given.items()
        ]
    )


NoQuery = Annotated[None, Depends(_no_query_parameters)]
"""A dependency refusing any query parameter (after the API key is checked: declare it after the scope)."""


def _queued(runtime: Runtime, job: JobRecord, response: Response) -> AdviceJob:
    response.headers["Location"] = f"/v1/advice/{job.id}"
    return AdviceJob.of_job(job, {})


@router.post("/advice", response_model=AdviceJob, status_code=202, responses=errors(422, 503))
def create_advice(
    body: AdviceRequest,
    response: Response,
    runtime: RuntimeDep,
    base_config: PolicyConfigDep,
    _: WriteScope,
    __: NoQuery,
) -> AdviceJob:
    """Start an advice job for a posted history and today's settings; poll ``Location``.

    The answer (``GET .../result``): today's settings, the MinCapacity timetable to apply
    (with EventBridge Scheduler commands and Terraform, per global-database region too),
    acuplan re-planning live and the perfect-foresight bound, each with its monthly cost
    and SLO-violation minutes; the saving; the ways to buy the capacity; the reader's
    promotion tier; auto-pause; storage and backups; alerts from the history and the
    forecast with their lead time. ``cluster.cluster_id`` is required (the commands target it:
    a 422 there when missing, never a default id). 503 ``overloaded`` when too many jobs are waiting. A
    query parameter is a 422 at its name: none changes an advice (the history is demand in
    ACU already; ``?signal=`` belongs to ``POST /v1/clusters/{id}/metrics/upload``). Samples off
    the ``step_s`` grid count in the step that holds them, and the advice's reasons say so
    (``inputs: history: ...``), in the words ``POST /v1/recommendations`` warns with.
    """
    ts, values = body.wire_points(int(runtime.clock()))
    cluster = body.named_cluster()
    off_grid = off_grid_warnings(body.history, step_s=body.step_s, field="history", stored=False)
    inputs = body.advice_inputs(
        ts, values, step_s=body.step_s, cluster=cluster, base=base_config, input_warnings=tuple(off_grid)
    )
    inputs = inputs.model_copy(update={"now": datetime.fromtimestamp(runtime.clock(), UTC)})
    return _queued(runtime, runtime.replays.submit(inputs), response)


@router.post(
    "/clusters/{cluster_id}/advice",
    response_model=AdviceJob,
    status_code=202,
    responses=errors(404, 422, 503),
)
def create_cluster_advice(
    cluster_id: ClusterId,
    body: ClusterAdviceRequest,
    response: Response,
    runtime: RuntimeDep,
    base_config: PolicyConfigDep,
    _: WriteScope,
    __: NoQuery,
) -> AdviceJob:
    """Start an advice job for a registered cluster from its stored metrics.

    The history is every stored sample on the cluster's step grid; the cluster's spec, its
    engine (unless ``current.engine`` is given) and its policy overrides apply. When the
    job succeeds its alerts are published on ``/metrics`` (``acuplan_advice_alert``,
    ``acuplan_advice_alert_lead_time_seconds``) until the next advice for the cluster. A
    query parameter is a 422 at its name, as for ``POST /v1/advice``.
    """
    record = load_cluster(runtime.store, cluster_id)
    ts, values = runtime.store.points(cluster_id, since_s=0, until_s=2**62)
    if not ts:
        raise request_error([(("history",), f"cluster {cluster_id!r} has no stored metrics")])
    config = cluster_config(record, base_config, None)
    if "engine" not in body.current.model_fields_set:
        body = body.model_copy(
            update={"current": body.current.model_copy(update={"engine": record_spec(record)[1]})}
        )
    inputs = body.advice_inputs(
        ts, values, step_s=record.step_s, cluster=cluster_spec(record), base=config, registered=cluster_id
    )
    inputs = inputs.model_copy(update={"now": datetime.fromtimestamp(runtime.clock(), UTC)})
    return _queued(runtime, runtime.replays.submit(inputs, cluster_id=cluster_id), response)


@router.get("/advice/{job_id}", response_model=AdviceJob, responses=errors(404, 422))
def get_advice(job_id: JobId, runtime: RuntimeDep, _: ReadScope) -> AdviceJob:
    """Return an advice job's state and, while it runs, its progress per stage."""
    return AdviceJob.of_job(stored_job(runtime, job_id, "advice"), runtime.replays.progress(job_id))


@router.get("/advice/{job_id}/result", response_model=AdviceDocument, responses=errors(404, 409, 422))
def get_advice_result(job_id: JobId, runtime: RuntimeDep, _: ReadScope) -> AdviceDocument:
    """Return the advice of a succeeded job; 409 ``conflict`` (with the status) before that."""
    return AdviceDocument.model_validate(succeeded_result(stored_job(runtime, job_id, "advice"), "advice"))


@router.delete("/advice/{job_id}", response_model=AdviceJob, responses=errors(404, 422))
def cancel_advice(job_id: JobId, runtime: RuntimeDep, _: WriteScope) -> AdviceJob:
    """Cancel a job: a queued one at once, a running one at its next progress report; final jobs stay."""
    job = cancel_stored_job(runtime, job_id, "advice")
    return AdviceJob.of_job(job, runtime.replays.progress(job_id))
