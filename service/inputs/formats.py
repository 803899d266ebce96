"""Metric uploads in every format, all turned into ``(ts_s, demand_acu)`` samples on the cluster's grid.

Owns :func:`points_from_wire` and :func:`off_grid_warnings` (JSON points), :func:`above_max_warnings`
(every upload: demand samples above the registered MaxCapacity are stored, and named),
:func:`check_capacity_signals` (a capacity signal above it is refused, as the CLI does), the
CloudWatch upload body (:class:`CloudWatchUpload`, documented models only: its pages are parsed by
``traces.formats.parse_cloudwatch``) and :func:`demand_points`, the one path every
file-like upload takes: a ``traces.formats`` parser (canonical CSV with several signals,
AWS console/CLI CSV, CloudWatch GetMetricData with several query Ids, Prometheus range
query, Parquet) -> ``traces.check_upload`` (every bad row, duplicate, conflict and future
timestamp at once; any of them rejects the whole upload, so nothing is stored) ->
``traces.combine_signals`` with the registered cluster's MaxCapacity (percent and
``FreeableMemory`` signals are read against it) on the cluster's step: the max over the
signals per step is what is stored. Source flags (``PartialData``, ``InternalError``,
``NextToken`` per query Id) make the upload ``PartialData`` with a warning each.

Every format obeys the same sample limits as the JSON points: demand 0 to
:data:`MAX_DEMAND_ACU` ACU (after conversion) and timestamps at or after
1970-01-01T00:00:00Z. Imports ``traces`` public names and ``service`` modules.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Final, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from policy import InvalidRequestError
from policy.advice.checks import CAPACITY_TOLERANCE, check_capacity_within_max
from service.http.schemas.recommendations import HistoryPoint, RequestModel, request_error
from service.inputs.history import EARLIEST_S, epoch_s, iso_s
from service.inputs.signals import capacity_on_grid
from traces import DemandMappingError, SignalInput, SignalRules, UploadError, check_upload, combine_signals
from traces.numtext import exact_number
from traces.uploads import MAX_DEMAND_ACU as UPLOAD_MAX_DEMAND_ACU
from traces.uploads import MAX_LISTED, Upload

MAX_NAMED_ABOVE_MAX: Final[int] = 3
"""Samples above MaxCapacity a warning names one by one (then how many more)."""

MAX_CLOUDWATCH_PAGES: Final[int] = 100
"""Most GetMetricData pages per upload (CloudWatch returns up to 100,800 points per page)."""

MAX_DEMAND_ACU: Final[float] = UPLOAD_MAX_DEMAND_ACU
"""Largest accepted demand sample, ACU (the JSON points' ``demand_acu`` limit): 10^6 ACU, far
above the largest Aurora cluster's 4,096 ACU, so larger is a unit error
(``traces.uploads.MAX_DEMAND_ACU``, ``policy.engine.MAX_DEMAND_ACU``)."""

CSV_NAME: Final[str] = "upload.csv"
"""The name an uploaded CSV has in error messages."""

UPLOAD_NAME: Final[str] = "upload"
"""The name a raw upload (``/metrics/upload``) has in error messages."""


EMPTY_BODY: Final[str] = (
    "the body is empty: send the metric export itself, e.g. a CSV with the header "
    "ts,cluster_id,signal,unit,value and a row per sample, or an AWS console/CLI export "
    "(Timestamp,Value or Label,Timestamp,Value)"
)
"""The 422 message (at ``body``) of a metric upload with an empty body."""


def check_not_empty(content: str | bytes) -> None:
    """Refuse an empty (or whitespace-only) upload body with :data:`EMPTY_BODY`.

    Raises:
        fastapi.exceptions.RequestValidationError: at ``body``.
    """
    if not content.strip():
        raise request_error([(("body",), EMPTY_BODY)])


def sample_problem(ts_s: int, demand_acu: float) -> str | None:
    """Return why a stored-to-be sample breaks the limits every format shares, or None.

    Args:
        ts_s: sample time, epoch seconds.
        demand_acu: demand, ACU (after any unit conversion).

    Returns:
        The reason (timestamp before 1970, demand not finite, negative or above
        :data:`MAX_DEMAND_ACU`), or None for a good sample.
    """
    if ts_s < EARLIEST_S:
        return f"timestamp {iso_s(ts_s)} is before 1970-01-01T00:00:00Z; timestamps must be at or after it"
    if not math.isfinite(demand_acu) or not 0.0 <= demand_acu <= MAX_DEMAND_ACU:
        limit = exact_number(MAX_DEMAND_ACU)
        return f"demand {exact_number(demand_acu)} ACU must be finite, >= 0 and <= {limit} ACU"
    return None


def points_from_wire(
    points: list[HistoryPoint], *, now_s: int, field: str = "points"
) -> tuple[list[int], list[float]]:
    """Sort JSON samples and reject repeated and future timestamps.

    A sample's ``ts`` is the start of the period it measures, so it is never after the
    server's clock; one that is would move the stored window (the last
    ``MAX_HISTORY_STEPS`` steps before the newest sample) past the real history and prune
    it, so it is refused like a future row of a file upload (``traces.check_upload``).

    Args:
        points: the request's samples.
        now_s: the server clock, epoch seconds.
        field: the request field the points are in (for error locations).

    Returns:
        (epoch seconds, ACU), oldest first.

    Raises:
        fastapi.exceptions.RequestValidationError: two samples in the same second (at
            ``<field>.<i>.ts`` of the later one), a sample before 1970 or after ``now_s``.
    """
    seen: dict[int, int] = {}
    for i, p in enumerate(points):
        t = epoch_s(p.ts)
        if t < 0:
            raise request_error([((field, i, "ts"), "timestamps must be at or after 1970-01-01T00:00:00Z")])
        if t > now_s:
            raise request_error(
                [((field, i, "ts"), f"{iso_s(t)} is in the future (after now, {iso_s(now_s)})")]
            )
        if t in seen:
            raise request_error([((field, i, "ts"), f"repeats the timestamp of {field}[{seen[t]}]")])
        seen[t] = i
    order = sorted(seen)
    return order, [points[seen[t]].demand_acu for t in order]


def off_grid_warnings(
    points: list[HistoryPoint], *, step_s: int, field: str = "points", stored: bool = True
) -> list[str]:
    """Say which JSON samples sit off the step grid, as a file upload's report does.

    A file upload reports the samples off the step grid (``traces.check_upload``: offset
    and off-grid count) and puts them on it; JSON points are stored as given (a stored
    timestamp is replaced only by the same timestamp), and reading the history puts each
    in the step that holds it (the step's max, :func:`service.inputs.history.points_demand`).
    Neither refuses them, so this is a warning, never a 422. A stateless request's history
    (``POST /v1/recommendations``) is put on its ``step_s`` grid the same way, and told the same.

    Args:
        points: the request's samples.
        step_s: the cluster's step (or the request's ``step_s``), seconds (the grid is whole
            steps since the epoch).
        field: the request field the points are in.
        stored: the points are a registered cluster's, stored as given (the words say so);
            False for a stateless request's history, which is not stored.

    Returns:
        One line when any sample is off the grid (how many, the first by position with its
        offset and the step it counts in), else none.
    """
    off = [(i, t) for i, t in enumerate(epoch_s(p.ts) for p in points) if t % step_s]
    if not off:
        return []
    i, t = off[0]
    past, start = t % step_s, iso_s(t - t % step_s)
    whose, kept = ("the cluster's", "stored as given, ") if stored else ("the request's step_s", "")
    return [
        f"{field}: {len(off)} of {len(points)} samples sit off {whose} {step_s}-s grid "
        f"(the first, {field}.{i}.ts={iso_s(t)}, is {past} s past the step start {start}); "
        f"{kept}each counts in the step that holds it (the step's max)"
    ]


def above_max_warnings(
    ts_s: list[int], demand_acu: list[float], *, max_acu: float, field: str | None = None
) -> list[str]:
    """Name the samples above the cluster's MaxCapacity, which are stored as given.

    Demand derived from CPU, memory or a rate can exceed MaxCapacity (the work a larger
    cluster would do), so such a sample is neither refused nor clamped; but capacity
    (``ServerlessDatabaseCapacity``) never does, and one wrong sample (1000 ACU on a 16-ACU
    cluster) is planned as demand ever after, so the caller is told which samples and the
    MaxCapacity they exceed. A relative slack of ``policy.advice.checks.CAPACITY_TOLERANCE``
    keeps ``100 % x MaxCapacity`` float noise out.

    Args:
        ts_s: sample times, epoch seconds, same length as ``demand_acu``.
        demand_acu: the samples, ACU.
        max_acu: the registered MaxCapacity (``limits.max_acu``), ACU.
        field: the request field of JSON points (samples are named ``<field>.<i>`` by
            position); None: an upload's steps, named by time.

    Returns:
        One line when any sample is above ``max_acu`` (how many, the highest, the first
        :data:`MAX_NAMED_ABOVE_MAX` with their times and values), else none.
    """
    limit = max_acu * (1.0 + CAPACITY_TOLERANCE)
    above = [i for i, v in enumerate(demand_acu) if v > limit]
    if not above:
        return []

    def name(i: int) -> str:
        return f"{field}.{i} ({iso_s(ts_s[i])})" if field is not None else iso_s(ts_s[i])

    named = ", ".join(f"{name(i)} {demand_acu[i]:g} ACU" for i in above[:MAX_NAMED_ABOVE_MAX])
    more = f" and {len(above) - MAX_NAMED_ABOVE_MAX} more" if len(above) > MAX_NAMED_ABOVE_MAX else ""
    noun = "samples" if field is not None else "steps"
    verb = "is" if len(above) == 1 else "are"
    peak = max(demand_acu[i] for i in above)
    head = f"{field or 'upload'}: {len(above)} of {len(demand_acu)} {noun} {verb} above the cluster's"
    return [
        f"{head} MaxCapacity (limits.max_acu={max_acu:g} ACU), up to {peak:g} ACU: {named}{more}; stored "
        "as given and planned as demand (demand from CPU, memory or rates may exceed MaxCapacity); Aurora "
        "never runs capacity (ServerlessDatabaseCapacity) above it, so if these are capacity samples they "
        "are wrong or the registered limits.max_acu is not the cluster's (register it again)"
    ]


class _CloudWatchModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class MetricDataResult(_CloudWatchModel):
    """One ``MetricDataResults`` entry of a GetMetricData response (AWS field names).

    Documents the shape; the values are checked by ``traces.formats.parse_cloudwatch``,
    which locates every problem at ``pages.<i>.MetricDataResults.<j>.<field>.<k>``.

    Attributes:
        Id: the query id.
        Label: the metric label (``CPUUtilization``, or ``CPUUtilization Maximum``).
        Timestamps: sample times (ISO 8601 with an offset, or epoch seconds), any order.
        Values: the values (JSON numbers), matched to ``Timestamps`` by position.
        StatusCode: ``Complete``, ``PartialData``, ``InternalError`` or ``Forbidden``.
    """

    Id: str = ""
    Label: str = ""
    Timestamps: list[Any] = Field(default_factory=list)
    Values: list[Any] = Field(default_factory=list)
    StatusCode: str = "Complete"


class GetMetricDataPage(_CloudWatchModel):
    """One GetMetricData response as the AWS CLI or boto3 returns it.

    Attributes:
        MetricDataResults: the results of this page (one per query Id).
        NextToken: present when more data is available.
    """

    MetricDataResults: list[MetricDataResult] = Field(min_length=1)
    NextToken: str | None = None


class QuerySpec(BaseModel):
    """How one query Id reads (every key optional).

    Attributes:
        signal: the signal it is (``CPUUtilization``); default: its Label.
        unit: ``percent``, ``acu``, ``bytes``, ``count`` or ``per_s``; default: by signal.
        statistic: ``Maximum``, ``Average``, ``Minimum``, ``Sum``, ``SampleCount``, ``pNN``;
            default: the Label's last word or the Id's suffix (``cpu_max``).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    signal: str | None = None
    unit: str | None = None
    statistic: str | None = None


