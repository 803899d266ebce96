"""Metric uploads as canonical CSV and CloudWatch GetMetricData JSON (pages, order, gaps, status)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

T0 = datetime(2024, 5, 6, tzinfo=UTC)


@pytest.fixture
def cluster_id(client: TestClient) -> str:
    cid = f"fmt-{uuid.uuid4().hex[:10]}"
    r = client.put(f"/v1/clusters/{cid}", json={"limits": {"min_acu": 0.5, "max_acu": 64}, "step_s": 300})
    assert r.status_code == 201
    return cid


def _csv(client: TestClient, cid: str, text: str) -> Any:
    """POST a CSV; ``CID`` in the text stands for the URL's cluster id."""
    body = text.replace("CID", cid)
    return client.post(f"/v1/clusters/{cid}/metrics/csv", content=body, headers={"content-type": "text/csv"})


def _cw(client: TestClient, cid: str, body: dict[str, Any]) -> Any:
    return client.post(f"/v1/clusters/{cid}/metrics/cloudwatch", json=body)


def _result(points: list[tuple[int, float]], **extra: Any) -> dict[str, Any]:
    """A MetricDataResult, newest first as CloudWatch returns it; points are (minute, value)."""
    ordered = sorted(points, reverse=True)
    return {
        "Id": "acu",
        "Label": "ServerlessDatabaseCapacity",
        "Timestamps": [(T0 + timedelta(minutes=m)).isoformat() for m, _ in ordered],
        "Values": [v for _, v in ordered],
        "StatusCode": "Complete",
        **extra,
    }


def _stored(client: TestClient, cid: str) -> dict[str, Any]:
    return dict(client.get(f"/v1/clusters/{cid}").json()["metrics"])


def test_an_upload_above_max_capacity_is_stored_with_a_warning_naming_the_steps(
    client: TestClient, cluster_id: str
) -> None:
    text = (
        "ts,cluster_id,signal,unit,value\n"
        "2024-05-06T00:00:00Z,CID,demand_acu,acu,2\n"
        "2024-05-06T00:05:00Z,CID,demand_acu,acu,100\n"
    )

    r = _csv(client, cluster_id, text)

    assert r.status_code == 200, r.text
    assert r.json()["warnings"] == [
        "upload: 1 of 2 steps is above the cluster's MaxCapacity (limits.max_acu=64 ACU), up to 100 ACU: "
        "2024-05-06T00:05:00Z 100 ACU; stored as given and planned as demand (demand from CPU, memory or "
        "rates may exceed MaxCapacity); Aurora never runs capacity (ServerlessDatabaseCapacity) above it, so "
        "if these are capacity samples they are wrong or the registered limits.max_acu is not the cluster's "
        "(register it again)"
    ]
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    assert store.points(cluster_id, since_s=0, until_s=2**40)[1] == [2.0, 100.0]


_CAPACITY_ABOVE_MAX = (
    "the observed capacity reached 100 ACU at 2024-05-06 00:05Z (1 of 2 steps above MaxCapacity), above the "
    "cluster's registered MaxCapacity (limits.max_acu=64 ACU): Aurora never runs an instance above its "
    "MaxCapacity, so the cluster's is at least 100 ACU; register the cluster with its real limits.max_acu "
    "(if it was lowered during the history, upload the history since then); nothing is stored"
)


