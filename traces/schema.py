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

Unit = Literal["acu", "percent", "per_s", "relative", "bytes", "count"]
"""Unit of a series' values.

* ``acu``: Aurora capacity units.
* ``percent``: 0-100. CloudWatch ``CPUUtilization`` / ``ACUUtilization`` of Aurora
  Serverless v2 are measured against the *maximum* ACU (AWS, Aurora User Guide,
  "Important Amazon CloudWatch metrics for Aurora Serverless v2",
  https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/aurora-serverless-v2.setting-capacity.html).
* ``per_s``: a rate, events per second.
* ``relative``: dimensionless, unknown scale (e.g. a fleet-wide aggregate).
* ``bytes``: memory (``FreeableMemory``, a working set), bytes.
* ``count``: a number of things (``DatabaseConnections``), or events per sample period
  under the ``Sum`` statistic.
"""

UNITS: Final[tuple[str, ...]] = get_args(Unit)
"""All accepted units, in declaration order."""

PERCENT_MAX: Final[float] = 100.0
"""Largest accepted value for unit ``percent`` (inclusive)."""

TraceKind = Literal["database_cpu", "request_rate", "fleet_cpu_aggregate", "vm_cpu", "autoscaling_group_cpu"]
"""What a trace measures; stored in its metadata JSON as ``kind``.

* ``database_cpu``: CPU of a database instance (or a series read as one).
* ``request_rate``: requests per second through a load balancer or web server.
* ``fleet_cpu_aggregate``: CPU summed or averaged over a whole region or cell.
* ``vm_cpu``: CPU of one virtual machine (EC2 instance, hosted VM).
* ``autoscaling_group_cpu``: mean CPU across an autoscaling group's instances.
"""

TRACE_KINDS: Final[tuple[str, ...]] = get_args(TraceKind)
"""All trace kinds, in declaration order."""

TraceShape = Literal[
    "rds_cpu",
    "web_requests_5min",
    "web_requests_1min",
    "bursty_vm",
    "daily_bursty_vm",
    "batch_vm",
    "step_change",
    "asg",
    "system_failure",
    "region_aggregate",
    "cell_aggregate",
]
"""The load shape a suite trace stands for (:mod:`traces.suite`), chosen by looking at it.

* ``rds_cpu``: CPU of an RDS database instance (daily pattern, rare jumps).
* ``web_requests_5min`` / ``web_requests_1min``: a web request rate at 5-minute or
  1-minute resolution (daily and weekly cycles, bursts).
* ``bursty_vm``: a low steady baseline with short bursts of a few steps.
* ``daily_bursty_vm``: a daily burst (e.g. a nightly job) over a low baseline.
* ``batch_vm``: long on/off plateaus without seasonality.
* ``step_change``: level shifts that persist for hours to days.
* ``asg``: the mean CPU of an autoscaling group (periodic spikes, scale-out effects).
* ``system_failure``: a series ending in a recorded failure.
* ``region_aggregate`` / ``cell_aggregate``: a whole-region or whole-cell CPU sum or mean
  (smooth, seasonal).
"""

TRACE_SHAPES: Final[tuple[str, ...]] = get_args(TraceShape)
"""All shape tags, in declaration order."""
