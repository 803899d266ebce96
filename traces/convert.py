"""Convert raw public traces into canonical traces: the bundle and the local-only suite.

Run from the repository root::

    python -m traces.convert --raw ../shared/traces-raw --out traces/data   # the bundle
    python -m traces.convert --suite-dir DIR [--raw-dir ../shared/traces-raw]  # local-only

``--out`` writes the redistributable traces of :data:`traces.convert_specs.SPECS` (and
``PROVENANCE.md``) into the package; ``--suite-dir`` writes the local-only traces of
:data:`traces.convert_specs.LOCAL_SPECS` (licence unstated: Bitbrains VMs, the NASA
1-minute request rate) into a folder of the user's, never inside the ``traces``
package. The raw folder defaults to ``$ACUPLAN_TRACES_RAW``, else
``../shared/traces-raw``.

This module owns the reproducible raw-to-canonical conversion: it checks every raw
file against ``SHA256SUMS``, applies the documented timestamp rules (NAB: continuous
America/New_York standard-time clock with DST-clamped rows reconstructed, see
:mod:`traces.nab_clock`; relative offsets anchored at a stated epoch; Unix epoch
seconds; ISO 8601 with an offset), keeps a stated window of rows, scales values, and
writes per trace a canonical ``<name>.csv`` and ``<name>.json`` plus one
``PROVENANCE.md``. Outputs are byte-for-byte deterministic. Every written CSV is
re-read with :func:`traces.load_trace` before the converter reports success;
:func:`build_one` gives the same trace in memory (how :mod:`traces.suite` reads the
local-only traces without writing anything). It imports nothing of ours outside
``traces``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

from traces.convert_specs import (
    DEFAULT_RAW_DIR,
    LOCAL_SPECS,
    NAB_CLOCK_NOTE,
    NAB_MIT_LICENCE,
    NOT_SHIPPED_NOTE,
    RAW_DIR_ENV,
    SPECS,
    TraceSpec,
)
from traces.demand import parse_demand_rule
from traces.errors import ConversionError
from traces.loaders import format_ts, load_trace
from traces.metadata import TraceMetadata, TraceSource
from traces.nab_clock import NAB_STEP_S, NAB_ZONE, nab_naive_to_utc, reconstruct_naive
from traces.numtext import parse_number
from traces.schema import COLUMNS, PERCENT_MAX
from traces.timetext import parse_iso
from traces.types import Trace, TraceSeries

STEP_S = 300
"""Nominal step of the 5-minute traces, seconds (``TraceSpec.step_s`` default)."""

_NAB_HEADER = ["timestamp", "value"]
_NAB_FORMAT = "%Y-%m-%d %H:%M:%S"
_PACKAGE_DIR = Path(__file__).resolve().parent

Row = tuple[int, dict[str, str]]
"""A raw row with its 1-based line number in the raw file (header = line 1)."""


def read_checksums(raw_dir: Path) -> dict[str, str]:
    """Read ``SHA256SUMS`` into {path relative to ``raw_dir``: hex digest}.

    Args:
        raw_dir: The ``traces-raw`` folder; lines look like ``<sha256>  ./<path>``.

    Returns:
        Digest per relative path (the leading ``./`` removed).

    Raises:
        ConversionError: If the folder or the file is missing, or a line is malformed.
    """
    if not raw_dir.is_dir():
        raise ConversionError("raw trace folder not found", path=raw_dir)
    sums_path = raw_dir / "SHA256SUMS"
    if not sums_path.is_file():
        raise ConversionError("SHA256SUMS not found in the raw folder", path=sums_path)
    sums: dict[str, str] = {}
    for line_no, line in enumerate(sums_path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        digest, _, name = line.partition("  ")
        if len(digest) != 64 or not name:
            raise ConversionError(f"malformed line {line!r}", path=sums_path, row=line_no)
        sums[name.removeprefix("./")] = digest
    return sums


def verify_checksum(raw_dir: Path, rel: str, sums: dict[str, str]) -> str:
    """Check one raw file against ``SHA256SUMS``; return its SHA-256.

    Args:
        raw_dir: The ``traces-raw`` folder.
        rel: Path of the raw file relative to ``raw_dir``.
        sums: Output of :func:`read_checksums`.

    Returns:
        The file's SHA-256, lowercase hex.

    Raises:
        ConversionError: If the file is missing, unlisted or its digest differs.
    """
    path = raw_dir / rel
    if rel not in sums:
        raise ConversionError("not listed in SHA256SUMS", path=path)
    if not path.is_file():
        raise ConversionError("raw file not found", path=path)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    if digest != sums[rel]:
        raise ConversionError(f"SHA-256 {digest} != {sums[rel]} listed in SHA256SUMS", path=path)
    return digest


def _read_csv(path: Path, spec: TraceSpec) -> list[Row]:
    """Read a raw CSV into (line, dict row) pairs, checking the columns the spec reads."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields = list(reader.fieldnames or [])
        if spec.reader == "nab" and fields != _NAB_HEADER:
            raise ConversionError(f"header {fields} != {_NAB_HEADER}", path=path, row=1)
        needed = [spec.time_column, spec.value_column, spec.rate_seconds_column]
        missing = [c for c in needed if c is not None and c not in fields]
        if missing:
            raise ConversionError(f"header {fields} lacks column(s) {missing}", path=path, row=1)
        rows = [(reader.line_num, row) for row in reader]
    if not rows:
        raise ConversionError("raw file has no data rows", path=path)
    return rows


