"""Every metric input format, parsed in one place: bytes or JSON -> :class:`traces.uploads.Upload`.

Owns one parser per format; the library, the HTTP API and the CLI all call these (the
checks that follow are :func:`traces.uploads.check_upload`). Imports nothing of ours
outside ``traces``; ``pyarrow`` only inside :func:`parse_parquet`. No file system access:
callers pass the content.

=============  ======================================================================
format         layout
=============  ======================================================================
``csv``        the canonical long CSV ``ts,cluster_id,signal,unit,value`` with an
               optional ``statistic`` column; any number of signals
``aws-csv``    the AWS console / CLI exports: ``Timestamp,Value`` (one metric, named by
               ``signal``), ``Timestamp,Average`` (a column named after a statistic:
               the metric ``signal`` names, with that statistic), ``Label,Timestamp,Value``
               (a metric per label) and ``Timestamp,<label>,<label>...`` (a column per
               metric)
``cloudwatch`` GetMetricData responses as the CLI or boto3 return them: one page, a list
               of pages, or ``{"pages": [...]}``; several query Ids; per Id the signal
               comes from ``queries`` (Id -> signal, unit, statistic), else the Label
               (``CPUUtilization`` or ``CPUUtilization Maximum``), and the statistic from
               an Id suffix (``cpu_max``, ``_avg``, ``_sum``, ``_min``, ``_p99``)
``prometheus`` a range query's response (``resultType: matrix``); each series is a
               signal named by ``signals`` (by ``__name__``), else its ``__name__``
``parquet``    the canonical long columns (``ts``, ``signal``, ``value``, optional
               ``cluster_id``, ``unit``, ``statistic``) or wide (``ts`` and a column per
               signal); ``ts`` a timestamp, ISO 8601 text or epoch seconds
=============  ======================================================================

Timestamps: ISO 8601 with an offset or epoch seconds (fractions floored; values from
:data:`traces.timetext.EPOCH_MS_FROM` on are refused as milliseconds). A timestamp without an offset is
read in ``tz`` (an IANA zone) when one is given, else it is a bad row. Local-time rule:
a wall-clock time the zone skips (the spring-forward hour) is a bad row; a repeated one
(the fall-back hour) is its first occurrence the first time a signal has it and its second
occurrence the next time, and the report counts them. Units default by signal name
(``CPUUtilization`` percent, ``FreeableMemory`` bytes, ...; :data:`traces.signals.KNOWN_SIGNALS`).

CloudWatch status per Id: ``PartialData`` on the last page that holds the Id, a
``NextToken`` on the last page, ``InternalError`` or ``Forbidden`` on any page each become a
source flag naming the signal and the Id (earlier pages of a paginated query always say
``PartialData``, so only the last counts); what data came is still used.
"""

from __future__ import annotations

import csv
import difflib
import io
import math
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from traces.csvtext import CsvTextError, csv_records
from traces.jsontext import JsonTextError, load_json
from traces.numtext import parse_number
from traces.schema import UNITS
from traces.signals import KNOWN_SIGNAL_NAMES, KNOWN_SIGNALS, default_unit, known_signal_name
from traces.timetext import epoch_seconds, parse_iso, text_problem
from traces.uploads import STATISTICS, Problem, RawSignal, Upload, check_statistic

FORMATS: Final[tuple[str, ...]] = ("csv", "aws-csv", "cloudwatch", "prometheus", "parquet")
"""Format names (``--format`` and the HTTP routes)."""

CANONICAL: Final[tuple[str, ...]] = ("ts", "cluster_id", "signal", "unit", "value")

CSV_LAYOUTS: Final[str] = (
    f"{','.join(CANONICAL)!r} (optionally ',statistic'), 'Timestamp,Value', 'Label,Timestamp,Value' or "
    "'Timestamp,<metric>,...'"
)
"""The CSV headers :func:`parse_csv` reads, as its messages list them."""

_ID_SUFFIX: Final[dict[str, str]] = {
    "max": "Maximum",
    "maximum": "Maximum",
    "avg": "Average",
    "average": "Average",
    "mean": "Average",
    "min": "Minimum",
    "minimum": "Minimum",
    "sum": "Sum",
    "samplecount": "SampleCount",
    "count": "SampleCount",
}

SignalSpec = Mapping[str, Any]
"""Per-series settings: ``{"signal": name, "unit": unit, "statistic": statistic}`` (all optional)."""


_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]*)?")


