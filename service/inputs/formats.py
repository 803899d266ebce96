"""Metric uploads in three formats, all turned into ``(ts_s, demand_acu)`` samples.

Owns :func:`points_from_wire` (JSON points), :func:`points_from_csv` (the canonical
trace CSV, parsed in memory by ``traces.load_trace``: request data never names a file)
and the CloudWatch ``GetMetricData`` response model with :func:`points_from_cloudwatch`.

CloudWatch rules: a response may come as several pages (send them all in ``pages``);
``Timestamps`` and ``Values`` are matched by position and may be newest-first (the
default ``TimestampDescending``), so samples are sorted; a period without data is simply
absent and becomes a missing step. Only the **last** page decides completeness (earlier
pages of a paginated query always say ``PartialData`` and carry a ``NextToken``): a last
page whose result says ``StatusCode: PartialData`` or that still has a ``NextToken``
makes the upload ``PartialData`` (stored, with a warning); ``InternalError`` and
``Forbidden`` results in any page are rejected. ``Values`` must be JSON numbers (not
strings). Metrics in percent (``ACUUtilization``, ``CPUUtilization``: AWS measures both
against the cluster's MaxCapacity, so 0-100) are converted with the registered
``limits.max_acu``.

Every format obeys the same sample limits as the JSON points: demand 0 to
:data:`MAX_DEMAND_ACU` ACU (after conversion) and timestamps at or after
1970-01-01T00:00:00Z.
Imports ``traces`` public names and ``service`` modules.
"""

from __future__ import annotations

import csv
import io
import math
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from typing import IO, Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from service.http.schemas.recommendations import HistoryPoint, RequestModel, request_error
from service.inputs.history import EARLIEST_S, epoch_s, iso_s
from traces import TraceFormatError, load_trace, parse_ts

MAX_CLOUDWATCH_PAGES: Final[int] = 100
"""Most GetMetricData pages per upload (CloudWatch returns up to 100,800 points per page)."""

MAX_DEMAND_ACU: Final[float] = 1e6
"""Largest accepted demand sample, ACU (the JSON points' ``demand_acu`` limit)."""

CSV_NAME: Final[str] = "upload.csv"
"""The name an uploaded CSV has in error messages."""


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
        return f"demand {demand_acu:g} ACU must be finite, >= 0 and <= {MAX_DEMAND_ACU:g} ACU"
    return None


def points_from_wire(points: list[HistoryPoint], *, field: str = "points") -> tuple[list[int], list[float]]:
    """Sort JSON samples and reject repeated timestamps.

    Returns:
        (epoch seconds, ACU), oldest first.

    Raises:
        fastapi.exceptions.RequestValidationError: two samples in the same second, at
            ``<field>.<i>.ts`` of the later one in the request.
    """
    seen: dict[int, int] = {}
    for i, p in enumerate(points):
        t = epoch_s(p.ts)
        if t < 0:
            raise request_error([((field, i, "ts"), "timestamps must be at or after 1970-01-01T00:00:00Z")])
        if t in seen:
            raise request_error([((field, i, "ts"), f"repeats the timestamp of {field}[{seen[t]}]")])
        seen[t] = i
    order = sorted(seen)
    return order, [points[seen[t]].demand_acu for t in order]


class _MemoryCsv(Traversable):
    """A read-only in-memory file for ``traces.load_trace`` (no file-system access)."""

    def __init__(self, text: str, name: str = "upload.csv") -> None:
        self._text = text
        self._name = name

    @property
    def name(self) -> str:
        return self._name

    def open(self, mode: str = "r", *args: Any, **kwargs: Any) -> IO[Any]:
        return io.StringIO(self._text.removeprefix("\ufeff"), newline="")

    def iterdir(self) -> Iterator[Traversable]:
        return iter(())

    def is_dir(self) -> bool:
        return False

    def is_file(self) -> bool:
        return True

    def joinpath(self, *descendants: str | os.PathLike[str]) -> Traversable:
        raise FileNotFoundError(self._name)

    def read_bytes(self) -> bytes:
        return self._text.encode()

    def read_text(self, encoding: str | None = None) -> str:
        return self._text


