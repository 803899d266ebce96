"""``/v1/clusters/{cluster_id}/metrics``: new demand samples as JSON points or any metric export.

Every export (canonical CSV with several signals, AWS console/CLI CSV, CloudWatch
GetMetricData, Prometheus range query, Parquet) is parsed by ``traces.formats`` and
checked and mapped by :func:`service.inputs.formats.demand_points`, the path the CLI
takes too: every problem in one 422, nothing stored unless all is good, the max over the
signals per step stored in one transaction.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query

from service.http.clusters import ingest, load_cluster
from service.http.deps import RuntimeDep, StoreDep, WriteScope
from service.http.routes.responses import errors
from service.http.runtime import Runtime
from service.http.schemas.clusters import ClusterId, IngestResult, MetricPoints, record_spec
from service.http.strict import StrictRoute
from service.inputs.formats import (
    CSV_NAME,
    UPLOAD_NAME,
    CloudWatchUpload,
    Ingested,
    above_max_warnings,
    check_not_empty,
    demand_points,
    off_grid_warnings,
    points_from_wire,
)
from service.inputs.history import epoch_s
from service.inputs.signals import sniffed_format
from service.store import ClusterRecord
from traces.formats import (
    FORMATS,
    check_zone,
    parse_any,
    parse_cloudwatch,
    parse_csv,
    reads_signal,
    statistic_problem,
)
from traces.uploads import Upload

router = APIRouter(prefix="/clusters/{cluster_id}/metrics", tags=["metrics"], route_class=StrictRoute)

_CSV_EXAMPLE = (
    "ts,cluster_id,signal,unit,value\n"
    "2024-05-06T12:00:00Z,orders-prod,capacity,acu,6.5\n"
    "2024-05-06T12:05:00Z,orders-prod,capacity,acu,7.0\n"
)
_CW_EXAMPLE: dict[str, Any] = {
    "pages": [
        {
            "MetricDataResults": [
                {
                    "Id": "acu",
                    "Label": "ServerlessDatabaseCapacity",
                    "Timestamps": ["2024-05-06T12:05:00+00:00", "2024-05-06T12:00:00+00:00"],
                    "Values": [7.0, 6.5],
                    "StatusCode": "Complete",
                },
                {
                    "Id": "cpu_max",
                    "Label": "CPUUtilization",
                    "Timestamps": ["2024-05-06T12:05:00+00:00", "2024-05-06T12:00:00+00:00"],
                    "Values": [12.0, 9.5],
                    "StatusCode": "Complete",
                },
            ]
        }
    ],
}


@router.post("", response_model=IngestResult, responses=errors(404, 422))
def add_metrics(
    cluster_id: ClusterId, body: MetricPoints, runtime: RuntimeDep, _: WriteScope
) -> IngestResult:
    """Store demand samples (ACU) given as JSON points, in any order.

    A timestamp already stored takes the new value; two points in the same second, or a
    point after the server's clock (it would push the stored window past the history),
    are a 422 at ``points.<i>.ts`` and nothing is stored. Points off the cluster's step
    grid are stored as given and counted in a warning (a file upload reports them too);
    so are points above the cluster's MaxCapacity (demand may exceed it, capacity never
    does), named in a warning with the MaxCapacity (every upload warns so).
    """
    record = load_cluster(runtime.store, cluster_id)
    ts, values = points_from_wire(body.points, now_s=int(runtime.clock()))
    warnings = off_grid_warnings(body.points, step_s=record.step_s)
    warnings += above_max_warnings(
        [epoch_s(p.ts) for p in body.points],
        [p.demand_acu for p in body.points],
        max_acu=record_spec(record)[0].limits.max_acu,
        field="points",
    )
    return ingest(runtime.store, record, ts, values, warnings=warnings)


def _store(store: StoreDep, record: ClusterRecord, got: Ingested) -> IngestResult:
    return ingest(store, record, got.ts_s, got.demand_acu, status=got.status, warnings=got.warnings,
                  report=got.report, source_flags=list(got.report.get("source_flags", [])))  # fmt: skip


def _demand(
    runtime: Runtime, record: ClusterRecord, upload: Upload, rates: dict[str, float] | None = None
) -> Ingested:
    spec, engine = record_spec(record)
    return demand_points(
        upload, max_acu=spec.limits.max_acu, min_acu=spec.limits.min_acu, step_s=record.step_s,
        now_s=int(runtime.clock()), rates=rates, engine=engine,
    )  # fmt: skip


@router.post("/csv", response_model=IngestResult, responses=errors(404, 422))
def add_metrics_csv(
    cluster_id: ClusterId,
    runtime: RuntimeDep,
    _: WriteScope,
    csv: Annotated[str, Body(media_type="text/csv", examples=[_CSV_EXAMPLE])] = "",
) -> IngestResult:
    """Store samples from a CSV: the canonical layout with any number of signals, or an AWS export.

    Canonical: ``ts,cluster_id,signal,unit,value`` (optional ``statistic`` column); every
    row's ``cluster_id`` must be the URL's cluster. AWS console/CLI: ``Timestamp,Value``,
    ``Timestamp,Average`` (a statistic's column; both need ``?signal=`` on ``/upload``),
    ``Label,Timestamp,Value`` or ``Timestamp,<metric>,...`` (known metric names give the
    unit). Percent signals and ``FreeableMemory`` are read against ``limits.max_acu``;
    demand per step is the max over the signals. Every bad row is a 422 entry at ``body``
    naming the line and column (the first 20, then a count); exact duplicate rows are
    dropped and counted, conflicting ones rejected; nothing is stored unless all is good.
    An empty body is a 422 at ``body`` saying so and what to send.
    """
    record = load_cluster(runtime.store, cluster_id)
    check_not_empty(csv)
    upload = parse_csv(csv, name=CSV_NAME, cluster_id=cluster_id)
    return _store(runtime.store, record, _demand(runtime, record, upload))


@router.post("/cloudwatch", response_model=IngestResult, responses=errors(404, 422))
def add_metrics_cloudwatch(
    cluster_id: ClusterId,
    body: Annotated[CloudWatchUpload, Body(examples=[_CW_EXAMPLE])],
    runtime: RuntimeDep,
    _: WriteScope,
) -> IngestResult:
    """Store samples from CloudWatch ``GetMetricData`` responses with any number of query Ids.

    Each Id is a signal: ``queries.<Id>`` (signal, unit, statistic), else its Label
    (``CPUUtilization``, ``FreeableMemory``, ``DatabaseConnections``,
    ``ServerlessDatabaseCapacity``...; a last word such as ``Maximum`` is the statistic)
    and its Id suffix (``cpu_max``). ``Maximum`` is preferred over ``Average`` of the same
    signal. Newest-first order is fine; a period re-sent by a later page takes the later
    value. Per Id, ``PartialData`` on its last page, ``InternalError``/``Forbidden`` or a
    ``NextToken`` on the last page is stored but answered ``status: PartialData`` with a
    warning naming signal and Id. ``Values`` must be JSON numbers; every bad sample is a
    422 entry at ``pages.<i>.MetricDataResults.<j>.Values.<k>`` (or ``Timestamps.<k>``).
    """
    record = load_cluster(runtime.store, cluster_id)
    unit = {"acu": "acu", "percent_of_max_acu": "percent", None: None}[body.unit]
    queries = {k: v.model_dump(exclude_none=True) for k, v in body.queries.items()}
    upload = parse_cloudwatch(body.raw_pages(), name="cloudwatch", queries=queries, unit=unit)
    return _store(runtime.store, record, _demand(runtime, record, upload, body.rates))


SIGNAL_UNUSED = (
    "the content is not a Timestamp,Value export or a Timestamp,<statistic> one (Timestamp,Average), "
    "the only layouts whose metric it names (it selects "
    "no signal); the other layouts and formats name their own signals"
)
"""Why ``?signal=`` is refused on content naming its own signals (after ``signal=... changes nothing: ``)."""

TIMEZONE_UNUSED = (
    "every timestamp of the content carries its own UTC offset (or is epoch seconds), and the zone only "
    "places those without one"
)
"""Why ``?timezone=`` is refused on content whose every time has its offset (after ``changes nothing: ``)."""

_UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/octet-stream": {
                "schema": {"type": "string", "format": "binary", "examples": [_CSV_EXAMPLE]},
            },
        },
    }
}


@router.post("/upload", response_model=IngestResult, responses=errors(404, 422), openapi_extra=_UPLOAD_BODY)
def add_metrics_upload(
    cluster_id: ClusterId,
    runtime: RuntimeDep,
    _: WriteScope,
    content: Annotated[bytes, Body(media_type="application/octet-stream")] = b"",
    format: Annotated[
        str | None, Query(description=f"One of {', '.join(FORMATS)}; default: sniffed from the content.")
    ] = None,
    timezone: Annotated[
        str | None, Query(description="IANA zone of timestamps without an offset (e.g. Europe/Berlin).")
    ] = None,
    signal: Annotated[
        str | None,
        Query(
            description="The metric of a Timestamp,Value or Timestamp,Average export, "
            "e.g. 'CPUUtilization Maximum'."
        ),
    ] = None,
) -> IngestResult:
    """Store samples from a metric export in any format, as the CLI reads it.

    The body is the file: a canonical or AWS CSV, a CloudWatch GetMetricData response
    (one page or a list), a Prometheus range-query response (``resultType: matrix``) or
    Parquet (``ts`` plus ``signal``/``value`` columns, or a column per signal); the format
    is sniffed unless ``format`` is given (a Prometheus error response is Prometheus, so its
    ``error`` is the 422's message); a ``csv`` or ``aws-csv`` the CSV's header shows
    is the other is a 422 at ``format``. ``signal`` on content other than a ``Timestamp,Value``
    (or ``Timestamp,Average``, a column named after a statistic) export changes nothing and is
    a 422 at ``signal`` (the CLI refuses such a ``--signal`` too), as is a ``timezone`` on
    content whose every timestamp carries its UTC offset or is epoch seconds (at ``timezone``;
    the CLI's ``--input-timezone`` rule) and a ``signal`` whose last word is no statistic
    after a known metric (``CPUUtilization Bogus``), and so is a query parameter the endpoint
    does not take, at its name. The same checks,
    limits and 422s as ``/csv`` and ``/cloudwatch``; nothing is stored unless all is good.
    """
    record = load_cluster(runtime.store, cluster_id)
    check_not_empty(content)
    if format is not None and format not in FORMATS:
        from service.http.schemas.recommendations import request_error

        raise request_error([(("format",), f"unknown format {format!r}; one of {', '.join(FORMATS)}")])
    try:
        zone = check_zone(timezone)
    except ValueError as exc:
        from service.http.schemas.recommendations import request_error

        raise request_error([(("timezone",), str(exc))]) from None
    fmt = format or sniffed_format(content, UPLOAD_NAME)
    if signal is not None and (why := statistic_problem(signal)) is not None:  # the parameter's fault
        from service.http.schemas.recommendations import request_error

        raise request_error([(("signal",), f"signal={signal!r}: {why}")])
    if signal is not None and not reads_signal(content, UPLOAD_NAME, fmt):
        from service.http.schemas.recommendations import request_error

        raise request_error([(("signal",), f"signal={signal!r} changes nothing: {SIGNAL_UNUSED}")])
    upload = parse_any(
        content, name=UPLOAD_NAME, format=fmt, tz=zone, signal=signal, cluster_id=cluster_id,
    )  # fmt: skip
    if zone is not None and not upload.problems and upload.n_local_times == 0:  # the CLI's rule
        from service.http.schemas.recommendations import request_error

        raise request_error([(("timezone",), f"timezone={zone!r} changes nothing: {TIMEZONE_UNUSED}")])
    return _store(runtime.store, record, _demand(runtime, record, upload))
