"""Asynchronous jobs (replays, advice, learning): persisted in the store, run on a bounded pool, cancellable.

Owns :class:`ReplayRunner` and :class:`ReplayInputs` (what a replay job runs, fixed when it
is submitted, so a job's result does not depend on metrics stored later; an advice job's
are :class:`service.http.advising.AdviceInputs`, a learning job's
:class:`service.http.learning.LearningInputs`). Every job is stored with its ``kind``
before it is queued; a process that stops leaves it ``running`` and the next start
re-queues it (:meth:`ReplayRunner.resume`); replays and advice are deterministic, so a
re-run gives the same result. Cancellation and shutdown are checked at the progress
reports (about once per decision). An advice job for a registered cluster publishes its
alerts on ``/metrics`` when it succeeds (and again after a restart). Imports ``policy``
public names and ``service`` modules.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Final

import numpy as np
from pydantic import AwareDatetime, BaseModel, ConfigDict

import policy
from policy import ClusterSpec, ReplayConfig
from service.errors import error_code, error_field, is_input_error, one_line
from service.http.advising import AdviceInputs, run_advice
from service.http.learning import LEARNING_KIND, STALE_JOB_S, LearningInputs, run_learning
from service.http.observability import ServiceMetrics
from service.http.pool import BoundedPool
from service.settings import Settings
from service.store import JobRecord, Store

logger = logging.getLogger(__name__)

REPLAY_QUEUE: Final[int] = 64
"""Replay jobs that may wait for a worker; more are refused with 503 (they are long)."""

CANCEL_POLL_S: Final[float] = 0.5
"""Shortest interval between two reads of a running job's cancel flag."""


