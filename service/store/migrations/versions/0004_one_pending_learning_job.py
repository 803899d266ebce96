"""At most one learning job per cluster queued or running: a partial unique index on replay_jobs.

Two recommendations for one cluster at the same moment could both queue a learning job.
A database that already holds such duplicates keeps, per cluster, its newest pending
learning job (the one ``Store.latest_job`` shows); the older ones are marked ``failed``
(error ``superseded``) first, so the index can be built. Finished jobs are not touched.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_PENDING = "kind = 'learning' AND status IN ('queued', 'running')"
"""As ``service.store.models.PENDING_LEARNING_SQL`` at this revision (a revision never changes)."""

_INDEX = "uq_replay_jobs_pending_learning"

_SUPERSEDED = {
    "error": "superseded",
    "detail": [
        {
            "field": None,
            "message": "a newer learning job for the cluster was queued while this one was pending; "
            "the newest one is kept (schema upgrade to one pending learning job per cluster)",
        }
    ],
}


def upgrade() -> None:
    """Fail every pending learning job that has a newer pending one for its cluster, then add the index."""
    jobs = sa.table(
        "replay_jobs",
        sa.column("id", sa.String()),
        sa.column("kind", sa.String()),
        sa.column("cluster_id", sa.String()),
        sa.column("status", sa.String()),
        sa.column("created_ms", sa.BigInteger()),
        sa.column("finished_ms", sa.BigInteger()),
        sa.column("error", sa.JSON().with_variant(JSONB(), "postgresql")),
    )
    newer = jobs.alias("newer")
    pending = ("queued", "running")
    has_newer = (
        sa.select(sa.literal(1))
        .select_from(newer)
        .where(
            newer.c.kind == "learning",
            newer.c.status.in_(pending),
            newer.c.cluster_id == jobs.c.cluster_id,
            sa.or_(
                newer.c.created_ms > jobs.c.created_ms,
                sa.and_(newer.c.created_ms == jobs.c.created_ms, newer.c.id > jobs.c.id),
            ),
        )
        .exists()
    )
    op.execute(
        jobs.update()
        .where(jobs.c.kind == "learning", jobs.c.status.in_(pending), has_newer)
        .values(status="failed", finished_ms=int(time.time() * 1000), error=_SUPERSEDED)
    )
    op.create_index(
        _INDEX,
        "replay_jobs",
        ["kind", "cluster_id"],
        unique=True,
        sqlite_where=sa.text(_PENDING),
        postgresql_where=sa.text(_PENDING),
    )


def downgrade() -> None:
    """Drop the index (the jobs it failed stay failed)."""
    op.drop_index(_INDEX, table_name="replay_jobs")
