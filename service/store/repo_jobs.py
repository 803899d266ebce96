"""Store operations for jobs and API keys (mixed into :class:`service.store.repo.Store`).

A job's ``kind`` (``replay``, ``advice``, ``learning``) decides who runs it and which routes see it;
``cluster_id`` names the registered cluster it was asked for. Job states: ``queued`` ->
``running`` -> ``succeeded`` | ``failed`` | ``cancelled``; a queued job can go straight to
``cancelled``. Transitions are conditional updates (``UPDATE ... WHERE status = ...``), so
a worker and a cancelling client cannot both win. A cluster has at most one learning job
queued or running (a partial unique index; :meth:`JobAndKeyOps.create_job` hands back the
pending one). Imports SQLAlchemy and ``service.store`` only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Final, cast

from sqlalchemy import CursorResult, Result, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from service.store.models import PENDING_LEARNING_SQL, ApiKeyRow, ReplayJobRow
from service.store.records import LEARNING_JOB_KIND, JobRecord, KeyRecord

FINAL_STATES: Final[frozenset[str]] = frozenset({"succeeded", "failed", "cancelled"})
"""Job states that never change again."""

PENDING_STATES: Final[tuple[str, ...]] = ("queued", "running")
"""Job states of a job not finished yet."""

_QUEUE_ATTEMPTS: Final[int] = 5
"""Tries to queue a learning job when the pending one it met ends before it can be read."""


def _stale_error(stale_after_ms: int) -> dict[str, Any]:
    """The error of a pending learning job that gave way to a new one."""
    message = (
        f"queued or running for {stale_after_ms / 3_600_000:g} h or more (a stopped process or a hung "
        "worker): a new learning job was queued in its place"
    )
    return {"error": "stale", "detail": [{"field": None, "message": message}]}


def rowcount(result: Result[Any]) -> int:
    """Return the rows an UPDATE or DELETE matched."""
    return int(cast(CursorResult[Any], result).rowcount)


def _job(row: ReplayJobRow) -> JobRecord:
    return JobRecord(
        id=row.id,
        status=row.status,
        created_ms=row.created_ms,
        started_ms=row.started_ms,
        finished_ms=row.finished_ms,
        request=row.request,
        result=row.result,
        error=row.error,
        cancel_requested=row.cancel_requested,
        kind=row.kind,
        cluster_id=row.cluster_id,
    )


def _key(row: ApiKeyRow) -> KeyRecord:
    return KeyRecord(
        id=row.id,
        name=row.name,
        secret_sha256=row.secret_sha256,
        scopes=tuple(sorted(s for s in row.scopes.split(",") if s)),
        created_ms=row.created_ms,
        revoked_ms=row.revoked_ms,
    )


class JobAndKeyOps(ABC):
    """Replay-job and API-key transactions; the concrete store provides ``_session`` and ``_now_ms``."""

    @abstractmethod
    def _session(self) -> Session:
        """Return a new ORM session bound to the store's engine."""

    @abstractmethod
    def _now_ms(self) -> int:
        """Return the store's clock, milliseconds since the epoch."""

    # -- replay jobs ----------------------------------------------------------------

    def create_job(
        self,
        job_id: str,
        request: dict[str, Any],
        *,
        kind: str = "replay",
        cluster_id: str | None = None,
        stale_after_ms: int | None = None,
    ) -> JobRecord:
        """Store a new queued job of ``kind`` (for the registered ``cluster_id``, if any).

        A cluster has at most one learning job queued or running (a partial unique index,
        :data:`service.store.models.ONE_PENDING_LEARNING_JOB`, so two requests at the same
        moment, in one process or two, cannot both queue one): while it has one, no job is
        stored and that job is returned instead (its id is not ``job_id``). With
        ``stale_after_ms``, a pending learning job queued that long ago or longer is first
        marked ``failed`` (error ``stale``; its cancel flag set, so a worker still on it
        stops at its next progress report and cannot finish it) and the new one is queued,
        all in one transaction: a worker that died must not stop its cluster learning.

        Args:
            job_id: the new job's id.
            request: its inputs.
            kind: ``replay``, ``advice`` or ``learning``.
            cluster_id: the registered cluster it is for, or None.
            stale_after_ms: age (from ``created_ms``, the store's clock) at which a pending
                learning job of the cluster gives way; None: never.

        Returns:
            The stored job: the new one, queued, or the cluster's pending learning job.
        """
        values = {
            "id": job_id,
            "kind": kind,
            "cluster_id": cluster_id,
            "status": "queued",
            "created_ms": self._now_ms(),
            "request": request,
            "cancel_requested": False,
        }
        if kind != LEARNING_JOB_KIND or cluster_id is None:
            row = ReplayJobRow(**values)
            with self._session() as s, s.begin():
                s.add(row)
            return _job(row)
        for _ in range(_QUEUE_ATTEMPTS):
            job = self._queue_learning_job(values, cluster_id, stale_after_ms)
            if job is not None:
                return job
        raise RuntimeError(f"cluster {cluster_id!r}: its pending learning job kept changing")

    def _queue_learning_job(
        self, values: dict[str, Any], cluster_id: str, stale_after_ms: int | None
    ) -> JobRecord | None:
        """Insert unless the cluster has a pending learning job; None when that job ended meanwhile."""
        pending = (
            ReplayJobRow.kind == LEARNING_JOB_KIND,
            ReplayJobRow.cluster_id == cluster_id,
            ReplayJobRow.status.in_(PENDING_STATES),
        )
        now = values["created_ms"]
        with self._session() as s, s.begin():
            if stale_after_ms is not None:
                s.execute(
                    update(ReplayJobRow)
                    .where(*pending, ReplayJobRow.created_ms <= now - stale_after_ms)
                    .values(
                        status="failed",
                        finished_ms=now,
                        cancel_requested=True,
                        error=_stale_error(stale_after_ms),
                    )
                )
            make = postgresql.insert if s.get_bind().dialect.name == "postgresql" else sqlite.insert
            inserted = s.execute(
                make(ReplayJobRow)
                .values(values)
                .on_conflict_do_nothing(
                    index_elements=["kind", "cluster_id"], index_where=text(PENDING_LEARNING_SQL)
                )
                .returning(ReplayJobRow.id)
            ).first()
            if inserted is not None:
                row = s.get(ReplayJobRow, values["id"])
            else:  # a concurrent request queued one first (its transaction has committed)
                row = s.execute(select(ReplayJobRow).where(*pending)).scalars().first()
            return None if row is None else _job(row)

    def get_job(self, job_id: str, kind: str | None = None) -> JobRecord | None:
        """Return a job (of ``kind`` when given), or None."""
        with self._session() as s:
            row = s.get(ReplayJobRow, job_id)
            return None if row is None or (kind is not None and row.kind != kind) else _job(row)

    def latest_succeeded_jobs(self, kind: str) -> dict[str, JobRecord]:
        """Return the newest succeeded job of ``kind`` per registered cluster it was asked for.

        Returns:
            ``{cluster_id: job}`` (jobs without a cluster are left out).
        """
        stmt = (
            select(ReplayJobRow)
            .where(
                ReplayJobRow.kind == kind,
                ReplayJobRow.status == "succeeded",
                ReplayJobRow.cluster_id.is_not(None),
            )
            .order_by(ReplayJobRow.finished_ms, ReplayJobRow.id)
        )
        with self._session() as s:
            return {str(row.cluster_id): _job(row) for row in s.execute(stmt).scalars()}

    def latest_job(self, kind: str, cluster_id: str, *, status: str | None = None) -> JobRecord | None:
        """Return the newest job of ``kind`` asked for ``cluster_id`` (in ``status`` when given), or None."""
        stmt = select(ReplayJobRow).where(ReplayJobRow.kind == kind, ReplayJobRow.cluster_id == cluster_id)
        if status is not None:
            stmt = stmt.where(ReplayJobRow.status == status)
        stmt = stmt.order_by(ReplayJobRow.created_ms.desc(), ReplayJobRow.id.desc()).limit(1)
        with self._session() as s:
            row = s.execute(stmt).scalars().first()
            return None if row is None else _job(row)

    def prune_finished_jobs(self, kind: str, cluster_id: str) -> int:
        """Delete the cluster's finished jobs of ``kind`` that no lookup reads any more.

        :meth:`latest_job` reads the newest job (any state) and the newest succeeded one;
        every other succeeded, failed or cancelled job of ``kind`` for ``cluster_id`` is
        deleted (a daily learning job would otherwise add a row per cluster per day).
        Queued and running jobs are kept.

        Returns:
            The number of jobs deleted.
        """
        newest = (self.latest_job(kind, cluster_id), self.latest_job(kind, cluster_id, status="succeeded"))
        keep = {job.id for job in newest if job is not None}
        with self._session() as s, s.begin():
            result = s.execute(
                delete(ReplayJobRow).where(
                    ReplayJobRow.kind == kind,
                    ReplayJobRow.cluster_id == cluster_id,
                    ReplayJobRow.status.in_(("succeeded", "failed", "cancelled")),
                    ReplayJobRow.id.not_in(keep),
                )
            )
        return rowcount(result)

    def _transition(self, job_id: str, allowed: tuple[str, ...], **values: Any) -> bool:
        with self._session() as s, s.begin():
            result = s.execute(
                update(ReplayJobRow)
                .where(ReplayJobRow.id == job_id, ReplayJobRow.status.in_(allowed))
                .values(**values)
            )
        return rowcount(result) > 0

    def start_job(self, job_id: str) -> bool:
        """Move a queued job to running; False when it is no longer queued (cancelled)."""
        return self._transition(job_id, ("queued",), status="running", started_ms=self._now_ms())

    def finish_job(
        self,
        job_id: str,
        status: str,
        *,
        result: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
    ) -> bool:
        """Move a running job to a final state with its report or error."""
        return self._transition(
            job_id, ("running",), status=status, result=result, error=error, finished_ms=self._now_ms()
        )

    def cancel_job(self, job_id: str) -> tuple[JobRecord | None, bool]:
        """Cancel a job: a queued one at once, a running one at its next progress report.

        Returns:
            The job after the request (None when there is no such job), and True when
            this call moved a queued job to ``cancelled`` (a final state to count).
        """
        cancelled = self._transition(job_id, ("queued",), status="cancelled", finished_ms=self._now_ms())
        self._transition(job_id, ("running",), cancel_requested=True)
        return self.get_job(job_id), cancelled

    def is_cancel_requested(self, job_id: str) -> bool:
        """Return True when a cancel was requested for the job."""
        with self._session() as s:
            row = s.get(ReplayJobRow, job_id)
            return row is None or row.cancel_requested

    def requeue_interrupted(self) -> list[str]:
        """Put jobs left running by a stopped process back in the queue.

        Returns:
            Ids of every queued job after the requeue, oldest first.
        """
        with self._session() as s, s.begin():
            s.execute(
                update(ReplayJobRow)
                .where(ReplayJobRow.status == "running")
                .values(status="queued", started_ms=None)
            )
            queued = select(ReplayJobRow.id).where(ReplayJobRow.status == "queued")
            ids = s.execute(queued.order_by(ReplayJobRow.created_ms))
            return [str(i) for i in ids.scalars()]

    # -- API keys -------------------------------------------------------------------

    def add_key(self, key_id: str, *, name: str, secret_sha256: str, scopes: tuple[str, ...]) -> KeyRecord:
        """Store a new API key's hash and scopes."""
        row = ApiKeyRow(
            id=key_id,
            name=name,
            secret_sha256=secret_sha256,
            scopes=",".join(sorted(scopes)),
            created_ms=self._now_ms(),
        )
        with self._session() as s, s.begin():
            s.add(row)
        return _key(row)

    def active_key(self, key_id: str) -> KeyRecord | None:
        """Return an unrevoked key by id, or None."""
        with self._session() as s:
            row = s.get(ApiKeyRow, key_id)
            return None if row is None or row.revoked_ms is not None else _key(row)

    def has_active_keys(self) -> bool:
        """Return True when at least one unrevoked key exists (authentication is on)."""
        stmt = select(func.count()).select_from(ApiKeyRow).where(ApiKeyRow.revoked_ms.is_(None))
        with self._session() as s:
            return int(s.execute(stmt).scalar_one()) > 0

    def list_keys(self) -> list[KeyRecord]:
        """Return every key (active and revoked), oldest first."""
        with self._session() as s:
            rows = s.execute(select(ApiKeyRow).order_by(ApiKeyRow.created_ms, ApiKeyRow.id)).scalars()
            return [_key(r) for r in rows]

    def revoke_key(self, key_id: str) -> bool:
        """Revoke a key; False when there is no such active key."""
        with self._session() as s, s.begin():
            result = s.execute(
                update(ApiKeyRow)
                .where(ApiKeyRow.id == key_id, ApiKeyRow.revoked_ms.is_(None))
                .values(revoked_ms=self._now_ms())
            )
        return rowcount(result) > 0