class CloudWatchUpload(RequestModel):
    """GetMetricData pages for one cluster, with any number of query Ids.

    Attributes:
        pages: the responses, in the order fetched (1-100).
        queries: query Id -> how it reads (signal, unit, statistic).
        metric_id: use only this query Id (the others are ignored).
        unit: the unit of an Id whose Label is not a known metric: ``acu`` or
            ``percent_of_max_acu`` (read against ``limits.max_acu``).
        rates: rate signal -> ACU-seconds one event costs.
    """

    pages: list[GetMetricDataPage] = Field(min_length=1, max_length=MAX_CLOUDWATCH_PAGES)
    queries: dict[str, QuerySpec] = Field(default_factory=dict)
    metric_id: str | None = None
    unit: Literal["acu", "percent_of_max_acu"] | None = None
    rates: dict[str, float] = Field(default_factory=dict)

    def raw_pages(self) -> list[dict[str, Any]]:
        """The pages as parsed JSON (only ``metric_id``'s results when it is given)."""
        pages = [p.model_dump(mode="python", exclude_none=True) for p in self.pages]
        if self.metric_id is not None:
            for p in pages:
                p["MetricDataResults"] = [r for r in p["MetricDataResults"] if r["Id"] == self.metric_id]
        return pages


@dataclass(frozen=True)
class Ingested:
    """An upload as the samples to store.

    Attributes:
        ts_s: step starts with a demand, epoch seconds, oldest first.
        demand_acu: the max over the signals per step, ACU.
        status: ``Complete``, or ``PartialData`` when a source flagged its data.
        warnings: source flags, how the inputs were read, notes (connections).
        report: the ingest report (``traces.IngestReport.as_dict``) plus ``binding_share``.
    """

    ts_s: list[int]
    demand_acu: list[float]
    status: str = "Complete"
    warnings: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)