@pytest.mark.parametrize(
    ("route", "source"),
    [
        pytest.param("csv", "upload.csv", id="csv"),
        pytest.param("cloudwatch", "query Id acu", id="cloudwatch"),
        pytest.param("upload", "upload", id="raw-upload"),
    ],
)
def test_a_capacity_signal_above_max_capacity_is_refused_and_nothing_stored(
    client: TestClient, cluster_id: str, route: str, source: str
) -> None:
    """It was stored with a warning (200) while ``acuplan recommend`` refuses the same data."""
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    kept = client.post(
        f"/v1/clusters/{cluster_id}/metrics", json={"points": [{"ts": T0.isoformat(), "demand_acu": 3.0}]}
    )
    assert kept.status_code == 200, kept.text
    text = (
        "ts,cluster_id,signal,unit,value\n"
        f"2024-05-06T00:00:00Z,{cluster_id},ServerlessDatabaseCapacity,acu,2\n"
        f"2024-05-06T00:05:00Z,{cluster_id},ServerlessDatabaseCapacity,acu,100\n"
    )
    url = f"/v1/clusters/{cluster_id}/metrics/{route}"
    if route == "csv":
        r = client.post(url, content=text, headers={"content-type": "text/csv"})
    elif route == "upload":
        r = client.post(url, content=text.encode(), headers={"content-type": "application/octet-stream"})
    else:
        r = _cw(client, cluster_id, {"pages": [{"MetricDataResults": [_result([(0, 2.0), (5, 100.0)])]}]})

    assert r.status_code == 422, r.text
    detail = r.json()["detail"]
    assert len(detail) == 1 and detail[0]["field"] == "body"
    assert detail[0]["message"] == f"ServerlessDatabaseCapacity ({source}): {_CAPACITY_ABOVE_MAX}"
    assert store.points(cluster_id, since_s=0, until_s=2**40) == ([int(T0.timestamp())], [3.0])


@pytest.mark.parametrize("query", ["", "?format=prometheus"], ids=["sniffed", "prometheus"])
def test_a_prometheus_error_response_is_a_422_with_its_error(
    client: TestClient, cluster_id: str, query: str
) -> None:
    """Sniffed, it was read as CloudWatch: 422 at pages.0 'a page needs a MetricDataResults list'."""
    body = b'{"status":"error","errorType":"timeout","error":"query timed out"}'

    r = client.post(
        f"/v1/clusters/{cluster_id}/metrics/upload{query}",
        content=body,
        headers={"content-type": "application/octet-stream"},
    )

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {"field": "response.status", "message": "Prometheus response: query timed out"}
    ]
    assert _stored(client, cluster_id)["n_points"] == 0


def test_csv_in_acu_is_stored(client: TestClient, cluster_id: str) -> None:
    text = (
        "ts,cluster_id,signal,unit,value\n"
        "2024-05-06T00:00:00Z,CID,capacity,acu,2\n"
        "2024-05-06T00:05:00Z,CID,capacity,acu,3\n"
    )

    r = _csv(client, cluster_id, text)

    assert r.status_code == 200, r.text
    assert r.json()["received"] == 2 and r.json()["status"] == "Complete"


def test_csv_in_percent_is_of_max_acu(client: TestClient, cluster_id: str) -> None:
    text = "ts,cluster_id,signal,unit,value\n2024-05-06T00:00:00Z,CID,cpu,percent,50\n"
    _csv(client, cluster_id, text)
    rec_body = {"config": {"horizon_s": 900}, "now": "2024-05-06T00:05:00Z"}

    r = client.post(f"/v1/clusters/{cluster_id}/recommendations", json=rec_body)

    assert r.status_code == 201, r.text
    assert r.json()["recommendation"]["steps"][0]["demand_p50_acu"] == pytest.approx(32.0)


@pytest.mark.parametrize(
    ("text", "field", "part"),
    [
        pytest.param("a,b\n1,2\n", "body", "header", id="bad_header"),
        pytest.param(
            "ts,cluster_id,signal,unit,value\n2024-05-06T00:00:00Z,CID,q,per_s,5\n",
            "body",
            "rate signal 'q' needs its ACU-seconds per unit",
            id="rate_without_coefficient",
        ),
        pytest.param(
            "ts,cluster_id,signal,unit,value\n2024-05-06T00:00:00Z,CID,x,acu,-1\n",
            "body",
            "row 2",
            id="negative",
        ),
    ],
)
def test_bad_csv_is_422(client: TestClient, cluster_id: str, text: str, field: str, part: str) -> None:
    r = _csv(client, cluster_id, text)

    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field
    assert part in r.json()["detail"][0]["message"]


