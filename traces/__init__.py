"""Workload traces for acuplan: loaders, shipped real traces, demand mapping, synthetics.

``traces`` is a leaf package: it imports nothing of ours (not ``policy``,
``forecasting``, ``placement`` or ``service``). It owns

* the canonical long-format trace CSV and its validation (:func:`load_trace`);
* the bundled real traces and their provenance (:func:`list_bundled`,
  :func:`load_bundled`);
* the documented mapping from a load signal to ACU demand on a fixed UTC grid
  (:func:`demand_series`);
* a folder of canonical CSVs as ACU demand, each by its metadata or a stated default
  rule (:func:`load_folder`);
* seeded synthetic demand for tests and demos (:func:`diurnal_demand`);
* every metric input format, parsed in one place (:func:`parse_any`, :mod:`traces.formats`),
  checked all at once (:func:`check_upload`, :class:`IngestReport`, :class:`UploadError`);
* several signals mapped to one demand, max per step with the binding signal
  (:func:`combine_signals`, :class:`SignalInput`, :class:`SignalRules`).

The benchmark suite (bundled plus local-only traces) is :mod:`traces.suite`, imported
on its own (``from traces.suite import load_suite``): it pulls in the converter.

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
from traces.folder import DEFAULT_MAX_ACU, DEFAULT_PEAK_ACU, FolderTrace, default_rule, load_folder
from traces.formats import FORMATS, parse_any
from traces.loaders import format_ts, load_trace, parse_ts
from traces.metadata import TraceMetadata, TraceSource, read_metadata
from traces.schema import COLUMNS, TRACE_KINDS, TRACE_SHAPES, UNITS, TraceKind, TraceShape, Unit
from traces.signals import CombinedDemand, SignalInput, SignalRules, combine_signals
from traces.synthetic import diurnal_demand
from traces.types import Trace, TraceSeries
from traces.uploads import IngestReport, UploadError, check_upload

__all__ = [
    "COLUMNS",
    "DEFAULT_MAX_ACU",
    "DEFAULT_PEAK_ACU",
    "FORMATS",
    "TRACE_KINDS",
    "TRACE_SHAPES",
    "UNITS",
    "AcuRule",
    "CombinedDemand",
    "ConversionError",
    "DemandMappingError",
    "DemandRule",
    "DemandSeries",
    "FolderTrace",
    "IngestReport",
    "P99ToPeakAcuRule",
    "PerUnitRule",
    "PercentOfMaxAcuRule",
    "SignalInput",
    "SignalRules",
    "Statistic",
    "Trace",
    "TraceFormatError",
    "TraceKind",
    "TraceMetadata",
    "TraceSeries",
    "TraceShape",
    "TraceSource",
    "Unit",
    "UnknownTraceError",
    "UploadError",
    "bundled_path",
    "check_upload",
    "combine_signals",
    "default_rule",
    "demand_series",
    "diurnal_demand",
    "format_ts",
    "list_bundled",
    "load_bundled",
    "load_folder",
    "load_metadata",
    "load_trace",
    "parse_any",
    "parse_demand_rule",
    "parse_ts",
    "read_metadata",
    "to_acu",
]