def upload_error(exc: UploadError) -> Exception:
    """The 422 for a rejected upload: one ``detail`` entry per listed problem, then the count of the rest."""
    items: list[tuple[tuple[str | int, ...], str]] = [
        (p.loc, p.message if p.loc == ("body",) else p.reason) for p in exc.report.problems
    ]
    if exc.report.n_more_problems:
        items.append(
            (("body",), f"{exc.report.n_more_problems} more problems (the first {MAX_LISTED} are listed)")
        )
    return request_error(items)


def check_capacity_signals(
    signals: Sequence[SignalInput],
    rules: SignalRules,
    *,
    max_acu: float,
    step_s: int,
    start_s: int,
    n_steps: int,
) -> None:
    """Refuse a capacity signal above the registered MaxCapacity, as the CLI does.

    ``ServerlessDatabaseCapacity`` (or ``ACUUtilization`` x MaxCapacity) is the capacity
    Aurora ran, which never exceeds MaxCapacity, so a sample above it means the data or the
    registered ``limits.max_acu`` is wrong: the rule of ``acuplan recommend``/``advise``
    (``policy.advice.checks.check_capacity_within_max`` on
    :func:`service.inputs.signals.capacity_on_grid`), per signal so the message names it.
    Demand (CPU, memory, rates, other ACU signals) may exceed MaxCapacity and is not checked
    here (:func:`above_max_warnings` names it).

    Args:
        signals: the upload's checked signals.
        rules: the mapping rules (``rules.max_acu`` is the base of ``ACUUtilization``).
        max_acu: the registered MaxCapacity, ACU.
        step_s: the cluster's step, seconds.
        start_s: start of the upload's first step, epoch seconds.
        n_steps: the upload's steps.

    Raises:
        fastapi.exceptions.RequestValidationError: at ``body``: the signal and its source,
            the highest capacity and its time, the steps above and ``limits.max_acu``.
    """
    start = datetime.fromtimestamp(start_s, tz=UTC)
    for signal in signals:
        capacity = capacity_on_grid([signal], rules, step_s=step_s, start_s=start_s, n_steps=n_steps)
        try:
            check_capacity_within_max(capacity, start=start, step_s=step_s, max_capacity_acu=max_acu)
        except InvalidRequestError as exc:
            message = (
                str(exc)
                .replace(
                    f"current.max_capacity_acu={max_acu:g}",
                    f"the cluster's registered MaxCapacity (limits.max_acu={max_acu:g} ACU)",
                )
                .replace("give its real MaxCapacity", "register the cluster with its real limits.max_acu")
                .replace("advise on the history since then", "upload the history since then")
            )
            where = f"{signal.name} ({signal.source})" if signal.source else signal.name
            raise request_error([(("body",), f"{where}: {message}; nothing is stored")]) from None


