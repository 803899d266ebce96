"""Registered clusters: registration, metrics (JSON), recommendations from stored history, history."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from policy import Recommendation


def _register(client: TestClient, cluster_id: str, **changes: Any) -> Any:
    body = {"limits": {"min_acu": 0.5, "max_acu": 64}, "step_s": 300, **changes}
    return client.put(f"/v1/clusters/{cluster_id}", json=body)


@pytest.fixture
def cluster_id(client: TestClient) -> str:
    cid = f"c-{uuid.uuid4().hex[:10]}"
    assert _register(client, cid).status_code == 201
    return cid


def test_register_then_update_counts_revisions(client: TestClient) -> None:
    cid = f"reg-{uuid.uuid4().hex[:8]}"

    first = _register(client, cid)
    second = _register(client, cid, read_frac=0.7, config={"risk_quantile": 0.9})

    assert first.status_code == 201, first.text
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["revision"] == 2
    assert body["cluster"]["cluster_id"] == cid
    assert body["cluster"]["read_frac"] == 0.7
    assert body["config"]["risk_quantile"] == 0.9
    assert body["metrics"] == {"n_points": 0, "first_ts": None, "last_ts": None}
    assert client.get(f"/v1/clusters/{cid}").json() == body


def test_a_registered_time_zone_is_kept_and_is_kept(client: TestClient) -> None:
    cid = f"tz-{uuid.uuid4().hex[:8]}"

    r = _register(client, cid, timezone="Europe/Berlin")

    assert r.status_code == 201, r.text
    assert r.json()["cluster"]["timezone"] == "Europe/Berlin"
    assert client.get(f"/v1/clusters/{cid}").json()["cluster"]["timezone"] == "Europe/Berlin"
    assert _register(client, cid).json()["cluster"]["timezone"] is None  # a PUT replaces the registration


def test_a_cluster_registered_without_a_price_is_priced_at_its_region(client: TestClient) -> None:
    cid = f"eu-{uuid.uuid4().hex[:8]}"
    topology = {"region": "eu-west-2", "az_ids": ["euw2-az1", "euw2-az2"], "writer_az_id": "euw2-az1"}

    r = _register(client, cid, topology=topology)

    assert r.status_code == 201, r.text
    # placement.pricing's eu-west-2 Standard rate, not us-east-1's $0.12
    assert r.json()["cluster"]["price_usd_per_acu_hour"] == 0.14
    assert client.get(f"/v1/clusters/{cid}").json()["cluster"]["price_usd_per_acu_hour"] == 0.14
    priced = _register(client, cid, topology=topology, price_usd_per_acu_hour=0.2)
    assert priced.json()["cluster"]["price_usd_per_acu_hour"] == 0.2


def test_a_cluster_in_a_region_without_a_price_needs_its_own(client: TestClient) -> None:
    cid = f"euc-{uuid.uuid4().hex[:8]}"
    topology = {"region": "eu-central-1", "az_ids": ["euc1-az1", "euc1-az2"], "writer_az_id": "euc1-az1"}

    r = _register(client, cid, topology=topology)

    # it was stored at us-east-1's $0.12 without a word
    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {
            "field": "price_usd_per_acu_hour",
            "message": "no built-in Aurora price for 'eu-central-1' (known: eu-west-2, us-east-1): give "
            "price_usd_per_acu_hour, the cluster's Aurora Standard USD per ACU-hour (it is stored with the "
            "registration)",
        }
    ]
    assert client.get(f"/v1/clusters/{cid}").status_code == 404
    priced = _register(client, cid, topology=topology, price_usd_per_acu_hour=0.15)
    assert priced.status_code == 201, priced.text
    assert priced.json()["cluster"]["price_usd_per_acu_hour"] == 0.15


def test_a_cluster_whose_az_ids_are_not_in_its_region_is_refused(client: TestClient) -> None:
    topology = {"region": "us-west-2", "az_ids": ["euc1-az1", "euc1-az2"], "writer_az_id": "euc1-az1"}

    r = _register(client, f"az-{uuid.uuid4().hex[:8]}", topology=topology)

    assert r.status_code == 422, r.text
    assert r.json()["detail"][0]["field"] == "topology"
    assert r.json()["detail"][0]["message"] == (
        "az_ids ['euc1-az1', 'euc1-az2'] are not in us-west-2: its AZ IDs start with usw2- (e.g. usw2-az1)"
    )


@pytest.mark.parametrize(
    ("topology", "message"),
    [
        pytest.param(
            {"region": "eu-central-1"},
            "az_ids was not given, and the default AZ IDs ['use1-az1', 'use1-az2', 'use1-az4'] are not in "
            "eu-central-1: give az_ids (and writer_az_id) for eu-central-1, whose AZ IDs start with euc1- "
            "(e.g. euc1-az1)",
            id="region_only",
        ),
        pytest.param(
            {"region": "eu-central-1", "az_ids": ["euc1-az1", "euc1-az2"]},
            "writer_az_id was not given, and the default 'use1-az1' is not one of az_ids "
            "['euc1-az1', 'euc1-az2']: give writer_az_id, one of them",
            id="no_writer",
        ),
    ],
)
def test_a_default_the_request_did_not_send_is_named_as_a_default(
    client: TestClient, topology: dict[str, Any], message: str
) -> None:
    cid = f"az-{uuid.uuid4().hex[:8]}"

    r = _register(client, cid, topology=topology)

    assert r.status_code == 422, r.text
    assert r.json() == {"error": "invalid_request", "detail": [{"field": "topology", "message": message}]}
    assert client.get(f"/v1/clusters/{cid}").status_code == 404


def test_off_grid_json_point_is_stored_as_given_with_a_warning(
    client: TestClient, cluster_id: str, history: list[dict[str, Any]]
) -> None:
    client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": history})
    before = client.post(f"/v1/clusters/{cluster_id}/forecasts", json={"horizon_s": 900}).json()

    r = client.post(
        f"/v1/clusters/{cluster_id}/metrics",
        json={
            "points": [
                {"ts": "2024-05-06T00:10:00Z", "demand_acu": 1.0},
                {"ts": "2024-05-06T00:02:17Z", "demand_acu": 9.5},
            ]
        },
    )

    assert r.status_code == 200, r.text
    assert r.json()["warnings"] == [
        "points: 1 of 2 samples sit off the cluster's 300-s grid (the first, "
        "points.1.ts=2024-05-06T00:02:17Z, is 137 s past the step start 2024-05-06T00:00:00Z); "
        "stored as given, each counts in the step that "
        "holds it (the step's max)"
    ]
    assert r.json()["received"] == 2 and r.json()["stored"] == 2
    assert r.json()["metrics"]["n_points"] == len(history) + 1  # the on-grid point replaced its step's
    after = client.post(f"/v1/clusters/{cluster_id}/forecasts", json={"horizon_s": 900}).json()
    assert after["start"] == before["start"]  # the stored window still ends at the newest on-grid step


def test_json_points_above_max_capacity_are_stored_as_given_and_named_in_a_warning(
    client: TestClient,
) -> None:
    """One 1000-ACU sample on a 16-ACU cluster used to be stored without a word."""
    cid = f"max-{uuid.uuid4().hex[:8]}"
    assert _register(client, cid, limits={"min_acu": 0.5, "max_acu": 16}).status_code == 201
    points = [{"ts": f"2024-05-06T00:{m:02d}:00Z", "demand_acu": 4.0} for m in range(0, 30, 5)]
    points[2]["demand_acu"] = 1000.0
    points[4]["demand_acu"] = 16.0  # at MaxCapacity: not above it

    r = client.post(f"/v1/clusters/{cid}/metrics", json={"points": points})

    assert r.status_code == 200, r.text
    assert r.json()["warnings"] == [
        "points: 1 of 6 samples is above the cluster's MaxCapacity (limits.max_acu=16 ACU), up to 1000 ACU: "
        "points.2 (2024-05-06T00:10:00Z) 1000 ACU; stored as given and planned as demand (demand from CPU, "
        "memory or rates may exceed MaxCapacity); Aurora never runs capacity (ServerlessDatabaseCapacity) "
        "above it, so if these are capacity samples they are wrong or the registered limits.max_acu is not "
        "the cluster's (register it again)"
    ]
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    _, stored = store.points(cid, since_s=0, until_s=2**40)
    assert stored == [4.0, 4.0, 1000.0, 4.0, 16.0, 4.0]  # neither dropped nor clamped


def test_many_points_above_max_capacity_name_the_first_three(client: TestClient, cluster_id: str) -> None:
    points = [{"ts": f"2024-05-06T00:{m:02d}:00Z", "demand_acu": 65.0 + m} for m in range(0, 30, 5)]

    r = client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": points})

    (warning,) = r.json()["warnings"]
    assert warning.startswith(
        "points: 6 of 6 samples are above the cluster's MaxCapacity (limits.max_acu=64 ACU), up to 90 ACU: "
        "points.0 (2024-05-06T00:00:00Z) 65 ACU, points.1 (2024-05-06T00:05:00Z) 70 ACU, "
        "points.2 (2024-05-06T00:10:00Z) 75 ACU and 3 more; stored as given"
    )


def test_on_grid_json_points_have_no_warning(client: TestClient, cluster_id: str) -> None:
    r = client.post(
        f"/v1/clusters/{cluster_id}/metrics",
        json={"points": [{"ts": "2024-05-06T00:05:00Z", "demand_acu": 2.0}]},
    )

    assert r.status_code == 200, r.text
    assert r.json()["warnings"] == []


@pytest.mark.parametrize(
    ("path_id", "changes", "field"),
    [
        pytest.param("bad id!", {}, "cluster_id", id="path_id_pattern"),
        pytest.param("ok-1", {"config": {"risk_quantile": 1.5}}, "config.risk_quantile", id="override_range"),
        pytest.param("ok-2", {"step_s": 420}, "step_s", id="step_not_dividing_plan_step"),
        pytest.param("ok-3", {"limits": {"min_acu": 0.7, "max_acu": 8}}, "limits.min_acu", id="off_grid"),
        pytest.param("ok-4", {"step_s": "300"}, "step_s", id="strict_int"),
        pytest.param("ok-5", {"timezone": "Mars/Olympus"}, "timezone", id="unknown_zone"),
    ],
)
def test_bad_registration_is_422_naming_the_field(
    client: TestClient, path_id: str, changes: dict[str, Any], field: str
) -> None:
    r = _register(client, path_id, **changes)

    assert r.status_code == 422, r.text
    assert r.json()["error"] == "invalid_request"
    assert [d["field"] for d in r.json()["detail"]] == [field]


def test_changing_step_s_over_stored_metrics_is_409_and_nothing_changes(
    client: TestClient, cluster_id: str
) -> None:
    """A 5-min history re-read on a 60-s grid looked 80% missing; the change is refused instead."""
    points = [{"ts": f"2024-05-06T00:{m:02d}:00Z", "demand_acu": 1.0 + m} for m in range(0, 30, 5)]
    assert client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": points}).status_code == 200
    before = client.get(f"/v1/clusters/{cluster_id}").json()

    r = _register(client, cluster_id, step_s=60, read_frac=0.7)

    assert r.status_code == 409, r.text
    assert r.json() == {
        "error": "conflict",
        "detail": [
            {
                "field": None,
                "message": f"step_s=60 cannot replace the registered step_s=300 of cluster {cluster_id!r}: "
                "its 6 stored samples were sent at 300 s, and on a 60-s grid they would read as another "
                "history; keep step_s=300, or delete the cluster with its metrics "
                f"(DELETE /v1/clusters/{cluster_id}; its recommendations are kept) and register it again, "
                "or register the new step under a new cluster id",
            }
        ],
    }
    assert client.get(f"/v1/clusters/{cluster_id}").json() == before  # registration and metrics as they were
    assert _register(client, cluster_id, read_frac=0.7).status_code == 200  # same step: replaced
    assert client.delete(f"/v1/clusters/{cluster_id}").status_code == 204
    again = _register(client, cluster_id, step_s=60)
    assert again.status_code == 201 and again.json()["step_s"] == 60


def test_step_s_may_change_while_no_metrics_are_stored(client: TestClient, cluster_id: str) -> None:
    r = _register(client, cluster_id, step_s=60)

    assert r.status_code == 200, r.text
    assert r.json()["step_s"] == 60 and r.json()["revision"] == 2


def test_list_pages_and_delete(client: TestClient) -> None:
    prefix = f"list-{uuid.uuid4().hex[:6]}"
    for i in range(3):
        _register(client, f"{prefix}-{i}")

    page = client.get("/v1/clusters", params={"limit": 2, "after": f"{prefix}-"}).json()
    rest = client.get("/v1/clusters", params={"limit": 2, "after": page["next_after"]}).json()
    deleted = client.delete(f"/v1/clusters/{prefix}-0")

    assert [c["cluster"]["cluster_id"] for c in page["data"]] == [f"{prefix}-0", f"{prefix}-1"]
    assert rest["data"][0]["cluster"]["cluster_id"] == f"{prefix}-2"
    assert deleted.status_code == 204
    assert client.get(f"/v1/clusters/{prefix}-0").status_code == 404
    assert client.delete(f"/v1/clusters/{prefix}-0").json()["error"] == "not_found"


def test_metrics_are_stored_sorted_and_replaced(client: TestClient, cluster_id: str) -> None:
    points = [
        {"ts": "2024-05-06T00:10:00Z", "demand_acu": 3.0},
        {"ts": "2024-05-06T00:00:00Z", "demand_acu": 1.0},
    ]

    r1 = client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": points})
    r2 = client.post(
        f"/v1/clusters/{cluster_id}/metrics",
        json={"points": [{"ts": "2024-05-06T00:10:00Z", "demand_acu": 4.0}]},
    )

    assert r1.status_code == 200, r1.text
    assert r1.json()["received"] == 2
    assert r2.json()["metrics"] == {
        "n_points": 2,
        "first_ts": "2024-05-06T00:00:00Z",
        "last_ts": "2024-05-06T00:10:00Z",
    }


def test_a_future_point_is_422_and_the_stored_history_stays(client: TestClient, cluster_id: str) -> None:
    history = [{"ts": f"2024-05-06T{h:02d}:00:00Z", "demand_acu": 1.0 + h} for h in range(4)]
    assert client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": history}).status_code == 200
    future = [history[0], {"ts": "2042-03-05T00:00:00Z", "demand_acu": 3.0}]

    for url in (f"/v1/clusters/{cluster_id}/metrics", f"/v1/clusters/{cluster_id}/recommendations"):
        r = client.post(url, json={"points": future})

        assert r.status_code == 422, r.text
        [detail] = r.json()["detail"]
        assert detail["field"] == "points.1.ts"
        assert detail["message"].startswith("2042-03-05T00:00:00Z is in the future (after now, ")
    metrics = client.get(f"/v1/clusters/{cluster_id}").json()["metrics"]
    assert metrics == {"n_points": 4, "first_ts": "2024-05-06T00:00:00Z", "last_ts": "2024-05-06T03:00:00Z"}


def test_repeated_timestamp_in_one_upload_is_422(client: TestClient, cluster_id: str) -> None:
    points = [
        {"ts": "2024-05-06T00:00:00Z", "demand_acu": 1.0},
        {"ts": "2024-05-06T00:00:00+00:00", "demand_acu": 2.0},
    ]

    r = client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": points})

    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "points.1.ts"


def test_unknown_cluster_is_404(client: TestClient) -> None:
    r = client.post(
        "/v1/clusters/nope-404/metrics", json={"points": [{"ts": "2024-05-06T00:00:00Z", "demand_acu": 1}]}
    )

    assert r.status_code == 404
    assert r.json()["error"] == "not_found"
    assert "nope-404" in r.json()["detail"][0]["message"]


def test_recommendation_from_stored_metrics_is_stored_with_hash(
    client: TestClient,
    cluster_id: str,
    history: list[dict[str, Any]],
    grid: Any,
    set_clock: Callable[[datetime], None],
) -> None:
    client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": history})
    set_clock(grid.now)  # the default now: the server's clock

    r = client.post(f"/v1/clusters/{cluster_id}/recommendations", json={})
    again = client.post(f"/v1/clusters/{cluster_id}/recommendations", json={"now": grid.now.isoformat()})

    assert r.status_code == 201, r.text
    stored = r.json()
    assert r.headers["location"] == f"/v1/clusters/{cluster_id}/recommendations/{stored['id']}"
    rec = Recommendation.model_validate(stored["recommendation"])
    assert rec.cluster_id == cluster_id and rec.generated_at == grid.now
    assert len(stored["inputs_hash"]) == 64
    assert stored["inputs"]["history"]["n_steps"] == len(history)
    assert stored["explanation"]["forecast_model"] == rec.forecast_model
    assert again.json()["inputs_hash"] == stored["inputs_hash"]  # same inputs, same hash
    listed = client.get(f"/v1/clusters/{cluster_id}/recommendations").json()
    assert [e["id"] for e in listed["data"]] == [again.json()["id"], stored["id"]]
    fetched = client.get(r.headers["location"])
    assert fetched.status_code == 200 and fetched.json() == stored


def test_recommendation_with_inline_points_and_overrides(
    client: TestClient, cluster_id: str, history: list[dict[str, Any]], grid: Any
) -> None:
    body = {"points": history, "config": {"horizon_s": 3600}, "now": grid.now.isoformat()}

    r = client.post(f"/v1/clusters/{cluster_id}/recommendations", json=body)

    assert r.status_code == 201, r.text
    assert len(r.json()["recommendation"]["steps"]) == 4


def test_recommendation_without_metrics_is_422_on_history(client: TestClient, cluster_id: str) -> None:
    r = client.post(f"/v1/clusters/{cluster_id}/recommendations", json={})

    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "history"


@pytest.mark.parametrize("url", ["recommendations", "forecasts"])
@pytest.mark.parametrize("stored", [False, True], ids=["no-metrics", "metrics"])
def test_a_now_before_1970_is_blamed_on_now(
    client: TestClient, cluster_id: str, url: str, stored: bool
) -> None:
    """It was blamed on ``history`` ("no stored metrics before now"): the window it selects is empty."""
    if stored:
        point = {"ts": "2024-05-06T00:00:00Z", "demand_acu": 1.0}
        assert client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": [point]}).status_code == 200

    r = client.post(f"/v1/clusters/{cluster_id}/{url}", json={"now": "1969-12-31T23:55:00Z"})

    assert r.status_code == 422, r.text
    assert r.json()["detail"] == [
        {
            "field": "now",
            "message": "now 1969-12-31T23:55:00Z is before 1970-01-01T00:00:00Z; like every timestamp it "
            "must be at or after it",
        }
    ]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        pytest.param({"now": "1969-12-31T23:55:00Z"}, "now", id="now-before-1970"),
        pytest.param({"now": "2024-05-06T01:02:03Z"}, "now", id="now-off-grid"),
        pytest.param({"config": {"risk_quantile": 0.2}}, "config.risk_quantile", id="config"),
    ],
)
def test_a_refused_recommendation_request_stores_none_of_its_points(
    client: TestClient, cluster_id: str, change: dict[str, Any], field: str
) -> None:
    """Its points used to be stored before ``now`` and ``config`` were checked."""
    body = {"points": [{"ts": "2024-05-06T00:00:00Z", "demand_acu": 1.0}], **change}

    r = client.post(f"/v1/clusters/{cluster_id}/recommendations", json=body)

    assert r.status_code == 422, r.text
    assert [d["field"] for d in r.json()["detail"]] == [field]
    assert client.get(f"/v1/clusters/{cluster_id}").json()["metrics"]["n_points"] == 0


_T0_S = 1709510400  # 2024-03-04T00:00:00Z


@pytest.mark.parametrize(
    ("change", "error", "field", "message"),
    [
        pytest.param(
            {"config": {"min_azs": 4}},
            "invalid_request",
            "config.min_azs",
            "config.min_azs=4 cannot be met: instances can be in at most 3 AZ(s)",
            id="min-azs-over-topology",
        ),
        pytest.param(
            {"previous": {"writer_acu": 100}},
            "invalid_request",
            "previous.writer_acu",
            "previous.writer_acu=100.0 is outside [limits.min_acu=0.5, limits.max_acu=64.0]",
            id="writer-above-max",
        ),
        pytest.param(
            {"previous": {"writer_acu": 4, "failover_az_id": "use1-az1"}},
            "invalid_request",
            "previous.failover_az_id",
            "previous.failover_az_id='use1-az1' must be an AZ of topology.az_ids other than the writer's",
            id="failover-in-writer-az",
        ),
        pytest.param(
            {"previous": {"writer_acu": 4, "extra_readers_by_az": {"use1-az9": 1}}},
            "invalid_request",
            "previous.extra_readers_by_az",
            "previous.extra_readers_by_az names AZs ['use1-az9'] not in topology.az_ids",
            id="unknown-az",
        ),
        pytest.param(
            {"now": "2024-03-06T00:00:00Z"},
            "insufficient_history",
            "history",
            "the 24 h before now hold no observation",
            id="no-recent-data",
        ),
    ],
)
def test_a_recommendation_the_policy_refuses_stores_none_of_its_points(
    client: TestClient, cluster_id: str, change: dict[str, Any], error: str, field: str, message: str
) -> None:
    """The policy's own checks ran after the request's points were stored (77.0 overwrote 2.0)."""
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    posted = client.post(
        f"/v1/clusters/{cluster_id}/metrics",
        json={"points": [{"ts": "2024-03-04T00:00:00Z", "demand_acu": 2.0}]},
    )
    assert posted.status_code == 200, posted.text
    points = [
        {"ts": "2024-03-04T00:00:00Z", "demand_acu": 77.0},
        {"ts": "2024-03-04T00:05:00Z", "demand_acu": 5.0},
    ]
    body = {"now": "2024-03-04T00:10:00Z", "points": points, **change}

    r = client.post(f"/v1/clusters/{cluster_id}/recommendations", json=body)

    assert r.status_code == 422, r.text
    assert r.json()["error"] == error
    assert [d["field"] for d in r.json()["detail"]] == [field]
    assert r.json()["detail"][0]["message"].startswith(message)
    assert store.points(cluster_id, since_s=0, until_s=2**40) == ([_T0_S], [2.0])
    assert client.get(f"/v1/clusters/{cluster_id}/recommendations").json()["count"] == 0


def test_an_accepted_recommendation_stores_its_points_as_its_plan_saw_them(
    client: TestClient, cluster_id: str
) -> None:
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    client.post(
        f"/v1/clusters/{cluster_id}/metrics",
        json={"points": [{"ts": "2024-03-04T00:00:00Z", "demand_acu": 2.0}]},
    )
    points = [
        {"ts": "2024-03-04T00:00:00Z", "demand_acu": 77.0},
        {"ts": "2024-03-04T00:05:00Z", "demand_acu": 5.0},
    ]
    url = f"/v1/clusters/{cluster_id}/recommendations"

    with_points = client.post(url, json={"now": "2024-03-04T00:10:00Z", "points": points})
    from_store = client.post(url, json={"now": "2024-03-04T00:10:00Z"})

    assert with_points.status_code == 201, with_points.text
    assert store.points(cluster_id, since_s=0, until_s=2**40) == ([_T0_S, _T0_S + 300], [77.0, 5.0])
    # the plan read the request's points merged in memory exactly as they were then stored
    assert from_store.status_code == 201, from_store.text
    assert with_points.json()["inputs_hash"] == from_store.json()["inputs_hash"]
    assert with_points.json()["inputs"]["history"]["n_steps"] == 2


def test_a_recommendation_plans_without_the_samples_its_points_prune(
    client: TestClient, cluster_id: str
) -> None:
    """A new sample past ``now`` moves the kept window (140 days at 300 s) past the oldest stored one."""
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    old = [
        {"ts": "2024-03-04T00:00:00Z", "demand_acu": 2.0},
        {"ts": "2024-03-04T00:05:00Z", "demand_acu": 3.0},
    ]
    client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": old})
    newest = _T0_S + 40_320 * 300 + 300
    points = [{"ts": datetime.fromtimestamp(newest, tz=UTC).isoformat(), "demand_acu": 4.0}]
    url = f"/v1/clusters/{cluster_id}/recommendations"
    body = {"now": "2024-03-04T00:10:00Z", "previous": {"writer_acu": 4}}

    with_points = client.post(url, json={**body, "points": points})
    from_store = client.post(url, json=body)

    assert with_points.status_code == 201, with_points.text
    assert store.points(cluster_id, since_s=0, until_s=2**40) == ([_T0_S + 300, newest], [3.0, 4.0])
    assert with_points.json()["inputs"]["history"]["n_steps"] == 1  # 2.0 at 00:00 is pruned, not planned on
    assert with_points.json()["inputs_hash"] == from_store.json()["inputs_hash"]


def test_stateless_recommendation_is_stored_apart_from_a_registered_cluster(
    client: TestClient, body: dict[str, Any]
) -> None:
    cid = f"stateless-{uuid.uuid4().hex[:8]}"
    assert client.put(f"/v1/clusters/{cid}", json={"step_s": 300}).status_code == 201
    body["cluster"]["cluster_id"] = cid

    r = client.post("/v1/recommendations", json=body)

    assert r.status_code == 200, r.text
    rec_id = r.headers["x-recommendation-id"]
    assert r.headers["location"] == f"/v1/clusters/_stateless%3A{cid}/recommendations/{rec_id}"
    stored = client.get(r.headers["location"]).json()
    assert stored["recommendation"] == r.json()
    assert client.get(f"/v1/clusters/{cid}/recommendations").json()["count"] == 0
    assert client.get(f"/v1/clusters/{cid}/recommendations/{rec_id}").status_code == 404
    listed = client.get(f"/v1/clusters/_stateless:{cid}/recommendations").json()
    assert [e["id"] for e in listed["data"]] == [int(rec_id)]
    assert client.get(f"/v1/clusters/_stateless:{cid}/recommendations/999999").status_code == 404


def test_unknown_cluster_history_is_404_but_a_deleted_one_is_kept(
    client: TestClient, cluster_id: str, history: list[dict[str, Any]], grid: Any
) -> None:
    unknown = client.get(f"/v1/clusters/nope-{uuid.uuid4().hex[:8]}/recommendations")
    client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": history})
    made = client.post(f"/v1/clusters/{cluster_id}/recommendations", json={"now": grid.now.isoformat()})
    client.delete(f"/v1/clusters/{cluster_id}")

    kept = client.get(f"/v1/clusters/{cluster_id}/recommendations")

    assert unknown.status_code == 404
    assert unknown.json()["error"] == "not_found"
    assert unknown.json()["detail"][0]["field"] is None
    assert "is not registered and has no stored recommendations" in unknown.json()["detail"][0]["message"]
    assert kept.status_code == 200 and [e["id"] for e in kept.json()["data"]] == [made.json()["id"]]


def test_recommendation_far_after_the_metrics_says_they_are_outside_the_window(
    client: TestClient, cluster_id: str, history: list[dict[str, Any]]
) -> None:
    client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": history})

    r = client.post(f"/v1/clusters/{cluster_id}/recommendations", json={"now": "2030-01-01T00:00:00Z"})

    assert r.status_code == 422
    assert r.json()["error"] == "invalid_request"
    assert r.json()["detail"][0]["field"] == "history"
    message = r.json()["detail"][0]["message"]
    assert message.startswith(f"the stored metrics of cluster {cluster_id!r} (2024-05-06T00:00:00Z to ")
    assert "outside the 40,320-step window" in message and "before now 2030-01-01T00:00:00Z" in message
    assert "no stored metrics before now" not in message and "'s stored" not in message


def test_without_now_a_stopped_feed_is_stale_and_the_plan_held(
    client: TestClient,
    cluster_id: str,
    history: list[dict[str, Any]],
    grid: Any,
    set_clock: Callable[[datetime], None],
) -> None:
    """A scheduler whose metric feed stopped an hour ago is told so: now is the server's clock."""
    client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": history})
    set_clock(grid.now + timedelta(hours=1, minutes=2, seconds=30))  # off the grid: truncated
    deployed = {"previous": {"writer_acu": 8.0}}

    r = client.post(f"/v1/clusters/{cluster_id}/recommendations", json=deployed)
    explicit = client.post(
        f"/v1/clusters/{cluster_id}/recommendations",
        json={**deployed, "now": (grid.now + timedelta(hours=1)).isoformat()},
    )

    assert r.status_code == 201, r.text
    rec = Recommendation.model_validate(r.json()["recommendation"])
    dq = rec.data_quality
    assert rec.generated_at == grid.now + timedelta(hours=1) and dq is not None
    assert dq.staleness_s == 3600.0
    assert dq.flags == ("stale: the last sample ends 60 min before now (more than 15 min)",)
    assert dq.held is True
    assert min(s.min_capacity_acu for s in rec.steps) == 8.0
    assert explicit.json()["inputs_hash"] == r.json()["inputs_hash"]  # as an explicit now


