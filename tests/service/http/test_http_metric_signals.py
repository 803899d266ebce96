"""Metric uploads with several signals and every format: max per step, flags, all problems at once."""

from __future__ import annotations

import io
import json
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

T0 = 1_714_953_600  # 2024-05-06T00:00:00Z
GIB = 2**30


@pytest.fixture
def cid(client: TestClient) -> str:
    cid = f"sig-{uuid.uuid4().hex[:10]}"
    r = client.put(f"/v1/clusters/{cid}", json={"limits": {"min_acu": 0.5, "max_acu": 16}, "step_s": 300})
    assert r.status_code == 201
    return cid


@pytest.fixture
def fixed_clock(client: TestClient) -> Iterator[None]:
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    before = runtime.clock
    runtime.clock = lambda: float(T0 + 3600)
    yield
    runtime.clock = before


def _iso(t: int) -> str:
    return f"2024-05-06T{(t - T0) // 3600:02d}:{(t - T0) % 3600 // 60:02d}:00+00:00"


def _at(now_s: int, *, horizon_s: int | None = None) -> dict[str, object]:
    """A recommendation body planning at ``now_s`` (the data is from 2024, the server's clock is not)."""
    body: dict[str, object] = {"now": datetime.fromtimestamp(now_s, tz=UTC).isoformat()}
    if horizon_s is not None:
        body["config"] = {"horizon_s": horizon_s}
    return body


def _n_points(client: TestClient, cid: str) -> int:
    return int(client.get(f"/v1/clusters/{cid}").json()["metrics"]["n_points"])


def test_cloudwatch_several_ids_store_the_max_and_name_the_binding_signal(
    client: TestClient, cid: str
) -> None:
    stamps = [_iso(T0 + 300 * i) for i in range(3)][::-1]
    page = {
        "MetricDataResults": [
            {"Id": "cpu_max", "Label": "CPUUtilization", "Timestamps": stamps, "Values": [75.0, 10.0, 10.0]},
            {"Id": "cpu_avg", "Label": "CPUUtilization", "Timestamps": stamps, "Values": [90.0, 90.0, 90.0]},
            {"Id": "mem", "Label": "FreeableMemory Minimum", "Timestamps": stamps, "Values": [24 * GIB] * 3},
            {"Id": "conns", "Label": "DatabaseConnections", "Timestamps": stamps, "Values": [20.0] * 3,
             "StatusCode": "PartialData"},
        ]
    }  # fmt: skip

    r = client.post(f"/v1/clusters/{cid}/metrics/cloudwatch", json={"pages": [page]})

    assert r.status_code == 200, r.text
    body = r.json()
    # CPU Maximum of 16 ACU: 1.6, 1.6, 12; FreeableMemory 24 of 32 GiB free: 4 ACU in use
    assert body["received"] == 3 and body["status"] == "PartialData"
    assert body["report"]["binding_share"] == {
        "FreeableMemory": pytest.approx(0.6667),
        "CPUUtilization": pytest.approx(0.3333),
    }
    assert "DatabaseConnections (query Id conns): CloudWatch answered PartialData" in body["warnings"][0]
    assert (
        "CPUUtilization: the Maximum statistic is used; Average ignored (of Maximum, Average)"
        in body["warnings"]
    )
    rec = client.post(f"/v1/clusters/{cid}/recommendations", json=_at(T0 + 900, horizon_s=900)).json()
    assert rec["inputs"]["history"]["n_steps"] == 3 and rec["inputs"]["history"]["n_missing"] == 0


def test_forbidden_query_is_a_flag_not_a_rejection(client: TestClient, cid: str) -> None:
    page = {"MetricDataResults": [
        {"Id": "acu", "Label": "ServerlessDatabaseCapacity", "Timestamps": [_iso(T0)], "Values": [2.0]},
        {"Id": "cpu", "Label": "CPUUtilization", "Timestamps": [], "Values": [], "StatusCode": "Forbidden"},
    ]}  # fmt: skip

    r = client.post(f"/v1/clusters/{cid}/metrics/cloudwatch", json={"pages": [page]})

    assert r.status_code == 200, r.text
    assert r.json()["status"] == "PartialData"
    assert r.json()["warnings"] == ["CPUUtilization (query Id cpu): CloudWatch answered Forbidden"]


def test_every_bad_row_is_one_detail_entry_and_nothing_is_stored(client: TestClient, cid: str) -> None:
    good = "".join(f"2024-05-06T00:{m:02d}:00Z,{cid},cpu,percent,5\n" for m in range(0, 60, 5))
    bad = "".join(f"2024-05-06T01:{m:02d}:00Z,{cid},cpu,percent,-1\n" for m in range(0, 25))
    text = "ts,cluster_id,signal,unit,value\n" + good + bad

    r = client.post(f"/v1/clusters/{cid}/metrics/csv", content=text, headers={"content-type": "text/csv"})

    assert r.status_code == 422
    detail = r.json()["detail"]
    assert len(detail) == 21  # the first 20 rows, then the count of the rest
    assert detail[0] == {"field": "body", "message": "upload.csv row 14, field 'value': -1 is negative"}
    assert detail[-1] == {"field": "body", "message": "5 more problems (the first 20 are listed)"}
    assert _n_points(client, cid) == 0