def _check_csv_rows(text: str, *, max_acu: float, cluster_id: str | None) -> None:
    """Check each data row of a CSV ``load_trace`` accepted against the upload's limits.

    Raises:
        fastapi.exceptions.RequestValidationError: at ``body``, the message naming the
            row and field (``cluster_id``, ``ts`` or ``value``).
    """
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""))
    next(reader, None)  # the header, already checked
    for row in reader:
        if not row:
            continue
        ts_text, row_cluster, _signal, unit, value_text = row
        field, reason = None, None
        if cluster_id is not None and row_cluster != cluster_id:
            field, reason = "cluster_id", f"{row_cluster!r} is not the cluster in the URL ({cluster_id!r})"
        else:
            ts_s = parse_ts(ts_text)
            acu = float(value_text) * (max_acu / 100.0 if unit == "percent" else 1.0)
            if ts_s < EARLIEST_S:
                field, reason = "ts", sample_problem(ts_s, 0.0)
            else:
                field, reason = "value", sample_problem(ts_s, acu)
        if reason is not None:
            error = TraceFormatError(reason, path=CSV_NAME, row=reader.line_num, field=field)
            raise request_error([(("body",), str(error))])


def points_from_csv(
    text: str, *, max_acu: float, cluster_id: str | None = None
) -> tuple[list[int], list[float], list[str]]:
    """Parse a canonical one-series trace CSV (``ts,cluster_id,signal,unit,value``).

    Units ``acu`` are taken as is; ``percent`` is of ``max_acu``. Other units need a
    peak mapping: use ``acuplan recommend --peak-acu`` or convert first. Every row must
    name ``cluster_id`` (when given), be dated at or after 1970 and hold at most
    :data:`MAX_DEMAND_ACU` ACU after conversion.

    Returns:
        (epoch seconds, ACU, warnings), oldest first.

    Raises:
        fastapi.exceptions.RequestValidationError: at ``body``: the CSV is malformed, a
            row names another cluster, is dated before 1970 or holds too much demand
            (the message names the row and column), holds several series, or has a
            unit without an ACU mapping.
    """
    try:
        trace = load_trace(_MemoryCsv(text, CSV_NAME))
    except TraceFormatError as exc:
        raise request_error([(("body",), str(exc))]) from None
    _check_csv_rows(text, max_acu=max_acu, cluster_id=cluster_id)
    if len(trace) != 1:
        raise request_error(
            [(("body",), f"the CSV must hold one series, it has {len(trace)}: {trace.keys()}")]
        )
    series = trace.single()
    if series.unit not in ("acu", "percent"):
        raise request_error([(("body",), f"unit {series.unit!r} has no ACU mapping; send acu or percent")])
    scale = max_acu / 100.0 if series.unit == "percent" else 1.0
    ts = [int(t) for t in series.ts.astype("int64").tolist()]
    return ts, [float(v) * scale for v in series.value.tolist()], []


def _cw_time(value: Any) -> datetime | str:
    """Parse one CloudWatch timestamp; return the reason as a ``str`` when it is bad.

    The reason is reported at ``...Timestamps.<k>`` by :func:`points_from_cloudwatch`
    (a validation error here would lose the page/result position's meaning).
    """
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            if not math.isfinite(value):
                return f"{value} is not a time"
            return datetime.fromtimestamp(value, tz=UTC)  # some SDKs send epoch seconds
        if isinstance(value, str):
            parsed = datetime.fromisoformat(value.replace(" ", "T", 1))  # boto3 + json.dumps(default=str)
            if parsed.tzinfo is None or parsed.utcoffset() is None:
                return f"{value!r} has no UTC offset"
            return parsed
    except (ValueError, OverflowError, OSError) as exc:
        return f"{value!r} is not an ISO 8601 time or epoch seconds ({exc})"
    return f"{value!r} is not an ISO 8601 time or epoch seconds"


class _CloudWatchModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class MetricDataResult(_CloudWatchModel):
    """One ``MetricDataResults`` entry of a GetMetricData response (AWS field names).

    Attributes:
        Id: the query id.
        Label: the metric label (e.g. ``ServerlessDatabaseCapacity``).
        Timestamps: sample times (ISO 8601 with an offset, or epoch seconds), any order;
            an unparseable one is kept as its reason and rejected at ``Timestamps.<k>``.
        Values: the values (JSON numbers), matched to ``Timestamps`` by position.
        StatusCode: ``Complete``, ``PartialData``, ``InternalError`` or ``Forbidden``.
    """

    Id: str = ""
    Label: str = ""
    Timestamps: list[Annotated[datetime | str, BeforeValidator(_cw_time)]] = Field(default_factory=list)
    Values: list[Annotated[float, Field(strict=True)]] = Field(default_factory=list)
    StatusCode: Literal["Complete", "PartialData", "InternalError", "Forbidden"] = "Complete"


