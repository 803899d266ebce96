"""Request bodies and parameters the API cannot take: a 422 naming the field and the reason, never a 500."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient


@pytest.fixture
def cluster_id(client: TestClient) -> str:
    cid = f"txt-{uuid.uuid4().hex[:10]}"
    r = client.put(f"/v1/clusters/{cid}", json={"limits": {"min_acu": 0.5, "max_acu": 64}, "step_s": 300})
    assert r.status_code == 201
    return cid


def _upload(client: TestClient, cid: str, content: bytes | str, query: str = "") -> dict[str, object]:
    r = client.post(
        f"/v1/clusters/{cid}/metrics/upload{query}",
        content=content,
        headers={"content-type": "application/octet-stream"},
    )
    assert r.status_code == 422, r.text
    return dict(r.json())


def _prometheus(t: float | int) -> str:
    series = {"metric": {"__name__": "ServerlessDatabaseCapacity"}, "values": [[t, "1"]]}
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": [series]}})


def test_a_deeply_nested_upload_is_a_422(client: TestClient, cluster_id: str) -> None:
    deep = '{"config":' + "[" * 100_000 + "]" * 100_000 + "}"

    got = _upload(client, cluster_id, deep)

    assert got["error"] == "invalid_request"
    assert "nested too deeply" in json.dumps(got["detail"])


@pytest.mark.parametrize("t", [1e300, 10**23, -1e300], ids=["1e300", "10e23", "minus_1e300"])
def test_a_huge_prometheus_timestamp_is_a_422_at_the_sample(
    client: TestClient, cluster_id: str, t: float
) -> None:
    got = _upload(client, cluster_id, _prometheus(t))

    detail = got["detail"]
    assert isinstance(detail, list) and len(detail) == 1
    assert detail[0]["field"] == "response.data.result.0.values.0"
    assert "is not epoch seconds (after the year 5000)" in detail[0]["message"]


NUL_TS = "2024-01-02T00:00:00Z\u0000; DROP TABLE x"


def test_a_point_timestamp_with_a_nul_byte_is_a_422(client: TestClient, cluster_id: str) -> None:
    r = client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": [{"ts": NUL_TS, "demand_acu": 1}]})

    assert r.status_code == 422, r.text
    [entry] = r.json()["detail"]
    assert entry["field"] == "points.0.ts"
    assert "holds a NUL byte at character 20" in entry["message"]
    assert client.get(f"/v1/clusters/{cluster_id}").json()["metrics"]["n_points"] == 0


@pytest.mark.parametrize(
    ("field", "text"),
    [
        ("now", "2024-05-09T00:00:00Z\u0000junk"),
        ("history.0.ts", "2024-05-06T00:00:00+00:00\u0000junk"),
        ("history.0.ts", "2024-05-06T00:00:00+00:00\u0007"),
        ("history.0.ts", "2024-05-06\u00a000:00:00+00:00"),
    ],
    ids=["now_nul", "history_nul", "history_bell", "nbsp_separator"],
)
def test_a_stateless_timestamp_with_a_control_character_is_a_422(
    client: TestClient, body: dict[str, Any], field: str, text: str
) -> None:
    if field == "now":
        body["now"] = text
    else:
        body["history"][0]["ts"] = text

    r = client.post("/v1/recommendations", json=body)

    assert r.status_code == 422, r.text
    [entry] = r.json()["detail"]
    assert entry["field"] == field
    assert "not an ISO 8601 timestamp" in entry["message"]


CSV_HEAD = "ts,cluster_id,signal,unit,value\n"


@pytest.mark.parametrize(
    "value", ["1_0", "\uff13", "\u0663"], ids=["underscore", "fullwidth", "arabic_indic"]
)
@pytest.mark.parametrize("route", ["csv", "upload"])
def test_a_csv_value_python_alone_reads_is_a_422_naming_row_and_field(
    client: TestClient, cluster_id: str, route: str, value: str
) -> None:
    text = f"{CSV_HEAD}2024-05-06T12:30:00Z,{cluster_id},capacity,acu,{value}\n"

    r = client.post(
        f"/v1/clusters/{cluster_id}/metrics/{route}",
        content=text.encode(),
        headers={"content-type": "text/csv" if route == "csv" else "application/octet-stream"},
    )

    assert r.status_code == 422, r.text
    [entry] = r.json()["detail"]
    assert entry["message"].endswith(f"row 2, field 'value': {value!r} is not a number")
    assert client.get(f"/v1/clusters/{cluster_id}").json()["metrics"]["n_points"] == 0


def test_a_csv_row_with_a_nul_byte_says_so(client: TestClient, cluster_id: str) -> None:
    text = f"{CSV_HEAD}2024-05-06T12:30:00Z\x00zz,{cluster_id},capacity,acu,1\n"

    r = client.post(
        f"/v1/clusters/{cluster_id}/metrics/csv", content=text.encode(), headers={"content-type": "text/csv"}
    )

    assert r.status_code == 422, r.text
    [entry] = r.json()["detail"]
    assert "row 2, field 'ts': the row holds a NUL byte (character 20" in entry["message"]


def _raw(
    client: TestClient, method: str, path: str, content: bytes | str, ctype: str = "application/json"
) -> Any:
    return client.request(method, path, content=content, headers={"content-type": ctype})


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ('{"step_s": 300, "step_s": 60}', "step_s"),
        ('{"limits": {"min_acu": 0.5, "max_acu": 64, "max_acu": 8}}', "limits.max_acu"),
    ],
    ids=["top_level", "nested"],
)
def test_a_repeated_key_is_a_422_naming_it(client: TestClient, text: str, field: str) -> None:
    cid = f"dup-{uuid.uuid4().hex[:10]}"

    r = _raw(client, "PUT", f"/v1/clusters/{cid}", text)

    assert r.status_code == 422, r.text
    [entry] = r.json()["detail"]
    assert entry["field"] == field
    assert entry["message"].startswith(f"the key {field.split('.')[-1]!r} appears more than once")
    assert client.get(f"/v1/clusters/{cid}").status_code == 404


def test_a_repeated_key_in_a_history_point_is_a_422_at_the_point(
    client: TestClient, body: dict[str, Any]
) -> None:
    text = json.dumps(body).replace('"demand_acu":', '"demand_acu": 1, "demand_acu":', 1)

    r = _raw(client, "POST", "/v1/recommendations", text)

    assert r.status_code == 422, r.text
    assert [e["field"] for e in r.json()["detail"]] == ["history.0.demand_acu"]


def test_a_repeated_key_in_an_uploaded_export_is_a_422(client: TestClient, cluster_id: str) -> None:
    text = _prometheus(1_714_953_600).replace('"status": ', '"status": "success", "status": ')

    got = _upload(client, cluster_id, text)

    assert "the key 'status' appears more than once" in json.dumps(got["detail"])


@pytest.mark.parametrize(
    ("encoding", "words"),
    [
        ("utf-16", "the body is not valid UTF-8"),
        ("utf-16-le", "the body holds a NUL byte at offset 1"),
        ("utf-16-be", "the body holds a NUL byte at offset 0"),
        ("utf-32", "the body is not valid UTF-8"),
        ("utf-32-le", "the body holds a NUL byte at offset 1"),
    ],
)
def test_a_json_body_that_is_not_utf8_is_a_422(client: TestClient, encoding: str, words: str) -> None:
    cid = f"enc-{uuid.uuid4().hex[:10]}"

    r = _raw(client, "PUT", f"/v1/clusters/{cid}", '{"step_s": 60}'.encode(encoding))

    assert r.status_code == 422, r.text
    [entry] = r.json()["detail"]
    assert entry["field"] == "body"
    assert entry["message"].startswith(words)
    assert client.get(f"/v1/clusters/{cid}").status_code == 404


def test_a_json_body_with_a_utf8_byte_order_mark_is_read(client: TestClient) -> None:
    cid = f"bom-{uuid.uuid4().hex[:10]}"

    r = _raw(client, "PUT", f"/v1/clusters/{cid}", '{"step_s": 60}'.encode("utf-8-sig"))

    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("ctype", "got"),
    [
        ("text/plain", "got 'text/plain'"),
        ("application/x-www-form-urlencoded", "got 'application/x-www-form-urlencoded'"),
        ("multipart/form-data; boundary=x", "got 'multipart/form-data; boundary=x'"),
        (None, "no Content-Type was sent"),
    ],
    ids=["text", "form", "multipart", "none"],
)
def test_a_body_without_the_json_content_type_is_told_what_to_send(
    client: TestClient, ctype: str | None, got: str
) -> None:
    headers = {} if ctype is None else {"content-type": ctype}

    r = client.put(f"/v1/clusters/ct-{uuid.uuid4().hex[:10]}", content=b"{}", headers=headers)

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {
            "field": "body",
            "message": f"the body must be a JSON object sent with Content-Type: application/json ({got})",
        }
    ]


@pytest.mark.parametrize("ctype", ["application/json; charset=utf-8", "application/merge-patch+json"])
def test_json_content_types_are_read(client: TestClient, ctype: str) -> None:
    r = client.put(f"/v1/clusters/ct-{uuid.uuid4().hex[:10]}", content=b"{}", headers={"content-type": ctype})

    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("path", "field", "message"),
    [
        (
            "/v1/clusters/%25",
            "cluster_id",
            "'%' is not a cluster id (letters, digits and ._:- only, starting with a letter or digit)",
        ),
        (
            "/v1/clusters/.x",
            "cluster_id",
            "'.x' is not a cluster id (letters, digits and ._:- only, starting with a letter or digit)",
        ),
        (
            "/v1/clusters/_foo:x/recommendations",
            "cluster_id",
            "'_foo:x' is not a cluster id (letters, digits and ._:- only, starting with a letter or digit) "
            "or _stateless:<cluster id>",
        ),
        (
            f"/v1/advice/{'A' * 32}",
            "job_id",
            f"{'A' * 32!r} is not a job id (32 lower-case hexadecimal digits, as in the Location the job "
            "was created with)",
        ),
        (
            f"/v1/replays/{'g' * 32}",
            "job_id",
            f"{'g' * 32!r} is not a job id (32 lower-case hexadecimal digits, as in the Location the job "
            "was created with)",
        ),
    ],
    ids=["percent", "leading_dot", "underscore_history", "advice_upper_case", "replay_not_hex"],
)
def test_a_bad_path_id_is_told_the_rule_in_words(
    client: TestClient, path: str, field: str, message: str
) -> None:
    r = client.get(path)

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [{"field": field, "message": message}]
    assert "pattern" not in r.text


@pytest.mark.parametrize(
    "after", ["%%%", "%00", "%ff", "_x", "a%20b"], ids=["percents", "nul", "ff", "underscore", "space"]
)
def test_a_page_cursor_that_is_not_a_cluster_id_is_a_422(client: TestClient, after: str) -> None:
    r = client.get(f"/v1/clusters?after={after}")

    assert r.status_code == 422, r.text
    [entry] = r.json()["detail"]
    assert entry["field"] == "after"
    assert "is not a cluster id (letters, digits and ._:- only" in entry["message"]


def test_a_page_cursor_that_is_a_cluster_id_pages(client: TestClient, cluster_id: str) -> None:
    r = client.get(f"/v1/clusters?after={cluster_id}&limit=1")

    assert r.status_code == 200, r.text


@pytest.mark.parametrize(
    ("path", "query", "field", "message"),
    [
        ("/v1/clusters", "limit=1&limit=2", "limit", "limit is given 2 times ('1', '2'); give it once"),
        (
            "/v1/clusters/CID/recommendations",
            "before=5&limit=3&before=7",
            "before",
            "before is given 2 times ('5', '7'); give it once",
        ),
        (
            "/v1/clusters",
            "limit=1&bogus=1",
            "bogus",
            "bogus='1' is not a parameter of this endpoint; it takes limit, after",
        ),
    ],
    ids=["limit_twice", "before_twice", "unknown"],
)
def test_a_repeated_or_unknown_query_parameter_is_a_422_naming_it(
    client: TestClient, cluster_id: str, path: str, query: str, field: str, message: str
) -> None:
    r = client.get(f"{path.replace('CID', cluster_id)}?{query}")

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [{"field": field, "message": message}]


def _ok_csv(cid: str) -> str:
    return f"{CSV_HEAD}2024-05-06T12:30:00Z,{cid},capacity,acu,2\n"


def test_signal_on_an_upload_that_names_its_own_signals_is_a_422(client: TestClient, cluster_id: str) -> None:
    got = _upload(client, cluster_id, _ok_csv(cluster_id), "?signal=CPUUtilization")

    assert got["detail"] == [
        {
            "field": "signal",
            "message": "signal='CPUUtilization' changes nothing: the content is not a Timestamp,Value "
            "export or a Timestamp,<statistic> one (Timestamp,Average), the only layouts whose metric "
            "it names (it selects no signal); the other layouts and "
            "formats name their own signals",
        }
    ]


def test_signal_names_the_metric_of_a_timestamp_average_upload(client: TestClient, cluster_id: str) -> None:
    content = "Timestamp,Average\n2024-05-06T12:30:00Z,2.5\n2024-05-06T12:35:00Z,3\n"

    r = client.post(
        f"/v1/clusters/{cluster_id}/metrics/upload?signal=ServerlessDatabaseCapacity",
        content=content,
        headers={"content-type": "application/octet-stream"},
    )

    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 2
    assert [s["statistic"] for s in r.json()["report"]["signals"]] == ["Average"]
    missing = _upload(client, cluster_id, content)["detail"]
    assert [d["message"] for d in missing] == [  # type: ignore[attr-defined]
        "upload row 1, field 'Average': a Timestamp,Average export does not say which metric it holds (its "
        "'Average' column is the statistic): name it with --signal NAME (e.g. --signal "
        "ServerlessDatabaseCapacity; HTTP: POST /v1/clusters/{cluster_id}/metrics/upload?signal=)"
    ]


def test_an_unknown_upload_parameter_is_a_422(client: TestClient, cluster_id: str) -> None:
    got = _upload(client, cluster_id, _ok_csv(cluster_id), "?bogus=1")

    assert got["detail"] == [
        {
            "field": "bogus",
            "message": "bogus='1' is not a parameter of this endpoint; it takes format, timezone, signal",
        }
    ]


def test_signal_on_a_timestamp_value_upload_names_its_metric(client: TestClient, cluster_id: str) -> None:
    r = client.post(
        f"/v1/clusters/{cluster_id}/metrics/upload?signal=ServerlessDatabaseCapacity",
        content=b"Timestamp,Value\n2024-05-06T12:30:00Z,3\n",
        headers={"content-type": "application/octet-stream"},
    )

    assert r.status_code == 200, r.text


def test_a_signal_with_a_bad_statistic_is_a_422_at_signal_not_at_the_file(
    client: TestClient, cluster_id: str
) -> None:
    got = _upload(
        client, cluster_id, "Timestamp,Value\n2024-05-06T12:30:00Z,3\n", "?signal=CPUUtilization%20Bogus"
    )

    assert got["detail"] == [
        {
            "field": "signal",
            "message": "signal='CPUUtilization Bogus': 'Bogus' is not a statistic (one of Maximum, Average, "
            "Minimum, Sum, SampleCount, or a percentile such as p99)",
        }
    ]


def test_a_timestamp_value_csv_is_pointed_to_the_endpoint_that_takes_signal(
    client: TestClient, cluster_id: str
) -> None:
    r = client.post(
        f"/v1/clusters/{cluster_id}/metrics/csv",
        content=b"Timestamp,Value\n2024-05-06T12:30:00Z,3\n",
        headers={"content-type": "text/csv"},
    )

    assert r.status_code == 422, r.text
    message = r.json()["detail"][0]["message"]
    assert "HTTP: POST /v1/clusters/{cluster_id}/metrics/upload?signal=" in message
    assert "HTTP: ?signal=" not in message


def test_a_stateless_history_off_the_step_grid_gets_the_metrics_warning(
    client: TestClient, body: dict[str, Any]
) -> None:
    first = body["history"][0]["ts"]
    body["history"][0]["ts"] = first.replace(":00:00+", ":02:17+", 1)

    r = client.post("/v1/recommendations", json=body)

    assert r.status_code == 200, r.text
    off = [w for w in r.json()["warnings"] if "off the" in w]
    assert off == [
        "history: 1 of 864 samples sit off the request's step_s 300-s grid (the first, "
        "history.0.ts=2024-05-06T00:02:17Z, is 137 s past the step start 2024-05-06T00:00:00Z); "
        "each counts in the step that holds it (the step's max)"
    ]
    stored = client.get(r.headers["location"]).json()
    assert off[0] in stored["recommendation"]["warnings"]


def test_an_rfc3339_lower_case_z_is_utc(client: TestClient, body: dict[str, Any]) -> None:
    lower = [p | {"ts": p["ts"].replace("+00:00", "z").replace("T", "t")} for p in body["history"]]

    r = client.post("/v1/recommendations", json=body | {"history": lower})
    same = client.post("/v1/recommendations", json=body)

    assert r.status_code == 200, r.text
    assert r.json()["steps"] == same.json()["steps"]


def test_a_stateless_history_on_the_step_grid_gets_no_off_grid_warning(
    client: TestClient, body: dict[str, Any]
) -> None:
    r = client.post("/v1/recommendations", json=body)

    assert r.status_code == 200, r.text
    assert not [w for w in r.json()["warnings"] if "off the" in w]


def test_a_forecast_history_off_the_step_grid_gets_the_same_warning(
    client: TestClient, body: dict[str, Any]
) -> None:
    history = body["history"]
    history[0]["ts"] = history[0]["ts"].replace(":00:00+", ":02:17+", 1)
    request = {"step_s": 300, "history": history, "horizon_s": 3600, "quantiles": [0.5, 0.9]}

    r = client.post("/v1/forecasts", json=request)

    assert r.status_code == 200, r.text
    assert [w for w in r.json()["warnings"] if "off the" in w] == [
        "history: 1 of 864 samples sit off the request's step_s 300-s grid (the first, "
        "history.0.ts=2024-05-06T00:02:17Z, is 137 s past the step start 2024-05-06T00:00:00Z); "
        "each counts in the step that holds it (the step's max)"
    ]
