"""Workload traces for acuplan: loaders, shipped real traces, demand mapping, synthetics.

``traces`` is a leaf package: it imports nothing of ours (not ``policy``,
``forecasting``, ``placement`` or ``service``). It owns

* the canonical long-format trace CSV and its validation (:func:`load_trace`);
* the bundled real traces and their provenance (:func:`list_bundled`,
  :func:`load_bundled`);
* the documented mapping from a load signal to ACU demand on a fixed UTC grid
  (:func:`demand_series`);
* seeded synthetic demand for tests and demos (:func:`diurnal_demand`).

Only the names in ``__all__`` are public.
"""

from traces.bundle import bundled_path, list_bundled, load_bundled, load_metadata
from traces.demand import (
    AcuRule,
    DemandRule,
    DemandSeries,
    P99ToPeakAcuRule,
    PercentOfMaxAcuRule,
    PerUnitRule,
    Statistic,
    demand_series,
    parse_demand_rule,
    to_acu,
)
from traces.errors import (
    ConversionError,
    DemandMappingError,
    TraceFormatError,
    UnknownTraceError,
)
from traces.loaders import format_ts, load_trace, parse_ts
from traces.metadata import TraceMetadata, TraceSource
from traces.schema import COLUMNS, TRACE_KINDS, UNITS, TraceKind, Unit
from traces.synthetic import diurnal_demand
from traces.types import Trace, TraceSeries

__all__ = [
    "COLUMNS",
    "TRACE_KINDS",
    "UNITS",
    "AcuRule",
    "ConversionError",
    "DemandMappingError",
    "DemandRule",
    "DemandSeries",
    "P99ToPeakAcuRule",
    "PerUnitRule",
    "PercentOfMaxAcuRule",
    "Statistic",
    "Trace",
    "TraceFormatError",
    "TraceKind",
    "TraceMetadata",
    "TraceSeries",
    "TraceSource",
    "Unit",
    "UnknownTraceError",
    "bundled_path",
    "demand_series",
    "diurnal_demand",
    "format_ts",
    "list_bundled",
    "load_bundled",
    "load_metadata",
    "load_trace",
    "parse_demand_rule",
    "parse_ts",
    "to_acu",
]
