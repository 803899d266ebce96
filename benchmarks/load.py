"""Load test of ``acuplan serve`` on loopback, with a graceful restart in the middle.

Run ``python -m benchmarks.load`` (after ``pip install -e '.[test]'``). It

1. starts ``acuplan serve`` on 127.0.0.1 with a fresh SQLite file (the default store);
2. registers ``--clusters`` clusters with three days of 5-minute history each;
3. runs ``--concurrency`` client threads, each acting as a scheduler for one cluster:
   ``POST /v1/clusters/{id}/recommendations`` with the next 5-minute sample, i.e. one
   store write, one forecast, one CP-SAT solve and one stored recommendation per request;
4. after half of ``--requests``, sends SIGTERM while requests are in flight (uvicorn
   drains them), starts the server again on the same database, and lets the clients go
   on (a refused or dropped connection is retried; a retry that the server had in fact
   processed can only add a record, never lose an acknowledged one);
5. checks that every acknowledged recommendation (every 201) is still stored, with its
   inputs' hash, and writes ``benchmarks/results/load.json``.

Bounded in count (``--requests``) and time (``--max-seconds``); traffic goes to
127.0.0.1 only. The server's risk-quantile learning jobs are off (``ACUPLAN_LEARN_EVERY_S=0``
unless set): they are a daily background replay per cluster, not the request path. Clients
and server share the machine's cores, so throughput is a floor.
Fields: ``requests`` (answered), ``errors`` (non-201 or failed after retries), ``rps``,
``p50_ms`` / ``p99_ms`` (latency of the answered attempt), ``retries``, ``restart``
(downtime), ``acknowledged`` / ``lost`` (must be 0).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import numpy as np

from traces import diurnal_demand

RESULTS = Path(__file__).parent / "results" / "load.json"
STEP_S = 300
T0 = datetime(2024, 5, 6, tzinfo=UTC)
WARM_STEPS = 3 * 288  # three days: Holt-Winters' two daily seasons plus one
RETRY_FOR_S = 60.0  # how long a client retries refused / dropped connections (covers the restart)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start_server(port: int, db: Path) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ACUPLAN_DATABASE_URL": f"sqlite:///{db}",
        "ACUPLAN_LOG_LEVEL": "warning",
        "ACUPLAN_SOLVER_POOL_QUEUE": "64",
        # The request path only: with learning on, each cluster's history passes the 3 days + 1 h
        # learning needs mid-run and its replay (a background job) shares the cores (7 req/s, not 10).
        "ACUPLAN_LEARN_EVERY_S": os.environ.get("ACUPLAN_LEARN_EVERY_S", "0"),
    }
    code = f"from service.cli.main import main; raise SystemExit(main(['serve', '--port', '{port}']))"
    return subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.DEVNULL)


def _wait_ready(base: str, timeout_s: float = 60.0) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout_s:
        try:
            if httpx.get(f"{base}/readyz", timeout=2.0).status_code == 200:
                return time.monotonic() - start
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"server at {base} not ready after {timeout_s} s")


def _points(seed: int, first: int, n: int) -> list[dict[str, Any]]:
    acu = diurnal_demand(first + n, step_s=STEP_S, seed=seed, base_acu=2.0, peak_acu=14.0)
    stamps = [(T0 + timedelta(seconds=(first + i) * STEP_S)).isoformat() for i in range(n)]
    return [{"ts": ts, "demand_acu": float(acu[first + i])} for i, ts in enumerate(stamps)]


@dataclass
class Tally:
    """Results shared by the client threads (guarded by ``lock``)."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies_ms: list[float] = field(default_factory=list)
    acknowledged: dict[str, dict[str, str]] = field(default_factory=dict)  # location -> inputs hash
    errors: list[str] = field(default_factory=list)
    retries: int = 0
    issued: int = 0


def _post_with_retry(
    client: httpx.Client, url: str, body: dict[str, Any], tally: Tally
) -> httpx.Response | None:
    deadline = time.monotonic() + RETRY_FOR_S
    while True:
        start = time.perf_counter()
        try:
            response = client.post(url, json=body)
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError):
            if time.monotonic() > deadline:
                return None
            with tally.lock:
                tally.retries += 1
            time.sleep(0.1)
            continue
        with tally.lock:
            tally.latencies_ms.append((time.perf_counter() - start) * 1000)
        return response


