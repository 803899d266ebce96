"""What the sources said of a cluster's latest upload: clusters gains ``source_flags``.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the flags (None for every cluster registered before: nothing was said)."""
    op.add_column(
        "clusters", sa.Column("source_flags", sa.JSON().with_variant(JSONB(), "postgresql"), nullable=True)
    )


def downgrade() -> None:
    """Drop them again."""
    op.drop_column("clusters", "source_flags")