class _Clock:
    """Parses timestamps for one upload: UTC offsets, epoch seconds, naive times in ``tz``."""

    def __init__(self, tz: str | None, upload: Upload) -> None:
        self.zone = ZoneInfo(tz) if tz else None
        self.tz = tz
        self.upload = upload
        self.seen: set[tuple[str, datetime]] = set()
        self.repeated = 0

    def parse(self, value: Any, key: str) -> int | str:
        """Return epoch seconds or the reason the value is not a timestamp."""
        if isinstance(value, bool):
            return f"{value!r} is not a timestamp"
        if isinstance(value, int | float):
            return epoch_seconds(value)
        if isinstance(value, datetime):
            parsed = value
        elif isinstance(value, str):
            text = value.strip()
            problem = text_problem(text)
            if problem is not None:
                return f"{value!r} {problem}: not an ISO 8601 timestamp"
            if _NUMBER.fullmatch(text):
                return epoch_seconds(float(text) if "." in text else int(text))
            try:
                parsed = parse_iso(text.replace(" ", "T", 1).replace("Z", "+00:00"))
            except ValueError:
                return f"{value!r} is not an ISO 8601 timestamp or epoch seconds"
        else:
            return f"{value!r} is not a timestamp"
        if parsed.tzinfo is None or parsed.utcoffset() is None:
            return self._local(parsed, key, value)
        return math.floor(parsed.timestamp())

    def _local(self, naive: datetime, key: str, raw: Any) -> int | str:
        if self.zone is None:
            return (
                f"{raw!r} has no UTC offset; give one, or the time zone the export is in with "
                "--input-timezone (e.g. --input-timezone Europe/Berlin; HTTP: POST "
                "/v1/clusters/{cluster_id}/metrics/upload?timezone=)"
            )
        self.upload.n_local_times += 1  # the zone is used: ``tz`` changes something
        aware = naive.replace(tzinfo=self.zone)
        back = aware.astimezone(UTC).astimezone(self.zone).replace(tzinfo=None)
        if back != naive:
            return f"{raw!r} does not exist in {self.tz} (the clocks jumped forward over it)"
        if aware.replace(fold=0).utcoffset() != aware.replace(fold=1).utcoffset():
            fold = 1 if (key, naive) in self.seen else 0
            self.seen.add((key, naive))
            self.repeated += 1
            aware = aware.replace(fold=fold)
        return math.floor(aware.timestamp())

    def finish(self) -> None:
        if self.repeated:
            self.upload.notes.append(
                f"{self.repeated} timestamps fell in a repeated local hour of {self.tz} (the clocks went "
                "back): each signal's first one is read as the first occurrence, a second one as the second"
            )


def _float(value: Any, *, strict: bool) -> float | str:
    """A JSON number (``strict``) or numeric text (:func:`traces.numtext.parse_number`) -> float.

    Returns the reason as text when the value is neither.
    """
    if isinstance(value, bool) or (strict and not isinstance(value, int | float)):
        return f"{value!r} is not a number (a JSON number is expected)"
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if not text:
        return "value is blank"
    try:
        return parse_number(text)
    except ValueError as exc:
        return str(exc)


def _label(text: str) -> tuple[str, str]:
    """``CPUUtilization Maximum`` -> (``CPUUtilization``, ``Maximum``); no statistic -> unknown."""
    words = text.split()
    if len(words) > 1 and check_statistic(words[-1]) is not None:
        return " ".join(words[:-1]), str(check_statistic(words[-1]))
    return text.strip(), "unknown"


def _spec_of(spec: SignalSpec | None, key: str, name: str, statistic: str) -> tuple[str, str, str | None]:
    """Apply a per-series spec: (signal name, statistic, unit or None)."""
    spec = spec or {}
    name = str(spec.get("signal") or name)
    stat = spec.get("statistic")
    statistic = (check_statistic(str(stat)) or statistic) if stat else statistic
    unit = spec.get("unit")
    return name, statistic, (str(unit) if unit else default_unit(name))


def statistic_problem(label: str) -> str | None:
    """Why a label's last word is not a statistic, when the words before it name a known metric.

    ``CPUUtilization Bogus`` names ``CPUUtilization`` then a statistic CloudWatch does not
    have; ``CPUUtilization Maximum``, ``CPUUtilization`` and a metric whose unit is unknown
    (another metric, its unit given elsewhere) are no such problem. The CLI checks
    ``--signal`` with it before reading a file, so the option is named, not the file.

    Args:
        label: e.g. ``--signal``'s value or a CloudWatch Label.

    Returns:
        E.g. ``'Bogus' is not a statistic (one of Maximum, Average, Minimum, Sum,
        SampleCount, or a percentile such as p99)``; None when there is no such problem.
    """
    head, _, last = label.strip().rpartition(" ")
    if not head or known_signal_name(head) is None or check_statistic(last) is not None:
        return None
    stats = ", ".join(s for s in STATISTICS if s != "unknown")
    return f"{last!r} is not a statistic (one of {stats}, or a percentile such as p99)"


def _unknown_signal(name: str, where_unit: str = "") -> str:
    """Why a signal without a unit cannot be read: its name is not one whose unit is known.

    A label whose last word is almost a statistic (``CPUUtilization Maxximum``) is named as
    that; an unknown name lists the known ones (:data:`traces.signals.KNOWN_SIGNAL_NAMES`),
    with the closest as a guess, and says that another metric needs its unit.

    Args:
        name: the signal name as read (a label, a column, ``--signal``).
        where_unit: where a unit for another metric goes, e.g. `` in the unit column`` or
            ``: give queries.cpu.unit``; empty for no place.

    Returns:
        One sentence, e.g. ``signal 'CPUUtilisation' is unknown (did you mean
        'CPUUtilization'?); known signals: CPUUtilization, ...; another metric needs its
        unit (one of acu, percent, ...)``.
    """
    if (why := statistic_problem(name)) is not None:  # the metric is known: the statistic is not
        return why.replace(" is not a statistic", f" in {name.strip()!r} is not a statistic", 1)
    close = difflib.get_close_matches(name.lower(), list(KNOWN_SIGNALS), n=1, cutoff=0.8)
    guess = f" (did you mean {known_signal_name(close[0])!r}?)" if close else ""
    return (
        f"signal {name!r} is unknown{guess}; known signals: {', '.join(KNOWN_SIGNAL_NAMES)}; "
        f"another metric needs its unit{where_unit} (one of {', '.join(UNITS)})"
    )


