"""Job leases: replay_jobs gains ``owner`` and ``heartbeat_ms``.

A queued or running job is held by the process named in ``owner`` for as long as that
process renews ``heartbeat_ms``; a process starting (or sweeping) re-queues only jobs whose
lease lapsed or that have no owner, never the ones another live process is running. Jobs
stored before this revision have no owner: like every pending job before it, they are
re-queued by the first process that starts (or sweeps) after the upgrade.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the owner and heartbeat columns (NULL for every existing job: none is held)."""
    op.add_column("replay_jobs", sa.Column("owner", sa.String(64), nullable=True))
    op.add_column("replay_jobs", sa.Column("heartbeat_ms", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Drop them again (a pending job is then re-queued by the next start, as before)."""
    op.drop_column("replay_jobs", "heartbeat_ms")
    op.drop_column("replay_jobs", "owner")
