"""Load every canonical trace CSV in a folder as ACU demand, scored like a bundled trace.

This module owns what ``acuplan bench --traces-dir DIR`` (and ``service.inputs.bundled``) read
from a folder of the user's: for every ``*.csv`` in the folder (not recursive, sorted
by file name), every series becomes one :class:`FolderTrace` with its ACU demand on a
fixed grid. Pure loading; it imports nothing of ours outside ``traces``.

Demand rule and grid, per CSV:

* **With metadata**: a ``<stem>.json`` beside ``<stem>.csv`` (the format the bundle
  and ``python -m traces.convert --suite-dir`` write, :class:`~traces.TraceMetadata`)
  gives the demand rule, the grid step (``step_s``) and the read share
  (``read_frac``); the CSV must then hold exactly the one series it declares.
* **Without metadata**, a stated default by the series' unit:

  ==========  ====================================================================
  unit        default rule
  ==========  ====================================================================
  acu         as is (:class:`~traces.AcuRule`)
  percent     percent of a MaxCapacity of :data:`DEFAULT_MAX_ACU` (16) ACU, the
              reading of the bundled NAB CPU traces (AWS measures Aurora Serverless
              v2 CPUUtilization against MaxCapacity)
  per_s,      the series' p99 maps to :data:`DEFAULT_PEAK_ACU` (16) ACU: the same top
  relative    as a percent series read against 16 ACU
  ==========  ====================================================================

  and the grid step is the series' median sampling interval, to the minute (see
  :func:`infer_step_s`).

Each step of the grid takes the max of the samples in it; steps without a sample are
NaN (missing), as for the bundled traces (:func:`traces.demand_series`).

Errors are one line naming the file, the row and the field: a malformed CSV
(:func:`traces.load_trace`), invalid metadata JSON (the dotted field, e.g.
``demand_rule.max_acu``), a CSV that does not match its metadata, a rule that does not
fit the series' unit.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import numpy as np

from traces.demand import (
    AcuRule,
    DemandSeries,
    P99ToPeakAcuRule,
    PercentOfMaxAcuRule,
    PerUnitRule,
    demand_series,
)
from traces.errors import DemandMappingError, TraceFormatError
from traces.loaders import check_matches, load_trace
from traces.metadata import TraceMetadata, read_metadata
from traces.schema import Unit
from traces.types import TraceSeries

DEFAULT_MAX_ACU: Final[float] = 16.0
"""MaxCapacity (ACU) a ``percent`` series without metadata is read against: the bundled
NAB CPU traces' default (``traces.convert_specs.NAB_PERCENT_DEMAND``), a modelling choice."""

DEFAULT_PEAK_ACU: Final[float] = 16.0
"""ACU the p99 of a ``per_s`` or ``relative`` series without metadata maps to: the same top
as a ``percent`` series read against :data:`DEFAULT_MAX_ACU`, a modelling choice."""

DEFAULT_STEP_S: Final[int] = 300
"""Grid step for a series of a single sample, seconds (the 5-minute CloudWatch period)."""

Rule = AcuRule | PercentOfMaxAcuRule | PerUnitRule | P99ToPeakAcuRule
"""Any demand rule (the members of :data:`traces.DemandRule`)."""


@dataclass(frozen=True, eq=False)
class FolderTrace:
    """One series of a folder's CSV, mapped to ACU demand.

    Attributes:
        name: The CSV's stem (``orders-db`` for ``orders-db.csv``); for a CSV holding
            several series, ``<stem>/<cluster_id>/<signal>``. Unique within a folder.
        path: The CSV file.
        series: The loaded series (``ts`` shape (n_samples,), values in ``unit``).
        demand: ACU demand on the grid, ``demand_acu`` shape (n_steps,), NaN = missing.
        rule: The demand rule used.
        rule_source: ``metadata`` (from ``<stem>.json``) or ``default`` (by unit).
        metadata: The metadata, or None without a ``<stem>.json``.
    """

    name: str
    path: Path
    series: TraceSeries
    demand: DemandSeries
    rule: Rule
    rule_source: Literal["metadata", "default"]
    metadata: TraceMetadata | None

    @property
    def cluster_id(self) -> str:
        """The series' ``cluster_id``."""
        return self.series.cluster_id

    @property
    def read_frac(self) -> float | None:
        """Read share from the metadata, or None when it is not stated."""
        return self.metadata.read_frac if self.metadata is not None else None

    @property
    def max_acu(self) -> float | None:
        """The MaxCapacity (ACU) a ``percent_of_max_acu`` rule reads against, else None."""
        return self.rule.max_acu if isinstance(self.rule, PercentOfMaxAcuRule) else None