def _unit_problem(unit: str | None, name: str, where_unit: str = "") -> str | None:
    if unit is None:
        return _unknown_signal(name, where_unit)
    if unit not in UNITS:
        return f"{unit!r} is not a known unit (expected one of {', '.join(UNITS)})"
    return None


# -- CSV -------------------------------------------------------------------------------


def _rows_canonical(
    upload: Upload,
    rows: Iterable[tuple[str, Mapping[str, Any]]],
    clock: _Clock,
    *,
    strict: bool = False,
    cluster_id: str | None = None,
    select_cluster: str | None = None,
) -> None:
    """Long rows (ts, cluster_id, signal, unit, value[, statistic]) -> signals.

    ``cluster_id`` makes a row of another cluster a problem; ``select_cluster`` skips it
    unread (neither counted nor checked).
    """
    for where, row in rows:
        other = row.get("cluster_id")
        if select_cluster is not None and other is not None and str(other).strip():
            if str(other) != select_cluster:  # another cluster's row (a blank one is a problem below)
                continue
        upload.n_rows += 1
        bad = False
        for col in ("cluster_id", "signal"):
            if col in row and (row[col] is None or not str(row[col]).strip()):
                upload.problems.append(Problem(where, col, f"{col} is blank"))
                bad = True
        if cluster_id is not None and not bad and row.get("cluster_id") not in (None, cluster_id):
            upload.problems.append(
                Problem(
                    where,
                    "cluster_id",
                    f"{row['cluster_id']!r} is not the cluster {cluster_id!r} uploaded to",
                )
            )
            bad = True
        name = str(row.get("signal") or "")
        unit = row.get("unit")
        unit = str(unit) if unit not in (None, "") else default_unit(name)
        why = _unit_problem(unit, name, " in the unit column") if name else None
        if why:
            upload.problems.append(Problem(where, "unit", why))
            bad = True
        stat_text = row.get("statistic")
        statistic = "unknown"
        if stat_text not in (None, ""):
            statistic = check_statistic(str(stat_text)) or ""
            if not statistic:
                upload.problems.append(Problem(where, "statistic", f"{stat_text!r} is not a statistic"))
                bad = True
        ts = clock.parse(row.get("ts"), name)
        if isinstance(ts, str):
            upload.problems.append(Problem(where, "ts", ts))
            bad = True
        value = _float(row.get("value"), strict=strict)
        if isinstance(value, str):
            upload.problems.append(Problem(where, "value", value))
            bad = True
        if bad or isinstance(ts, str) or isinstance(value, str) or unit is None:
            continue
        if row.get("cluster_id"):
            upload.cluster_ids.add(str(row["cluster_id"]))
        sig = upload.signal(name, unit, statistic, upload.name)
        if sig.unit != unit:
            upload.problems.append(
                Problem(where, "unit", f"unit {unit!r} differs from {sig.unit!r} used before for {sig.label}")
            )
            continue
        upload.add(sig, ts, value, where)


def _rows_wide(
    upload: Upload,
    header: list[str],
    rows: Iterable[tuple[str, list[Any]]],
    clock: _Clock,
    *,
    specs: Mapping[str, SignalSpec] | None,
    signal: str | None,
) -> None:
    """``Timestamp,<label>...`` rows -> a signal per column.

    A ``Value`` column is the metric ``signal`` names (its statistic too, e.g.
    ``CPUUtilization Maximum``); a column named after a statistic (``Average``, as
    ``aws cloudwatch get-metric-statistics`` and the console name it,
    :func:`statistic_column`) is the metric ``signal`` names with that statistic. Either
    without ``signal`` is one problem at the column, asking for ``--signal NAME``.
    """
    cols: list[RawSignal | None] = []
    for col in header[1:]:
        stat_col = statistic_column(col)
        bare = col.strip().lower() == "value" or stat_col is not None
        base = signal if bare and signal else col
        name, statistic = _label(base)
        clash = stat_col is not None and signal and statistic not in ("unknown", stat_col)
        statistic = stat_col if stat_col is not None and signal else statistic
        name, statistic, unit = _spec_of((specs or {}).get(col), col, name, statistic)
        why = _unit_problem(unit, name)
        if why and bare and not signal:  # an AWS console export names no metric: ask for it
            layout, said, example = ("Value", "", "'CPUUtilization Maximum'")
            if stat_col is not None:
                said = f" (its {col.strip()!r} column is the statistic)"
                layout, example = col.strip(), "ServerlessDatabaseCapacity"
            why = (
                f"a Timestamp,{layout} export does not say which metric it holds{said}: name it with "
                f"--signal NAME (e.g. --signal {example}; HTTP: POST "
                "/v1/clusters/{cluster_id}/metrics/upload?signal=)"
            )
        elif clash:
            said = _label(str(signal))[1]
            why = (
                f"the column holds the {stat_col} but --signal {signal!r} names the {said}: "
                f"give --signal {name!r} (the column says the statistic)"
            )
        if why or unit is None:
            upload.problems.append(Problem(f"{upload.name} row 1", col, why or ""))
            cols.append(None)
            continue
        cols.append(upload.signal(name, unit, statistic, upload.name))
    for where, row in rows:
        upload.n_rows += 1
        if len(row) != len(header):
            upload.problems.append(Problem(where, None, f"row has {len(row)} fields, expected {len(header)}"))
            continue
        ts = clock.parse(row[0], "")
        if isinstance(ts, str):
            upload.problems.append(Problem(where, header[0], ts))
            continue
        for col, sig, cell in zip(header[1:], cols, row[1:], strict=True):
            if sig is None or cell is None or (isinstance(cell, str) and not cell.strip()):
                continue  # an empty cell: no sample of that metric then
            value = _float(cell, strict=False)
            if isinstance(value, str):
                upload.problems.append(Problem(where, col, value))
                continue
            upload.add(sig, ts, value, where, field=col, ts_field=header[0])