def _window(rows: list[Row], spec: TraceSpec, path: Path) -> tuple[list[Row], list[str]]:
    """Keep the rows of ``spec.window`` (raw time strings, inclusive); return them and a note."""
    if spec.window is None:
        return rows, []
    first, last = spec.window
    stamps = [row[spec.time_column] for _, row in rows]
    if stamps.count(first) != 1 or stamps.count(last) != 1:
        raise ConversionError(f"window {spec.window} does not match exactly one row at each end", path=path)
    i, j = stamps.index(first), stamps.index(last)
    if j < i:
        raise ConversionError(f"window {spec.window} ends before it starts", path=path)
    kept = rows[i : j + 1]
    note = (
        f"Kept raw lines {kept[0][0]}-{kept[-1][0]} ({len(kept)} of {len(rows)} rows, {first} to "
        f"{last} on the source's clock) and dropped the rest."
    )
    return kept, [note]


def _nab_times(rows: list[Row], spec: TraceSpec, path: Path) -> tuple[list[int], list[str]]:
    """Return UTC seconds and change notes for NAB rows (rules in traces.nab_clock)."""
    try:
        naive = [datetime.strptime(r[spec.time_column], _NAB_FORMAT) for _, r in rows]
    except ValueError as exc:
        raise ConversionError(f"unparseable NAB timestamp: {exc}", path=path) from None
    utc, _ = nab_naive_to_utc(naive)
    fixed, _ = reconstruct_naive(naive, zone=ZoneInfo(NAB_ZONE), step_s=NAB_STEP_S)
    shift_h = (utc[0] - int((fixed[0] - datetime(1970, 1, 1)).total_seconds())) / 3600
    notes = [
        f"Read the naive timestamps as one continuous clock without DST ({NAB_ZONE} "
        f"standard time unless NAB_CLOCK_OFFSET_S says otherwise) and converted them to UTC "
        f"by adding {shift_h:g} h (see the NAB clock section)."
    ]
    moved = [(i, a, b) for i, (a, b) in enumerate(zip(naive, fixed, strict=True)) if a != b]
    if moved:
        notes.append(
            f"Re-stamped the {len(moved)} rows stamped {moved[0][1]} (raw lines "
            f"{rows[moved[0][0]][0]}-{rows[moved[-1][0]][0]}, clamped by a DST-aware export step) to "
            f"{moved[0][2].time()} ... {moved[-1][2].time()} on the continuous clock, i.e. "
            f"{format_ts(utc[moved[0][0]])} ... {format_ts(utc[moved[-1][0]])}, by the DST rule."
        )
    return utc, notes


def _int_cell(line: int, row: dict[str, str], column: str, path: Path) -> int:
    """Parse an integer time cell, naming the row and column on failure."""
    try:
        return int(row[column])
    except ValueError:
        raise ConversionError(
            f"{row[column]!r} is not an integer", path=path, row=line, field=column
        ) from None


def _offset_times(rows: list[Row], spec: TraceSpec, path: Path) -> tuple[list[int], list[str]]:
    """Return UTC seconds for rows with relative offsets anchored at ``spec.epoch``."""
    epoch = int(spec.epoch.timestamp())
    return [epoch + _int_cell(line, r, spec.time_column, path) for line, r in rows], []