def _client(base: str, cluster: str, seed: int, tally: Tally, budget: int, stop_at: float) -> None:
    with httpx.Client(base_url=base, timeout=60.0) as client:
        for k in range(budget):
            with tally.lock:
                if time.monotonic() > stop_at:
                    return
                tally.issued += 1
            # the samples are from 2024: plan as of the new sample's step, not the server's clock
            now = T0 + timedelta(seconds=(WARM_STEPS + k + 1) * STEP_S)
            body = {"points": _points(seed, WARM_STEPS + k, 1), "now": now.isoformat()}
            r = _post_with_retry(client, f"/v1/clusters/{cluster}/recommendations", body, tally)
            with tally.lock:
                if r is None:
                    tally.errors.append("connection failed after retries")
                elif r.status_code != 201:
                    tally.errors.append(f"{r.status_code}: {r.text[:200]}")
                else:
                    tally.acknowledged[r.headers["location"]] = {"inputs_hash": r.json()["inputs_hash"]}


def run(n_requests: int, concurrency: int, max_seconds: float) -> dict[str, Any]:
    """Run the load test and return the results document."""
    db = Path(tempfile.mkdtemp(prefix="acuplan-load-")) / "acuplan.db"
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    server = _start_server(port, db)
    try:
        _wait_ready(base)
        clusters = [f"load-{i}" for i in range(concurrency)]
        for i, cid in enumerate(clusters):
            httpx.put(f"{base}/v1/clusters/{cid}", json={"step_s": STEP_S}, timeout=30).raise_for_status()
            httpx.post(
                f"{base}/v1/clusters/{cid}/metrics", json={"points": _points(i, 0, WARM_STEPS)}, timeout=30
            ).raise_for_status()
        tally = Tally()
        per_client = -(-n_requests // concurrency)
        started = time.monotonic()
        threads = [
            threading.Thread(target=_client, args=(base, cid, i, tally, per_client, started + max_seconds))
            for i, cid in enumerate(clusters)
        ]
        for t in threads:
            t.start()
        while len(tally.latencies_ms) < n_requests // 2 and any(t.is_alive() for t in threads):
            time.sleep(0.05)
        restart_at = len(tally.latencies_ms)
        acked_before = len(tally.acknowledged)
        t_down = time.monotonic()
        server.send_signal(signal.SIGTERM)  # graceful: in-flight requests finish
        server.wait(timeout=60)
        stop_s = time.monotonic() - t_down
        server = _start_server(port, db)
        _wait_ready(base)
        downtime_s = time.monotonic() - t_down
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        lost = [
            loc
            for loc, want in tally.acknowledged.items()
            if (got := httpx.get(base + loc, timeout=30)).status_code != 200
            or got.json()["inputs_hash"] != want["inputs_hash"]
        ]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    lat = np.asarray(tally.latencies_ms)
    answered = len(tally.latencies_ms)
    return {
        "requests": answered,
        "errors": len(tally.errors),
        "rps": round(answered / elapsed, 2),
        "p50_ms": round(float(np.percentile(lat, 50)), 1),
        "p99_ms": round(float(np.percentile(lat, 99)), 1),
        "retries": tally.retries,
        "acknowledged": len(tally.acknowledged),
        "lost": len(lost),
        "restart": {
            "after_requests": restart_at,
            "acknowledged_before": acked_before,
            "downtime_s": round(downtime_s, 2),
            "drain_s": round(stop_s, 2),
            "start_s": round(downtime_s - stop_s, 2),
        },
        "concurrency": concurrency,
        "elapsed_s": round(elapsed, 1),
        "endpoint": "POST /v1/clusters/{id}/recommendations (1 new sample, 3 days stored history, SQLite)",
        "error_samples": tally.errors[:5],
        "machine": {"python": platform.python_version(), "cpu_count": os.cpu_count()},
    }


def main(argv: list[str] | None = None) -> int:
    """Parse options, run, write the JSON; exit 1 on errors or lost recommendations."""
    parser = argparse.ArgumentParser(description="Load test acuplan serve on loopback with a restart.")
    parser.add_argument("--requests", type=int, default=200, help="total recommendation requests")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (one cluster each)")
    parser.add_argument("--max-seconds", type=float, default=180.0, help="stop issuing requests after this")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the JSON")
    args = parser.parse_args(argv)
    result = run(args.requests, args.concurrency, args.max_seconds)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: result[k] for k in ("requests", "errors", "rps", "p50_ms", "p99_ms", "lost")}))
    return 0 if result["errors"] == 0 and result["lost"] == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