def test_cloudwatch_pages_newest_first_with_gaps_are_merged(client: TestClient, cluster_id: str) -> None:
    page1 = {"MetricDataResults": [_result([(20, 4.0), (15, 3.0)])], "NextToken": "t1"}
    page2 = {"MetricDataResults": [_result([(15, 3.5), (0, 1.0)])], "ResponseMetadata": {"RequestId": "x"}}

    r = _cw(client, cluster_id, {"pages": [page1, page2]})

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "Complete" and r.json()["warnings"] == []
    assert r.json()["metrics"] == {
        "n_points": 3,
        "first_ts": "2024-05-06T00:00:00Z",
        "last_ts": "2024-05-06T00:20:00Z",
    }
    rec = client.post(
        f"/v1/clusters/{cluster_id}/recommendations",
        json={"config": {"horizon_s": 900}, "now": "2024-05-06T00:25:00Z"},
    ).json()
    assert rec["inputs"]["history"] == {
        "n_steps": 5,
        "n_missing": 2,
        "sha256": rec["inputs"]["history"]["sha256"],
    }


@pytest.mark.parametrize(
    "pages",
    [
        pytest.param([{"MetricDataResults": [_result([(0, 1.0)])], "NextToken": "more"}], id="next_token"),
        pytest.param(
            [{"MetricDataResults": [_result([(0, 1.0)], StatusCode="PartialData")]}], id="partial_status"
        ),
    ],
)
def test_partial_data_is_stored_and_reported(client: TestClient, cluster_id: str, pages: list[Any]) -> None:
    r = _cw(client, cluster_id, {"pages": pages})

    assert r.status_code == 200
    assert r.json()["status"] == "PartialData"
    assert len(r.json()["warnings"]) == 1
    assert ("NextToken" in r.json()["warnings"][0]) == ("NextToken" in pages[-1])
    assert r.json()["stored"] == 1


def test_paginated_upload_is_complete_when_its_last_page_is(client: TestClient, cluster_id: str) -> None:
    """Every page but the last of a paginated query says PartialData and has a NextToken."""
    page1 = {
        "MetricDataResults": [_result([(20, 4.0), (15, 3.0)], StatusCode="PartialData")],
        "NextToken": "t1",
    }
    page2 = {"MetricDataResults": [_result([(10, 2.0), (5, 1.0)], StatusCode="Complete")]}

    r = _cw(client, cluster_id, {"pages": [page1, page2]})

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "Complete"
    assert r.json()["warnings"] == []
    assert r.json()["stored"] == 4


def test_percent_metrics_and_sdk_timestamp_forms(client: TestClient, cluster_id: str) -> None:
    result = {
        "Id": "util",
        "Timestamps": ["2024-05-06 00:05:00+00:00", int(T0.timestamp())],
        "Values": [50.0, 25.0],
    }
    other = {"Id": "cpu", "Timestamps": [], "Values": []}
    body = {
        "pages": [{"MetricDataResults": [other, result]}],
        "metric_id": "util",
        "unit": "percent_of_max_acu",
    }

    r = _cw(client, cluster_id, body)

    assert r.status_code == 200, r.text
    assert r.json()["metrics"]["n_points"] == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        pytest.param(
            {"pages": [{"MetricDataResults": [{**_result([(0, 1.0)]), "Values": [1.0, 2.0]}]}]},
            "pages.0.MetricDataResults.0.Values",
            id="length_mismatch",
        ),
        pytest.param(  # an Id repeated in one page is the AWS CLI's merged pages; here they disagree
            {"pages": [{"MetricDataResults": [_result([(0, 1.0)]), _result([(0, 2.0)])]}]},
            "body",
            id="merged_pages_conflict",
        ),
        pytest.param({"pages": []}, "pages", id="no_pages"),
    ],
)
def test_bad_cloudwatch_upload_is_422(
    client: TestClient, cluster_id: str, body: dict[str, Any], field: str
) -> None:
    r = _cw(client, cluster_id, body)

    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == field


