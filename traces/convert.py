"""Convert raw public traces into the bundled canonical traces (``traces/data``).

Run from the repository root::

    python -m traces.convert --raw /work/shared/traces-raw --out traces/data

This module owns the reproducible raw-to-bundle conversion: it checks every raw file
against ``SHA256SUMS``, applies the documented timestamp rules (NAB: continuous
America/New_York standard-time clock with DST-clamped rows reconstructed, see
:mod:`traces.nab_clock`; Azure: relative offsets anchored at
:data:`traces.convert_specs.AZURE_EPOCH`), scales values, and writes per trace a
canonical ``<name>.csv`` and ``<name>.json`` plus one ``PROVENANCE.md``. Outputs are
byte-for-byte deterministic. Every written CSV is re-read with
:func:`traces.load_trace` before the converter reports success. It imports nothing
of ours outside ``traces``.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import math
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from traces.convert_specs import (
    AZURE_EPOCH,
    NAB_CLOCK_NOTE,
    NAB_MIT_LICENCE,
    NOT_SHIPPED_NOTE,
    SPECS,
    TraceSpec,
)
from traces.demand import parse_demand_rule
from traces.errors import ConversionError
from traces.loaders import format_ts, load_trace
from traces.metadata import TraceMetadata, TraceSource
from traces.nab_clock import NAB_STEP_S, NAB_ZONE, nab_naive_to_utc, reconstruct_naive
from traces.schema import COLUMNS, PERCENT_MAX

STEP_S = 300
"""Nominal step of every bundled trace, seconds (SOURCES.md: all are 5-minute)."""

_NAB_HEADER = ["timestamp", "value"]
_NAB_FORMAT = "%Y-%m-%d %H:%M:%S"


def read_checksums(raw_dir: Path) -> dict[str, str]:
    """Read ``SHA256SUMS`` into {path relative to ``raw_dir``: hex digest}.

    Args:
        raw_dir: The ``traces-raw`` folder; lines look like ``<sha256>  ./<path>``.

    Returns:
        Digest per relative path (the leading ``./`` removed).

    Raises:
        ConversionError: If the file is missing or a line is malformed.
    """
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


def _read_csv(path: Path, expected_header: Sequence[str] | None) -> list[dict[str, str]]:
    """Read a raw CSV into dict rows, checking the header when given."""
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if expected_header is not None and reader.fieldnames != list(expected_header):
            raise ConversionError(f"header {reader.fieldnames} != {list(expected_header)}", path=path, row=1)
        return list(reader)


def _nab_times(rows: list[dict[str, str]], path: Path) -> tuple[list[int], list[str]]:
    """Return UTC seconds and change notes for NAB rows (rules in traces.nab_clock)."""
    try:
        naive = [datetime.strptime(r["timestamp"], _NAB_FORMAT) for r in rows]
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
            f"{moved[0][0] + 2}-{moved[-1][0] + 2}, clamped by a DST-aware export step) to "
            f"{moved[0][2].time()} ... {moved[-1][2].time()} on the continuous clock, i.e. "
            f"{format_ts(utc[moved[0][0]])} ... {format_ts(utc[moved[-1][0]])}, by the DST rule."
        )
    return utc, notes


def _offset_times(rows: list[dict[str, str]], path: Path) -> tuple[list[int], list[str]]:
    """Return UTC seconds for rows with relative offsets anchored at AZURE_EPOCH."""
    try:
        offsets = [int(r["timestamp"]) for r in rows]
    except ValueError as exc:
        raise ConversionError(f"non-integer offset: {exc}", path=path) from None
    epoch = int(AZURE_EPOCH.timestamp())
    return [epoch + o for o in offsets], []


def _values(rows: list[dict[str, str]], spec: TraceSpec, path: Path) -> list[float]:
    """Return scaled values, checking they are finite, >= 0 and <= 100 for percent."""
    values = []
    for line, row in enumerate(rows, start=2):
        value = float(row[spec.value_column]) * spec.scale
        if not math.isfinite(value) or value < 0 or (spec.unit == "percent" and value > PERCENT_MAX):
            raise ConversionError(f"value {value!r} out of range", path=path, row=line)
        values.append(value)
    return values


def _gap_note(utc: Sequence[int]) -> str | None:
    """Describe steps longer than STEP_S (kept as gaps), or None."""
    gaps = [(a, b) for a, b in zip(utc, utc[1:], strict=False) if b - a != STEP_S]
    bad = [(a, b) for a, b in gaps if b - a < STEP_S or (b - a) % 60]
    if bad:
        raise ConversionError(f"irregular steps shorter than {STEP_S} s: {bad[:3]}")
    if not gaps:
        return None
    listed = "; ".join(f"{format_ts(a)} -> {format_ts(b)} ({(b - a) // 60} min)" for a, b in gaps)
    return f"Kept {len(gaps)} irregular step(s) as gaps (no rows added or interpolated): {listed}."


def _write_csv(path: Path, spec: TraceSpec, utc: Sequence[int], values: Sequence[float]) -> None:
    """Write the canonical long-format CSV (LF line ends, float repr values)."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        for seconds, value in zip(utc, values, strict=True):
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
        ConversionError: On a checksum mismatch or raw data the rules do not cover.
    """
    digest = verify_checksum(raw_dir, spec.raw_file, sums)
    path = raw_dir / spec.raw_file
    header = _NAB_HEADER if spec.reader == "nab" else None
    rows = _read_csv(path, header)
    utc, notes = (_nab_times if spec.reader == "nab" else _offset_times)(rows, path)
    values = _values(rows, spec, path)
    gap = _gap_note(utc)
    changes = (*notes, *spec.changes, *([gap] if gap else []))
    csv_path = out_dir / f"{spec.name}.csv"
    _write_csv(csv_path, spec, utc, values)
    metadata = TraceMetadata(
        name=spec.name,
        description=spec.description,
        kind=spec.kind,
        cluster_id=spec.cluster_id,
        signal=spec.signal,
        unit=spec.unit,
        step_s=STEP_S,
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
    text = json.dumps(metadata.model_dump(mode="json"), indent=2, ensure_ascii=False) + "\n"
    (out_dir / f"{spec.name}.json").write_text(text, encoding="utf-8")
    if load_trace(csv_path).single().n_samples != len(utc):
        raise ConversionError("written CSV does not read back with the same row count", path=csv_path)
    return metadata


def _bullets(items: Sequence[str]) -> str:
    """Render a markdown bullet list."""
    return "\n".join(f"- {item}" for item in items)


def render_provenance(metadata: Sequence[TraceMetadata]) -> str:
    """Render PROVENANCE.md for the converted traces (deterministic text).

    Args:
        metadata: Metadata of the converted traces, in the order to list them.

    Returns:
        The markdown text.
    """
    spec_by_name = {s.name: s for s in SPECS}
    parts = [
        "# Bundled traces: provenance\n",
        "Written by `python -m traces.convert --raw <traces-raw> --out traces/data`; do not "
        "edit by hand. Every raw file was checked against `traces-raw/SHA256SUMS` before "
        "conversion. Each trace is one canonical CSV (`ts,cluster_id,signal,unit,value`, UTC "
        "`Z` timestamps) plus `<name>.json` metadata. Only traces whose licence allows "
        "redistribution are shipped: NAB (MIT) and the Azure VM aggregate (CC BY 4.0).\n",
        NOT_SHIPPED_NOTE + "\n",
    ]
    for m in metadata:
        spec = spec_by_name[m.name]
        parts.append(
            f"## {m.name}\n\n{m.description}\n\n"
            f"- Origin: `{m.source.repo}` @ `{m.source.commit}`, `{m.source.path}`\n"
            f"- Upstream: {m.source.upstream}\n"
            f"- Raw copy: `traces-raw/{m.source.raw_file}`, SHA-256 `{m.source.raw_sha256}`\n"
            f"- Licence: {m.licence}\n"
            f"- Attribution: {spec.attribution}\n"
            f"- Citation: {m.source.citation}\n"
            f"- Series: cluster_id `{m.cluster_id}`, signal `{m.signal}`, unit `{m.unit}`; "
            f"{m.n_rows} rows, {m.first_ts} to {m.last_ts}, nominal step {m.step_s} s\n"
            f"- Default demand rule: `{json.dumps(m.model_dump(mode='json')['demand_rule'])}`\n\n"
            f"Changes made by the converter:\n\n{_bullets(m.changes)}\n\n"
            f"Caveats:\n\n{_bullets(m.caveats)}\n"
        )
    parts.append(f"## NAB clock: assumed zone and the DST rule\n\n{NAB_CLOCK_NOTE}\n")
    parts.append(f"## Licence texts\n\n### NAB (MIT)\n\n```\n{NAB_MIT_LICENCE}\n```\n")
    parts.append(
        "### Azure Public Dataset V2 and DataCenter-Traces-Datasets (CC BY 4.0)\n\n"
        "Creative Commons Attribution 4.0 International, "
        "https://creativecommons.org/licenses/by/4.0/legalcode. The attribution and the "
        "list of changes for `azure-vm-cpu-2019` are given in its section above.\n"
    )
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
    out_dir.mkdir(parents=True, exist_ok=True)
    sums = read_checksums(raw_dir)
    metadata = [convert_one(raw_dir, out_dir, spec, sums) for spec in SPECS]
    (out_dir / "PROVENANCE.md").write_text(render_provenance(metadata), encoding="utf-8")
    return metadata


def main(argv: Sequence[str] | None = None) -> int:
    """Run the converter from the command line.

    Args:
        argv: Arguments without the program name (``--raw DIR --out DIR``); None
            reads ``sys.argv``.

    Returns:
        Process exit code: 0 on success, 1 on a :class:`ConversionError` (message
        on stderr).
    """
    parser = argparse.ArgumentParser(prog="python -m traces.convert", description=__doc__)
    parser.add_argument("--raw", type=Path, required=True, help="traces-raw folder")
    parser.add_argument("--out", type=Path, required=True, help="output folder (traces/data)")
    args = parser.parse_args(argv)
    try:
        metadata = convert_all(args.raw, args.out)
    except ConversionError as exc:
        sys.stderr.write(f"error: {exc}\n")
        return 1
    for m in metadata:
        sys.stdout.write(f"{m.name}: {m.n_rows} rows, {m.first_ts} .. {m.last_ts}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
