"""Load and validate canonical long-format trace CSVs.

This module owns reading trace files (the only file I/O besides the bundle and the
converter) and the row/field-level validation described in :mod:`traces.schema`.
It imports nothing of ours outside ``traces``.

Every failure raises :class:`traces.errors.TraceFormatError` naming the file, the
1-based line number (header = line 1) and the column. Validation stops at the first
error. Entirely empty lines are skipped (they carry no data); row numbers still count
them.
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import IO, cast

import numpy as np

from traces.csvtext import CsvTextError, csv_records
from traces.errors import TraceFormatError
from traces.metadata import TraceMetadata
from traces.numtext import parse_number
from traces.schema import COLUMNS, PERCENT_MAX, UNITS, Unit
from traces.timetext import parse_iso
from traces.types import Trace, TraceSeries

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_UTC_SUFFIXES = ("Z", "+00:00")


@dataclass
class _SeriesBuilder:
    """Accumulates one series while rows are validated."""

    unit: Unit
    unit_row: int
    seconds: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    last_row: int = 0


def format_ts(seconds: int) -> str:
    """Format epoch seconds as canonical ISO 8601 UTC with a ``Z`` suffix.

    Args:
        seconds: Seconds since 1970-01-01T00:00:00Z.

    Returns:
        E.g. ``2014-02-14T19:30:00Z``.
    """
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_ts(text: str) -> int:
    """Parse a canonical UTC timestamp into epoch seconds.

    Args:
        text: ISO 8601 with a ``Z`` or ``+00:00`` suffix and whole seconds.

    Returns:
        Seconds since the Unix epoch.

    Raises:
        ValueError: With the reason (no offset, non-UTC offset, unparseable,
            sub-second precision).
    """
    parsed = parse_iso(text)
    if parsed.tzinfo is None:
        raise ValueError(f"{text!r} has no UTC offset (expected a 'Z' suffix)")
    if not text.endswith(_UTC_SUFFIXES):
        raise ValueError(f"{text!r} is not UTC (only a 'Z' or '+00:00' suffix is accepted)")
    if parsed.microsecond:
        raise ValueError(f"{text!r} has sub-second precision (whole seconds expected)")
    return int((parsed - _EPOCH).total_seconds())


def _parse_value(text: str, unit: Unit) -> float:
    """Parse a value cell; raise ValueError with the reason."""
    if not text.strip():
        raise ValueError("value is blank")
    value = parse_number(text)
    if not math.isfinite(value):
        raise ValueError(f"{text!r} is not finite")
    if value < 0.0:
        raise ValueError(f"{text!r} is negative")
    if unit == "percent" and value > PERCENT_MAX:
        raise ValueError(f"{text!r} exceeds {PERCENT_MAX:g} for unit 'percent'")
    return value


def _check_header(header: list[str], path: str | Path) -> None:
    """Require the header to be exactly :data:`traces.schema.COLUMNS`."""
    if header == list(COLUMNS):
        return
    expected = ",".join(COLUMNS)
    missing = [c for c in COLUMNS if c not in header]
    extra = [c for c in header if c not in COLUMNS or header.count(c) > 1]
    problems = []
    if missing:
        problems.append(f"is missing column(s) {', '.join(map(repr, missing))}")
    if extra:
        problems.append(f"has unexpected column(s) {', '.join(map(repr, dict.fromkeys(extra)))}")
    if not problems:
        problems.append(f"has the columns out of order ({','.join(header)!r})")
    raise TraceFormatError(f"header {' and '.join(problems)}; expected {expected!r}", path=path, row=1)


def _check_row(row: list[str], line: int, path: str | Path) -> tuple[int, str, str, Unit, float]:
    """Validate one data row; return (seconds, cluster_id, signal, unit, value)."""
    if len(row) != len(COLUMNS):
        raise TraceFormatError(f"row has {len(row)} fields, expected {len(COLUMNS)}", path=path, row=line)
    ts_text, cluster_id, signal, unit_text, value_text = row
    try:
        seconds = parse_ts(ts_text)
    except ValueError as exc:
        raise TraceFormatError(str(exc), path=path, row=line, field="ts") from None
    for name, text in (("cluster_id", cluster_id), ("signal", signal)):
        if not text.strip():
            raise TraceFormatError(f"{name} is blank", path=path, row=line, field=name)
    if unit_text not in UNITS:
        raise TraceFormatError(
            f"{unit_text!r} is not a known unit (expected one of {', '.join(UNITS)})",
            path=path,
            row=line,
            field="unit",
        )
    unit = cast(Unit, unit_text)
    try:
        value = _parse_value(value_text, unit)
    except ValueError as exc:
        raise TraceFormatError(str(exc), path=path, row=line, field="value") from None
    return seconds, cluster_id, signal, unit, value


def _add_to_series(
    builders: dict[tuple[str, str], _SeriesBuilder],
    parsed: tuple[int, str, str, Unit, float],
    line: int,
    path: str | Path,
) -> None:
    """Append a validated row to its series, checking unit and time order."""
    seconds, cluster_id, signal, unit, value = parsed
    key = (cluster_id, signal)
    label = f"series ({cluster_id}, {signal})"
    builder = builders.setdefault(key, _SeriesBuilder(unit=unit, unit_row=line))
    if unit != builder.unit:
        raise TraceFormatError(
            f"unit {unit!r} differs from {builder.unit!r} used at row {builder.unit_row} for {label}",
            path=path,
            row=line,
            field="unit",
        )
    if builder.seconds and seconds <= builder.seconds[-1]:
        previous = builder.seconds[-1]
        if seconds == previous:
            reason = f"duplicate timestamp {format_ts(seconds)} in {label}: also at row {builder.last_row}"
        else:
            reason = (
                f"timestamp {format_ts(seconds)} is earlier than {format_ts(previous)} at row "
                f"{builder.last_row} in {label}; timestamps must be strictly increasing"
            )
        raise TraceFormatError(reason, path=path, row=line, field="ts")
    builder.seconds.append(seconds)
    builder.values.append(value)
    builder.last_row = line


def _read_rows(rows: Iterable[str], path: str | Path) -> Trace:
    """Validate CSV text lines and build the trace."""
    records = csv_records(rows)
    builders: dict[tuple[str, str], _SeriesBuilder] = {}
    try:
        first = next(records, None)
        if first is None:
            raise TraceFormatError(f"file is empty (expected header {','.join(COLUMNS)!r})", path=path)
        _check_header(first[1], path)
        for line, row in records:
            if row:
                _add_to_series(builders, _check_row(row, line, path), line, path)
    except CsvTextError as exc:
        raise TraceFormatError(exc.reason, path=path, row=exc.line) from None
    if not builders:
        raise TraceFormatError("file has a header but no data rows", path=path)
    series = tuple(
        TraceSeries(
            cluster_id=key[0],
            signal=key[1],
            unit=b.unit,
            ts=np.array(b.seconds, dtype=np.int64).astype("datetime64[s]"),
            value=np.array(b.values, dtype=np.float64),
        )
        for key, b in builders.items()
    )
    return Trace(series=series, path=Path(path))


def _lines(handle: Iterable[str], path: str | Path) -> Iterator[str]:
    """Yield lines, turning a decoding failure into a file-level TraceFormatError."""
    try:
        yield from handle
    except UnicodeDecodeError as exc:
        raise TraceFormatError(f"file is not UTF-8 text ({exc.reason})", path=path) from None


def load_trace(source: str | os.PathLike[str] | Traversable) -> Trace:
    """Load and validate a canonical long-format trace CSV.

    Args:
        source: Path of the CSV, or an ``importlib.resources`` ``Traversable``
            (how :mod:`traces.bundle` reads data inside an installed package).

    Returns:
        The trace: one :class:`~traces.types.TraceSeries` per (cluster_id, signal),
        each with ``ts`` of shape (n_samples,) ``datetime64[s]`` UTC and ``value``
        float64 in the series' unit. ``metadata`` is None.

    Raises:
        TraceFormatError: On the first invalid item: empty file; header not exactly
            ``ts,cluster_id,signal,unit,value``; a quoted field not closed on its own line
            (``unterminated quote``, at the row it opens on) or other text the CSV reader
            refuses (:func:`traces.csvtext.csv_records`); wrong field count; blank, non-numeric,
            NaN/inf or negative value; percent above 100; unknown unit; unparseable,
            offset-free or non-UTC timestamp; duplicate or decreasing timestamps within
            a series (both rows named); a series whose unit changes.
        FileNotFoundError: If the file does not exist.
    """
    handle: IO[str]
    if isinstance(source, str | os.PathLike):
        path: str | Path = Path(source)
        handle = Path(source).open(encoding="utf-8-sig", newline="")
    else:
        path = source.name
        handle = source.open("r", encoding="utf-8-sig")
    with handle:
        return _read_rows(_lines(handle, path), path)


def check_matches(trace: Trace, metadata: TraceMetadata, *, path: str | Path) -> None:
    """Check that a CSV's single series is what its metadata declares.

    Args:
        trace: The loaded CSV.
        metadata: Its metadata.
        path: The metadata file, named in the error.

    Raises:
        TraceFormatError: If the CSV holds more than one series, or its cluster_id,
            signal, unit, row count, first or last timestamp differ from the metadata
            (both tuples are shown).
    """
    if len(trace.series) != 1:
        raise TraceFormatError(
            f"metadata of {metadata.name!r} describes one series but the CSV has {len(trace.series)}",
            path=path,
        )
    series = trace.series[0]
    declared = (
        metadata.cluster_id,
        metadata.signal,
        metadata.unit,
        metadata.n_rows,
        metadata.first_ts,
        metadata.last_ts,
    )
    actual = (
        series.cluster_id,
        series.signal,
        series.unit,
        series.n_samples,
        format_ts(int(series.ts[0].astype(int))),
        format_ts(int(series.ts[-1].astype(int))),
    )
    if declared != actual:
        raise TraceFormatError(
            f"metadata of {metadata.name!r} declares {declared} but the CSV has {actual}",
            path=path,
        )