def _rows_labelled(upload: Upload, rows: Iterable[tuple[str, list[str]]], clock: _Clock, specs: Any) -> None:
    """``Label,Timestamp,Value`` rows -> a signal per label."""
    for where, row in rows:
        upload.n_rows += 1
        if len(row) != 3:
            upload.problems.append(Problem(where, None, f"row has {len(row)} fields, expected 3"))
            continue
        label, ts_text, value_text = row
        name, statistic, unit = _spec_of((specs or {}).get(label), label, *_label(label))
        why = _unit_problem(unit, name)
        ts = clock.parse(ts_text, name)
        value = _float(value_text, strict=False)
        for fld, reason in (("Label", why), ("Timestamp", ts), ("Value", value)):
            if isinstance(reason, str):
                upload.problems.append(Problem(where, fld, reason))
        if why or unit is None or isinstance(ts, str) or isinstance(value, str):
            continue
        sig = upload.signal(name, unit, statistic, upload.name)
        upload.add(sig, ts, value, where, field="Value", ts_field="Timestamp")


def statistic_column(column: str) -> str | None:
    """The CloudWatch statistic a wide CSV's value column is named after, or None.

    ``aws cloudwatch get-metric-statistics`` (as text or table) and the console's CSV name
    the value column after the statistic asked for (``Timestamp,Average``), not the metric,
    so such a column is read as the metric ``--signal`` names (:func:`reads_signal`).

    Args:
        column: a header cell, e.g. ``Average``, `` maximum``, ``p99``.

    Returns:
        The statistic's CloudWatch name (``Average``, ``Maximum``, ``Minimum``, ``Sum``,
        ``SampleCount``, ``pNN``; :func:`traces.uploads.check_statistic`), or None for any
        other column.
    """
    statistic = check_statistic(column.strip())
    return None if statistic in (None, "unknown") else statistic


def _layout(low: list[str]) -> str | None:
    """A CSV header's layout (its cells stripped, lower case): canonical, labelled, wide or None."""
    if low[:5] == list(CANONICAL) and low[5:] in ([], ["statistic"]):
        return "canonical"
    if low == ["label", "timestamp", "value"]:
        return "labelled"
    if len(low) >= 2 and low[0] in ("timestamp", "time"):
        return "wide"
    return None


_SEPARATORS: Final[dict[str, str]] = {";": "semicolons", "\t": "tabs", "|": "pipes"}
"""Field separators other than the comma that a spreadsheet's export may use."""


def _separator_hint(header: list[str]) -> str:
    """`` (its fields are separated by semicolons: ...)`` when the header is a known layout so split."""
    line = ",".join(header)
    for sep, what in _SEPARATORS.items():
        if sep in line and _layout([h.strip().lower() for h in line.split(sep)]) is not None:
            return f" (its fields are separated by {what}: save it comma-separated)"
    return ""


def _nul_field(header: list[str], row: list[str]) -> tuple[str | None, str] | None:
    """(column, reason) for the first field of a CSV row that holds a NUL byte, or None."""
    for i, field in enumerate(row):
        if "\0" in field:
            column = header[i].strip() if i < len(header) else None
            return column, (
                f"the row holds a NUL byte (character {field.index(chr(0))} of {field!r}): a binary or "
                "UTF-16 file? save it as UTF-8 text"
            )
    return None


def reads_signal(data: bytes, name: str, format: str | None = None) -> bool:
    """Whether :func:`parse_any` names a metric by its ``signal`` argument in this content.

    Only an AWS CSV export with a bare ``Value`` column (``Timestamp,Value``) or a column
    named after a statistic (``Timestamp,Average``, :func:`statistic_column`) takes its
    metric from ``signal``; every other layout and format names its own signals, and
    ignores it.

    Args:
        data: the content, or its first bytes (the header line is enough).
        name: its name (a ``.parquet`` suffix is sniffed).
        format: one of :data:`FORMATS`, or None to sniff.

    Returns:
        True for a CSV whose header is ``Timestamp`` (or ``Time``) then columns of which
        one is ``Value`` or a statistic.
    """
    if (format or sniff(data, name)) not in ("csv", "aws-csv"):
        return False
    text = data.decode("utf-8-sig", errors="replace").removeprefix("\ufeff")
    try:
        header = next(csv.reader(io.StringIO(text.split("\n", 1)[0])), [])
    except csv.Error:  # parse_any says why
        return False
    low = [h.strip().lower() for h in header]
    return _layout(low) == "wide" and any(h == "value" or statistic_column(h) for h in low[1:])


