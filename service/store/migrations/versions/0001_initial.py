"""Initial schema: clusters, metric points, recommendations, replay jobs, API keys.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create every table."""
    op.create_table(
        "clusters",
        sa.Column("cluster_id", sa.String(128), primary_key=True),
        sa.Column("spec", _JSON, nullable=False),
        sa.Column("step_s", sa.Integer(), nullable=False),
        sa.Column("config", _JSON, nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("updated_ms", sa.BigInteger(), nullable=False),
    )
    op.create_table(
        "metric_points",
        sa.Column(
            "cluster_id",
            sa.String(128),
            sa.ForeignKey("clusters.cluster_id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column("ts_s", sa.BigInteger(), primary_key=True),
        sa.Column("demand_acu", sa.Float(), nullable=False),
    )
    op.create_table(
        "recommendations",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("cluster_id", sa.String(128), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("generated_at_s", sa.BigInteger(), nullable=False),
        sa.Column("inputs_hash", sa.String(64), nullable=False),
        sa.Column("inputs", _JSON, nullable=False),
        sa.Column("recommendation", _JSON, nullable=False),
        sa.Column("explanation", _JSON, nullable=False),
        sa.Column("solver_status", sa.String(32), nullable=False),
        sa.Column("is_fail_safe", sa.Boolean(), nullable=False),
        sa.Column("forecast_model", sa.String(64), nullable=False),
    )
    op.create_index("ix_recommendations_cluster_id_id", "recommendations", ["cluster_id", "id"])
    op.create_index("ix_recommendations_inputs_hash", "recommendations", ["inputs_hash"])
    op.create_table(
        "replay_jobs",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("started_ms", sa.BigInteger(), nullable=True),
        sa.Column("finished_ms", sa.BigInteger(), nullable=True),
        sa.Column("request", _JSON, nullable=False),
        sa.Column("result", _JSON, nullable=True),
        sa.Column("error", _JSON, nullable=True),
        sa.Column("cancel_requested", sa.Boolean(), nullable=False),
    )
    op.create_index("ix_replay_jobs_status", "replay_jobs", ["status"])
    op.create_table(
        "api_keys",
        sa.Column("id", sa.String(16), primary_key=True),
        sa.Column("name", sa.String(128), nullable=False),
        sa.Column("secret_sha256", sa.String(64), nullable=False),
        sa.Column("scopes", sa.String(64), nullable=False),
        sa.Column("created_ms", sa.BigInteger(), nullable=False),
        sa.Column("revoked_ms", sa.BigInteger(), nullable=True),
    )


def downgrade() -> None:
    """Drop every table."""
    for table in ("api_keys", "replay_jobs", "recommendations", "metric_points", "clusters"):
        op.drop_table(table)