def _acu_rows(cid: str, values: list[float], *, start_min: int = 0) -> str:
    return "".join(
        f"{_iso(T0 + 60 * (start_min + 5 * k))},{cid},ServerlessDatabaseCapacity,acu,{v}\n"
        for k, v in enumerate(values)
    )


CSV_REJECTED = "upload.csv row 14, field 'value': demand -1 ACU must be finite, >= 0 and <= 1,000,000 ACU"
CW_REJECTED = "'2' is not a number (a JSON number is expected)"


@pytest.mark.parametrize(
    ("kind", "field", "message"),
    [
        pytest.param("csv", "body", CSV_REJECTED, id="csv-bad-row"),
        pytest.param(
            "cloudwatch", "pages.0.MetricDataResults.0.Values.1", CW_REJECTED, id="cloudwatch-string"
        ),
    ],
)
def test_a_rejected_upload_leaves_the_stored_data_unchanged(
    client: TestClient, cid: str, kind: str, field: str, message: str
) -> None:
    header = "ts,cluster_id,signal,unit,value\n"
    stored = client.post(
        f"/v1/clusters/{cid}/metrics/csv",
        content=header + _acu_rows(cid, [1, 2, 3, 4, 5, 6]),
        headers={"content-type": "text/csv"},
    )
    assert stored.status_code == 200, stored.text
    before = client.get(f"/v1/clusters/{cid}").json()["metrics"]
    assert before == {"n_points": 6, "first_ts": "2024-05-06T00:00:00Z", "last_ts": "2024-05-06T00:25:00Z"}
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    # every good sample of the bad upload would overwrite 00:00-00:25 with 9 and add 00:30-00:55
    if kind == "csv":
        r = client.post(
            f"/v1/clusters/{cid}/metrics/csv",
            content=header + _acu_rows(cid, [9] * 12) + _acu_rows(cid, [-1], start_min=60),
            headers={"content-type": "text/csv"},
        )
    else:
        stamps = [_iso(T0 + 300 * k) for k in range(12)]
        values: list[object] = [9.0, "2", *[9.0] * 10]
        result = {"Id": "acu", "Label": "ServerlessDatabaseCapacity", "Timestamps": stamps, "Values": values}
        page = {"MetricDataResults": [result]}
        r = client.post(f"/v1/clusters/{cid}/metrics/cloudwatch", json={"pages": [page]})

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [{"field": field, "message": message}]
    assert client.get(f"/v1/clusters/{cid}").json()["metrics"] == before
    assert store.points(cid, since_s=T0, until_s=T0 + 86_400) == (
        [T0 + 300 * k for k in range(6)],
        [1.0, 2.0, 3.0, 4.0, 5.0, 6.0],
    )


def test_conflicting_duplicates_and_future_rows_are_rejected(
    client: TestClient, cid: str, fixed_clock: None
) -> None:
    text = (
        "ts,cluster_id,signal,unit,value\n"
        f"2024-05-06T00:00:00Z,{cid},acu,acu,1\n"
        f"2024-05-06T00:00:00Z,{cid},acu,acu,1\n"
        f"2024-05-06T00:05:00Z,{cid},acu,acu,2\n"
        f"2024-05-06T00:05:00Z,{cid},acu,acu,3\n"
        f"2024-05-06T02:00:00Z,{cid},acu,acu,3\n"
    )

    r = client.post(f"/v1/clusters/{cid}/metrics/csv", content=text, headers={"content-type": "text/csv"})

    assert r.status_code == 422
    assert [d["message"] for d in r.json()["detail"]] == [
        "upload.csv row 6, field 'ts': 2024-05-06T02:00:00Z is in the future "
        "(after now, 2024-05-06T01:00:00Z)",
        "upload.csv row 5, field 'value': acu (upload.csv) has 2 and 3 at 2024-05-06T00:05:00Z "
        "(also at upload.csv row 4): conflicting duplicate",
    ]
    assert _n_points(client, cid) == 0


def test_exact_duplicates_are_dropped_and_counted(client: TestClient, cid: str) -> None:
    row = f"2024-05-06T00:00:00Z,{cid},acu,acu,1\n"
    text = "ts,cluster_id,signal,unit,value\n" + row + row + row

    r = client.post(f"/v1/clusters/{cid}/metrics/csv", content=text, headers={"content-type": "text/csv"})

    assert r.status_code == 200, r.text
    assert r.json()["report"]["n_duplicates"] == 2 and r.json()["stored"] == 1


def test_upload_prometheus_matrix(client: TestClient, cid: str) -> None:
    values = [[T0 + 300 * k, v] for k, v in enumerate(["2", "3", "NaN", "4", "5"])]
    response = {"status": "success", "data": {"resultType": "matrix", "result": [
        {"metric": {"__name__": "ServerlessDatabaseCapacity"}, "values": values},
    ]}}  # fmt: skip

    r = client.post(f"/v1/clusters/{cid}/metrics/upload", content=json.dumps(response))

    assert r.status_code == 200, r.text
    assert r.json()["report"]["format"] == "prometheus"
    assert r.json()["received"] == 4
    assert r.json()["report"]["signals"][0]["holes"] == ["2024-05-06T00:10:00Z/2024-05-06T00:15:00Z"]
    assert r.json()["warnings"] == ["1 NaN samples (Prometheus: no value) were skipped as missing"]