def parse_csv(
    text: str,
    *,
    name: str = "upload.csv",
    tz: str | None = None,
    signal: str | None = None,
    specs: Mapping[str, SignalSpec] | None = None,
    cluster_id: str | None = None,
    select_cluster: str | None = None,
) -> Upload:
    """Parse a CSV in any accepted layout (the module docstring), sniffed by its header.

    Args:
        text: the CSV text (a UTF-8 BOM is ignored).
        name: its name in messages.
        tz: IANA zone for timestamps without an offset.
        signal: the metric a ``Timestamp,Value`` export holds (e.g. ``CPUUtilization
            Maximum``); default ``Value`` (then its unit is needed in ``specs``); of a
            ``Timestamp,Average`` export, the metric the column's statistic is of.
        specs: per label or column: signal, unit, statistic.
        cluster_id: the only ``cluster_id`` canonical rows may name (None: any).
        select_cluster: read only the canonical rows of this ``cluster_id`` (one cluster
            out of an export of several); the other clusters' rows are skipped, not problems.

    Returns:
        The upload: signals and every bad row (as :class:`~traces.uploads.Problem`
        naming ``<name> row <line>`` and the column). Text the CSV reader cannot go on
        with ends the reading at the record it starts on, one problem without a column
        (:func:`traces.csvtext.csv_records`): ``unterminated quote: ...`` for a quoted field
        not closed on its own line, ``not readable as CSV: ...`` for the rest.
    """
    clock = _Clock(tz, Upload(name=name, format="csv"))
    upload = clock.upload
    records = csv_records(io.StringIO(text.removeprefix("\ufeff"), newline=""))

    def unreadable(exc: CsvTextError) -> None:  # an unterminated quote, a field too long: the rest is unread
        upload.problems.append(Problem(f"{name} row {exc.line}", None, exc.reason))

    try:
        first = next(records, None)
    except CsvTextError as exc:
        unreadable(exc)
        return upload
    if first is None:
        upload.problems.append(
            Problem(name, None, f"file is empty: expected a CSV header, one of {CSV_LAYOUTS}")
        )
        return upload
    header = first[1]
    low = [h.strip().lower() for h in header]

    def lines() -> Iterable[tuple[str, list[str]]]:
        try:
            for line, row in records:
                nul = _nul_field(header, row)
                if nul is not None:  # a row of a binary or UTF-16 file: no field of it is read
                    upload.n_rows += 1
                    upload.problems.append(Problem(f"{name} row {line}", *nul))
                elif row:
                    yield f"{name} row {line}", row
        except CsvTextError as exc:
            unreadable(exc)

    layout = _layout(low)
    if layout == "canonical":
        keys = low

        def dict_rows() -> Iterable[tuple[str, Mapping[str, Any]]]:
            for where, row in lines():
                if len(row) != len(keys):
                    upload.n_rows += 1
                    upload.problems.append(
                        Problem(where, None, f"row has {len(row)} fields, expected {len(keys)}")
                    )
                    continue
                yield where, dict(zip(keys, row, strict=True))

        _rows_canonical(upload, dict_rows(), clock, cluster_id=cluster_id, select_cluster=select_cluster)
    elif layout == "labelled":
        upload.format = "aws-csv"
        _rows_labelled(upload, lines(), clock, specs)
    elif layout == "wide":
        upload.format = "aws-csv"
        _rows_wide(upload, [h.strip() for h in header], lines(), clock, specs=specs, signal=signal)
    else:
        upload.problems.append(
            Problem(
                f"{name} row 1",
                None,
                f"header {','.join(header)!r} is not a known layout{_separator_hint(header)}: expected "
                f"{CSV_LAYOUTS}",
            )
        )
    clock.finish()
    return upload


# -- CloudWatch ------------------------------------------------------------------------


def _id_statistic(query_id: str) -> str:
    tail = query_id.rsplit("_", 1)[-1].lower() if "_" in query_id else ""
    if tail in _ID_SUFFIX:
        return _ID_SUFFIX[tail]
    return check_statistic(tail) or "unknown" if tail.startswith("p") else "unknown"