def test_without_now_a_fresh_feed_is_not_flagged(
    client: TestClient,
    cluster_id: str,
    history: list[dict[str, Any]],
    grid: Any,
    set_clock: Callable[[datetime], None],
) -> None:
    client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": history})
    set_clock(grid.now + timedelta(minutes=4, seconds=59))  # the next step is still running

    r = client.post(f"/v1/clusters/{cluster_id}/recommendations", json={"previous": {"writer_acu": 8.0}})

    assert r.status_code == 201, r.text
    rec = Recommendation.model_validate(r.json()["recommendation"])
    dq = rec.data_quality
    assert rec.generated_at == grid.now and dq is not None
    assert dq.staleness_s == 0.0 and dq.flags == () and dq.held is False
    assert r.json()["inputs"]["history"]["n_steps"] == len(history)


def test_a_registration_stored_before_the_region_rule_still_loads_but_is_not_planned_on(
    client: TestClient, cluster_id: str, history: list[dict[str, Any]], grid: Any
) -> None:
    """A pre-rule registration (euc1 AZs under us-west-2) is kept and shown; planning says re-register."""
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    record = store.get_cluster(cluster_id)
    spec = {**record.spec, "topology": {"region": "us-west-2", "az_ids": ["euc1-az1", "euc1-az2"]}}
    spec["topology"]["writer_az_id"] = "euc1-az1"
    store.upsert_cluster(cluster_id, spec=spec, step_s=record.step_s, config=record.config)
    client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": history})

    shown = client.get(f"/v1/clusters/{cluster_id}")
    listed = client.get("/v1/clusters", params={"limit": 1, "after": cluster_id[:-1]})
    planned = client.post(f"/v1/clusters/{cluster_id}/recommendations", json={"now": grid.now.isoformat()})

    assert shown.status_code == 200 and shown.json()["cluster"]["topology"]["region"] == "us-west-2"
    assert listed.status_code == 200 and cluster_id in [
        c["cluster"]["cluster_id"] for c in listed.json()["data"]
    ]
    assert planned.status_code == 409, planned.text
    (detail,) = planned.json()["detail"]
    assert detail["message"].startswith(f"cluster {cluster_id} was registered before AZ IDs were checked")
    assert detail["message"].endswith(f"register it again (PUT /v1/clusters/{cluster_id})")
    assert store.get_cluster(cluster_id).spec == spec  # nothing stored is changed


