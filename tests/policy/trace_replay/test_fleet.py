"""Fleet replay: the same results serially, on a process pool and on a Dask LocalCluster."""

from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime

import numpy as np
import pytest

from policy import ClusterSpec, ReplayConfig, replay
from policy.trace_replay.fleet import SWEEP, FleetJob, JobResult, run_fleet, slice_fleet
from policy.trace_replay.sweep import sweep_risk_quantile

START = datetime(2024, 1, 1, tzinfo=UTC)


def _demand(days: int = 6, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(days * 288)
    return np.maximum(0.0, 5 + 4 * np.sin(2 * np.pi * t / 288) + rng.normal(0, 0.3, t.size))


def _jobs(policies: tuple[str, ...]) -> list[FleetJob]:
    fleet = slice_fleet(_demand(), start=START, step_s=300, cluster=ClusterSpec(), n_clusters=2, days=2.25)
    config = ReplayConfig()
    return [FleetJob(i, m, p, config) for i, (m, p) in enumerate((m, p) for m in fleet for p in policies)]


def _numbers(results: list[JobResult]) -> list[tuple[str, str, dict[str, object], list[float]]]:
    return [
        (r.cluster_id, run.name, run.score.model_dump(), run.capacity_acu.tolist())
        for r in results
        for run in r.runs
    ]


def test_slice_fleet_is_seeded_and_keeps_time_of_day() -> None:
    a = slice_fleet(_demand(), start=START, step_s=300, cluster=ClusterSpec(), n_clusters=3, days=2)
    b = slice_fleet(_demand(), start=START, step_s=300, cluster=ClusterSpec(), n_clusters=3, days=2)
    assert [m.cluster_id for m in a] == ["cluster-1-0", "cluster-1-1", "cluster-1-2"]
    assert all(np.array_equal(x.demand_acu, y.demand_acu) for x, y in zip(a, b, strict=True))
    assert all(len(m.demand_acu) == 576 for m in a)
    assert all((m.start - START).total_seconds() % 300 == 0 for m in a)
    with pytest.raises(ValueError, match="n_clusters"):
        slice_fleet(_demand(), start=START, step_s=300, cluster=ClusterSpec(), n_clusters=1, days=30)


def test_process_pool_gives_the_serial_results_in_job_order() -> None:
    jobs = _jobs(("reactive", "vpa", "predictive-scaling"))
    serial = run_fleet(jobs)
    with ProcessPoolExecutor(max_workers=2) as pool:
        pooled = run_fleet(jobs, executor=pool)
    assert [r.index for r in pooled] == list(range(len(jobs)))
    assert _numbers(pooled) == _numbers(serial)


def test_dask_local_cluster_gives_the_serial_results() -> None:
    distributed = pytest.importorskip("distributed")
    jobs = _jobs(("acuplan", "hpa-readers"))
    serial = run_fleet(jobs)
    with (
        distributed.LocalCluster(
            n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
        ) as lc,
        distributed.Client(lc) as client,
    ):
        on_dask = run_fleet(jobs, executor=client.get_executor())
    assert _numbers(on_dask) == _numbers(serial)


def test_sweep_runs_each_quantile_and_matches_production_at_the_default() -> None:
    d = _demand(days=3)
    runs = sweep_risk_quantile(
        d, start=START, step_s=300, cluster=ClusterSpec(), config=ReplayConfig(), risk_quantiles=(0.8, 0.95)
    )
    assert [r.name for r in runs] == ["acuplan@q0.8", "acuplan@q0.95"]
    prod = replay(d, start=START, step_s=300, policies=["acuplan"]).scores["acuplan"]
    # Shared forecasts pick the model on the union of quantiles, so allow a small gap.
    assert runs[1].score.cost_usd == pytest.approx(prod.cost_usd, rel=0.05)
    assert runs[0].score.n_replans == runs[1].score.n_replans == prod.n_replans
    assert runs[0].score.cost_usd <= runs[1].score.cost_usd * 1.02


def test_sweep_job_kind_returns_one_run_per_quantile() -> None:
    job = _jobs(("reactive",))[0]
    sweep = FleetJob(0, job.member, SWEEP, job.config, risk_quantiles=(0.7, 0.9))
    (result,) = run_fleet([sweep])
    assert [r.name for r in result.runs] == ["acuplan@q0.7", "acuplan@q0.9"]


def test_a_sweep_at_the_production_quantile_runs_the_production_rules() -> None:
    # A 6-hour metrics gap in the scored window (the data-quality hold) on a cluster that may
    # auto-pause (MinCapacity 0): rules applied after the forecast, shared with production.
    d = _demand(days=3)
    d[np.arange(d.size) % 288 < 60] = 0.0
    d[620:692] = np.nan
    cluster = ClusterSpec(limits={"min_acu": 0.0, "max_acu": 16.0})
    (swept,) = sweep_risk_quantile(
        d, start=START, step_s=300, cluster=cluster, config=ReplayConfig(), risk_quantiles=(0.9,)
    )
    prod = replay(d, start=START, step_s=300, cluster=cluster, policies=["acuplan"]).scores["acuplan"]
    assert swept.score.model_dump() == prod.model_dump()
