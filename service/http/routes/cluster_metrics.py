"""``/v1/clusters/{cluster_id}/metrics``: new demand samples as JSON, CSV or CloudWatch JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body

from service.http.clusters import ingest, load_cluster
from service.http.deps import StoreDep, WriteScope
from service.http.routes.responses import errors
from service.http.schemas.clusters import ClusterId, IngestResult, MetricPoints
from service.inputs.formats import CloudWatchUpload, points_from_cloudwatch, points_from_csv, points_from_wire

router = APIRouter(prefix="/clusters/{cluster_id}/metrics", tags=["metrics"])

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
                }
            ]
        }
    ],
    "unit": "acu",
}


@router.post("", response_model=IngestResult, responses=errors(404, 422))
def add_metrics(cluster_id: ClusterId, body: MetricPoints, store: StoreDep, _: WriteScope) -> IngestResult:
    """Store demand samples (ACU) given as JSON points, in any order.

    A timestamp already stored takes the new value; two points in the same second are a
    422 at ``points.<i>.ts``.
    """
    record = load_cluster(store, cluster_id)
    ts, values = points_from_wire(body.points)
    return ingest(store, record, ts, values)


@router.post("/csv", response_model=IngestResult, responses=errors(404, 422))
def add_metrics_csv(
    cluster_id: ClusterId,
    store: StoreDep,
    _: WriteScope,
    csv: Annotated[str, Body(media_type="text/csv", examples=[_CSV_EXAMPLE])],
) -> IngestResult:
    """Store samples from a canonical trace CSV (``ts,cluster_id,signal,unit,value``).

    One series; unit ``acu``, or ``percent`` of the cluster's ``limits.max_acu``. The
    CSV is parsed in memory by the same validating loader as ``acuplan recommend``;
    its errors are 422s at ``body`` naming the line and column. The same limits as the
    JSON points apply: every row's ``cluster_id`` must be the URL's cluster, its ``ts``
    at or after 1970-01-01T00:00:00Z, its demand at most 1,000,000 ACU. Nothing is stored
    unless every row is good.
    """
    record = load_cluster(store, cluster_id)
    max_acu = float(record.spec["limits"]["max_acu"])
    ts, values, warnings = points_from_csv(csv, max_acu=max_acu, cluster_id=cluster_id)
    return ingest(store, record, ts, values, warnings=warnings)


@router.post("/cloudwatch", response_model=IngestResult, responses=errors(404, 422))
def add_metrics_cloudwatch(
    cluster_id: ClusterId,
    body: Annotated[CloudWatchUpload, Body(examples=[_CW_EXAMPLE])],
    store: StoreDep,
    _: WriteScope,
) -> IngestResult:
    """Store samples from CloudWatch ``GetMetricData`` responses (one or more pages).

    Newest-first order is fine and missing periods become missing steps. Only the last
    page decides completeness (earlier pages of a paginated query always say
    ``PartialData``): a last page with ``StatusCode: PartialData`` or a ``NextToken`` is
    stored but reported as ``status: PartialData`` with a warning. ``Values`` must be
    numbers (percent ones 0-100); a bad timestamp is a 422 at ``...Timestamps.<k>``.
    """
    record = load_cluster(store, cluster_id)
    ts, values, status = points_from_cloudwatch(body, max_acu=float(record.spec["limits"]["max_acu"]))
    return ingest(store, record, ts, values, status=status, warnings=_partial_warnings(body, status))


def _partial_warnings(body: CloudWatchUpload, status: str) -> list[str]:
    """Say why an upload is ``PartialData``; mention ``NextToken`` only when there is one."""
    if status != "PartialData":
        return []
    if body.pages[-1].NextToken:
        return ["CloudWatch has more data for this query: fetch the next page (NextToken) and send it"]
    return [
        "CloudWatch answered StatusCode PartialData on the last page: some data for the period "
        "was not available yet; upload the same query again later for complete data"
    ]
