"""Ingest checks that report everything at once: an upload's rows -> signals + a report (pure).

Owns :class:`Problem`, :class:`RawSignal`, :class:`Upload` (what a parser of
:mod:`traces.formats` returns), :func:`check_upload`, :class:`IngestReport` and
:class:`UploadError`. Imports nothing of ours outside ``traces``; never reads the clock
(the caller passes ``now_s``).

Rules (every one reported, none stops at the first problem):

* **Bad rows**: every row that does not parse or breaks a limit is a :class:`Problem`
  (where, field, reason); the first :data:`MAX_LISTED` are listed and the rest counted.
  Limits: timestamps at or after 1970-01-01 (:data:`EARLIEST_S`); values finite and
  >= 0; percent at most 100; ACU (and memory in ACU) at most :data:`MAX_DEMAND_ACU`.
* **Duplicates**: the same signal, statistic and timestamp twice with the same value is
  an exact duplicate, dropped and counted; with different values it is a conflict,
  rejected with its timestamp and both places (CloudWatch pages: the later page wins,
  counted as replaced: a still-open period is re-sent with its newer value).
* **Future**: a timestamp after ``now_s`` is rejected and listed.
* **Step**: each signal's step is inferred (:mod:`traces.resolution`): its finest
  resolution, off-grid samples counted, holes named as intervals, mixed resolutions
  (CloudWatch ages 1-minute data into 5-minute and hourly data) listed with their time
  ranges; a coarse sample covers its whole period (:mod:`traces.signals`). A signal
  sampled at irregular intervals (an agent pushing every 50-70 s) is said to be, with its
  spacings and the step it is read on (its median spacing on a common step).
* **Offset grids**: a signal whose samples sit at another remainder of the step than
  0 (two exports of 5-minute data started at :00 and at :02:30) is aligned, not rejected:
  each sample counts in every step it overlaps (a max, so it is conservative); the
  report says so.

Any bad row, conflict or future timestamp rejects the whole upload (:class:`UploadError`
carries the full report), so a caller stores nothing of it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, ClassVar, Final

import numpy as np

from traces.errors import TraceFormatError
from traces.numtext import exact_number
from traces.resolution import holes, offset_of, periods, sampling, snap_jitter
from traces.signals import GIB, GIB_PER_ACU, SignalInput

MAX_LISTED: Final[int] = 20
"""Problems, holes or timestamps named in a report; the rest are counted."""

EARLIEST_S: Final[int] = 0
"""Earliest accepted sample time, epoch seconds (1970-01-01T00:00:00Z)."""

MAX_DEMAND_ACU: Final[float] = 1e6
"""Largest accepted demand sample, ACU (also for memory, in ACU at 2 GiB per ACU).

