"""The service's persistent store: clusters, metric history and recommendations.

Owns :class:`Store`, :class:`ClusterNotFoundError` and :class:`StepChangeError`. Every method is one short
transaction, committed before it returns, so whatever the API acknowledged survives a
restart. Writers never read-modify-write outside a transaction: cluster revisions and
metric upserts are single statements or row-locked (``SELECT ... FOR UPDATE`` / ``FOR KEY
SHARE`` on PostgreSQL; SQLite serialises writers with ``BEGIN IMMEDIATE``,
:mod:`service.store.engine`), so a cluster deleted by a concurrent request is reported as
:class:`ClusterNotFoundError`, never as a foreign-key error. Replay jobs and API keys are in
:mod:`service.store.repo_jobs`. Imports SQLAlchemy and ``service.store`` only.
"""

from __future__ import annotations

import os
import socket
import time
import uuid
from collections.abc import Callable, Sequence
from typing import Any, Final

from sqlalchemy import Engine, delete, func, insert, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from service.store.models import ClusterRow, MetricPointRow, RecommendationRow, ReplayJobRow
from service.store.records import LEARNING_JOB_KIND, ClusterRecord, NewRecommendation, RecommendationRecord
from service.store.repo_jobs import JobAndKeyOps, rowcount

UPSERT_CHUNK: Final[int] = 1000
"""Rows per INSERT statement (3 parameters each, well under SQLite's 32,766 limit)."""


class ClusterNotFoundError(LookupError):
    """A write names a cluster that is not registered (e.g. one a concurrent request deleted).

    Args:
        cluster_id: the cluster.

    Attributes:
        cluster_id: the cluster.
    """

    def __init__(self, cluster_id: str) -> None:
        super().__init__(f"cluster {cluster_id!r} is not registered")
        self.cluster_id = cluster_id


class StepChangeError(Exception):
    """A re-registration changes a cluster's ``step_s`` while it has stored metrics.

    The samples were sent for the stored step; read on another grid a finer step leaves
    most steps missing (and its shorter window prunes history at the next upload), so the
    registration is kept as it is.

    Args:
        cluster_id: the cluster.
        stored_step_s: its registered step, seconds.
        step_s: the step the new registration asks for, seconds.
        n_points: its stored samples.

    Attributes:
        cluster_id, stored_step_s, step_s, n_points: as given.
    """

    def __init__(self, cluster_id: str, *, stored_step_s: int, step_s: int, n_points: int) -> None:
        super().__init__(
            f"cluster {cluster_id!r} has {n_points} samples stored at step_s={stored_step_s}; "
            f"step_s={step_s} is refused"
        )
        self.cluster_id = cluster_id
        self.stored_step_s = stored_step_s
        self.step_s = step_s
        self.n_points = n_points


def _cluster(row: ClusterRow) -> ClusterRecord:
    return ClusterRecord(
        cluster_id=row.cluster_id,
        spec=row.spec,
        step_s=row.step_s,
        config=row.config,
        revision=row.revision,
        created_ms=row.created_ms,
        updated_ms=row.updated_ms,
        source_flags=tuple(row.source_flags or ()),
    )


def _recommendation(row: RecommendationRow) -> RecommendationRecord:
    item = NewRecommendation(
        cluster_id=row.cluster_id,
        generated_at_s=row.generated_at_s,
        inputs_hash=row.inputs_hash,
        inputs=row.inputs,
        recommendation=row.recommendation,
        explanation=row.explanation,
    )
    return RecommendationRecord(id=row.id, created_ms=row.created_ms, item=item)


def new_owner() -> str:
    """A job-holder name unique to one store object: ``<12 hex>:<pid>@<host>``, at most 64 characters."""
    return f"{uuid.uuid4().hex[:12]}:{os.getpid()}@{socket.gethostname()}"[:64]