def parse_cloudwatch(
    data: Any,
    *,
    name: str = "cloudwatch.json",
    queries: Mapping[str, SignalSpec] | None = None,
    tz: str | None = None,
    loc: tuple[str | int, ...] = ("pages",),
    unit: str | None = None,
) -> Upload:
    """Parse GetMetricData responses with any number of query Ids (module docstring).

    Args:
        data: one page (``{"MetricDataResults": ...}``), a list of pages, or
            ``{"pages": [...]}``; parsed JSON.
        name: the upload's name in messages.
        queries: query Id -> signal, unit, statistic (override the Label and Id rules).
        tz: IANA zone for timestamps without an offset.
        loc: the JSON path of the page list (for HTTP errors).
        unit: the unit of an Id that neither ``queries`` nor a known Label gives one.

    Returns:
        The upload; problems located at ``pages.<i>.MetricDataResults.<j>...``.
    """
    upload = Upload(name=name, format="cloudwatch")
    default_unit_for_all = unit
    clock = _Clock(tz, upload)
    if isinstance(data, Mapping) and "pages" in data:
        pages = data["pages"]
    elif isinstance(data, Mapping):
        pages = [data]
    else:
        pages = data
    if not isinstance(pages, list) or not pages:
        upload.problems.append(
            Problem(".".join(map(str, loc)), None, "expected one or more GetMetricData pages", loc)
        )
        return upload
    last_seen: dict[str, int] = {}
    statuses: dict[str, list[tuple[int, str]]] = {}
    sigs: dict[str, RawSignal] = {}
    next_token = False
    for i, page in enumerate(pages):
        ploc = (*loc, i)
        results = page.get("MetricDataResults") if isinstance(page, Mapping) else None
        if not isinstance(results, list):
            upload.problems.append(
                Problem(_path(ploc), "MetricDataResults", "a page needs a MetricDataResults list", ploc)
            )
            continue
        if i == len(pages) - 1 and page.get("NextToken"):
            next_token = True
        ids = [str(r.get("Id") or "") for r in results if isinstance(r, Mapping)]
        for qid in sorted({x for x in ids if ids.count(x) > 1}):
            # The AWS CLI's auto-pagination (botocore's GetMetricData paginator) concatenates
            # every page's MetricDataResults into one list: each repeat is a later page, in order.
            upload.notes.append(
                f"{_path(ploc)}: query Id {qid!r} appears {ids.count(qid)} times, read as the AWS CLI's "
                "merged pages in order (the last one decides completeness)"
            )
        for j, result in enumerate(results):
            rloc = (*ploc, "MetricDataResults", j)
            if not isinstance(result, Mapping):
                upload.problems.append(Problem(_path(rloc), None, "a result must be an object", rloc))
                continue
            qid = str(result.get("Id") or f"m{j}")
            label = str(result.get("Label") or qid)
            lname, lstat = _label(label)
            stat = lstat if lstat != "unknown" else _id_statistic(qid)
            sname, statistic, unit = _spec_of((queries or {}).get(qid), qid, lname, stat)
            unit = unit or default_unit_for_all
            status = str(result.get("StatusCode") or "Complete")
            statuses.setdefault(qid, []).append((i, status))
            last_seen[qid] = i
            why = _unit_problem(unit, sname, f": give queries.{qid}.unit")
            if why or unit is None:
                hint = "" if unit is None else f"; give queries.{qid}.unit"  # a bad unit: where it goes
                upload.problems.append(
                    Problem(_path(rloc), "Id", f"query Id {qid!r} ({label}): {why}{hint}", rloc)
                )
                continue
            sig = sigs.get(qid) or upload.signal(sname, unit, statistic, f"query Id {qid}")
            sigs[qid] = sig
            stamps, values = result.get("Timestamps", []), result.get("Values", [])
            if not isinstance(stamps, list) or not isinstance(values, list) or len(stamps) != len(values):
                n_v = len(values) if isinstance(values, list) else "no"
                n_t = len(stamps) if isinstance(stamps, list) else "no"
                upload.problems.append(
                    Problem(_path(rloc), "Values", f"{n_v} values for {n_t} timestamps", (*rloc, "Values"))
                )
                continue
            for k, (ts_raw, v_raw) in enumerate(zip(stamps, values, strict=True)):
                upload.n_rows += 1
                ts = clock.parse(ts_raw, qid)
                if isinstance(ts, str):
                    upload.problems.append(
                        Problem(
                            _path(rloc), f"Timestamps.{k}", f"bad timestamp: {ts}", (*rloc, "Timestamps", k)
                        )
                    )
                    continue
                value = _float(v_raw, strict=True)
                if isinstance(value, str):
                    upload.problems.append(Problem(_path(rloc), f"Values.{k}", value, (*rloc, "Values", k)))
                    continue
                before = len(upload.problems)
                upload.add(
                    sig,
                    ts,
                    value,
                    f"{_path(rloc)}.Values.{k}",
                    field=f"Values.{k}",
                    ts_field=f"Timestamps.{k}",
                    loc=(*rloc, "Values", k),
                    page=i,
                )
                if len(upload.problems) > before:  # locate a limit breach at the sample
                    p = upload.problems[-1]
                    where_field = "Timestamps" if p.field == f"Timestamps.{k}" else "Values"
                    upload.problems[-1] = Problem(
                        _path(rloc), f"{where_field}.{k}", p.reason, (*rloc, where_field, k)
                    )
    for qid, seen in statuses.items():
        found = sigs.get(qid)
        label = f"{found.name} (query Id {qid})" if found else f"query Id {qid}"
        failed = sorted({s for _, s in seen if s in ("InternalError", "Forbidden")})
        last_status = [s for p, s in seen if p == last_seen[qid]][-1]
        flags = [f"{label}: CloudWatch answered {s}" for s in failed]
        if last_status == "PartialData" and not failed:
            flags.append(
                f"{label}: CloudWatch answered PartialData; some data for the period was not available yet"
            )
        if next_token and last_seen[qid] == len(pages) - 1:
            flags.append(f"{label}: the last page has a NextToken; more data was not fetched")
        if found is not None:
            found.flags.extend(flags)
        else:
            upload.notes.extend(flags)
    clock.finish()
    return upload


def _path(loc: tuple[str | int, ...]) -> str:
    return ".".join(str(x) for x in loc)


# -- Prometheus ------------------------------------------------------------------------


def _series_shape(series: Any) -> str | None:
    """Why a Prometheus matrix series is not ``{"metric": {labels}, "values": [[t, v], ...]}``, or None."""
    if not isinstance(series, Mapping):
        return "a series must be an object with metric (labels) and values (a list of [time, value])"
    if not isinstance(series.get("metric") or {}, Mapping):
        return "metric must be an object of labels"
    if not isinstance(series.get("values") or [], list):
        return "values must be a list of [time, value]"
    return None