class ReplayInputs(BaseModel):
    """Everything a replay job needs, fixed at submission.

    Attributes:
        demand_acu: demand per step, ACU; None marks a missing step.
        start: start of the first step (UTC).
        step_s: step, seconds.
        cluster: the simulated cluster.
        config: the replay configuration.
        policies: policy names to score.
        trace_name: label for the report.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    demand_acu: list[float | None]
    start: AwareDatetime
    step_s: int
    cluster: ClusterSpec
    config: ReplayConfig
    policies: list[str]
    trace_name: str


class _Stop(Exception):
    """Raised inside a replay's progress callback to stop it."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ReplayRunner:
    """Runs the service's jobs (kinds ``replay``, ``advice``, ``learning``) one pool task each, on one pool.

    Args:
        store: where jobs live.
        settings: ``replay_workers`` sizes the pool.
        metrics: job and pool collectors.
    """

    def __init__(self, store: Store, *, settings: Settings, metrics: ServiceMetrics) -> None:
        self._store = store
        self._metrics = metrics
        self._pool = BoundedPool(
            "replay", workers=settings.replay_workers, queue=REPLAY_QUEUE, metrics=metrics
        )
        self._stopping = threading.Event()
        self._progress: dict[str, dict[str, tuple[int, int]]] = {}

    def submit(
        self, inputs: ReplayInputs | AdviceInputs | LearningInputs, *, cluster_id: str | None = None
    ) -> JobRecord:
        """Store a job and queue it.

        A learning job for a cluster that has one queued or running is not stored twice (the
        store refuses it, even to another process at the same moment): that job is returned
        and nothing is queued. One pending for :data:`service.http.learning.STALE_JOB_S` or
        longer is failed (``stale``) and the new one queued.

        Args:
            inputs: a replay's, an advice's or a learning's inputs (the kind follows).
            cluster_id: the registered cluster the job is for, or None.

        Returns:
            The queued job (or the cluster's pending learning job).

        Raises:
            service.http.pool.PoolFullError: too many jobs are waiting (the job is stored as
                failed with ``overloaded``).
        """
        kind = (
            "advice"
            if isinstance(inputs, AdviceInputs)
            else LEARNING_KIND
            if isinstance(inputs, LearningInputs)
            else "replay"
        )
        job_id = uuid.uuid4().hex
        job = self._store.create_job(
            job_id,
            inputs.model_dump(mode="json"),
            kind=kind,
            cluster_id=cluster_id,
            stale_after_ms=STALE_JOB_S * 1000 if kind == LEARNING_KIND else None,
        )
        if job.id != job_id:  # the cluster's learning job already queued or running: it runs once
            return job
        try:
            self._pool.submit(self._run, job.id)
        except Exception:
            self._store.start_job(job.id)
            self._store.finish_job(job.id, "failed", error={"error": "overloaded", "detail": []})
            raise
        return job

    def progress(self, job_id: str) -> dict[str, tuple[int, int]]:
        """Return ``{policy: (decisions_done, decisions_total)}`` of a job running here."""
        return dict(self._progress.get(job_id, {}))

    def resume(self) -> None:
        """Queue again the jobs a stopped process left queued or running; republish advice alerts."""
        for cluster_id, done in self._store.latest_succeeded_jobs("advice").items():
            if done.result is not None and self._store.get_cluster(cluster_id) is not None:
                self._metrics.set_advice_alerts(cluster_id, list(done.result.get("alerts", [])))
        for job_id in self._store.requeue_interrupted():
            try:
                self._pool.submit(self._run, job_id)
            except Exception:  # full: it stays queued for the next start
                logger.warning("replay job not resumed: pool full", extra={"job_id": job_id})

    def shutdown(self) -> None:
        """Stop the running job at its next progress report and skip queued ones."""
        self._stopping.set()
        self._pool.shutdown(wait=True)

    def _check(self, job_id: str, last: list[float]) -> None:
        if self._stopping.is_set():
            raise _Stop("shutdown")
        now = time.monotonic()
        if now - last[0] >= CANCEL_POLL_S:
            last[0] = now
            if self._store.is_cancel_requested(job_id):
                raise _Stop("cancelled")

    def _run(self, job_id: str) -> None:
        if self._stopping.is_set() or not self._store.start_job(job_id):
            return
        last = [0.0]
        progress = self._progress.setdefault(job_id, {})

        def report(name: str, done: int, total: int) -> None:
            progress[name] = (done, total)
            self._check(job_id, last)

        job = None
        try:
            job = self._store.get_job(job_id)
            if job is None:  # deleted under us
                return
            if job.kind == "advice":
                result = run_advice(AdviceInputs.model_validate(job.request), report)
            elif job.kind == LEARNING_KIND:
                result = run_learning(LearningInputs.model_validate(job.request), report)
            else:
                result = _replay(ReplayInputs.model_validate(job.request), report)
            finished = self._finish(job_id, "succeeded", result=result, kind=job.kind)
            if finished and job.cluster_id and job.kind == "advice":
                self._metrics.set_advice_alerts(job.cluster_id, list(result.get("alerts", [])))

        except _Stop as stop:
            if stop.reason == "cancelled":
                self._finish(job_id, "cancelled", kind=_kind(self._store, job_id))
            # on shutdown the job stays running and is re-queued by the next start
        except Exception as exc:  # noqa: BLE001 - a job's failure is data, not a crash
            self._finish(job_id, "failed", error=_error_body(exc), kind=_kind(self._store, job_id))
        finally:
            self._progress.pop(job_id, None)
            if (
                job is not None
                and job.kind == LEARNING_KIND
                and job.cluster_id
                and not self._stopping.is_set()
            ):
                self._store.prune_finished_jobs(
                    LEARNING_KIND, job.cluster_id
                )  # else a row per cluster per day

    def _finish(self, job_id: str, status: str, *, kind: str, **values: Any) -> bool:
        if not self._store.finish_job(job_id, status, **values):
            return False
        counters = {"advice": self._metrics.advice_jobs, LEARNING_KIND: self._metrics.learning_jobs}
        counter = counters.get(kind, self._metrics.replay_jobs)
        counter.labels(status=status).inc()
        return True


def _kind(store: Store, job_id: str) -> str:
    job = store.get_job(job_id)
    return "replay" if job is None else job.kind


def _replay(inputs: ReplayInputs, report: Callable[[str, int, int], None]) -> dict[str, Any]:
    demand = np.array([np.nan if v is None else v for v in inputs.demand_acu], dtype=np.float64)
    result = policy.replay(
        demand,
        start=inputs.start,
        step_s=inputs.step_s,
        cluster=inputs.cluster,
        config=inputs.config,
        policies=inputs.policies,
        trace_name=inputs.trace_name,
        progress=report,
    )
    return result.model_dump(mode="json")


def _error_body(exc: Exception) -> dict[str, Any]:
    if is_input_error(exc):
        detail = [{"field": error_field(exc), "message": one_line(str(exc))}]
        return {"error": error_code(exc), "detail": detail}
    logger.error("job failed", exc_info=exc)
    return {"error": "internal_error", "detail": []}


def ms_to_datetime(ms: int | None) -> datetime | None:
    """Convert a record time in epoch milliseconds to an aware datetime (None stays None)."""
    return None if ms is None else datetime.fromtimestamp(ms / 1000, tz=UTC)