def test_a_plan_step_override_that_does_not_fit_the_metrics_step_is_blamed(client: TestClient) -> None:
    """It was reported at step_s with the impossible hint "e.g. 7"."""
    cid = f"ps-{uuid.uuid4().hex[:8]}"

    r = _register(client, cid, config={"plan_step_s": 7})

    assert r.status_code == 422
    assert r.json()["detail"] == [
        {
            "field": "config.plan_step_s",
            "message": "config.plan_step_s=7 must be a whole multiple of the cluster's step_s=300",
        }
    ]


def test_a_price_under_the_solver_resolution_is_a_422_at_its_field(client: TestClient) -> None:
    r = _register(client, f"p-{uuid.uuid4().hex[:8]}", price_usd_per_acu_hour=1e-9)
    assert r.status_code == 422, r.text
    [problem] = r.json()["detail"]
    assert problem["field"] == "price_usd_per_acu_hour"
    assert "greater than or equal to 0.001" in problem["message"]


def test_a_registration_stored_below_the_price_limit_still_loads_but_is_not_planned_on(
    client: TestClient, cluster_id: str, history: list[dict[str, Any]], grid: Any
) -> None:
    """A price stored before MIN_PRICE_USD_PER_ACU_HOUR is kept and shown; planning says re-register."""
    store = client.app.state.runtime.store  # type: ignore[attr-defined]
    record = store.get_cluster(cluster_id)
    spec = {**record.spec, "price_usd_per_acu_hour": 1e-9}
    store.upsert_cluster(cluster_id, spec=spec, step_s=record.step_s, config=record.config)
    client.post(f"/v1/clusters/{cluster_id}/metrics", json={"points": history})

    shown = client.get(f"/v1/clusters/{cluster_id}")
    planned = client.post(f"/v1/clusters/{cluster_id}/recommendations", json={"now": grid.now.isoformat()})

    assert shown.status_code == 200 and shown.json()["cluster"]["price_usd_per_acu_hour"] == 1e-9
    assert planned.status_code == 409, planned.text
    (detail,) = planned.json()["detail"]
    assert detail["message"] == (
        f"cluster {cluster_id} was registered at $1e-09 per ACU-hour, below the 0.001 the optimiser "
        f"resolves; register it again with its price (PUT /v1/clusters/{cluster_id})"
    )
    assert store.get_cluster(cluster_id).spec == spec  # nothing stored is changed