class Store(JobAndKeyOps):
    """Transactions over the service database.

    Args:
        engine: from :func:`service.store.engine.make_engine`, already migrated.
        clock: wall clock in seconds (record times, job leases); injected for tests.
        owner: this store's name as a job holder (:attr:`JobAndKeyOps.owner`); default
            :func:`new_owner`, so each store object (each process) is its own holder.
    """

    def __init__(
        self, engine: Engine, clock: Callable[[], float] = time.time, owner: str | None = None
    ) -> None:
        self.engine = engine
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._clock = clock
        self.owner = new_owner() if owner is None else owner[:64]

    def _session(self) -> Session:
        return self._sessions()

    def _now_ms(self) -> int:
        return int(self._clock() * 1000)

    def ping(self) -> None:
        """Run ``SELECT 1`` (readiness probe).

        Raises:
            sqlalchemy.exc.SQLAlchemyError: the database does not answer.
        """
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def close(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # -- clusters -------------------------------------------------------------------

    def upsert_cluster(
        self, cluster_id: str, *, spec: dict[str, Any], step_s: int, config: dict[str, Any]
    ) -> tuple[ClusterRecord, bool]:
        """Register a cluster or replace its registration.

        A replacement keeps the stored metrics, so it may change ``step_s`` only while the
        cluster has none (checked in the same transaction as the write, which holds the
        cluster row, so a concurrent upload cannot slip in between).

        Args:
            cluster_id: the key.
            spec: ``ClusterSpec`` JSON.
            step_s: metric step, seconds.
            config: policy overrides JSON.

        Returns:
            The stored record and True when it was created (False: updated).

        Raises:
            StepChangeError: ``step_s`` differs from the registered step and the cluster has
                stored metrics; nothing is written.
        """
        try:
            return self._upsert_cluster(cluster_id, spec=spec, step_s=step_s, config=config)
        except IntegrityError:  # a concurrent first registration won the insert: now it is an update
            return self._upsert_cluster(cluster_id, spec=spec, step_s=step_s, config=config)

    def _upsert_cluster(
        self, cluster_id: str, *, spec: dict[str, Any], step_s: int, config: dict[str, Any]
    ) -> tuple[ClusterRecord, bool]:
        now = self._now_ms()
        with self._session() as s, s.begin():
            row = s.execute(
                select(ClusterRow).where(ClusterRow.cluster_id == cluster_id).with_for_update()
            ).scalar_one_or_none()
            created = row is None
            if row is not None and row.step_s != step_s:
                count = s.execute(
                    select(func.count())
                    .select_from(MetricPointRow)
                    .where(MetricPointRow.cluster_id == cluster_id)
                ).scalar_one()
                if count:
                    raise StepChangeError(cluster_id, stored_step_s=row.step_s, step_s=step_s, n_points=count)
            if row is None:
                row = ClusterRow(cluster_id=cluster_id, revision=0, created_ms=now)
                s.add(row)
            row.spec, row.step_s, row.config = spec, step_s, config
            row.revision, row.updated_ms = row.revision + 1, now
        return _cluster(row), created

    def get_cluster(self, cluster_id: str) -> ClusterRecord | None:
        """Return a registered cluster, or None."""
        with self._session() as s:
            row = s.get(ClusterRow, cluster_id)
            return None if row is None else _cluster(row)

    def list_clusters(self, *, limit: int, after: str | None = None) -> list[ClusterRecord]:
        """Return up to ``limit`` clusters ordered by id, starting after ``after``."""
        stmt = select(ClusterRow).order_by(ClusterRow.cluster_id).limit(limit)
        if after is not None:
            stmt = stmt.where(ClusterRow.cluster_id > after)
        with self._session() as s:
            return [_cluster(r) for r in s.execute(stmt).scalars()]

    def delete_cluster(self, cluster_id: str) -> bool:
        """Delete a cluster, its metric history and its learning jobs (recommendations are kept).

        Returns:
            False when there was no such cluster.
        """
        with self._session() as s, s.begin():
            s.execute(delete(MetricPointRow).where(MetricPointRow.cluster_id == cluster_id))
            # what was learnt from that history goes with it (a re-registration learns afresh)
            s.execute(
                delete(ReplayJobRow).where(
                    ReplayJobRow.kind == LEARNING_JOB_KIND, ReplayJobRow.cluster_id == cluster_id
                )
            )
            gone = s.execute(delete(ClusterRow).where(ClusterRow.cluster_id == cluster_id))
        return rowcount(gone) > 0

    def now_ms(self) -> int:
        """The store's clock (what job and record times are stamped with), epoch milliseconds."""
        return self._now_ms()

    # -- metric history -------------------------------------------------------------

    def add_points(
        self,
        cluster_id: str,
        ts_s: Sequence[int],
        demand_acu: Sequence[float],
        *,
        keep_s: int | None = None,
        source_flags: Sequence[str] | None = None,
    ) -> int:
        """Store samples; a timestamp already stored takes the new value.

        With ``keep_s``, samples older than ``keep_s`` before the newest one are deleted in
        the same transaction, so an upload is all or nothing.

        The cluster row is looked up in the same transaction and held (``FOR KEY SHARE`` on
        PostgreSQL, which a DELETE of the cluster waits for; SQLite runs one writer at a
        time), so samples never reference a deleted cluster and a cluster deleted before
        this call is an error, not a foreign-key failure.

        Args:
            cluster_id: a registered cluster.
            ts_s: sample times, epoch seconds, unique.
            demand_acu: demand per sample, ACU.
            keep_s: the history window kept before the newest sample, seconds; None keeps all.
            source_flags: what the sources said of this upload's data, stored on the cluster
                in the same transaction (replacing the last upload's); None leaves them.

        Returns:
            The number of samples written.

        Raises:
            ClusterNotFoundError: the cluster is not registered (nothing is written).
        """
        rows = [
            {"cluster_id": cluster_id, "ts_s": int(t), "demand_acu": float(v)}
            for t, v in zip(ts_s, demand_acu, strict=True)
        ]
        dialect = self.engine.dialect.name
        make = postgresql.insert if dialect == "postgresql" else sqlite.insert
        held = select(ClusterRow.cluster_id).where(ClusterRow.cluster_id == cluster_id)
        with self._session() as s, s.begin():
            if s.execute(held.with_for_update(read=True, key_share=True)).first() is None:
                raise ClusterNotFoundError(cluster_id)
            for i in range(0, len(rows), UPSERT_CHUNK):
                stmt = make(MetricPointRow).values(rows[i : i + UPSERT_CHUNK])
                s.execute(
                    stmt.on_conflict_do_update(
                        index_elements=["cluster_id", "ts_s"], set_={"demand_acu": stmt.excluded.demand_acu}
                    )
                )
            if source_flags is not None:
                s.execute(
                    update(ClusterRow)
                    .where(ClusterRow.cluster_id == cluster_id)
                    .values(source_flags=list(source_flags) or None)
                )
            if keep_s is not None:
                newest = s.execute(
                    select(func.max(MetricPointRow.ts_s)).where(MetricPointRow.cluster_id == cluster_id)
                ).scalar()
                if newest is not None:
                    s.execute(
                        delete(MetricPointRow)
                        .where(MetricPointRow.cluster_id == cluster_id)
                        .where(MetricPointRow.ts_s < int(newest) - keep_s)
                    )
        return len(rows)

    def points(self, cluster_id: str, *, since_s: int, until_s: int) -> tuple[list[int], list[float]]:
        """Return the samples with ``since_s <= ts_s < until_s``, oldest first.

        Returns:
            (times in epoch seconds, demand in ACU), equal lengths.
        """
        stmt = (
            select(MetricPointRow.ts_s, MetricPointRow.demand_acu)
            .where(MetricPointRow.cluster_id == cluster_id)
            .where(MetricPointRow.ts_s >= since_s, MetricPointRow.ts_s < until_s)
            .order_by(MetricPointRow.ts_s)
        )
        with self._session() as s:
            rows = s.execute(stmt).all()
        return [int(r[0]) for r in rows], [float(r[1]) for r in rows]

    def point_range(
        self, cluster_id: str, *, since_s: int | None = None
    ) -> tuple[int | None, int | None, int]:
        """Return (first ts, last ts, count) of a cluster's samples; (None, None, 0) if none.

        Args:
            cluster_id: the cluster.
            since_s: only samples with ``ts_s >= since_s`` (epoch seconds); None: all.
        """
        stmt = select(func.min(MetricPointRow.ts_s), func.max(MetricPointRow.ts_s), func.count()).where(
            MetricPointRow.cluster_id == cluster_id
        )
        if since_s is not None:
            stmt = stmt.where(MetricPointRow.ts_s >= since_s)
        with self._session() as s:
            first, last, count = s.execute(stmt).one()
        return first, last, int(count)

    def prune_points(self, cluster_id: str, *, before_s: int) -> int:
        """Delete a cluster's samples older than ``before_s``; return how many."""
        with self._session() as s, s.begin():
            result = s.execute(
                delete(MetricPointRow)
                .where(MetricPointRow.cluster_id == cluster_id)
                .where(MetricPointRow.ts_s < before_s)
            )
        return rowcount(result)

    # -- recommendations ------------------------------------------------------------

    def add_recommendation(self, item: NewRecommendation) -> RecommendationRecord:
        """Store a recommendation (committed before this returns).

        Returns:
            The record with its new id.
        """
        rec = item.recommendation
        created_ms = self._now_ms()
        values: dict[str, Any] = {
            "cluster_id": item.cluster_id,
            "created_ms": created_ms,
            "generated_at_s": item.generated_at_s,
            "inputs_hash": item.inputs_hash,
            "inputs": item.inputs,
            "recommendation": rec,
            "explanation": item.explanation,
            "solver_status": str(rec.get("solver", {}).get("status", "")),
            "is_fail_safe": bool(rec.get("is_fail_safe", False)),
            "forecast_model": str(rec.get("forecast_model", ""))[:64],
        }
        with self._session() as s, s.begin():
            new_id = s.execute(insert(RecommendationRow).values(values).returning(RecommendationRow.id))
            rec_id = int(new_id.scalar_one())
        return RecommendationRecord(id=rec_id, created_ms=created_ms, item=item)

    def list_recommendations(
        self, cluster_id: str, *, limit: int, before_id: int | None = None
    ) -> list[RecommendationRecord]:
        """Return a cluster's recommendations, newest first, with ids below ``before_id``."""
        stmt = (
            select(RecommendationRow)
            .where(RecommendationRow.cluster_id == cluster_id)
            .order_by(RecommendationRow.id.desc())
            .limit(limit)
        )
        if before_id is not None:
            stmt = stmt.where(RecommendationRow.id < before_id)
        with self._session() as s:
            return [_recommendation(r) for r in s.execute(stmt).scalars()]

    def get_recommendation(self, cluster_id: str, rec_id: int) -> RecommendationRecord | None:
        """Return one recommendation of a cluster, or None."""
        with self._session() as s:
            row = s.get(RecommendationRow, rec_id)
            return None if row is None or row.cluster_id != cluster_id else _recommendation(row)

    def count_recommendations(self, cluster_id: str | None = None) -> int:
        """Count stored recommendations, of one cluster or all."""
        stmt = select(func.count()).select_from(RecommendationRow)
        if cluster_id is not None:
            stmt = stmt.where(RecommendationRow.cluster_id == cluster_id)
        with self._session() as s:
            return int(s.execute(stmt).scalar_one())