def _n_points(client: TestClient, cid: str) -> int:
    return int(client.get(f"/v1/clusters/{cid}").json()["metrics"]["n_points"])


@pytest.mark.parametrize(
    ("row", "message"),
    [
        pytest.param(
            "2024-05-06T00:05:00Z,CID,capacity,acu,1e300",
            "upload.csv row 2, field 'value': demand 1e+300 ACU must be finite, >= 0 and <= 1,000,000 ACU",
            id="too_much_demand",
        ),
        pytest.param(
            "1969-12-31T23:55:00Z,CID,capacity,acu,1",
            "upload.csv row 2, field 'ts': timestamp 1969-12-31T23:55:00Z is before 1970-01-01T00:00:00Z; "
            "timestamps must be at or after it",
            id="before_1970",
        ),
        pytest.param(
            "2024-05-06T00:05:00Z,other-db,capacity,acu,1",
            "upload.csv row 2, field 'cluster_id': 'other-db' is not the cluster 'CID' uploaded to",
            id="other_cluster",
        ),
    ],
)
def test_csv_row_outside_the_json_limits_is_422_and_nothing_is_stored(
    client: TestClient, cluster_id: str, row: str, message: str
) -> None:
    text = f"ts,cluster_id,signal,unit,value\n{row}\n"

    r = _csv(client, cluster_id, text)

    assert r.status_code == 422, r.text
    assert r.json() == {
        "error": "invalid_request",
        "detail": [{"field": "body", "message": message.replace("CID", cluster_id)}],
    }
    assert _n_points(client, cluster_id) == 0


def test_a_bad_stored_value_does_not_poison_later_recommendations(
    client: TestClient, cluster_id: str, history: list[dict[str, Any]], grid: Any
) -> None:
    client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": history})
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    store.add_points(cluster_id, [int(T0.timestamp()) + 300 * 10], [1e300])  # as an older version stored it

    r = client.post(
        f"/v1/clusters/{cluster_id}/recommendations",
        json={"config": {"horizon_s": 900}, "now": grid.now.isoformat()},
    )

    assert r.status_code == 201, r.text
    assert r.json()["inputs"]["history"]["n_missing"] == 1


@pytest.mark.parametrize(
    ("result", "field", "message"),
    [
        pytest.param(
            {"Timestamps": [T0.isoformat()], "Values": ["1"]},
            "pages.0.MetricDataResults.0.Values.0",
            "'1' is not a number (a JSON number is expected)",
            id="string_value",
        ),
        pytest.param(
            {
                "Timestamps": [T0.isoformat(), (T0 + timedelta(minutes=5)).isoformat()],
                "Values": [20.0, 250.0],
            },
            "pages.0.MetricDataResults.0.Values.1",
            "250 percent is outside 0-100",
            id="percent_above_100",
        ),
        pytest.param(
            {"Timestamps": [T0.isoformat(), "yesterday"], "Values": [1.0, 2.0]},
            "pages.0.MetricDataResults.0.Timestamps.1",
            "bad timestamp: 'yesterday' is not an ISO 8601 timestamp or epoch seconds",
            id="unparseable_timestamp",
        ),
        pytest.param(
            {"Timestamps": ["2024-05-06T00:00:00"], "Values": [1.0]},
            "pages.0.MetricDataResults.0.Timestamps.0",
            "bad timestamp: '2024-05-06T00:00:00' has no UTC offset; give one, or the time zone the "
            "export is in with --input-timezone (e.g. --input-timezone Europe/Berlin; HTTP: POST "
            "/v1/clusters/{cluster_id}/metrics/upload?timezone=)",
            id="naive_timestamp",
        ),
        pytest.param(
            {"Timestamps": ["1969-12-31T23:55:00+00:00"], "Values": [1.0]},
            "pages.0.MetricDataResults.0.Timestamps.0",
            "timestamp 1969-12-31T23:55:00Z is before 1970-01-01T00:00:00Z; "
            "timestamps must be at or after it",
            id="before_1970",
        ),
    ],
)
def test_bad_cloudwatch_sample_is_422_at_its_position(
    client: TestClient, cluster_id: str, result: dict[str, Any], field: str, message: str
) -> None:
    unit = "percent_of_max_acu" if "percent" in message else "acu"
    body = {"pages": [{"MetricDataResults": [{"Id": "m", **result}]}], "unit": unit}

    r = _cw(client, cluster_id, body)

    assert r.status_code == 422, r.text
    assert r.json() == {"error": "invalid_request", "detail": [{"field": field, "message": message}]}
    assert _n_points(client, cluster_id) == 0