def demand_points(
    upload: Upload,
    *,
    max_acu: float,
    min_acu: float,
    step_s: int,
    now_s: int,
    rates: Mapping[str, float] | None = None,
    engine: str = "aurora-postgresql",
) -> Ingested:
    """Check a parsed upload and map its signals to demand per step (module docstring).

    Args:
        upload: a ``traces.formats`` parser's result.
        max_acu: the registered MaxCapacity, ACU.
        min_acu: the registered MinCapacity, ACU.
        step_s: the cluster's step, seconds.
        now_s: the server clock, epoch seconds (later timestamps are rejected).
        rates: rate signal -> ACU-seconds per event.
        engine: ``aurora-postgresql`` or ``aurora-mysql`` (connections note).

    Returns:
        The samples to store and what to tell the caller (among it, the steps above
        ``max_acu``: :func:`above_max_warnings`).

    Raises:
        fastapi.exceptions.RequestValidationError: every problem of the upload (rows named,
            JSON fields located), signals that cannot be mapped (among them ``FreeableMemory``
            above ``max_acu`` x 2 GiB, ``traces.signals.check_free_memory_within_max``), or a
            capacity signal above ``max_acu`` (:func:`check_capacity_signals`; all at ``body``).
    """
    try:
        signals, report = check_upload(upload, now_s=now_s, step_s=step_s)
    except UploadError as exc:
        raise upload_error(exc) from None
    rules = SignalRules(
        max_acu=max_acu,
        min_acu=min_acu,
        acu_s_per_unit=dict(rates or {}),
        engine="aurora-mysql" if engine == "aurora-mysql" else "aurora-postgresql",
    )
    try:
        combined = combine_signals(signals, step_s=step_s, rules=rules)
    except DemandMappingError as exc:
        reason = exc.reason
        if exc.field == "max_acu":  # FreeableMemory above the registered MaxCapacity's memory
            reason = (
                reason.replace(
                    f"a MaxCapacity of {max_acu:g} ACU has",
                    f"the cluster's registered MaxCapacity (limits.max_acu={max_acu:g} ACU) has",
                ).replace("give its real MaxCapacity", "register the cluster with its real limits.max_acu")
                + "; nothing is stored"
            )
        raise request_error([(("body",), reason)]) from None
    check_capacity_signals(
        signals, rules, max_acu=max_acu, step_s=step_s, start_s=combined.start_s, n_steps=combined.n_steps
    )
    keep = np.flatnonzero(np.isfinite(combined.demand_acu))
    ts = [combined.start_s + int(k) * step_s for k in keep]
    values = [float(combined.demand_acu[k]) for k in keep]
    for t, v in zip(ts, values, strict=True):
        problem = sample_problem(t, v)
        if problem is not None:  # e.g. a rate times its coefficient above the limit
            raise request_error([(("body",), f"{iso_s(t)}: {problem}")])
    out = report.as_dict()
    out["binding_share"] = combined.binding_share(until_step=combined.n_steps, window_steps=86_400 // step_s)
    return Ingested(
        ts_s=ts,
        demand_acu=values,
        status="PartialData" if report.source_flags else "Complete",
        warnings=[
            *report.source_flags,
            *report.warnings,
            *combined.warnings,
            *combined.notes,
            *above_max_warnings(ts, values, max_acu=max_acu),
        ],
        report=out,
    )