def _epoch_times(rows: list[Row], spec: TraceSpec, path: Path) -> tuple[list[int], list[str]]:
    """Return UTC seconds for rows stamped in Unix epoch seconds."""
    return [_int_cell(line, r, spec.time_column, path) for line, r in rows], []


def _iso_times(rows: list[Row], spec: TraceSpec, path: Path) -> tuple[list[int], list[str]]:
    """Return UTC seconds for rows stamped in ISO 8601 with an explicit UTC offset."""
    out = []
    for line, row in rows:
        text = row[spec.time_column]
        try:
            parsed = parse_iso(text, what="ISO 8601")
        except ValueError as exc:
            raise ConversionError(str(exc), path=path, row=line, field=spec.time_column) from None
        if parsed.tzinfo is None or parsed.microsecond:
            raise ConversionError(
                f"{text!r} needs a UTC offset and whole seconds", path=path, row=line, field=spec.time_column
            )
        out.append(int(parsed.astimezone(UTC).timestamp()))
    return out, []


_TIME_READERS = {"nab": _nab_times, "offsets": _offset_times, "epoch_s": _epoch_times, "iso": _iso_times}


def _values(rows: list[Row], spec: TraceSpec, path: Path) -> list[float]:
    """Return scaled values, checking they are finite, >= 0 and <= 100 for percent."""
    values = []
    for line, row in rows:
        column = spec.value_column
        try:
            value = parse_number(row[column]) * spec.scale
            if spec.rate_seconds_column is not None:
                column = spec.rate_seconds_column
                seconds = parse_number(row[column])
                if not seconds > 0:
                    raise ValueError
                value /= seconds
        except ValueError:
            raise ConversionError(
                f"{row[column]!r} is not a valid number", path=path, row=line, field=column
            ) from None
        if not math.isfinite(value) or value < 0 or (spec.unit == "percent" and value > PERCENT_MAX):
            raise ConversionError(
                f"value {value!r} out of range", path=path, row=line, field=spec.value_column
            )
        values.append(value)
    return values


