"""Database tables of the service (SQLAlchemy 2 typed ORM); the schema Alembic migrates.

Owns :class:`Base` and one mapped class per table. Times are integers (epoch seconds for
sample and plan times, epoch milliseconds for record times) so SQLite and PostgreSQL store
and compare them the same way; JSON columns are JSONB on PostgreSQL. A change here needs a
new revision in ``service/store/migrations/versions`` (a test compares the two).
Imports SQLAlchemy only.
"""

from __future__ import annotations

from typing import Any, Final

from sqlalchemy import JSON, BigInteger, Boolean, Float, ForeignKey, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

Json = JSON().with_variant(JSONB(), "postgresql")
"""Portable JSON column type: TEXT on SQLite, JSONB on PostgreSQL."""


class Base(DeclarativeBase):
    """Declarative base of every table."""


class ClusterRow(Base):
    """A registered cluster: its ``policy.ClusterSpec``, history step and policy overrides.

    ``source_flags`` are what the sources said of the latest file-like upload's data (a
    CloudWatch query Id that answered ``PartialData``...; None: none said anything), so a
    recommendation from the stored metrics holds the deployed layout as the upload's own
    answer did.
    """

    __tablename__ = "clusters"

    cluster_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    spec: Mapped[dict[str, Any]] = mapped_column(Json)
    step_s: Mapped[int] = mapped_column(Integer)
    config: Mapped[dict[str, Any]] = mapped_column(Json)
    source_flags: Mapped[list[str] | None] = mapped_column(Json, nullable=True)
    revision: Mapped[int] = mapped_column(Integer)
    created_ms: Mapped[int] = mapped_column(BigInteger)
    updated_ms: Mapped[int] = mapped_column(BigInteger)


class MetricPointRow(Base):
    """One observed demand sample of a registered cluster (a re-sent timestamp replaces it)."""

    __tablename__ = "metric_points"

    cluster_id: Mapped[str] = mapped_column(
        String(128), ForeignKey("clusters.cluster_id", ondelete="CASCADE"), primary_key=True
    )
    ts_s: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    demand_acu: Mapped[float] = mapped_column(Float)


class RecommendationRow(Base):
    """One recommendation as returned, with a digest of its inputs and its explanation."""

    __tablename__ = "recommendations"
    __table_args__ = (Index("ix_recommendations_cluster_id_id", "cluster_id", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    cluster_id: Mapped[str] = mapped_column(String(128))
    created_ms: Mapped[int] = mapped_column(BigInteger)
    generated_at_s: Mapped[int] = mapped_column(BigInteger)
    inputs_hash: Mapped[str] = mapped_column(String(64), index=True)
    inputs: Mapped[dict[str, Any]] = mapped_column(Json)
    recommendation: Mapped[dict[str, Any]] = mapped_column(Json)
    explanation: Mapped[dict[str, Any]] = mapped_column(Json)
    solver_status: Mapped[str] = mapped_column(String(32))
    is_fail_safe: Mapped[bool] = mapped_column(Boolean)
    forecast_model: Mapped[str] = mapped_column(String(64))


PENDING_LEARNING_SQL: Final[str] = "kind = 'learning' AND status IN ('queued', 'running')"
"""The jobs :data:`ONE_PENDING_LEARNING_JOB` covers: learning jobs (``records.LEARNING_JOB_KIND``) not
final yet. Spelt the same in the migration that made the index and in the ``ON CONFLICT`` aimed at it
(SQLite matches a partial index's ``WHERE`` clause by its form)."""

ONE_PENDING_LEARNING_JOB: Final[str] = "uq_replay_jobs_pending_learning"
"""A partial unique index: at most one learning job per cluster is queued or running."""


class ReplayJobRow(Base):
    """An asynchronous job: its request, state and, once done, its result or error.

    ``kind`` says which (``replay``, ``advice``, ``learning``); ``cluster_id`` names the
    registered cluster a job was asked for (None for a posted history). A cluster has at most
    one learning job queued or running (:data:`ONE_PENDING_LEARNING_JOB`). ``owner`` names the
    process (``Store.owner``) holding a queued or running job, and ``heartbeat_ms`` is when it
    last said it still holds it (its lease; :meth:`service.store.Store.requeue_interrupted`).
    """

    __tablename__ = "replay_jobs"
    __table_args__ = (
        Index("ix_replay_jobs_kind_cluster_id", "kind", "cluster_id"),
        Index(
            ONE_PENDING_LEARNING_JOB,
            "kind",
            "cluster_id",
            unique=True,
            sqlite_where=text(PENDING_LEARNING_SQL),
            postgresql_where=text(PENDING_LEARNING_SQL),
        ),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), server_default="replay")
    cluster_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    created_ms: Mapped[int] = mapped_column(BigInteger)
    started_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    finished_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    request: Mapped[dict[str, Any]] = mapped_column(Json)
    result: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=True)
    cancel_requested: Mapped[bool] = mapped_column(Boolean)
    owner: Mapped[str | None] = mapped_column(String(64), nullable=True)
    heartbeat_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ApiKeyRow(Base):
    """An API key: only the SHA-256 of its secret is stored, with its scopes."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    secret_sha256: Mapped[str] = mapped_column(String(64))
    scopes: Mapped[str] = mapped_column(String(64))
    created_ms: Mapped[int] = mapped_column(BigInteger)
    revoked_ms: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
