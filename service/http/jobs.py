"""Asynchronous jobs (replays, advice, learning): persisted in the store, run on a bounded pool, cancellable.

Owns :class:`ReplayRunner` and :class:`ReplayInputs` (what a replay job runs, fixed when it
is submitted, so a job's result does not depend on metrics stored later; an advice job's
are :class:`service.http.advising.AdviceInputs`, a learning job's
:class:`service.http.learning.LearningInputs`). Every job is stored with its ``kind``
before it is queued. Several processes may share one database: each holds the jobs it
queued or runs under a lease it renews every :data:`HEARTBEAT_S` (the store's job leases,
:mod:`service.store.repo_jobs`), and at start and at every beat it runs the jobs whose
holder stopped renewing for :data:`JOB_LEASE_S` (:meth:`ReplayRunner.resume`), never the
jobs another live process runs. A graceful stop lets its jobs go at once; after a crash
they wait for the lease to lapse. Replays and advice are deterministic, so a re-run gives
the same result. Cancellation, shutdown and a lost lease are checked at the progress
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

JOB_LEASE_S: Final[float] = 60.0
"""A queued or running job whose process has not renewed its lease for this long (store clock,
seconds) is taken to be left by a stopped process and is run by another (or the next start).
ASSUMPTION: no live process misses six beats in a row (a database unreachable that long
stops it renewing; its jobs may then be run again elsewhere, and its own run of a job taken
over is dropped, not stored); the processes' clocks agree to well within it (NTP)."""

HEARTBEAT_S: Final[float] = JOB_LEASE_S / 6
"""Interval between two lease renewals (and orphan sweeps) of a process, seconds."""


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
        self._lock = threading.Lock()
        self._held: set[str] = set()  # jobs handed to this pool and not done: their leases are renewed
        self._lost: set[str] = set()  # held jobs another process took over: stopped at the next report
        self._beats_stop = threading.Event()
        self._beats: threading.Thread | None = None

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
        with self._lock:
            self._held.add(job.id)
        try:
            self._pool.submit(self._run, job.id)
        except Exception:
            with self._lock:
                self._held.discard(job.id)
            self._store.start_job(job.id)
            self._store.finish_job(job.id, "failed", error={"error": "overloaded", "detail": []})
            raise
        return job

    def progress(self, job_id: str) -> dict[str, tuple[int, int]]:
        """Return ``{policy: (decisions_done, decisions_total)}`` of a job running here."""
        return dict(self._progress.get(job_id, {}))

    def resume(self) -> None:
        """Republish advice alerts, run the jobs stopped processes left, and start the lease heartbeat.

        Jobs another live process holds are left to it; jobs of a process that crashed less
        than :data:`JOB_LEASE_S` ago are run once their lease lapses, by the heartbeat of
        this process or of another.
        """
        for cluster_id, done in self._store.latest_succeeded_jobs("advice").items():
            if done.result is not None and self._store.get_cluster(cluster_id) is not None:
                self._metrics.set_advice_alerts(cluster_id, list(done.result.get("alerts", [])))
        self._run_claimed(self._store.requeue_interrupted(lease_ms=int(JOB_LEASE_S * 1000)))
        if self._beats is None:
            self._beats = threading.Thread(target=self._beat_forever, name="acuplan-job-leases", daemon=True)
            self._beats.start()

    def heartbeat(self) -> None:
        """Renew the leases of the jobs this process holds, then run the orphaned jobs of stopped ones.

        A held job whose lease could not be renewed (another process took it over after this
        one missed its beats) stops at its next progress report, without storing anything.
        While shutting down, nothing new is claimed.
        """
        with self._lock:
            held = set(self._held)
        renewed = self._store.renew_leases(held)
        with self._lock:
            self._lost |= (held - renewed) & self._held
        if not self._stopping.is_set():
            self._run_claimed(self._store.requeue_interrupted(lease_ms=int(JOB_LEASE_S * 1000)))

    def _beat_forever(self) -> None:
        while not self._beats_stop.wait(HEARTBEAT_S):
            try:
                self.heartbeat()
            except Exception:  # noqa: BLE001 - the database may be down for a while: beat again
                logger.warning("job lease renewal failed", exc_info=True)

    def _run_claimed(self, job_ids: list[str]) -> None:
        """Queue jobs this store just claimed; the ones the pool has no room for are let go again."""
        refused = []
        for job_id in job_ids:
            with self._lock:
                self._held.add(job_id)
            try:
                self._pool.submit(self._run, job_id)
            except Exception:  # full: another process (or a later beat) takes it
                with self._lock:
                    self._held.discard(job_id)
                refused.append(job_id)
        if refused:
            self._store.release_jobs(refused)
            logger.warning("jobs not resumed: pool full", extra={"job_ids": refused})

    def shutdown(self) -> None:
        """Stop the running job at its next progress report, skip queued ones, and let go of them all.

        Leases are renewed until the workers have stopped; then every job this process held
        goes back to ``queued`` with no holder, for the next process to run at once.
        """
        self._stopping.set()
        self._pool.shutdown(wait=True)
        self._beats_stop.set()
        if self._beats is not None:
            self._beats.join()
        try:
            self._store.release_jobs()
        except Exception:  # noqa: BLE001 - their leases lapse instead
            logger.warning("jobs not released at shutdown", exc_info=True)

    def _check(self, job_id: str, last: list[float]) -> None:
        if self._stopping.is_set():
            raise _Stop("shutdown")
        if job_id in self._lost:
            raise _Stop("lost")
        now = time.monotonic()
        if now - last[0] >= CANCEL_POLL_S:
            last[0] = now
            if self._store.is_cancel_requested(job_id):
                raise _Stop("cancelled")

    def _run(self, job_id: str) -> None:
        try:
            self._execute(job_id)
        finally:
            with self._lock:
                self._held.discard(job_id)
                self._lost.discard(job_id)

    def _execute(self, job_id: str) -> None:
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
            elif stop.reason == "lost":
                logger.warning("job taken over by another process", extra={"job_id": job_id})
            # on shutdown the job stays running until shutdown() lets it go
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