def parse_prometheus(
    data: Any,
    *,
    name: str = "prometheus.json",
    signals: Mapping[str, SignalSpec] | None = None,
    loc: tuple[str | int, ...] = ("response",),
) -> Upload:
    """Parse a Prometheus range query's response (``/api/v1/query_range``, a matrix).

    Values are strings as Prometheus sends them; ``NaN`` (no value) is skipped and
    counted, ``+Inf`` is a bad sample. Each series is a signal: ``signals`` by its
    ``__name__`` (signal, unit, statistic), else its ``__name__`` with the default unit.

    Args:
        data: the parsed JSON (``{"status": "success", "data": {"resultType": "matrix",
            "result": [...]}}``).
        name: the upload's name in messages.
        signals: ``__name__`` (or ``series<i>`` for a series without one) -> spec.
        loc: the JSON path of the response (for HTTP errors).

    Returns:
        The upload; problems located at ``data.result.<i>.values.<k>``.
    """
    upload = Upload(name=name, format="prometheus")
    body = data.get("data") if isinstance(data, Mapping) else None
    if (
        not isinstance(data, Mapping)
        or data.get("status", "success") != "success"
        or not isinstance(body, Mapping)
    ):
        why = (
            data.get("error", "not a success response") if isinstance(data, Mapping) else "not a JSON object"
        )
        upload.problems.append(Problem(_path(loc), "status", f"Prometheus response: {why}", (*loc, "status")))
        return upload
    if body.get("resultType") != "matrix":
        upload.problems.append(
            Problem(
                _path((*loc, "data")),
                "resultType",
                f"resultType {body.get('resultType')!r}: a range query (matrix) is expected",
                (*loc, "data", "resultType"),
            )
        )
        return upload
    skipped = 0
    result = body.get("result") or []
    if not isinstance(result, list):
        rloc = (*loc, "data", "result")
        upload.problems.append(Problem(_path(rloc), None, "a matrix result must be a list of series", rloc))
        return upload
    for i, series in enumerate(result):
        sloc = (*loc, "data", "result", i)
        shape = _series_shape(series)
        if shape is not None:
            upload.problems.append(Problem(_path(sloc), None, shape, sloc))
            continue
        metric, values = series.get("metric") or {}, series.get("values") or []
        key = str(metric.get("__name__") or f"series{i}")
        sname, statistic, unit = _spec_of((signals or {}).get(key), key, *_label(key))
        why = _unit_problem(unit, sname, f": give signals.{key}.unit")
        if why or unit is None:
            hint = "" if unit is None else f"; give signals.{key}.unit"  # a bad unit: where it goes
            upload.problems.append(Problem(_path(sloc), "metric", f"{why}{hint}", (*sloc, "metric")))
            continue
        sig = upload.signal(sname, unit, statistic, f"series {key}")
        for k, pair in enumerate(values):
            upload.n_rows += 1
            vloc = (*sloc, "values", k)
            if not isinstance(pair, list) or len(pair) != 2:
                upload.problems.append(Problem(_path(sloc), f"values.{k}", "expected [time, value]", vloc))
                continue
            ts, value = pair
            if isinstance(value, str) and value.strip().lower() == "nan":
                skipped += 1
                continue
            t = epoch_seconds(ts) if isinstance(ts, int | float) and not isinstance(ts, bool) else None
            v = _float(value, strict=False)
            if not isinstance(t, int):
                why = t if isinstance(t, str) else f"{ts!r} is not epoch seconds"
                upload.problems.append(Problem(_path(sloc), f"values.{k}", why, vloc))
                continue
            if isinstance(v, str):
                upload.problems.append(Problem(_path(sloc), f"values.{k}", v, vloc))
                continue
            upload.add(
                sig, t, v, f"{_path(sloc)}.values.{k}", field=f"values.{k}", ts_field=f"values.{k}", loc=vloc
            )
    if skipped:
        upload.notes.append(f"{skipped} NaN samples (Prometheus: no value) were skipped as missing")
    return upload


# -- Parquet ---------------------------------------------------------------------------