def default_rule(unit: Unit, *, max_acu: float = DEFAULT_MAX_ACU, peak_acu: float = DEFAULT_PEAK_ACU) -> Rule:
    """The demand rule a series without metadata gets, by unit.

    Args:
        unit: The series' unit.
        max_acu: MaxCapacity a ``percent`` series is read against, ACU, > 0.
        peak_acu: ACU the p99 of any other non-``acu`` series maps to, > 0.

    Returns:
        ``acu``: :class:`~traces.AcuRule`; ``percent``:
        ``PercentOfMaxAcuRule(max_acu)``; otherwise ``P99ToPeakAcuRule(peak_acu)``.

    Raises:
        pydantic.ValidationError: If ``max_acu`` or ``peak_acu`` is not > 0.
    """
    if unit == "acu":
        return AcuRule()
    if unit == "percent":
        return PercentOfMaxAcuRule(max_acu=max_acu)
    return P99ToPeakAcuRule(peak_acu=peak_acu)


def infer_step_s(series: TraceSeries) -> int:
    """The grid step for a series without metadata: its median sampling interval, to the minute.

    The median of the intervals between consecutive samples, rounded to whole minutes
    when it is 30 s or more (CloudWatch periods and exports are whole minutes), else to
    whole seconds; at least 1 s. Jittered samples (299, 300, 301 s apart) give 300; gaps
    do not move a median. A series of one sample gets :data:`DEFAULT_STEP_S`.

    Args:
        series: The series, ``ts`` shape (n_samples,), strictly increasing.

    Returns:
        Seconds, > 0.
    """
    if series.n_samples < 2:
        return DEFAULT_STEP_S
    median = float(np.median(np.diff(series.ts.astype(np.int64))))
    if median >= 30:
        return max(60, 60 * round(median / 60))
    return max(1, round(median))


def _mapped(series: TraceSeries, *, step_s: int, rule: Rule, path: Path) -> DemandSeries:
    """demand_series with a mapping error re-raised naming the CSV."""
    try:
        return demand_series(series, step_s=step_s, rule=rule)
    except DemandMappingError as exc:
        raise DemandMappingError(exc.reason, path=path, field=exc.field) from None


def load_folder(
    folder: str | os.PathLike[str],
    *,
    max_acu: float = DEFAULT_MAX_ACU,
    peak_acu: float = DEFAULT_PEAK_ACU,
) -> list[FolderTrace]:
    """Load every canonical CSV in ``folder`` as ACU demand (rules in the module docstring).

    Args:
        folder: A folder of canonical CSVs (``ts,cluster_id,signal,unit,value``), each
            optionally with a ``<stem>.json`` metadata file beside it. Other files
            (and subfolders) are ignored.
        max_acu: MaxCapacity a ``percent`` series *without* metadata is read against,
            ACU, > 0 (default :data:`DEFAULT_MAX_ACU`).
        peak_acu: ACU the p99 of a ``per_s``/``relative`` series *without* metadata
            maps to, > 0 (default :data:`DEFAULT_PEAK_ACU`).

    Returns:
        One :class:`FolderTrace` per series, CSVs in file-name order, series within a
        CSV in (cluster_id, signal) order.

    Raises:
        TraceFormatError: If ``folder`` is not a folder or holds no ``*.csv``; a CSV
            is malformed (file, row, field); a ``<stem>.json`` is invalid (file, field)
            or does not match its CSV.
        DemandMappingError: If a rule does not fit the series' unit (e.g. metadata
            says ``percent_of_max_acu`` for a ``per_s`` CSV) or a p99 is 0 (names the
            CSV). Also a :class:`TraceFormatError`.
        pydantic.ValidationError: If ``max_acu`` or ``peak_acu`` is not > 0.
    """
    root = Path(folder)
    if not root.is_dir():
        raise TraceFormatError(f"{root} is not a folder (or it does not exist)")
    paths = sorted(p for p in root.glob("*.csv") if p.is_file())
    if not paths:
        raise TraceFormatError("no *.csv trace in the folder", path=root)
    out: list[FolderTrace] = []
    for path in paths:
        trace = load_trace(path)
        meta_path = path.with_suffix(".json")
        if meta_path.is_file():
            metadata = read_metadata(meta_path)
            check_matches(trace, metadata, path=meta_path)
            series = trace.series[0]
            rule: Rule = metadata.demand_rule
            demand = _mapped(series, step_s=metadata.step_s, rule=rule, path=path)
            out.append(FolderTrace(path.stem, path, series, demand, rule, "metadata", metadata))
            continue
        for series in trace:
            rule = default_rule(series.unit, max_acu=max_acu, peak_acu=peak_acu)
            demand = _mapped(series, step_s=infer_step_s(series), rule=rule, path=path)
            name = path.stem if len(trace) == 1 else f"{path.stem}/{series.cluster_id}/{series.signal}"
            out.append(FolderTrace(name, path, series, demand, rule, "default", None))
    return out