The library's limit (``policy.engine.MAX_DEMAND_ACU``): the largest Aurora cluster holds 16
instances x 256 ACU = 4,096 ACU (sources: aurora-capacity, aurora-ha), so a sample above
10^6 ACU is a unit error, refused rather than planned for."""

FRACTION_CHECK_SAMPLES: Final[int] = 12
"""A percent signal this long that never exceeds 1 % gets a "fractions?" warning (an hour at 5 min)."""

MAX_INSTANCE_ACU: Final[float] = 256.0
"""Largest MaxCapacity of an Aurora Serverless v2 instance, ACU (Aurora User Guide, "Aurora
Serverless v2 capacity": 256 ACU on recent engine versions, 128 on older ones)."""

STATISTICS: Final[tuple[str, ...]] = ("Maximum", "Average", "Minimum", "Sum", "SampleCount", "unknown")
"""Statistic names accepted besides percentiles ``p0``-``p100`` (CloudWatch's names)."""

Loc = tuple[str | int, ...]

_FILE_PAGES: Final[int] = 1_000_000
"""Page numbers of merged files are ``file index * _FILE_PAGES + page``: pages replace within a file only."""


def iso(seconds: int) -> str:
    """Format epoch seconds as ISO 8601 UTC with ``Z`` (also past year 9999)."""
    return f"{np.datetime64(int(seconds), 's')}Z"


def check_statistic(text: str) -> str | None:
    """Return the canonical statistic name for ``text`` (case-insensitive), or None."""
    for name in STATISTICS:
        if text.lower() == name.lower():
            return name
    low = text.lower()
    if low.startswith("p"):
        try:
            q = float(low[1:])
        except ValueError:
            return None
        return f"p{low[1:]}" if 0 <= q <= 100 else None
    return None


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an upload.

    Attributes:
        where: the place, e.g. ``upload.csv row 17`` or ``pages.0.MetricDataResults.1``.
        field: the column or key, e.g. ``value``, ``ts``, ``Values.3``.
        reason: what is wrong.
        loc: where an HTTP error puts it (``("body",)`` for a CSV row; the JSON path for JSON).
    """

    where: str
    field: str | None
    reason: str
    loc: Loc = ("body",)

    @property
    def message(self) -> str:
        """``<where>, field '<field>': <reason>`` on one line."""
        place = f"{self.where}, field {self.field!r}" if self.field else self.where
        return f"{place}: {self.reason}" if place else self.reason


@dataclass
class RawSignal:
    """One signal's samples as a parser read them, before the checks.

    Attributes:
        name: signal name.
        unit: unit.
        statistic: see :data:`STATISTICS` (or ``pNN``).
        source: where it came from, for messages (``upload.csv``, ``query Id cpu``).
        ts_s: sample times, epoch seconds, in input order.
        values: values, same length.
        where: each sample's place (``row 7``), same length.
        fields: each sample's time and value fields as the input names them (``("ts",
            "value")``, ``("Timestamp", "Value")``), same length: a conflict or a future
            timestamp names the column the user wrote.
        page: each sample's page (CloudWatch), same length; later pages win conflicts.
        flags: problems the source reported for it (partial or failed queries).
    """

    name: str
    unit: str
    statistic: str = "unknown"
    source: str = ""
    ts_s: list[int] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    where: list[str] = field(default_factory=list)
    fields: list[tuple[str, str]] = field(default_factory=list)
    page: list[int] = field(default_factory=list)
    flags: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """``CPUUtilization (Maximum, query Id cpu)``."""
        parts = [p for p in (None if self.statistic == "unknown" else self.statistic, self.source) if p]
        return f"{self.name} ({', '.join(parts)})" if parts else self.name


@dataclass
class Upload:
    """What a parser read: signals, bad rows, source flags.

    Attributes:
        name: the upload's name in messages (``upload.csv``).
        format: ``csv``, ``aws-csv``, ``cloudwatch``, ``prometheus`` or ``parquet``.
        signals: by (name, statistic), in first-seen order.
        problems: bad rows and bad fields found while parsing.
        n_rows: data rows or samples read.
        cluster_ids: the ``cluster_id`` values seen (canonical layouts).
        notes: how the parser read the input (e.g. repeated local times).
        n_local_times: timestamps without a UTC offset read in the given zone (``tz``); 0 when
            every one carries its offset (or is epoch seconds): the zone then changes nothing.
    """

    name: str
    format: str
    signals: dict[tuple[str, str], RawSignal] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    n_rows: int = 0
    cluster_ids: set[str] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)
    n_local_times: int = 0

    def signal(self, name: str, unit: str, statistic: str, source: str) -> RawSignal:
        """Return the signal for (name, statistic), creating it (unit and source of the first)."""
        key = (name, statistic)
        if key not in self.signals:
            self.signals[key] = RawSignal(name=name, unit=unit, statistic=statistic, source=source)
        return self.signals[key]

    def add(
        self,
        signal: RawSignal,
        ts_s: int,
        value: float,
        where: str,
        *,
        field: str = "value",
        ts_field: str = "ts",
        loc: Loc = ("body",),
        page: int = 0,
    ) -> None:
        """Check one sample against the limits and keep it, or record why not.

        ``field`` and ``ts_field`` are the value's and the time's fields as the input names
        them (a CSV's columns as written), for every message about the sample.
        """
        reason = sample_problem(ts_s, value, signal.unit, signal.name)
        if reason is not None:
            self.problems.append(
                Problem(where, ts_field if reason.startswith("timestamp") else field, reason, loc)
            )
            return
        signal.ts_s.append(ts_s)
        signal.values.append(value)
        signal.where.append(where)
        signal.fields.append((ts_field, field))
        signal.page.append(page)


def sample_problem(ts_s: int, value: float, unit: str, name: str = "") -> str | None:
    """Return why a sample breaks the limits every format shares, or None.

    Args:
        ts_s: sample time, epoch seconds.
        value: the value in ``unit``.
        unit: the signal's unit.
        name: the signal's name: ``ServerlessDatabaseCapacity`` above
            :data:`MAX_INSTANCE_ACU` is impossible (the metric is an instance's capacity, or
            at cluster level the average over instances).

    Returns:
        The reason, or None for a good sample.
    """
    if ts_s < EARLIEST_S:
        return f"timestamp {iso(ts_s)} is before 1970-01-01T00:00:00Z; timestamps must be at or after it"
    if unit == "acu" and not (math.isfinite(value) and 0.0 <= value <= MAX_DEMAND_ACU):
        limit = exact_number(MAX_DEMAND_ACU)
        return f"demand {exact_number(value)} ACU must be finite, >= 0 and <= {limit} ACU"
    if not math.isfinite(value):
        return f"{value!r} is not finite"
    if value < 0:
        return f"{value:.15g} is negative"
    if unit == "percent" and value > 100.0:
        return f"{value:.15g} percent is outside 0-100"  # all digits: 100.0000001 is not "100"
    if name == "ServerlessDatabaseCapacity" and value > MAX_INSTANCE_ACU:
        return (
            f"ServerlessDatabaseCapacity {value:g} ACU is above {MAX_INSTANCE_ACU:g} ACU, the most an Aurora "
            "Serverless v2 instance can have: a corrupt sample, or not this metric"
        )
    if unit == "bytes" and value > MAX_DEMAND_ACU * GIB_PER_ACU * GIB:
        return f"{exact_number(value)} bytes is more than {exact_number(MAX_DEMAND_ACU)} ACU of memory"
    return None


@dataclass(frozen=True)
class SignalReport:
    """What one signal looked like.

    Attributes:
        signal: name. unit: unit. statistic: statistic. source: where it came from.
        n_points: samples kept. first_ts, last_ts: first and last sample (ISO 8601).
        step_s: inferred step (finest resolution), seconds, or None for one sample.
        irregular: sampled at irregular intervals (:func:`traces.resolution.sampling`):
            ``step_s`` is the median spacing on a common step, and no resolutions.
        resolutions: ``"<s> s from <ts> to <ts>"`` per run when there are several.
        offset_s: the grid offset against ``step_s`` (0: on the grid).
        n_off_grid: samples off the signal's own grid.
        holes: the first :data:`MAX_LISTED` intervals without a sample (``start/end``).
        n_holes: all of them.
        n_duplicates: exact duplicates dropped.
        n_replaced: samples a later CloudWatch page replaced.
        flags: problems the source reported.
    """

    signal: str
    unit: str
    statistic: str
    source: str
    n_points: int
    first_ts: str | None
    last_ts: str | None
    step_s: int | None
    irregular: bool = False
    resolutions: tuple[str, ...] = ()
    offset_s: int = 0
    n_off_grid: int = 0
    holes: tuple[str, ...] = ()
    n_holes: int = 0
    n_duplicates: int = 0
    n_replaced: int = 0
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class IngestReport:
    """Everything the checks found in one upload.

    Attributes:
        name: the upload's name. format: its format. n_rows: rows or samples read.
        n_points: samples kept (after duplicates).
        signals: one report per signal.
        problems: the first :data:`MAX_LISTED` problems (bad rows, conflicts, future).
        n_more_problems: how many more there were.
        future: the first future timestamps (ISO 8601). n_future: all of them.
        n_duplicates: exact duplicates dropped (all signals).
        warnings: how the data was read (mixed resolutions, offset grids, notes).
        source_flags: partial or failed queries, one sentence each, naming signal and Id.
        cluster_ids: the ``cluster_id`` values the rows named (canonical layouts).
        n_local_times: timestamps without a UTC offset read in the given zone (0: the zone
            changed nothing).
    """

    name: str
    format: str
    n_rows: int
    n_points: int
    signals: tuple[SignalReport, ...]
    problems: tuple[Problem, ...] = ()
    n_more_problems: int = 0
    future: tuple[str, ...] = ()
    n_future: int = 0
    n_duplicates: int = 0
    warnings: tuple[str, ...] = ()
    source_flags: tuple[str, ...] = ()
    cluster_ids: tuple[str, ...] = ()
    n_local_times: int = 0

    @property
    def ok(self) -> bool:
        """True when nothing rejects the upload."""
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data (problems as ``{where, field, reason}``)."""
        return {
            "name": self.name,
            "format": self.format,
            "n_rows": self.n_rows,
            "n_points": self.n_points,
            "n_duplicates": self.n_duplicates,
            "signals": [
                vars(s) | {"resolutions": list(s.resolutions), "holes": list(s.holes)} for s in self.signals
            ],
            "problems": [{"where": p.where, "field": p.field, "reason": p.reason} for p in self.problems],
            "n_more_problems": self.n_more_problems,
            "future": list(self.future),
            "n_future": self.n_future,
            "warnings": list(self.warnings),
            "source_flags": list(self.source_flags),
        }


class UploadError(TraceFormatError):
    """An upload is rejected: every problem found is in ``report`` (nothing may be stored).

    Attributes:
        report: the full report.
        problems: the listed problems (at most :data:`MAX_LISTED`).
        field: the first problem's field.
        code: ``invalid_upload``.
    """

    code: ClassVar[str] = "invalid_upload"

    def __init__(self, report: IngestReport) -> None:
        self.report = report
        self.problems = report.problems
        first = report.problems[0]
        more = len(report.problems) - 1 + report.n_more_problems
        tail = f" (and {more} more problem{'s' * (more != 1)})" if more else ""
        super().__init__(f"{first.reason}{tail}", field=first.field)
        self.where = first.where

    def _message(self) -> str:
        first = self.report.problems[0] if hasattr(self, "report") else None
        if first is None:
            return super()._message()
        more = len(self.report.problems) - 1 + self.report.n_more_problems
        tail = f" (and {more} more problem{'s' * (more != 1)}: {self._others()})" if more else ""
        return f"{first.message}{tail}"

    def _others(self) -> str:
        """The next problems after the first, each without the first one's hint (said once).

        A reason's hint is what follows its first ``"; "`` (e.g. ``give one, or the time zone
        the export is in with --input-timezone ...`` after ``'...' has no UTC offset``); a
        later problem ending with the same hint is shown without it.
        """
        first = self.report.problems[0]
        hint = first.reason.partition("; ")[2]
        shown = [
            replace(p, reason=p.reason.removesuffix(f"; {hint}")).message if hint else p.message
            for p in self.report.problems[1:4]
        ]
        rest = len(self.report.problems) - 1 - len(shown) + self.report.n_more_problems
        return "; ".join(shown) + (f"; {rest} more" if rest > 0 else "")


@dataclass
class _Checked:
    signal: SignalInput
    report: SignalReport


def _dedupe(raw: RawSignal, problems: list[Problem]) -> tuple[list[int], list[float], int, int]:
    """Sort, drop exact duplicates, resolve page conflicts, record the other conflicts."""
    order = sorted(range(len(raw.ts_s)), key=lambda i: (raw.ts_s[i], raw.page[i]))
    ts: list[int] = []
    vals: list[float] = []
    idx: list[int] = []
    n_dup = n_replaced = 0
    for i in order:
        t, v = raw.ts_s[i], raw.values[i]
        if ts and ts[-1] == t:
            j = idx[-1]
            if vals[-1] == v:
                n_dup += 1
            elif raw.page[i] != raw.page[j] and raw.page[i] // _FILE_PAGES == raw.page[j] // _FILE_PAGES:
                vals[-1], idx[-1] = v, i  # a later CloudWatch page re-sent the period
                n_replaced += 1
            else:
                problems.append(
                    Problem(
                        raw.where[i],
                        raw.fields[i][1],
                        f"{raw.label} has {vals[-1]:g} and {v:g} at {iso(t)} (also at {raw.where[j]}): "
                        "conflicting duplicate",
                    )
                )
            continue
        ts.append(t)
        vals.append(v)
        idx.append(i)
    return ts, vals, n_dup, n_replaced


def _check_signal(raw: RawSignal, problems: list[Problem], step_s: int | None) -> tuple[_Checked, list[str]]:
    ts, vals, n_dup, n_replaced = _dedupe(raw, problems)
    arr, jitter_step, jitter_s = snap_jitter(np.asarray(ts, dtype=np.int64))
    ts = arr.tolist()
    how = sampling(arr)
    found = list(how.runs)
    step = how.step_s
    warnings: list[str] = []
    if raw.unit == "percent" and len(vals) >= FRACTION_CHECK_SAMPLES and 0.0 < max(vals) <= 1.0:
        warnings.append(
            f"{raw.label}: never above {max(vals):g} percent over {len(vals)} samples; if the export holds "
            "fractions (0-1), multiply by 100 (read as given)"
        )
    if jitter_s:
        warnings.append(
            f"{raw.label}: sample times jitter by up to {jitter_s} s around a {jitter_step}-s grid; each "
            "sample was moved to its grid time"
        )
    if how.irregular and how.median_s is not None:
        low, high = how.spread_s
        warnings.append(
            f"{raw.label}: sampled at irregular intervals (90% of the spacings {low:.0f}-{high:.0f} s, "
            f"median {how.median_s:g} s; {how.regular_share:.0%} in runs of equal spacings or on one grid), "
            f"so no resolution is inferred: read on a {step}-s step, each sample covering {step} s from its "
            "time (the step's max, so it is conservative); steps no sample reaches are missing"
        )
    resolutions: list[str] = []
    if len({r.resolution_s for r in found}) > 1:
        resolutions = [f"{r.resolution_s} s from {iso(arr[r.first])} to {iso(arr[r.last])}" for r in found]
        warnings.append(
            f"{raw.label}: mixed resolutions ({', '.join(resolutions)}); each sample covers its own "
            "period, so coarse samples fill every step of their period"
        )
    grid = step_s or step
    offset, off = offset_of(arr, grid) if grid else (0, 0)
    if how.irregular and grid:  # no grid of its own: no offset, every sample off the step's grid
        offset, off = 0, int(np.count_nonzero(arr % grid))
    if grid and offset:
        warnings.append(
            f"{raw.label}: samples sit {offset} s past the {grid}-s grid; aligned by the stated rule: each "
            "sample counts in every step it overlaps (the step's max, so it is conservative)"
        )
    per = periods(arr, default_s=step or (step_s or 1), found=found)
    gaps = holes(arr, per, grid_s=step if how.irregular else None) if arr.size else []
    report = SignalReport(
        signal=raw.name,
        unit=raw.unit,
        statistic=raw.statistic,
        source=raw.source,
        n_points=len(ts),
        first_ts=iso(ts[0]) if ts else None,
        last_ts=iso(ts[-1]) if ts else None,
        step_s=step,
        irregular=how.irregular,
        resolutions=tuple(resolutions),
        offset_s=offset,
        n_off_grid=off,
        holes=tuple(f"{iso(a)}/{iso(b)}" for a, b in gaps[:MAX_LISTED]),
        n_holes=len(gaps),
        n_duplicates=n_dup,
        n_replaced=n_replaced,
        flags=tuple(raw.flags),
    )
    signal = SignalInput(
        name=raw.name,
        unit=raw.unit,
        statistic=raw.statistic,
        ts_s=arr,
        value=np.asarray(vals, dtype=np.float64),
        source=raw.source,
    )
    return _Checked(signal, report), warnings


def check_upload(
    upload: Upload, *, now_s: int | None = None, step_s: int | None = None
) -> tuple[list[SignalInput], IngestReport]:
    """Run every check of the module docstring on a parsed upload.

    Args:
        upload: what a parser of :mod:`traces.formats` returned.
        now_s: the time of the upload, epoch seconds; later timestamps are rejected
            (None: not checked).
        step_s: the grid step the data goes on, seconds (offsets are against it); None:
            each signal's inferred step.

    Returns:
        The signals (sorted, duplicates dropped) and the report.

    Raises:
        UploadError: bad rows, conflicting duplicates, future timestamps, or no sample at
            all; ``report`` lists them (the first :data:`MAX_LISTED`, the rest counted).
    """
    problems = list(upload.problems)
    future: list[int] = []
    if now_s is not None:
        for raw in upload.signals.values():
            keep = [i for i, t in enumerate(raw.ts_s) if t <= now_s]
            for i in range(len(raw.ts_s)):
                if raw.ts_s[i] > now_s:
                    future.append(raw.ts_s[i])
                    problems.append(
                        Problem(
                            raw.where[i],
                            raw.fields[i][0],
                            f"{iso(raw.ts_s[i])} is in the future (after now, {iso(now_s)})",
                        )
                    )
            for name in ("ts_s", "values", "where", "fields", "page"):
                col = getattr(raw, name)
                setattr(raw, name, [col[i] for i in keep])
    checked: list[_Checked] = []
    warnings = list(upload.notes)
    for raw in upload.signals.values():
        if not raw.ts_s:
            continue
        c, w = _check_signal(raw, problems, step_s)
        checked.append(c)
        warnings += w
    flags = [f for raw in upload.signals.values() for f in raw.flags]
    if not checked and not problems and not flags:
        problems.append(Problem(upload.name, None, "the upload holds no sample"))
    report = IngestReport(
        name=upload.name,
        format=upload.format,
        n_rows=upload.n_rows,
        n_points=sum(c.report.n_points for c in checked),
        signals=tuple(c.report for c in checked),
        problems=tuple(problems[:MAX_LISTED]),
        n_more_problems=max(len(problems) - MAX_LISTED, 0),
        future=tuple(iso(t) for t in sorted(future)[:MAX_LISTED]),
        n_future=len(future),
        n_duplicates=sum(c.report.n_duplicates for c in checked),
        warnings=tuple(warnings),
        source_flags=tuple(flags),
        cluster_ids=tuple(sorted(upload.cluster_ids)),
        n_local_times=upload.n_local_times,
    )
    if problems:
        raise UploadError(report)
    return [c.signal for c in checked], report


def merge_uploads(uploads: Sequence[Upload]) -> Upload:
    """Join several parsed files into one upload (a signal in two files is one signal).

    Conflicts between files are conflicts (rejected); a signal exported twice on offset
    grids becomes one signal whose samples each cover their period (module docstring).
    """
    if len(uploads) == 1:
        return uploads[0]
    out = Upload(
        name=", ".join(u.name for u in uploads), format=",".join(dict.fromkeys(u.format for u in uploads))
    )
    for k, u in enumerate(uploads):
        out.problems += u.problems
        out.n_rows += u.n_rows
        out.cluster_ids |= u.cluster_ids
        out.notes += u.notes
        out.n_local_times += u.n_local_times
        for raw in u.signals.values():
            sig = out.signal(raw.name, raw.unit, raw.statistic, raw.source)
            if sig.unit != raw.unit:
                out.problems.append(
                    Problem(
                        u.name,
                        "unit",
                        f"{raw.label} is in {raw.unit!r} here but {sig.unit!r} in another file",
                    )
                )
                continue
            sig.ts_s += raw.ts_s
            sig.values += raw.values
            sig.where += raw.where
            sig.fields += raw.fields
            sig.page += [k * _FILE_PAGES + p for p in raw.page]
            sig.flags += raw.flags
    return out


def merge_reports(reports: Sequence[IngestReport]) -> IngestReport:
    """Join the reports of several uploads (several files) into one."""
    first = reports[0]
    return IngestReport(
        name=", ".join(r.name for r in reports),
        format=",".join(dict.fromkeys(r.format for r in reports)),
        n_rows=sum(r.n_rows for r in reports),
        n_points=sum(r.n_points for r in reports),
        signals=tuple(s for r in reports for s in r.signals),
        problems=tuple(p for r in reports for p in r.problems)[:MAX_LISTED],
        n_more_problems=sum(r.n_more_problems for r in reports),
        future=tuple(f for r in reports for f in r.future)[:MAX_LISTED],
        n_future=sum(r.n_future for r in reports),
        n_duplicates=sum(r.n_duplicates for r in reports),
        warnings=tuple(w for r in reports for w in r.warnings),
        source_flags=tuple(f for r in reports for f in r.source_flags)
        if len(reports) > 1
        else first.source_flags,
        n_local_times=sum(r.n_local_times for r in reports),
    )


def utc(seconds: int) -> datetime:
    """Epoch seconds -> aware UTC datetime."""
    return datetime.fromtimestamp(seconds, tz=UTC)
