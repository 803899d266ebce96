"""Store operations for jobs and API keys (mixed into :class:`service.store.repo.Store`).

A job's ``kind`` (``replay``, ``advice``, ``learning``) decides who runs it and which routes see it;
``cluster_id`` names the registered cluster it was asked for. Job states: ``queued`` ->
``running`` -> ``succeeded`` | ``failed`` | ``cancelled``; a queued job can go straight to
``cancelled``. Transitions are conditional updates (``UPDATE ... WHERE status = ...``), so
a worker and a cancelling client cannot both win. A cluster has at most one learning job
queued or running (a partial unique index; :meth:`JobAndKeyOps.create_job` hands back the
pending one).

Several processes may share one database. A queued or running job is *held* by the process
that queued, started or claimed it (``owner``, the store's :attr:`JobAndKeyOps.owner`) under
a lease: the holder renews ``heartbeat_ms`` (:meth:`JobAndKeyOps.renew_leases`), and a job
whose lease lapsed, or that has no owner, is *orphaned*: any process may claim it
(:meth:`JobAndKeyOps.requeue_interrupted`, one conditional ``UPDATE``, so two processes never
claim one job). Only the holder starts a queued job or finishes a running one (a job with no
owner may be started by any process); a process that lost its lease can do neither. Leases
are compared with the store's clock, so the processes' clocks must agree to well within the
lease (NTP). Imports SQLAlchemy and ``service.store`` only.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Collection
from typing import Any, Final, cast

from sqlalchemy import ColumnElement, CursorResult, Result, delete, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

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
    """Replay-job and API-key transactions; the concrete store provides ``_session`` and ``_now_ms``.

    Attributes:
        owner: this store's name as a job holder, unique per store object (so per process);
            set by the concrete store, at most 64 characters.
    """

    owner: str

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
        A new job is held by this store (its lease starts now; see the module docstring).

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
        now = self._now_ms()
        values = {
            "id": job_id,
            "kind": kind,
            "cluster_id": cluster_id,
            "status": "queued",
            "created_ms": now,
            "request": request,
            "cancel_requested": False,
            "owner": self.owner,
            "heartbeat_ms": now,
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
        """Delete the cluster's finished jobs of ``kind`` except its newest finished and newest succeeded.

        Every succeeded, failed or cancelled job of ``kind`` for ``cluster_id`` is deleted but
        the newest finished one and the newest succeeded one ("newest" as in
        :meth:`latest_job`: by ``created_ms``, then id); queued and running jobs are never
        deleted (a daily learning job would otherwise add a row per cluster per day). One
        ``DELETE`` statement, its keep-list a subquery of the same statement, so it reads
        and deletes from one snapshot: a job that another process creates or finishes
        meanwhile is either seen by it (and kept if it is now the newest) or not touched.

        Args:
            kind: the job kind (``learning``).
            cluster_id: the registered cluster.

        Returns:
            The number of jobs deleted.
        """
        kept = aliased(ReplayJobRow)
        newest = (kept.created_ms.desc(), kept.id.desc())
        same = (kept.kind == kind, kept.cluster_id == cluster_id)
        newest_finished = select(kept.id).where(*same, kept.status.in_(FINAL_STATES)).order_by(*newest)
        newest_succeeded = select(kept.id).where(*same, kept.status == "succeeded").order_by(*newest)
        with self._session() as s, s.begin():
            result = s.execute(
                delete(ReplayJobRow)
                .where(
                    ReplayJobRow.kind == kind,
                    ReplayJobRow.cluster_id == cluster_id,
                    ReplayJobRow.status.in_(FINAL_STATES),
                    ReplayJobRow.id.not_in(newest_finished.limit(1)),
                    ReplayJobRow.id.not_in(newest_succeeded.limit(1)),
                )
                .execution_options(synchronize_session=False)
            )
        return rowcount(result)

    def _transition(
        self, job_id: str, allowed: tuple[str, ...], *where: ColumnElement[bool], **values: Any
    ) -> bool:
        with self._session() as s, s.begin():
            result = s.execute(
                update(ReplayJobRow)
                .where(ReplayJobRow.id == job_id, ReplayJobRow.status.in_(allowed), *where)
                .values(**values)
            )
        return rowcount(result) > 0

    def start_job(self, job_id: str) -> bool:
        """Move a queued job this store holds (or no one does) to running, its lease renewed now.

        Returns:
            False when it is no longer queued (cancelled, or another process started it) or
            another process holds it (it claimed the job after this one's lease lapsed).
        """
        now = self._now_ms()
        return self._transition(
            job_id,
            ("queued",),
            or_(ReplayJobRow.owner.is_(None), ReplayJobRow.owner == self.owner),
            status="running",
            started_ms=now,
            owner=self.owner,
            heartbeat_ms=now,
        )

    def finish_job(
        self,
        job_id: str,
        status: str,
        *,
        result: dict[str, Any] | None = None,
        error: dict[str, Any] | None = None,
    ) -> bool:
        """Move a running job this store holds to a final state with its report or error.

        Returns:
            False when the job is not running, or is not held by this store any more (its
            lease lapsed and another process claimed it: that process's run stands).
        """
        return self._transition(
            job_id,
            ("running",),
            ReplayJobRow.owner == self.owner,
            status=status,
            result=result,
            error=error,
            finished_ms=self._now_ms(),
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

    def requeue_interrupted(self, lease_ms: int) -> list[str]:
        """Claim the orphaned jobs: queued or running, with no owner or a lease older than ``lease_ms``.

        Run at start-up and then periodically by every process. One conditional ``UPDATE``
        moves each orphaned job to ``queued``, held by this store with its lease renewed now:
        a job whose holder renewed its lease less than ``lease_ms`` ago is another live
        process's and is left alone, and of two processes claiming at once each job goes to
        one (SQLite serialises writers; PostgreSQL re-checks a row another transaction just
        changed). A job left by a stopped process is claimed once its lease lapses, at once
        when that process let it go (:meth:`release_jobs`) or stored it before leases
        existed (schema 0005). A cancel asked for while it ran still applies.

        Args:
            lease_ms: how long a holder may go without renewing before its jobs are taken
                over, milliseconds (store clock); > 0.

        Returns:
            Ids of the jobs claimed, oldest first; the caller should run them.

        Raises:
            ValueError: ``lease_ms`` is not positive (every live process's jobs would be taken).
        """
        if lease_ms <= 0:
            raise ValueError(f"lease_ms must be positive, got {lease_ms}")
        now = self._now_ms()
        lapsed = or_(
            ReplayJobRow.owner.is_(None),
            ReplayJobRow.heartbeat_ms.is_(None),
            ReplayJobRow.heartbeat_ms <= now - lease_ms,
        )
        with self._session() as s, s.begin():
            claimed = s.execute(
                update(ReplayJobRow)
                .where(ReplayJobRow.status.in_(PENDING_STATES), lapsed)
                .values(status="queued", started_ms=None, owner=self.owner, heartbeat_ms=now)
                .returning(ReplayJobRow.id, ReplayJobRow.created_ms)
                .execution_options(synchronize_session=False)
            ).all()
        return [str(job_id) for job_id, _ in sorted(claimed, key=lambda r: (r[1], r[0]))]

    def renew_leases(self, job_ids: Collection[str]) -> set[str]:
        """Renew this store's lease on the given jobs (the ones its process is queuing or running).

        Call well within the lease the other processes are given (the runner beats at a
        sixth of it). A job that is held by another store now, or is no longer queued or
        running, is not renewed.

        Args:
            job_ids: ids of the jobs this process holds.

        Returns:
            The ids renewed; an id given but not returned is lost to this process (another
            process claimed it, or it ended or was deleted) and should not be run further.
        """
        if not job_ids:
            return set()
        with self._session() as s, s.begin():
            renewed = s.execute(
                update(ReplayJobRow)
                .where(
                    ReplayJobRow.id.in_(list(job_ids)),
                    ReplayJobRow.owner == self.owner,
                    ReplayJobRow.status.in_(PENDING_STATES),
                )
                .values(heartbeat_ms=self._now_ms())
                .returning(ReplayJobRow.id)
                .execution_options(synchronize_session=False)
            ).scalars()
            return {str(job_id) for job_id in renewed}

    def release_jobs(self, job_ids: Collection[str] | None = None) -> list[str]:
        """Let go of jobs this store holds: back to ``queued`` with no owner, for any process to claim.

        For a graceful stop (after this process's workers have stopped, ``job_ids`` None:
        every job it holds) or for claimed jobs it has no room to run.

        Args:
            job_ids: the jobs to release; None: every queued or running job held by this store.

        Returns:
            Ids of the jobs released, oldest first.
        """
        stmt = update(ReplayJobRow).where(
            ReplayJobRow.owner == self.owner, ReplayJobRow.status.in_(PENDING_STATES)
        )
        if job_ids is not None:
            if not job_ids:
                return []
            stmt = stmt.where(ReplayJobRow.id.in_(list(job_ids)))
        with self._session() as s, s.begin():
            released = s.execute(
                stmt.values(status="queued", started_ms=None, owner=None, heartbeat_ms=None)
                .returning(ReplayJobRow.id, ReplayJobRow.created_ms)
                .execution_options(synchronize_session=False)
            ).all()
        return [str(job_id) for job_id, _ in sorted(released, key=lambda r: (r[1], r[0]))]

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
        """Return True when at least one unrevoked key exists (some client can authenticate)."""
        stmt = select(func.count()).select_from(ApiKeyRow).where(ApiKeyRow.revoked_ms.is_(None))
        with self._session() as s:
            return int(s.execute(stmt).scalar_one()) > 0

    def has_keys(self) -> bool:
        """Return True once any key was ever created, revoked ones included (authentication is on).

        Keys are revoked, never deleted, so this never turns False again: revoking the last
        key locks the API (every request 401) instead of opening it.
        """
        with self._session() as s:
            return s.execute(select(ApiKeyRow.id).limit(1)).first() is not None

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