def parse_parquet(
    data: bytes,
    *,
    name: str = "upload.parquet",
    tz: str | None = None,
    specs: Mapping[str, SignalSpec] | None = None,
    cluster_id: str | None = None,
    select_cluster: str | None = None,
) -> Upload:
    """Parse a Parquet file: canonical long columns, or ``ts`` and a column per signal.

    Args:
        data: the file's bytes.
        name: its name in messages (rows are ``<name> row <k>``, 1-based data rows).
        tz: IANA zone for timestamps without an offset (a naive Parquet timestamp too).
        specs: per wide column: signal, unit, statistic.
        cluster_id: the only ``cluster_id`` long rows may name (None: any).
        select_cluster: read only the long rows of this ``cluster_id``; the others are skipped.

    Returns:
        The upload.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    upload = Upload(name=name, format="parquet")
    try:
        table = pq.read_table(io.BytesIO(data))
    except (pa.ArrowException, OSError, ValueError) as exc:
        upload.problems.append(Problem(name, None, f"not a readable Parquet file ({exc})"))
        return upload
    reserved = {"ts", "timestamp", "signal", "value", "cluster_id", "unit", "statistic"}
    cols = [c.lower() if c.lower() in reserved else c for c in table.column_names]
    table = table.rename_columns(cols)
    clock = _Clock(tz, upload)
    if "ts" not in cols and "timestamp" in cols:
        table = table.rename_columns(["ts" if c == "timestamp" else c for c in cols])
        cols = table.column_names
    if "ts" not in cols:
        upload.problems.append(Problem(name, "ts", f"no 'ts' column (columns: {', '.join(cols)})"))
        return upload
    ts_type = table.schema.field("ts").type
    if pa.types.is_timestamp(ts_type) and ts_type.tz is None and tz is None:
        upload.problems.append(Problem(name, "ts", "the ts column has no time zone; give the zone it is in"))
        return upload
    pydata = table.to_pylist()

    def norm(row: dict[str, Any]) -> dict[str, Any]:
        ts = row.get("ts")
        if isinstance(ts, datetime) and ts.tzinfo is None and clock.zone is not None:
            row["ts"] = ts.replace(tzinfo=None)
        return row

    if {"signal", "value"} <= set(cols):
        rows = ((f"{name} row {k + 1}", norm(r)) for k, r in enumerate(pydata))
        _rows_canonical(
            upload, rows, clock, strict=False, cluster_id=cluster_id, select_cluster=select_cluster
        )
    else:
        header = ["ts", *[c for c in cols if c != "ts"]]
        wide = ((f"{name} row {k + 1}", [norm(r)[c] for c in header]) for k, r in enumerate(pydata))
        _rows_wide(upload, header, wide, clock, specs=specs, signal=None)
    clock.finish()
    return upload


# -- any -------------------------------------------------------------------------------


def sniff(data: bytes, name: str) -> str:
    """Guess an upload's format from its name and first bytes (``PAR1``, JSON keys, else CSV)."""
    if data[:4] == b"PAR1" or name.lower().endswith(".parquet"):
        return "parquet"
    head = data[:4096].lstrip()
    if head[:1] in (b"{", b"["):
        return "prometheus" if b'"resultType"' in data[:65536] else "cloudwatch"
    return "csv"


def parse_any(
    data: bytes,
    *,
    name: str,
    format: str | None = None,
    tz: str | None = None,
    signal: str | None = None,
    specs: Mapping[str, SignalSpec] | None = None,
    cluster_id: str | None = None,
    select_cluster: str | None = None,
) -> Upload:
    """Parse bytes in any format (sniffed unless ``format`` is given).

    ``csv`` and ``aws-csv`` are told apart by the CSV's header; a ``format`` given as one
    of them that the header shows is the other is a problem (at ``loc`` ``("format",)``),
    never read as the other silently.

    Args:
        data: the content.
        name: its name in messages (a file name).
        format: one of :data:`FORMATS`, or None to sniff.
        tz: IANA zone for timestamps without an offset.
        signal: the metric of a ``Timestamp,Value`` (or ``Timestamp,Average``) CSV.
        specs: per query Id, series name or column: signal, unit, statistic.
        cluster_id: the only ``cluster_id`` canonical rows may name (None: any).
        select_cluster: read only the canonical rows of this ``cluster_id``; the other
            clusters' rows are skipped (formats without the column have no cluster).

    Returns:
        The upload (problems included; the file not being UTF-8 or JSON is one, a CSV
        layout other than the ``format`` given another).
    """
    fmt = format or sniff(data, name)
    if fmt == "parquet":
        return parse_parquet(
            data, name=name, tz=tz, specs=specs, cluster_id=cluster_id, select_cluster=select_cluster
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        upload = Upload(name=name, format=fmt)
        upload.problems.append(Problem(name, None, f"not UTF-8 text (byte {exc.start}: {exc.reason})"))
        return upload
    if fmt in ("cloudwatch", "prometheus"):
        try:
            parsed = load_json(text)
        except JsonTextError as exc:
            upload = Upload(name=name, format=fmt)
            upload.problems.append(Problem(name, None, exc.reason))
            return upload
        if fmt == "prometheus":
            return parse_prometheus(parsed, name=name, signals=specs)
        return parse_cloudwatch(parsed, name=name, queries=specs, tz=tz)
    upload = parse_csv(
        text,
        name=name,
        tz=tz,
        signal=signal,
        specs=specs,
        cluster_id=cluster_id,
        select_cluster=select_cluster,
    )
    if format in ("csv", "aws-csv") and upload.format != format and (upload.n_rows or upload.signals):
        layout = (
            "the canonical CSV (ts,cluster_id,signal,unit,value)"
            if upload.format == "csv"
            else "an AWS CSV export"
        )
        upload.problems.insert(
            0,
            Problem(
                name,
                None,
                f"format {format!r} was given, but the content is {layout}, format {upload.format!r}: "
                f"give format {upload.format!r}, or no format to detect it",
                loc=("format",),
            ),
        )
    return upload


NOT_ZONES: frozenset[str] = frozenset({"localtime", "posixrules", "Factory"})
"""Files of the tz database directory that ``zoneinfo`` opens but that name no zone: the
machine's own zone (a Debian symlink), the POSIX default rules and a placeholder; with
the ``posix/`` and ``right/`` copies, EventBridge Scheduler and the rest of the world do
not know them (IANA tz database, ``tzfile(5)``). Kept equal to ``policy.types.NOT_ZONES``: the import
contracts let neither package import the other."""


def check_zone(tz: str | None) -> str | None:
    """Return ``tz`` if it is a known IANA zone (or None), else raise ValueError naming it."""
    if tz is None:
        return None
    try:
        if tz in NOT_ZONES or tz.startswith(("posix/", "right/")):
            raise ValueError(tz)
        ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown IANA time zone {tz!r} (e.g. Europe/Berlin, America/New_York)") from None
    return tz