def _gap_notes(utc: Sequence[int], spec: TraceSpec, path: Path) -> list[str]:
    """Describe the irregular steps: gaps (> 1.5 steps, kept as gaps) and late samples.

    A step within ``step_s`` +- ``jitter_s`` is regular; one longer than 1.5 x
    ``step_s`` is a gap (at least one missing sample); one in between is a late sample
    (counted, not listed). Samples sharing a step of the epoch-aligned ``step_s`` grid
    (what :func:`traces.demand_series` builds) are counted too.

    Raises:
        ConversionError: For a step shorter than ``step_s - jitter_s`` (or, for NAB's
            minute clock, not a whole number of minutes).
    """
    low, high = spec.step_s - spec.jitter_s, spec.step_s + spec.jitter_s
    steps = [(a, b) for a, b in zip(utc, utc[1:], strict=False)]
    bad = [(a, b) for a, b in steps if b - a < low or (spec.reader == "nab" and (b - a) % 60)]
    if bad:
        shown = [f"{format_ts(a)} -> {format_ts(b)}" for a, b in bad[:3]]
        raise ConversionError(f"irregular steps shorter than {low} s: {shown}", path=path)
    notes = []
    late = sorted(b - a for a, b in steps if high < b - a <= 1.5 * spec.step_s)
    if late:
        span = f"{late[0]}-{late[-1]}" if late[0] != late[-1] else f"{late[0]}"
        notes.append(f"Kept {len(late)} late sample(s) as they are ({span} s after the previous one).")
    shared = sum(1 for a, b in steps if a // spec.step_s == b // spec.step_s)
    if shared:
        notes.append(
            f"{shared} sample(s) share their {spec.step_s}-s UTC grid step with the previous one "
            "(the demand grid takes the step's max)."
        )
    gaps = [(a, b) for a, b in steps if b - a > 1.5 * spec.step_s]
    if gaps:
        listed = "; ".join(f"{format_ts(a)} -> {format_ts(b)} ({(b - a) / 60:g} min)" for a, b in gaps)
        notes.append(f"Kept {len(gaps)} irregular step(s) as gaps (no rows added or interpolated): {listed}.")
    return notes


@dataclass(frozen=True)
class Converted:
    """One converted trace in memory, exactly as :func:`convert_one` writes it.

    Attributes:
        spec: What was converted.
        metadata: The metadata (``<name>.json``).
        utc: Sample times, epoch seconds UTC, strictly increasing, length n_rows.
        values: Sample values in ``metadata.unit``, length n_rows.
    """

    spec: TraceSpec
    metadata: TraceMetadata
    utc: tuple[int, ...]
    values: tuple[float, ...]

    def trace(self) -> Trace:
        """Return the trace with its metadata, equal to reading the written files back.

        Returns:
            One series: ``ts`` shape (n_rows,) ``datetime64[s]``, ``value`` float64.
        """
        series = TraceSeries(
            cluster_id=self.spec.cluster_id,
            signal=self.spec.signal,
            unit=self.spec.unit,
            ts=np.array(self.utc, dtype=np.int64).astype("datetime64[s]"),
            value=np.array(self.values, dtype=np.float64),
        )
        return Trace(series=(series,), metadata=self.metadata)


def build_one(raw_dir: Path, spec: TraceSpec, sums: dict[str, str]) -> Converted:
    """Convert one raw file in memory (nothing is written).

    Args:
        raw_dir: The ``traces-raw`` folder.
        spec: What to convert and how (see :mod:`traces.convert_specs`).
        sums: Output of :func:`read_checksums`.

    Returns:
        The converted trace and its metadata.

    Raises:
        ConversionError: On a checksum mismatch or raw data the rules do not cover
            (naming the raw file, line and column when known).
    """
    digest = verify_checksum(raw_dir, spec.raw_file, sums)
    path = raw_dir / spec.raw_file
    rows, window_notes = _window(_read_csv(path, spec), spec, path)
    utc, notes = _TIME_READERS[spec.reader](rows, spec, path)
    values = _values(rows, spec, path)
    changes = (*window_notes, *notes, *spec.changes, *_gap_notes(utc, spec, path))
    metadata = TraceMetadata(
        name=spec.name,
        description=spec.description,
        kind=spec.kind,
        cluster_id=spec.cluster_id,
        signal=spec.signal,
        unit=spec.unit,
        step_s=spec.step_s,
        n_rows=len(utc),
        first_ts=format_ts(utc[0]),
        last_ts=format_ts(utc[-1]),
        demand_rule=parse_demand_rule(spec.demand_rule),
        read_frac=None,
        source=TraceSource(
            repo=spec.repo,
            commit=spec.commit,
            path=spec.origin_path,
            raw_file=spec.raw_file,
            raw_sha256=digest,
            upstream=spec.upstream,
            citation=spec.citation,
        ),
        licence=spec.licence,
        changes=changes,
        caveats=spec.caveats,
    )
    return Converted(spec=spec, metadata=metadata, utc=tuple(utc), values=tuple(values))


def _write_csv(path: Path, converted: Converted) -> None:
    """Write the canonical long-format CSV (LF line ends, float repr values)."""
    spec = converted.spec
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for seconds, value in zip(converted.utc, converted.values, strict=True):
            writer.writerow([format_ts(seconds), spec.cluster_id, spec.signal, spec.unit, repr(value)])


def convert_one(raw_dir: Path, out_dir: Path, spec: TraceSpec, sums: dict[str, str]) -> TraceMetadata:
    """Convert one raw file into ``<name>.csv`` and ``<name>.json`` under ``out_dir``.

    Args:
        raw_dir: The ``traces-raw`` folder.
        out_dir: Existing output folder.
        spec: What to convert and how (see :mod:`traces.convert_specs`).
        sums: Output of :func:`read_checksums`.

    Returns:
        The metadata written.

    Raises:
        ConversionError: On a checksum mismatch, raw data the rules do not cover, or a
            written CSV that does not read back with the same rows.
    """
    converted = build_one(raw_dir, spec, sums)
    csv_path = out_dir / f"{spec.name}.csv"
    _write_csv(csv_path, converted)
    metadata = converted.metadata
    text = json.dumps(metadata.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    (out_dir / f"{spec.name}.json").write_text(text, encoding="utf-8")
    if load_trace(csv_path).single().n_samples != len(converted.utc):
        raise ConversionError("written CSV does not read back with the same row count", path=csv_path)
    return metadata


def _bullets(items: Sequence[str]) -> str:
    """Render a markdown bullet list."""
    return "\n".join(f"- {item}" for item in items)


def _section(m: TraceMetadata, spec: TraceSpec) -> str:
    """Render one trace's PROVENANCE.md section."""
    return (
        f"## {m.name}\n\n{m.description}\n\n"
        f"- Origin: `{m.source.repo}` @ `{m.source.commit}`, `{m.source.path}`\n"
        f"- Upstream: {m.source.upstream}\n"
        f"- Raw copy: `traces-raw/{m.source.raw_file}`, SHA-256 `{m.source.raw_sha256}`\n"
        f"- Licence: {m.licence}\n"
        f"- Attribution: {spec.attribution}\n"
        f"- Citation: {m.source.citation}\n"
        f"- Series: cluster_id `{m.cluster_id}`, signal `{m.signal}`, unit `{m.unit}`; "
        f"{m.n_rows} rows, {m.first_ts} to {m.last_ts}, nominal step {m.step_s} s\n"
        f"- Suite shape: `{spec.shape}`\n"
        f"- Default demand rule: `{json.dumps(m.model_dump(mode='json')['demand_rule'])}`\n\n"
        f"Changes made by the converter:\n\n{_bullets(m.changes)}\n\n"
        f"Caveats:\n\n{_bullets(m.caveats)}\n"
    )


def _specs_by_name() -> dict[str, TraceSpec]:
    """Every spec, bundled and local-only, by name."""
    return {s.name: s for s in (*SPECS, *LOCAL_SPECS)}


def render_provenance(metadata: Sequence[TraceMetadata]) -> str:
    """Render the bundle's PROVENANCE.md for the converted traces (deterministic text).

    Args:
        metadata: Metadata of the converted bundled traces, in the order to list them.

    Returns:
        The markdown text.
    """
    spec_by_name = _specs_by_name()
    parts = [
        "# Bundled traces: provenance\n",
        "Written by `python -m traces.convert --raw <traces-raw> --out traces/data`; do not "
        "edit by hand. Every raw file was checked against `traces-raw/SHA256SUMS` before "
        "conversion. Each trace is one canonical CSV (`ts,cluster_id,signal,unit,value`, UTC "
        "`Z` timestamps) plus `<name>.json` metadata. Only traces whose licence allows "
        "redistribution are shipped: NAB (MIT) and the Azure VM and Google cell aggregates "
        "(CC BY 4.0).\n",
        NOT_SHIPPED_NOTE + "\n",
    ]
    parts += [_section(m, spec_by_name[m.name]) for m in metadata]
    parts.append(f"## NAB clock: assumed zone and the DST rule\n\n{NAB_CLOCK_NOTE}\n")
    parts.append(f"## Licence texts\n\n### NAB (MIT)\n\n```\n{NAB_MIT_LICENCE}\n```\n")
    parts.append(
        "### Azure Public Dataset V2, Google ClusterData 2019 and DataCenter-Traces-Datasets "
        "(CC BY 4.0)\n\n"
        "Creative Commons Attribution 4.0 International, "
        "https://creativecommons.org/licenses/by/4.0/legalcode. The attribution and the "
        "list of changes for `azure-vm-cpu-2019` and `google-cell-cpu-2019` are given in their "
        "sections above.\n"
    )
    return "\n".join(parts)


def render_local_provenance(metadata: Sequence[TraceMetadata]) -> str:
    """Render the PROVENANCE.md written beside the local-only traces (deterministic text).

    Args:
        metadata: Metadata of the converted local-only traces, in the order to list them.

    Returns:
        The markdown text.
    """
    spec_by_name = _specs_by_name()
    parts = [
        "# Local-only traces: provenance\n",
        "Written by `python -m traces.convert --suite-dir <this folder>`; do not edit by hand. "
        "**No licence could be determined for these traces: use them locally, do not commit, "
        "publish or redistribute them.** Every raw file was checked against "
        "`traces-raw/SHA256SUMS` before conversion. Each trace is one canonical CSV plus "
        "`<name>.json` metadata (its demand rule is what `traces.load_folder` and "
        "`acuplan bench --traces-dir` use).\n",
    ]
    parts += [_section(m, spec_by_name[m.name]) for m in metadata]
    return "\n".join(parts)


def convert_all(raw_dir: Path, out_dir: Path) -> list[TraceMetadata]:
    """Convert every trace in :data:`traces.convert_specs.SPECS` and write PROVENANCE.md.

    Args:
        raw_dir: The ``traces-raw`` folder (with ``SHA256SUMS``).
        out_dir: Output folder (created if missing), normally ``traces/data``.

    Returns:
        The metadata of every converted trace, in spec order.

    Raises:
        ConversionError: If any raw file fails its checksum or the conversion rules.
    """
    sums = read_checksums(raw_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    metadata = [convert_one(raw_dir, out_dir, spec, sums) for spec in SPECS]
    (out_dir / "PROVENANCE.md").write_text(render_provenance(metadata), encoding="utf-8")
    return metadata


def _check_outside_package(suite_dir: Path) -> None:
    """Refuse a suite folder inside the ``traces`` package (it would ship unlicensed data)."""
    resolved = suite_dir.resolve()
    if resolved == _PACKAGE_DIR or _PACKAGE_DIR in resolved.parents:
        raise ConversionError(
            "the suite folder must be outside the traces package: the local-only traces have no "
            "stated licence and must not be shipped",
            path=suite_dir,
        )


def convert_local(raw_dir: Path, suite_dir: Path) -> list[TraceMetadata]:
    """Convert the local-only traces (:data:`~traces.convert_specs.LOCAL_SPECS`) into ``suite_dir``.

    Writes ``<name>.csv`` and ``<name>.json`` per trace (Bitbrains VMs at 300 s, the NASA
    request rate at 60 s) and a ``PROVENANCE.md`` saying they must not be redistributed.

    Args:
        raw_dir: The ``traces-raw`` folder (with ``SHA256SUMS``).
        suite_dir: Output folder (created if missing); must be outside the ``traces``
            package.

    Returns:
        The metadata of every converted trace, in spec order.

    Raises:
        ConversionError: If ``suite_dir`` is inside the package, or a raw file fails its
            checksum or the conversion rules.
    """
    _check_outside_package(suite_dir)
    sums = read_checksums(raw_dir)
    suite_dir.mkdir(parents=True, exist_ok=True)
    metadata = [convert_one(raw_dir, suite_dir, spec, sums) for spec in LOCAL_SPECS]
    (suite_dir / "PROVENANCE.md").write_text(render_local_provenance(metadata), encoding="utf-8")
    return metadata


def default_raw_dir() -> Path:
    """Return the raw-trace folder to use when none is given.

    Returns:
        ``$ACUPLAN_TRACES_RAW`` when set and non-empty, else
        :data:`~traces.convert_specs.DEFAULT_RAW_DIR` (``../shared/traces-raw``,
        relative to the working directory). It may not exist.
    """
    env = os.environ.get(RAW_DIR_ENV, "")
    return Path(env) if env else DEFAULT_RAW_DIR


def main(argv: Sequence[str] | None = None) -> int:
    """Run the converter from the command line.

    Args:
        argv: Arguments without the program name: ``[--raw DIR] --out DIR`` (the
            bundle) or ``--suite-dir DIR [--raw-dir DIR]`` (local-only traces;
            ``--raw`` and ``--raw-dir`` are the same option); None reads ``sys.argv``.

    Returns:
        Process exit code: 0 on success, 1 on a :class:`ConversionError` (one line
        ``error: ...`` on stderr); argparse exits with 2 on bad usage.
    """
    parser = argparse.ArgumentParser(prog="python -m traces.convert", description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--raw",
        "--raw-dir",
        dest="raw",
        type=Path,
        default=None,
        help=f"traces-raw folder (default: ${RAW_DIR_ENV}, else {DEFAULT_RAW_DIR})",
    )
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--out", type=Path, help="write the bundled traces here (traces/data)")
    target.add_argument(
        "--suite-dir", type=Path, help="write the local-only traces here (outside the package)"
    )
    args = parser.parse_args(argv)
    raw = args.raw if args.raw is not None else default_raw_dir()
    try:
        if args.out is not None:
            metadata = convert_all(raw, args.out)
        else:
            metadata = convert_local(raw, args.suite_dir)
    except ConversionError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    for m in metadata:
        sys.stdout.write(f"{m.name}: {m.n_rows} rows, {m.first_ts} .. {m.last_ts}, step {m.step_s} s\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
