"""``acuplan bench``: outputs, determinism, and the target check (issue 5)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from service.bench import targets
from service.cli import main


def _bench(out: Path, *extra: str) -> dict:  # type: ignore[type-arg]
    code = main(["bench", "--out", str(out), "--workers", "1", *extra])
    assert code == 0
    return json.loads((out / "bench.json").read_text())


def _deterministic(doc: dict) -> dict:  # type: ignore[type-arg]
    return {k: v for k, v in doc.items() if k not in ("timing", "throughput")}


def test_bench_with_cheap_policies_writes_every_output(tmp_path: Path) -> None:
    cheap = ("--traces", "rds-cpu-cc0c53", "--policies", "reactive,static-peak,vpa", "--fleet-clusters", "0")
    doc = _bench(tmp_path / "a", *cheap)
    trace = doc["traces"]["rds-cpu-cc0c53"]
    for score in trace["policies"].values():
        assert {
            "cost_usd",
            "shortfall_acu_h",
            "slo_violation_min",
            "cost_vs_bound",
            "p99_latency_ms",
        } <= set(score)
    assert [p["value"] for p in trace["frontier"]["vpa"]] == [0.5, 0.7, 0.8, 0.9, 0.95, 0.99]
    assert trace["targets"]["met"] is None  # no acuplan/bound in this run
    out = tmp_path / "a"
    for name in ("bench.md", "bench.html", "frontier.png", "capacity-rds-cpu-cc0c53.png"):
        assert (out / name).stat().st_size > 0
    page = (out / "bench.html").read_text()
    assert page.count("data:image/png;base64,") == 2 and 'src="http' not in page
    again = _bench(tmp_path / "b", *cheap)
    assert _deterministic(again) == _deterministic(doc)


def test_bench_rejects_an_unknown_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--out", str(tmp_path), "--traces", "nope"]) == 2
    assert capsys.readouterr().err.startswith("error: --traces")


@pytest.mark.parametrize(
    ("acuplan", "met"),
    [
        ({"slo_violation_min": 10.0, "cost_usd": 120.0, "cost_vs_bound": 1.2}, True),
        ({"slo_violation_min": 30.0, "cost_usd": 120.0, "cost_vs_bound": 1.2}, False),  # 30% of reactive
        ({"slo_violation_min": 10.0, "cost_usd": 130.0, "cost_vs_bound": 1.3}, False),  # > 1.25x bound
    ],
    ids=["met", "too-many-slo-minutes", "too-costly"],
)
def test_targets(acuplan: dict, met: bool) -> None:  # type: ignore[type-arg]
    scores = {
        "reactive": {"slo_violation_min": 100.0, "cost_usd": 80.0, "cost_vs_bound": 0.8},
        "static-peak": {"slo_violation_min": 0.0, "cost_usd": 300.0, "cost_vs_bound": 3.0},
        "bound": {"slo_violation_min": 0.0, "cost_usd": 100.0, "cost_vs_bound": 1.0},
        "acuplan": acuplan,
    }
    assert targets(scores)["met"] is met


@pytest.mark.slow
def test_bench_with_a_fleet_is_deterministic_and_identical_on_1_and_2_workers(tmp_path: Path) -> None:
    # ~1 min: the peers over a whole trace twice, and a 2-cluster acuplan fleet on 1 and 2 workers.
    peers = "reactive,static-peak,vpa,predictive-scaling,hpa-readers"
    one = ("--traces", "rds-cpu-cc0c53", "--policies", peers)
    a = _bench(tmp_path / "a", *one, "--fleet-clusters", "2")
    b = _bench(tmp_path / "b", *one, "--fleet-clusters", "2")
    assert _deterministic(a) == _deterministic(b)
    assert a["throughput"]["identical"] is True
    assert [r["cores"] for r in a["throughput"]["runs"]] == [1, 2]
