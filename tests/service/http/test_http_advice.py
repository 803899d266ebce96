"""Advice as asynchronous jobs: POST /v1/advice, per registered cluster, 422s, cancel, /metrics."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient

import policy
from service import Settings, create_app

T0 = datetime(2024, 5, 6, tzinfo=UTC)  # a Monday
EU_CENTRAL_1 = {"region": "eu-central-1", "az_ids": ["euc1-az1", "euc1-az2"], "writer_az_id": "euc1-az1"}
EU_WEST_2 = {"region": "eu-west-2", "az_ids": ["euw2-az1", "euw2-az2"], "writer_az_id": "euw2-az1"}


def _points(days: int = 3, busy: float = 4.0) -> list[dict[str, Any]]:
    hour = (np.arange(days * 288) % 288) / 12
    acu = np.where((hour >= 8) & (hour < 18), busy, 1.0)
    return [
        {"ts": (T0 + timedelta(seconds=300 * i)).isoformat(), "demand_acu": float(v)}
        for i, v in enumerate(acu)
    ]


def _body(**changes: Any) -> dict[str, Any]:
    """A posted advice for ``orders-db`` (a ``cluster`` change keeps that id unless it gives its own)."""
    cluster = {"cluster_id": "orders-db", **changes.pop("cluster", {})}
    return {
        "cluster": cluster,
        "history": _points(),
        "current": {"min_capacity_acu": 4, "max_capacity_acu": 16},
        **changes,
    }


def _wait(client: TestClient, url: str, final: tuple[str, ...] = ("succeeded", "failed", "cancelled")) -> Any:
    deadline = time.monotonic() + 120
    job: Any = None
    while time.monotonic() < deadline:
        job = client.get(url).json()
        if job["status"] in final:
            return job
        time.sleep(0.05)
    raise AssertionError(f"job {url} did not finish: {job}")


def _metric(client: TestClient, prefix: str) -> float | None:
    for line in client.get("/metrics").text.splitlines():
        if line.startswith(prefix):
            return float(line.split()[-1])
    return None


@pytest.fixture(scope="module")
def advised(client: TestClient) -> dict[str, Any]:
    """One advice job run to its end: a 4-ACU floor over 3 days of office hours."""
    created = client.post("/v1/advice", json=_body(options={"backup_retention_days": 7, "storage_gib": 50}))
    assert created.status_code == 202, created.text
    job = _wait(client, created.headers["location"])
    return {"created": created, "job": job, "result": client.get(job["result_url"])}


def test_posted_history_advice_runs_to_the_document(advised: dict[str, Any]) -> None:
    created, job, result = advised["created"], advised["job"], advised["result"]
    assert created.headers["location"] == f"/v1/advice/{created.json()['id']}"
    assert created.json()["result_url"] == f"/v1/advice/{created.json()['id']}/result"
    assert job["status"] == "succeeded", job
    assert {"acuplan", "bound"} <= set(job["progress"]) or job["progress"] == {}
    doc = result.json()
    for key in ("current", "recommended", "acuplan", "bound"):
        assert {"monthly_cost_usd", "slo_violation_min"} <= set(doc[key])
    # Two instances held at MinCapacity 4 over the replayed day: 8 ACU x 730 h x $0.12.
    assert doc["current"]["monthly_cost_usd"] == 700.8
    assert (
        doc["pricing"]["region"] == "us-east-1"
        and doc["pricing"]["serverless_standard_usd_per_acu_hour"] == 0.12
    )
    assert doc["observed"] is None  # no capacity_acu posted
    assert doc["savings_usd_per_month"] > 0
    assert doc["floor_binds_for_nothing"] is not None
    assert doc["storage"]["storage_gib"] == 50 and doc["storage"]["backup_retention_days"] == 7
    assert doc["outlook"]["horizon_h"] == 168
    assert doc["scheduler"]["commands"][0].startswith("aws rds modify-db-cluster")  # a fixed setting
    assert doc["scheduler"]["secondaries"] == []


def test_an_off_grid_sample_is_said_in_the_reasons_as_recommendations_warn(
    client: TestClient, advised: dict[str, Any]
) -> None:
    body = _body()
    body["history"][7]["ts"] = (T0 + timedelta(seconds=7 * 300 + 17)).isoformat()
    warned = client.post("/v1/recommendations", json={k: body[k] for k in ("cluster", "history")})
    assert warned.status_code == 200, warned.text
    off = [w for w in warned.json()["warnings"] if "off the" in w]
    assert off == [
        "history: 1 of 864 samples sit off the request's step_s 300-s grid (the first, "
        "history.7.ts=2024-05-06T00:35:17Z, is 17 s past the step start 2024-05-06T00:35:00Z); "
        "each counts in the step that holds it (the step's max)"
    ]

    created = client.post("/v1/advice", json=body)

    assert created.status_code == 202, created.text
    job = _wait(client, created.headers["location"])
    assert job["status"] == "succeeded", job
    reasons = client.get(job["result_url"]).json()["reasons"]
    assert [r for r in reasons if "sit off the" in r] == [f"inputs: {off[0]}"]
    assert reasons[-1] == f"inputs: {off[0]}"
    on_grid = advised["result"].json()["reasons"]
    assert not [r for r in on_grid if "sit off the" in r]  # on the grid: nothing said


def test_an_advice_job_is_not_a_replay_job(client: TestClient, advised: dict[str, Any]) -> None:
    job_id = advised["job"]["id"]
    assert client.get(f"/v1/replays/{job_id}").status_code == 404
    assert client.get(f"/v1/replays/{job_id}/result").status_code == 404
    assert client.get(f"/v1/advice/{'0' * 32}").status_code == 404


@pytest.mark.parametrize(
    ("changes", "field", "part"),
    [
        pytest.param(
            {"history": _points(2)},
            "history",
            "the history has 2 days (576 steps of 300 s); advice needs at least 3 days (864 steps)",
            id="too_short",
        ),
        pytest.param(
            {"capacity_acu": [{"ts": "2024-05-07T10:00:00Z", "value": 20.5}]},
            "current.max_capacity_acu",
            "the observed capacity reached 20.5 ACU at 2024-05-07 10:00Z (1 of 864 steps above MaxCapacity), "
            "above current.max_capacity_acu=16: Aurora never runs an instance above its MaxCapacity, so the "
            "cluster's is at least 20.5 ACU",
            id="capacity_above_max",
        ),
        pytest.param(
            {"current": {"max_capacity_acu": "16"}},
            "current.max_capacity_acu",
            "valid number",
            id="string_number",
        ),
        pytest.param(
            {"current": {"min_capacity_acu": 0.7}},
            "current",
            "min_capacity_acu 0.7: 0.7 is not a multiple of 0.5 ACU (Serverless v2 moves in 0.5-ACU steps)",
            id="off_grid",
        ),
        pytest.param(  # was a 202 while `acuplan advise --pause-after-s` refuses it
            {"current": {"min_capacity_acu": 0.5, "max_capacity_acu": 16, "seconds_until_auto_pause": 600}},
            "current.seconds_until_auto_pause",
            "current.seconds_until_auto_pause=600: SecondsUntilAutoPause applies only to a cluster that may "
            "pause (current.min_capacity_acu 0), and current.min_capacity_acu is 0.5",
            id="pause_after_without_pause",
        ),
        pytest.param(
            {"current": {"min_capacity_acu": 4, "max_capacity_acu": 16, "seconds_until_auto_pause": 300}},
            "current.seconds_until_auto_pause",
            "current.seconds_until_auto_pause=300: SecondsUntilAutoPause applies only to a cluster that may "
            "pause (current.min_capacity_acu 0), and current.min_capacity_acu is 4",
            id="pause_after_at_min_4",
        ),
        pytest.param({"step_s": 120}, "step_s", "must divide the plan step", id="step_s"),
        pytest.param({"options": {"schedule_slot_s": 7000}}, "options", "must divide a day", id="slot"),
        pytest.param(
            {"options": {"schedule_slot_s": 480}},  # divides a day; was taken as 300 s
            "options.schedule_slot_s",
            "schedule_slot_s=480 must be a multiple of the step step_s=300 (5 min): e.g. 300 or 600",
            id="slot_off_step",
        ),
        pytest.param(
            {"options": {"warmup_s": 86_500}},
            "options.warmup_s",
            "warmup_s=86500 must be a multiple of the step step_s=300 (5 min): e.g. 86400 or 86700",
            id="warmup_off_step",
        ),
        pytest.param({"options": {"ramp_profile": "warp"}}, "options.ramp_profile", "", id="ramp"),
        pytest.param({"options": {"replan_every_s": 7}}, "options.replan_every_s", "multiple", id="replan"),
        pytest.param(
            {"options": {"backup_retention_days": 36}}, "options.backup_retention_days", "", id="backup"
        ),
        pytest.param({"options": {"nope": 1}}, "options.nope", "", id="unknown_option"),
        pytest.param(
            {"options": {"schedule_timezone": "Europe/Berlln"}},
            "options.schedule_timezone",
            "unknown IANA time zone 'Europe/Berlln'",
            id="timezone",
        ),
        pytest.param(
            {
                "connections": [
                    {"ts": "2024-05-06T01:00:00Z", "value": 5},
                    {"ts": "2024-05-06T00:00:00Z", "value": 5},
                ]
            },
            "connections.1.ts",
            "strictly increasing",
            id="connections_order",
        ),
        pytest.param(
            {"cluster": {"limits": {"min_acu": 2, "max_acu": 16}}, "current": {"max_capacity_acu": 1}},
            "current.max_capacity_acu",
            "below the cluster's limits.min_acu",
            id="max_below_min",
        ),
        pytest.param(
            {"cluster": {"limits": {"max_acu": 16}}, "current": {"max_capacity_acu": 64}},
            "current.max_capacity_acu",
            "current.max_capacity_acu=64 is above the cluster's limits.max_acu 16",
            id="max_above_the_clusters",
        ),
        pytest.param(
            {"current": {"readers": [{"az_id": "use1-az2"}, {"az_id": "garbage", "promotion_tier": 1}]}},
            "current.readers.1.az_id",
            "'garbage' is not one of the cluster's AZ IDs (use1-az1, use1-az2, use1-az4 in us-east-1)",
            id="reader_az",
        ),
        pytest.param(
            {"history": [*_points(), {"ts": "2042-01-01T00:00:00Z", "demand_acu": 1.0}]},
            "history.864.ts",
            "2042-01-01T00:00:00Z is in the future (after now, ",
            id="future_point",
        ),
        pytest.param(  # it was priced at us-east-1's $0.12 without a word
            {"cluster": {"topology": EU_CENTRAL_1}, "current": {"readers": [{"az_id": "euc1-az2"}]}},
            "cluster.price_usd_per_acu_hour",
            "no built-in Aurora price for 'eu-central-1' (known: eu-west-2, us-east-1): give "
            "cluster.price_usd_per_acu_hour",
            id="unpriced_region",
        ),
        pytest.param(  # a us-east-1 book for a eu-west-2 cluster: two regions' prices in one bill
            {"cluster": {"topology": EU_WEST_2}, "options": {"prices": {"region": "us-east-1"}}},
            "options.prices.region",
            "config.prices.region='us-east-1' is not the cluster's region eu-west-2",
            id="book_of_another_region",
        ),
        pytest.param(  # QA 68 #11: 202, then the job failed on "only 20% ... observed"
            {"step_s": 60, "history": _points(4)},
            "step_s",
            "step_s=60 but the samples are 300 s apart (median): only 20% of the replayed window",
            id="step_finer_than_the_samples",
        ),
        pytest.param(  # the third day (the replayed one) mostly missing
            {
                "history": [
                    p for i, p in enumerate(_points()) if i < 2 * 288 or i % 10 == 0 or i == 3 * 288 - 1
                ]
            },
            "history",
            "of the replayed window (2024-",
            id="replayed_day_mostly_missing",
        ),
        pytest.param(
            {"options": {"prices": {"serverless_standard_usd_per_acu_hour": 0.1}}},
            "options.prices.serverless_standard_usd_per_acu_hour",
            "is not the cluster's price_usd_per_acu_hour=0.12",
            id="book_at_another_rate",
        ),
    ],
)
def test_what_the_advice_would_reject_is_422_up_front(
    client: TestClient, changes: dict[str, Any], field: str, part: str
) -> None:
    r = client.post("/v1/advice", json=_body(**changes))

    assert r.status_code == 422, r.text
    assert "location" not in r.headers
    detail = r.json()["detail"][0]
    assert detail["field"].startswith(field), detail
    assert part in detail["message"]


@pytest.mark.parametrize("cluster", [None, {"read_frac": 0.5}], ids=["no_cluster", "no_cluster_id"])
def test_a_posted_advice_naming_no_cluster_is_422_at_cluster_id(
    client: TestClient, cluster: dict[str, Any] | None
) -> None:
    """Its commands would target ``cluster-1``, the default id, maybe a real cluster (QA 64 #1)."""
    body = _body()
    if cluster is None:
        del body["cluster"]
    else:
        body["cluster"] = cluster

    r = client.post("/v1/advice", json=body)

    assert r.status_code == 422, r.text
    assert "location" not in r.headers
    assert r.json()["detail"] == [
        {
            "field": "cluster.cluster_id",
            "message": "the request names no cluster; give cluster.cluster_id, the DBClusterIdentifier the "
            "advice's commands will target (e.g. orders-db)",
        }
    ]


def test_seconds_until_auto_pause_is_taken_at_min_capacity_0_and_refused_else_per_cluster(
    client: TestClient,
) -> None:
    cid = f"pause-{uuid.uuid4().hex[:8]}"
    assert (
        client.put(f"/v1/clusters/{cid}", json={"limits": {"min_acu": 0, "max_acu": 16}}).status_code == 201
    )
    client.post(f"/v1/clusters/{cid}/metrics", json={"points": _points()})
    pause = {"max_capacity_acu": 16, "seconds_until_auto_pause": 900}

    refused = client.post(f"/v1/clusters/{cid}/advice", json={"current": {**pause, "min_capacity_acu": 1}})
    taken = client.post(f"/v1/clusters/{cid}/advice", json={"current": {**pause, "min_capacity_acu": 0}})

    assert refused.status_code == 422, refused.text
    assert refused.json()["detail"] == [
        {
            "field": "current.seconds_until_auto_pause",
            "message": "current.seconds_until_auto_pause=900: SecondsUntilAutoPause applies only to a "
            "cluster that may pause (current.min_capacity_acu 0), and current.min_capacity_acu is 1",
        }
    ]
    assert taken.status_code == 202, taken.text
    client.delete(taken.headers["location"])  # the answer is not under test


def test_registered_cluster_advice_publishes_its_alerts_on_metrics(client: TestClient) -> None:
    assert client.put("/v1/clusters/adv-1", json={"engine": "aurora-mysql"}).status_code in (200, 201)
    client.post("/v1/clusters/adv-1/metrics", json={"points": _points(busy=16.0)})

    # 16 ACU in office hours: the writer needs 8 / 0.95 = 8.4 ACU, above MaxCapacity 8.
    created = client.post("/v1/clusters/adv-1/advice", json={"current": {"max_capacity_acu": 8}})
    assert created.status_code == 202, created.text
    job = _wait(client, created.headers["location"])
    assert job["status"] == "succeeded", job
    doc = client.get(job["result_url"]).json()
    assert doc["cluster_id"] == "adv-1"
    kinds = {(a["kind"], a["source"]) for a in doc["alerts"]}
    # one MaxCapacity alert: the history's, the forecast's crossing folded into it
    assert ("max_capacity", "history") in kinds and ("max_capacity", "forecast") not in kinds
    assert _metric(client, 'acuplan_advice_alert{cluster_id="adv-1",kind="max_capacity"}') == 1.0
    assert _metric(client, 'acuplan_advice_alert{cluster_id="adv-1",kind="connections"}') == 0.0
    # the history's alert has no lead time: the earliest is 0
    assert (
        _metric(client, 'acuplan_advice_alert_lead_time_seconds{cluster_id="adv-1",kind="max_capacity"}')
        == 0.0
    )
    assert _metric(client, 'acuplan_advice_jobs_total{status="succeeded"}') is not None

    assert client.delete("/v1/clusters/adv-1").status_code == 204
    assert _metric(client, 'acuplan_advice_alert{cluster_id="adv-1"') is None


def test_registered_cluster_advice_takes_todays_settings_from_the_registration(client: TestClient) -> None:
    registration = {
        "topology": {
            "region": "eu-central-1",
            "az_ids": ["euc1-az1", "euc1-az2"],
            "writer_az_id": "euc1-az2",
        },
        "limits": {"min_acu": 0.5, "max_acu": 64},
        "price_usd_per_acu_hour": 0.15,  # no built-in eu-central-1 price: the registration needs its own
    }
    assert client.put("/v1/clusters/adv-eu", json=registration).status_code in (200, 201)
    client.post("/v1/clusters/adv-eu/metrics", json={"points": _points()})

    created = client.post("/v1/clusters/adv-eu/advice", json={"current": {"min_capacity_acu": 2}})

    assert created.status_code == 202, created.text
    job = _wait(client, created.headers["location"])
    assert job["status"] == "succeeded", job
    doc = client.get(job["result_url"]).json()
    assert doc["current"]["settings"] == "MinCapacity 2 / MaxCapacity 64 ACU, tier-1 reader in euc1-az1"
    assert "MaxCapacity=64 " in doc["scheduler"]["commands"][0]  # never the default 128
    # priced at the registered rate in its region, and what is us-east-1's there is said
    assert (doc["pricing"]["region"], doc["pricing"]["serverless_standard_usd_per_acu_hour"]) == (
        "eu-central-1",
        0.15,
    )
    assert doc["pricing"]["source"] == "the cluster's own price_usd_per_acu_hour"
    assert doc["pricing"]["notes"][0].startswith("no built-in Aurora price for 'eu-central-1'")
    standard = next(o for o in doc["purchase_options"] if o["name"] == "serverless_standard")
    assert "x $0.15/ACU-h" in standard["basis"]  # was us-east-1's $0.12 beside replays at $0.15
    too_high = client.post("/v1/clusters/adv-eu/advice", json={"current": {"min_capacity_acu": 80}})
    assert too_high.status_code == 422
    assert too_high.json()["detail"][0]["field"] == "current.min_capacity_acu"


def test_registered_cluster_advice_needs_the_cluster_and_its_metrics(client: TestClient) -> None:
    assert client.post("/v1/clusters/adv-none/advice", json={}).status_code == 404
    client.put("/v1/clusters/adv-empty", json={})
    r = client.post("/v1/clusters/adv-empty/advice", json={})
    assert r.status_code == 422 and r.json()["detail"][0]["field"] == "history"


def test_cancel_a_queued_and_a_running_advice(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    real = policy.advise

    def slow(*args: Any, progress: Any = None, **kwargs: Any) -> Any:
        for i in range(400):  # report progress like a long advice, until cancelled
            progress("acuplan", i, 400)
            time.sleep(0.02)
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(policy, "advise", slow)
    first = client.post("/v1/advice", json=_body()).headers["location"]
    _wait(client, first, final=("running",))
    second = client.post("/v1/advice", json=_body()).headers["location"]  # one worker: it waits

    queued = client.delete(second)
    running = client.delete(first)

    assert queued.json()["status"] == "cancelled"
    assert running.json()["cancel_requested"] is True
    assert _wait(client, first)["status"] == "cancelled"


def test_advice_alerts_are_published_again_after_a_restart(settings: Settings, tmp_path: Any) -> None:
    url = f"sqlite:///{tmp_path / 'advice.db'}"
    store_settings = settings.model_copy(update={"database_url": url, "auto_migrate": True})
    with TestClient(create_app(store_settings)) as c:
        c.put("/v1/clusters/adv-r", json={})
        store = c.app.state.runtime.store  # type: ignore[attr-defined]
        job_id = uuid.uuid4().hex
        store.create_job(job_id, {}, kind="advice", cluster_id="adv-r")
        store.start_job(job_id)
        alert = {"kind": "budget", "source": "forecast", "lead_time_s": 3600.0}
        store.finish_job(job_id, "succeeded", result={"alerts": [alert]})

    with TestClient(create_app(store_settings)) as c:
        assert _metric(c, 'acuplan_advice_alert{cluster_id="adv-r",kind="budget"}') == 1.0
        assert (
            _metric(c, 'acuplan_advice_alert_lead_time_seconds{cluster_id="adv-r",kind="budget"}') == 3600.0
        )


_NO_QUERY = (
    "changes nothing: the advice endpoints take no query parameters, and their history is demand in ACU "
    "already (the posted history's demand_acu, or a registered cluster's stored metrics); a metric export's "
    "signal, format and timezone go with it to POST /v1/clusters/{cluster_id}/metrics/upload"
)


@pytest.mark.parametrize("url", ["/v1/advice", "/v1/clusters/adv-query/advice"])
def test_a_query_parameter_is_422_naming_it_not_ignored(client: TestClient, url: str) -> None:
    # ?signal= was ignored and the job queued as if it had chosen a metric
    client.put("/v1/clusters/adv-query", json={})
    body = _body() if url == "/v1/advice" else {}

    r = client.post(f"{url}?signal=CPUUtilization&peak_acu=20&signal=x", json=body)

    assert r.status_code == 422, r.text
    assert "location" not in r.headers
    assert r.json() == {
        "error": "invalid_request",
        "detail": [
            {"field": "signal", "message": f"signal='CPUUtilization' {_NO_QUERY}"},
            {"field": "peak_acu", "message": f"peak_acu='20' {_NO_QUERY}"},
        ],
    }


def test_a_query_parameter_without_a_key_is_still_401(settings: Settings, tmp_path: Any) -> None:
    # the API key is checked first: a 422 would tell an unauthenticated caller about the endpoint
    from service.http.security import new_key

    app = create_app(settings.model_copy(update={"database_url": f"sqlite:///{tmp_path / 'keys.db'}"}))
    with TestClient(app, raise_server_exceptions=False) as keyed:
        key = new_key()
        app.state.runtime.store.add_key(
            key.key_id, name="w", secret_sha256=key.secret_sha256, scopes=("write",)
        )

        r = keyed.post("/v1/advice?signal=CPUUtilization", json=_body())

    assert r.status_code == 401, r.text