def test_upload_parquet(client: TestClient, cid: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    ts = pa.array([T0, T0 + 300], pa.timestamp("s", tz="UTC"))
    buf = io.BytesIO()
    pq.write_table(pa.table({"ts": ts, "CPUUtilization": [50.0, 25.0]}), buf)

    r = client.post(f"/v1/clusters/{cid}/metrics/upload", content=buf.getvalue())

    assert r.status_code == 200, r.text
    assert r.json()["report"]["format"] == "parquet" and r.json()["received"] == 2
    rec = client.post(f"/v1/clusters/{cid}/recommendations", json=_at(T0 + 600, horizon_s=900)).json()
    assert rec["recommendation"]["steps"][0]["demand_p50_acu"] == pytest.approx(4.0)  # 25% of 16 ACU


def test_upload_aws_console_csv_with_a_zone(client: TestClient, cid: str) -> None:
    text = "Timestamp,Value\n2024-05-06 02:00:00,50\n2024-05-06 02:05:00,25\n"
    url = f"/v1/clusters/{cid}/metrics/upload?signal=CPUUtilization%20Maximum"

    naive = client.post(url, content=text)
    assert naive.status_code == 422
    assert naive.json()["detail"][0]["message"].startswith(
        "upload row 2, field 'Timestamp': '2024-05-06 02:00:00' has no UTC offset"
    )

    r = client.post(url + "&timezone=Europe/Berlin", content=text)
    assert r.status_code == 200, r.text
    assert r.json()["metrics"]["first_ts"] == "2024-05-06T00:00:00Z"  # 02:00 CEST
    bad = client.post(url + "&timezone=Mars/Base", content=text)
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "timezone"


def test_upload_timezone_on_timestamps_with_offsets_is_422_as_changing_nothing(
    client: TestClient, cid: str
) -> None:
    """It was accepted without a word, as ``--input-timezone`` was (QA 64 #2)."""
    text = "Timestamp,Value\n2024-05-06T02:00:00Z,50\n2024-05-06T02:05:00+02:00,25\n"
    url = f"/v1/clusters/{cid}/metrics/upload?signal=CPUUtilization%20Maximum&timezone=Europe/Berlin"

    r = client.post(url, content=text)

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {
            "field": "timezone",
            "message": "timezone='Europe/Berlin' changes nothing: every timestamp of the content carries its "
            "own UTC offset (or is epoch seconds), and the zone only places those without one",
        }
    ]


def _acu_page(start_s: int, n: int, *, forbidden_cpu: bool) -> dict[str, object]:
    stamps = [datetime.fromtimestamp(start_s + 300 * k, tz=UTC).isoformat() for k in range(n)]
    results: list[dict[str, object]] = [
        {"Id": "acu", "Label": "ServerlessDatabaseCapacity", "Timestamps": stamps, "Values": [2.0] * n}
    ]
    if forbidden_cpu:
        results.append({"Id": "cpu", "Label": "CPUUtilization", "Timestamps": [], "Values": [],
                        "StatusCode": "Forbidden"})  # fmt: skip
    return {"MetricDataResults": results}


def test_a_flagged_upload_holds_later_recommendations_from_the_stored_metrics(
    client: TestClient, cid: str
) -> None:
    flag = "CPUUtilization (query Id cpu): CloudWatch answered Forbidden"
    deployed = {"previous": {"writer_acu": 8.0, "failover_az_id": "use1-az2"}}
    days = 3 * 288
    r = client.post(
        f"/v1/clusters/{cid}/metrics/cloudwatch", json={"pages": [_acu_page(T0, days, forbidden_cpu=True)]}
    )
    assert r.json()["status"] == "PartialData"

    held = client.post(
        f"/v1/clusters/{cid}/recommendations", json={**deployed, **_at(T0 + 300 * days)}
    ).json()["recommendation"]

    assert held["data_quality"]["flags"] == [flag] and held["data_quality"]["held"] is True
    assert min(s["min_capacity_acu"] for s in held["steps"]) == 8.0
    # The next upload is complete: it replaces the flags, and the plan may go down again.
    later = _acu_page(T0 + 300 * days, 12, forbidden_cpu=False)
    assert (
        client.post(f"/v1/clusters/{cid}/metrics/cloudwatch", json={"pages": [later]}).json()["status"]
        == "Complete"
    )
    free = client.post(
        f"/v1/clusters/{cid}/recommendations", json={**deployed, **_at(T0 + 300 * (days + 12))}
    ).json()["recommendation"]
    assert free["data_quality"]["flags"] == [] and free["data_quality"]["held"] is False
    assert min(s["min_capacity_acu"] for s in free["steps"]) < 8.0
