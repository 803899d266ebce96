"""Metric uploads in three formats, all turned into ``(ts_s, demand_acu)`` samples.

Owns :func:`points_from_wire` (JSON points), :func:`points_from_csv` (the canonical
trace CSV, parsed in memory by ``traces.load_trace``: request data never names a file)
and the CloudWatch ``GetMetricData`` response model with :func:`points_from_cloudwatch`.

CloudWatch rules: a response may come as several pages (send them all in ``pages``);
``Timestamps`` and ``Values`` are matched by position and may be newest-first (the
default ``TimestampDescending``), so samples are sorted; a period without data is simply
absent and becomes a missing step; a result with ``StatusCode: PartialData`` or a last
page with a ``NextToken`` makes the upload ``PartialData`` (stored, with a warning);
``InternalError`` and ``Forbidden`` results are rejected. Metrics in percent
(``ACUUtilization``, ``CPUUtilization``: AWS measures both against the cluster's
MaxCapacity) are converted with the registered ``limits.max_acu``.
Imports ``traces`` public names and ``service`` modules.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from datetime import UTC, datetime
from importlib.resources.abc import Traversable
from typing import IO, Annotated, Any, Final, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from service.history import epoch_s
from service.schemas import HistoryPoint, request_error
from traces import TraceFormatError, load_trace

MAX_CLOUDWATCH_PAGES: Final[int] = 100
"""Most GetMetricData pages per upload (CloudWatch returns up to 100,800 points per page)."""


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


def points_from_csv(text: str, *, max_acu: float) -> tuple[list[int], list[float], list[str]]:
    """Parse a canonical one-series trace CSV (``ts,cluster_id,signal,unit,value``).

    Units ``acu`` are taken as is; ``percent`` is of ``max_acu``. Other units need a
    peak mapping: use ``acuplan recommend --peak-acu`` or convert first.

    Returns:
        (epoch seconds, ACU, warnings), oldest first.

    Raises:
        fastapi.exceptions.RequestValidationError: at ``body``: the CSV is malformed (the
            message names the row and column), holds several series, or has a unit
            without an ACU mapping.
    """
    try:
        trace = load_trace(_MemoryCsv(text))
    except TraceFormatError as exc:
        raise request_error([(("body",), str(exc))]) from None
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


def _cw_time(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)  # some SDKs send epoch seconds
    if isinstance(value, str):
        return datetime.fromisoformat(value.replace(" ", "T", 1))  # boto3 + json.dumps(default=str)
    return value


class _CloudWatchModel(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True)


class MetricDataResult(_CloudWatchModel):
    """One ``MetricDataResults`` entry of a GetMetricData response (AWS field names).

    Attributes:
        Id: the query id.
        Label: the metric label (e.g. ``ServerlessDatabaseCapacity``).
        Timestamps: sample times (ISO 8601 or epoch seconds), any order.
        Values: the values, matched to ``Timestamps`` by position.
        StatusCode: ``Complete``, ``PartialData``, ``InternalError`` or ``Forbidden``.
    """

    Id: str = ""
    Label: str = ""
    Timestamps: list[Annotated[datetime, BeforeValidator(_cw_time)]] = Field(default_factory=list)
    Values: list[float] = Field(default_factory=list)
    StatusCode: Literal["Complete", "PartialData", "InternalError", "Forbidden"] = "Complete"


class GetMetricDataPage(_CloudWatchModel):
    """One GetMetricData response as the AWS CLI or boto3 returns it.

    Attributes:
        MetricDataResults: the results of this page.
        NextToken: present when more data is available.
    """

    MetricDataResults: list[MetricDataResult] = Field(min_length=1)
    NextToken: str | None = None


class CloudWatchUpload(BaseModel):
    """GetMetricData pages for one cluster.

    Attributes:
        pages: the responses, in the order fetched (1-100).
        metric_id: which result ``Id`` to use; default: the only one in each page.
        unit: ``acu`` for ``ServerlessDatabaseCapacity``; ``percent_of_max_acu`` for
            ``ACUUtilization`` or ``CPUUtilization`` (converted with ``limits.max_acu``).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

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
        fastapi.exceptions.RequestValidationError: mismatched lengths, a bad value or an
            ``InternalError`` / ``Forbidden`` result, located in ``pages``.
    """
    scale = max_acu / 100.0 if upload.unit == "percent_of_max_acu" else 1.0
    merged: dict[int, float] = {}
    status = "PartialData" if upload.pages[-1].NextToken else "Complete"
    for i, page in enumerate(upload.pages):
        j, result = _pick(page, i, upload.metric_id)
        loc = ("pages", i, "MetricDataResults", j)
        if result.StatusCode in ("InternalError", "Forbidden"):
            raise request_error([((*loc, "StatusCode"), f"CloudWatch answered {result.StatusCode}")])
        if len(result.Timestamps) != len(result.Values):
            raise request_error(
                [((*loc, "Values"), f"{len(result.Values)} values for {len(result.Timestamps)} timestamps")]
            )
        status = "PartialData" if result.StatusCode == "PartialData" else status
        for k, (ts, value) in enumerate(zip(result.Timestamps, result.Values, strict=True)):
            if ts.tzinfo is None or not 0.0 <= value <= 1e6 or epoch_s(ts) < 0:
                raise request_error([((*loc, "Values", k), f"bad sample {ts.isoformat()} = {value}")])
            merged[epoch_s(ts)] = value * scale
    order = sorted(merged)
    return order, [merged[t] for t in order], status
