"""Jobs of more than one kind: replay_jobs gains ``kind`` (replay, advice) and ``cluster_id``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-14
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the job kind (existing jobs are replays) and the registered cluster a job is for."""
    op.add_column("replay_jobs", sa.Column("kind", sa.String(16), nullable=False, server_default="replay"))
    op.add_column("replay_jobs", sa.Column("cluster_id", sa.String(128), nullable=True))
    op.create_index("ix_replay_jobs_kind_cluster_id", "replay_jobs", ["kind", "cluster_id"])


def downgrade() -> None:
    """Drop them again."""
    op.drop_index("ix_replay_jobs_kind_cluster_id", table_name="replay_jobs")
    op.drop_column("replay_jobs", "cluster_id")
    op.drop_column("replay_jobs", "kind")