CANONICAL_ROWS = "ts,cluster_id,signal,unit,value\n2024-05-06T00:00:00Z,CID,capacity,acu,2\n"
AWS_ROWS = "Timestamp,ServerlessDatabaseCapacity\n2024-05-06T00:00:00Z,2\n"


@pytest.mark.parametrize(
    ("fmt", "text", "message"),
    [
        pytest.param(
            "aws-csv",
            CANONICAL_ROWS,
            "format 'aws-csv' was given, but the content is the canonical CSV "
            "(ts,cluster_id,signal,unit,value), format 'csv': give format 'csv', or no format to detect it",
            id="aws_csv_given_canonical_sent",
        ),
        pytest.param(
            "csv",
            AWS_ROWS,
            "format 'csv' was given, but the content is an AWS CSV export, format 'aws-csv': give format "
            "'aws-csv', or no format to detect it",
            id="csv_given_aws_sent",
        ),
    ],
)
def test_an_explicit_format_the_body_is_not_is_422_and_nothing_is_stored(
    client: TestClient, cluster_id: str, fmt: str, text: str, message: str
) -> None:
    r = client.post(
        f"/v1/clusters/{cluster_id}/metrics/upload?format={fmt}", content=text.replace("CID", cluster_id)
    )

    assert r.status_code == 422, r.text
    assert r.json() == {"error": "invalid_request", "detail": [{"field": "format", "message": message}]}
    assert _stored(client, cluster_id)["n_points"] == 0


@pytest.mark.parametrize(("fmt", "text"), [("csv", CANONICAL_ROWS), ("aws-csv", AWS_ROWS), (None, AWS_ROWS)])
def test_an_explicit_format_the_body_is_is_read_as_it(
    client: TestClient, cluster_id: str, fmt: str | None, text: str
) -> None:
    query = f"?format={fmt}" if fmt else ""
    r = client.post(
        f"/v1/clusters/{cluster_id}/metrics/upload{query}", content=text.replace("CID", cluster_id)
    )

    assert r.status_code == 200, r.text
    assert r.json()["report"]["format"] == ("csv" if text == CANONICAL_ROWS else "aws-csv")
    assert _stored(client, cluster_id)["n_points"] == 1


EMPTY_BODY = (
    "the body is empty: send the metric export itself, e.g. a CSV with the header "
    "ts,cluster_id,signal,unit,value and a row per sample, or an AWS console/CLI export "
    "(Timestamp,Value or Label,Timestamp,Value)"
)


@pytest.mark.parametrize("path", ["csv", "upload"])
@pytest.mark.parametrize("body", ["", "\n  \n"])
def test_an_empty_upload_body_is_422_saying_so(
    client: TestClient, cluster_id: str, path: str, body: str
) -> None:
    r = client.post(
        f"/v1/clusters/{cluster_id}/metrics/{path}", content=body, headers={"content-type": "text/csv"}
    )

    assert r.status_code == 422, r.text
    assert r.json() == {"error": "invalid_request", "detail": [{"field": "body", "message": EMPTY_BODY}]}
