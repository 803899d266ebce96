"""The bench's default choices, kept apart from the runner so ``acuplan --help`` stays cheap.

Owns the profiles the bench scores at and the throughput fleet it cuts; read by
:mod:`service.bench.run` (the work) and :mod:`service.cli.bench` (the options' defaults).
"""

from __future__ import annotations

DEFAULT_RAMP_PROFILES: tuple[str, ...] = ("default", "slow")
"""Ramp profiles the bench scores at by default (names from ``policy.scaler.RAMP_PROFILES``)."""

FLEET_CLUSTERS = 16
FLEET_DAYS = 4.0
FLEET_TRACE = "rds-cpu-cc0c53"
"""Throughput fleet: 16 clusters of 4 days (2 warm-up, 2 scored) cut from this trace."""
