"""Canonical long-format trace schema: columns, unit vocabulary and trace kinds.

This module owns the names every trace CSV and every metadata file must use. It
imports nothing of ours.

A canonical trace CSV has exactly the header ``ts,cluster_id,signal,unit,value``:

* ``ts``: ISO 8601 UTC with a ``Z`` suffix (``+00:00`` is accepted on input),
  whole seconds, e.g. ``2014-02-14T19:30:00Z``.
* ``cluster_id``, ``signal``: non-empty strings; together they key a series.
* ``unit``: one of :data:`UNITS`.
* ``value``: a finite, non-negative number; at most 100 when ``unit`` is ``percent``.
"""

from __future__ import annotations

from typing import Final, Literal, get_args

COLUMNS: Final[tuple[str, ...]] = ("ts", "cluster_id", "signal", "unit", "value")
"""Header of a canonical trace CSV, in order."""

Unit = Literal["acu", "percent", "per_s", "relative"]
"""Unit of a series' values.

* ``acu``: Aurora capacity units.
* ``percent``: 0-100. CloudWatch ``CPUUtilization`` / ``ACUUtilization`` of Aurora
  Serverless v2 are measured against the *maximum* ACU (FACTS.md A7).
* ``per_s``: a rate, events per second.
* ``relative``: dimensionless, unknown scale (e.g. a fleet-wide aggregate).
"""

UNITS: Final[tuple[str, ...]] = get_args(Unit)
"""All accepted units, in declaration order."""

PERCENT_MAX: Final[float] = 100.0
"""Largest accepted value for unit ``percent`` (inclusive)."""

TraceKind = Literal["database_cpu", "request_rate", "fleet_cpu_aggregate"]
"""What a bundled trace measures; stored in its metadata JSON as ``kind``."""

TRACE_KINDS: Final[tuple[str, ...]] = get_args(TraceKind)
"""All trace kinds, in declaration order."""