class GetMetricDataPage(_CloudWatchModel):
    """One GetMetricData response as the AWS CLI or boto3 returns it.

    Attributes:
        MetricDataResults: the results of this page.
        NextToken: present when more data is available.
    """

    MetricDataResults: list[MetricDataResult] = Field(min_length=1)
    NextToken: str | None = None


class CloudWatchUpload(RequestModel):
    """GetMetricData pages for one cluster.

    Attributes:
        pages: the responses, in the order fetched (1-100).
        metric_id: which result ``Id`` to use; default: the only one in each page.
        unit: ``acu`` for ``ServerlessDatabaseCapacity``; ``percent_of_max_acu`` for
            ``ACUUtilization`` or ``CPUUtilization`` (converted with ``limits.max_acu``).
    """

    pages: list[GetMetricDataPage] = Field(min_length=1, max_length=MAX_CLOUDWATCH_PAGES)
    metric_id: str | None = None
    unit: Literal["acu", "percent_of_max_acu"] = "acu"


def _pick(page: GetMetricDataPage, i: int, metric_id: str | None) -> tuple[int, MetricDataResult]:
    results = page.MetricDataResults
    matches = [j for j, r in enumerate(results) if metric_id is None or r.Id == metric_id]
    if len(matches) != 1:
        why = f"no result has Id {metric_id!r}" if metric_id else f"{len(results)} results; give metric_id"
        raise request_error([(("pages", i, "MetricDataResults"), why)])
    return matches[0], results[matches[0]]


def points_from_cloudwatch(upload: CloudWatchUpload, *, max_acu: float) -> tuple[list[int], list[float], str]:
    """Merge GetMetricData pages into samples (rules in the module docstring).

    Returns:
        (epoch seconds, ACU, ``Complete`` or ``PartialData``), oldest first; a
        timestamp in several pages takes its value from the last page.

    Raises:
        fastapi.exceptions.RequestValidationError: mismatched lengths, a bad timestamp
            (at ``...Timestamps.<k>``), a bad value (at ``...Values.<k>``: negative, above
            :data:`MAX_DEMAND_ACU` ACU, or a percent above 100) or an ``InternalError`` /
            ``Forbidden`` result, located in ``pages``.
    """
    percent = upload.unit == "percent_of_max_acu"
    scale = max_acu / 100.0 if percent else 1.0
    merged: dict[int, float] = {}
    status = "Complete"
    last = len(upload.pages) - 1
    for i, page in enumerate(upload.pages):
        j, result = _pick(page, i, upload.metric_id)
        loc = ("pages", i, "MetricDataResults", j)
        if result.StatusCode in ("InternalError", "Forbidden"):
            raise request_error([((*loc, "StatusCode"), f"CloudWatch answered {result.StatusCode}")])
        if len(result.Timestamps) != len(result.Values):
            raise request_error(
                [((*loc, "Values"), f"{len(result.Values)} values for {len(result.Timestamps)} timestamps")]
            )
        if i == last and (result.StatusCode == "PartialData" or page.NextToken):
            status = "PartialData"  # earlier pages always say PartialData: only the last one counts
        for k, (ts, value) in enumerate(zip(result.Timestamps, result.Values, strict=True)):
            if isinstance(ts, str):
                raise request_error([((*loc, "Timestamps", k), f"bad timestamp: {ts}")])
            if epoch_s(ts) < EARLIEST_S:
                raise request_error([((*loc, "Timestamps", k), sample_problem(epoch_s(ts), 0.0) or "")])
            if percent and not 0.0 <= value <= 100.0:
                raise request_error([((*loc, "Values", k), f"{value:g} percent is outside 0-100")])
            problem = sample_problem(epoch_s(ts), value * scale)
            if problem is not None:
                raise request_error([((*loc, "Values", k), problem)])
            merged[epoch_s(ts)] = value * scale
    order = sorted(merged)
    return order, [merged[t] for t in order], status
