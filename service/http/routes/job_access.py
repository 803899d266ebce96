"""Reading, finishing and cancelling a stored job of one kind: what replays and advice share.

Owns :func:`stored_job` (404 for a job of another kind), :func:`succeeded_result` (409 before
success) and :func:`cancel_stored_job` (a queued job ends at once and is counted here; a
running one stops at its next progress report and is counted by its worker). Imports
``service`` modules.
"""

from __future__ import annotations

from typing import Any, Literal

from fastapi import HTTPException

from service.http.runtime import Runtime
from service.store import JobRecord

JobKind = Literal["replay", "advice"]
"""The kinds of stored jobs."""


def stored_job(runtime: Runtime, job_id: str, kind: JobKind) -> JobRecord:
    """Return a stored job of ``kind``.

    Raises:
        fastapi.HTTPException: 404 ``not_found`` when there is none of that kind.
    """
    job = runtime.store.get_job(job_id, kind=kind)
    if job is None:
        raise HTTPException(404, f"no {kind} job {job_id}")
    return job


def succeeded_result(job: JobRecord, kind: JobKind) -> dict[str, Any]:
    """Return a succeeded job's result.

    Raises:
        fastapi.HTTPException: 409 ``conflict`` naming the job's status before it succeeded.
    """
    if job.status != "succeeded" or job.result is None:
        raise HTTPException(
            409, f"{kind} job {job.id} is {job.status}; its result exists once it has succeeded"
        )
    return job.result


def cancel_stored_job(runtime: Runtime, job_id: str, kind: JobKind) -> JobRecord:
    """Ask a job of ``kind`` to stop; a final job stays as it is.

    Returns:
        The job after the request.

    Raises:
        fastapi.HTTPException: 404 ``not_found`` when there is none of that kind.
    """
    stored_job(runtime, job_id, kind)
    job, cancelled_now = runtime.store.cancel_job(job_id)
    if cancelled_now:  # a queued job ends here; a running one is counted by its worker
        counter = runtime.metrics.advice_jobs if kind == "advice" else runtime.metrics.replay_jobs
        counter.labels(status="cancelled").inc()
    if job is None:
        raise HTTPException(404, f"no {kind} job {job_id}")
    return job
