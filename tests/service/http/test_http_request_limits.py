"""POST /v1/recommendations: far-future and out-of-range times, and strict JSON types.

Every case must be a 422 in the one error shape, found before any step grid is built
(a timestamp in year 9999 used to allocate gigabytes and end in a 500).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from policy import Recommendation

URL = "/v1/recommendations"
FIRST = datetime(2024, 3, 4, tzinfo=UTC)  # README_BODY's first point
STEP = timedelta(seconds=300)
README_BODY: dict[str, Any] = {
    "cluster": {
        "cluster_id": "orders-db",
        "topology": {
            "region": "us-east-1",
            "az_ids": ["use1-az1", "use1-az2", "use1-az4"],
            "writer_az_id": "use1-az1",
        },
        "limits": {"min_acu": 0.5, "max_acu": 64},
    },
    "step_s": 300,
    "history": [
        {"ts": "2024-03-04T00:00:00Z", "demand_acu": 3.5},
        {"ts": "2024-03-04T00:05:00Z", "demand_acu": 4.0},
    ],
}


def _one_error(r: Any, field: str | None, message: str) -> None:
    assert r.status_code == 422, r.text
    assert r.json() == {"error": "invalid_request", "detail": [{"field": field, "message": message}]}


def _readme(**changes: Any) -> dict[str, Any]:
    body = {**README_BODY, "history": [dict(p) for p in README_BODY["history"]]}
    for key, value in changes.items():
        if key.startswith("ts"):
            body["history"][int(key[2:])]["ts"] = value
        else:
            body[key] = value
    return body


def test_readme_example_is_accepted(client: TestClient) -> None:
    r = client.post(URL, json=_readme())

    assert r.status_code == 200, r.text


def test_far_future_history_point_is_422_before_any_grid_is_built(client: TestClient) -> None:
    n_steps = (datetime(9999, 12, 31, 23, 55, tzinfo=UTC) - FIRST) // STEP + 1

    r = client.post(URL, json=_readme(ts1="9999-12-31T23:55:00Z"))

    _one_error(
        r,
        "history",
        f"history spans {n_steps} steps of 300 s (2024-03-04T00:00:00Z to 9999-12-31T23:55:00Z); "
        "at most 40320 are accepted",
    )


@pytest.mark.parametrize("url", [URL, "/v1/forecasts"])
def test_a_history_point_after_the_server_clock_is_422(client: TestClient, url: str) -> None:
    # Planning "as of" a past now is fine; a sample from the future is a typo (stored
    # recommendations said generated_at 2044).
    body = _readme(now="2044-03-04T01:00:00Z")
    body["history"] = [{**p, "ts": p["ts"].replace("2024", "2044")} for p in body["history"]]
    if url != URL:
        body = {"history": body["history"], "now": body["now"], "step_s": body.get("step_s", 300)}

    r = client.post(url, json=body)

    assert r.status_code == 422, r.text
    (detail,) = r.json()["detail"]
    assert detail["field"] == "history.0.ts"
    assert detail["message"].startswith("2044-03-04T00:00:00Z is in the future (after now, ")


@pytest.mark.parametrize(
    ("history", "message"),
    [
        pytest.param(
            ["9999-12-31T23:50:00Z", "9999-12-31T23:55:00Z"],
            "the last history step ends at 10000-01-01T00:00:00Z, too late for the 10800-s plan: "
            "it must end by 9999-12-31T23:59:59Z",
            id="default_now_past_year_9999",
        ),
        pytest.param(
            ["9999-12-31T18:00:00-05:00", "9999-12-31T18:05:00-05:00"],
            "the last history step ends at 9999-12-31T23:10:00Z, too late for the 10800-s plan: "
            "it must end by 9999-12-31T23:59:59Z",
            id="offset_pushes_utc_close_to_the_end",
        ),
        pytest.param(
            ["1969-12-31T23:55:00Z", "1970-01-01T00:00:00Z"],
            "history starts at 1969-12-31T23:55:00Z; timestamps must be at or after 1970-01-01T00:00:00Z",
            id="before_1970",
        ),
    ],
)
def test_history_out_of_time_range_is_422_on_history(
    client: TestClient, history: list[str], message: str
) -> None:
    r = client.post(URL, json=_readme(ts0=history[0], ts1=history[1]))

    _one_error(r, "history", message)


@pytest.mark.parametrize(
    ("now", "message"),
    [
        pytest.param(
            "9999-12-31T23:55:00Z",
            "now 9999-12-31T23:55:00Z, too late for the 10800-s plan: it must end by 9999-12-31T23:59:59Z",
            id="on_grid_but_plan_overflows",
        ),
        pytest.param(
            "9999-12-31T23:59:59Z",
            "now 9999-12-31T23:59:59+00:00 is not on the 300-s step grid (a multiple of step_s since the "
            "Unix epoch); e.g. 9999-12-31T23:55:00Z",
            id="off_grid_at_the_end_of_time",
        ),
        pytest.param(
            "2100-01-01T00:00:00Z",
            f"now 2100-01-01T00:00:00Z is {(datetime(2100, 1, 1, tzinfo=UTC) - FIRST) // STEP} steps of "
            "300 s after the first history step "
            "(2024-03-04T00:00:00Z); at most 40320 are accepted",
            id="far_but_representable",
        ),
    ],
)
def test_far_future_now_is_422_on_now(client: TestClient, now: str, message: str) -> None:
    r = client.post(URL, json=_readme(now=now))

    _one_error(r, "now", message)


def test_now_with_an_offset_is_planned_in_utc(client: TestClient) -> None:
    r = client.post(URL, json=_readme(now="2024-03-04T02:10:00+02:00"))

    assert r.status_code == 200, r.text
    rec = Recommendation.model_validate(r.json())
    assert rec.generated_at == datetime(2024, 3, 4, 0, 10, tzinfo=UTC)
    assert rec.generated_at.utcoffset() == timedelta(0)


@pytest.mark.parametrize(
    ("path", "value", "field", "message"),
    [
        pytest.param(
            ("history", 0, "demand_acu"),
            True,
            "history.0.demand_acu",
            "Input should be a valid number",
            id="bool_demand",
        ),
        pytest.param(
            ("history", 0, "demand_acu"),
            "3.5",
            "history.0.demand_acu",
            "Input should be a valid number",
            id="string_demand",
        ),
        pytest.param(("step_s",), "300", "step_s", "Input should be a valid integer", id="string_step"),
        pytest.param(("step_s",), 300.0, "step_s", "Input should be a valid integer", id="float_step"),
        pytest.param(
            ("history", 0, "ts"),
            1709510400,
            "history.0.ts",
            "must be an ISO 8601 string with a UTC offset, e.g. 2024-05-06T12:00:00Z",
            id="epoch_number_ts",
        ),
        pytest.param(
            ("history", 0, "ts"),
            "1709510400",
            "history.0.ts",
            "'1709510400' is not an ISO 8601 timestamp with a UTC offset, e.g. 2024-05-06T12:00:00Z",
            id="epoch_string_ts",
        ),
        pytest.param(
            ("now",),
            1709510400,
            "now",
            "must be an ISO 8601 string with a UTC offset, e.g. 2024-05-06T12:00:00Z",
            id="epoch_number_now",
        ),
        pytest.param(
            ("config", "horizon_s"),
            "3600",
            "config.horizon_s",
            "Input should be a valid integer",
            id="string_override",
        ),
        pytest.param(
            ("config", "risk_quantile"),
            True,
            "config.risk_quantile",
            "Input should be a valid number",
            id="bool_override",
        ),
        pytest.param(
            ("config", "require_failover_reader"),
            "true",
            "config.require_failover_reader",
            "Input should be a valid boolean",
            id="string_flag",
        ),
    ],
)
def test_request_fields_are_strict_json_types(
    client: TestClient, path: tuple[str | int, ...], value: Any, field: str, message: str
) -> None:
    body = _readme()
    body["config"] = {}
    target: Any = body
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value

    r = client.post(URL, json=body)

    _one_error(r, field, message)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param(
            b"\xff\xfe{}",
            "the body is not valid UTF-8: invalid start byte (byte 0xff at offset 0)",
            id="bom_like",
        ),
        pytest.param(
            b'{"step_s": 300, "x": "\xe9"}',
            "the body is not valid UTF-8: invalid continuation byte (byte 0xe9 at offset 22)",
            id="latin1",
        ),
        pytest.param(
            b'{"a":' * 100_000 + b"1" + b"}" * 100_000,
            "the body could not be parsed as JSON (not UTF-8 JSON, too deeply nested, or a huge number)",
            id="nested_too_deep",
        ),
    ],
)
def test_body_that_is_not_utf8_says_so(client: TestClient, content: bytes, message: str) -> None:
    r = client.post(URL, content=content, headers={"content-type": "application/json"})

    assert r.status_code == 422
    assert r.json() == {"error": "invalid_request", "detail": [{"field": "body", "message": message}]}


def test_csv_body_that_is_not_utf8_says_so(client: TestClient) -> None:
    client.put("/v1/clusters/utf8-csv", json={})
    body = b"ts,cluster_id,signal,unit,value\n2024-05-06T00:00:00Z,utf8-csv,c\xe9,acu,1\n"
    offset = body.index(b"\xe9")

    r = client.post("/v1/clusters/utf8-csv/metrics/csv", content=body, headers={"content-type": "text/csv"})

    assert r.status_code == 422
    assert r.json() == {
        "error": "invalid_request",
        "detail": [
            {
                "field": "body",
                "message": "the body is not valid UTF-8: invalid continuation byte "
                f"(byte 0xe9 at offset {offset})",
            }
        ],
    }
