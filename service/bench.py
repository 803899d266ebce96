"""``acuplan bench``: every bundled trace under every policy, the frontier, fleet throughput.

Owns :func:`bench_command` (registered by ``service.cli``) and :func:`run_bench`. Loads
traces (bundled, or a folder of canonical CSVs for the fleet), builds the fleet jobs,
runs them on a local process pool or a Dask cluster (``--scheduler``), and hands the
results to :mod:`service.bench_report` for the table, JSON, plots and HTML. Everything
in the output but its ``timing`` and ``throughput`` sections is deterministic.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing import get_context
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from policy import POLICY_NAMES, ClusterSpec, ReplayConfig, with_relative_scores
from policy.fleet import SWEEP, FleetCluster, FleetJob, JobResult, run_fleet, slice_fleet
from policy.replay import PolicyRun, timing_of
from service.bundled import bundled_replay_inputs
from service.cli_inputs import CliInputError, demand_rule
from service.errors import one_line
from traces import demand_series, list_bundled, load_trace

RISK_QUANTILES: tuple[float, ...] = (0.7, 0.8, 0.9, 0.95, 0.99)
"""acuplan's risk quantiles on the frontier (the default is also run on the production path)."""

VPA_PERCENTILES: tuple[float, ...] = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
"""VPA target percentiles on the frontier (0.9 is VPA's default)."""

REACTIVE_FLOORS_ACU: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
"""Fixed MinCapacity values of ``reactive`` on the frontier (0.5 is the default users have)."""

FLEET_CLUSTERS = 16
FLEET_DAYS = 4.0
FLEET_TRACE = "rds-cpu-cc0c53"
"""Throughput fleet: 16 clusters of 4 days (2 warm-up, 2 scored) cut from this trace."""


@dataclass(frozen=True)
class Member:
    """A bundled trace to score: the cluster plus its bounds for the report."""

    member: FleetCluster
    trace: str


@dataclass
class BenchResult:
    """What ``run_bench`` produced, for the report writers."""

    doc: dict[str, Any]
    runs: dict[str, dict[str, PolicyRun]]
    members: dict[str, FleetCluster]
    config: ReplayConfig
    frontier: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)


def _members(names: Sequence[str]) -> list[FleetCluster]:
    out = []
    for name in names:
        demand, cluster = bundled_replay_inputs(name)
        out.append(FleetCluster(name, demand.demand_acu, demand.start, demand.step_s, cluster))
    return out


def _variant(config: ReplayConfig, policy: str, value: float) -> ReplayConfig:
    if policy == "vpa":
        peers = config.peers.model_copy(
            update={"vpa": config.peers.vpa.model_copy(update={"target_percentile": value})}
        )
        return config.model_copy(update={"peers": peers})
    return config.model_copy(update={"reactive_floor_acu": value})


def _jobs(members: Sequence[FleetCluster], policies: Sequence[str], config: ReplayConfig) -> list[FleetJob]:
    """Every (trace, policy) job plus the frontier sweeps, the costliest first (load balance)."""
    jobs: list[FleetJob] = []
    swept = tuple(q for q in RISK_QUANTILES if q != config.policy.risk_quantile)
    for m in sorted(members, key=lambda m: -len(m.demand_acu)):
        if "acuplan" in policies:
            jobs.append(FleetJob(len(jobs), m, SWEEP, config, risk_quantiles=swept))
        jobs += [FleetJob(len(jobs), m, p, config) for p in policies if p in ("acuplan", "bound")]
    for m in members:
        jobs += [FleetJob(len(jobs), m, p, config) for p in policies if p not in ("acuplan", "bound")]
        for p, values in (("vpa", VPA_PERCENTILES), ("reactive", REACTIVE_FLOORS_ACU)):
            if p in policies:
                jobs += [
                    FleetJob(len(jobs), m, p, _variant(config, p, v), label=f"{p}@{v:g}")
                    for v in values
                    if v <= m.cluster.limits.max_acu or p != "reactive"
                ]
    return jobs


ONE_THREAD_ENV: dict[str, str] = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Worker processes get one BLAS/OpenMP thread each: the pool already fills the cores. With
OpenBLAS's default helper thread, one worker burned ~1.8 cores and 2 workers were no
faster than 1 (measured by the bench's throughput section on the 2-core machine)."""


@contextmanager
def _executor(workers: int, scheduler: str | None) -> Iterator[Executor]:
    """A local process pool of ``workers``, or a Dask cluster's executor at ``scheduler``.

    Local workers are spawned (not forked) so that :data:`ONE_THREAD_ENV`, set here
    unless the caller set those variables, is read when each worker loads its BLAS.
    Dask workers are started by whoever runs the cluster (give them the same variables).
    """
    if scheduler is None:
        for key, value in ONE_THREAD_ENV.items():
            os.environ.setdefault(key, value)
        with ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn")) as pool:
            yield pool
        return
    from distributed import Client

    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        yield client.get_executor()


def _progress_bar() -> Progress:
    columns = (TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=Console(stderr=True), transient=False)


def _run_jobs(jobs: Sequence[FleetJob], executor: Executor | None, what: str) -> list[JobResult]:
    with _progress_bar() as bar:
        task = bar.add_task(what, total=len(jobs))

        def report(result: JobResult, done: int, total: int) -> None:
            bar.update(task, completed=done, description=f"{what}: {result.cluster_id} {result.label}")

        return run_fleet(jobs, executor=executor, progress=report)


def _point(label: str, knob: str, value: float, run: PolicyRun, bound_cost: float) -> dict[str, Any]:
    s = run.score
    return {
        "label": label,
        "knob": knob,
        "value": value,
        "cost_usd": s.cost_usd,
        "cost_vs_bound": round(s.cost_usd / bound_cost, 6) if bound_cost > 0 else None,
        "slo_violation_min": s.slo_violation_min,
        "shortfall_acu_h": s.shortfall_acu_h,
        "p99_latency_ms": s.p99_latency_ms,
    }


def _frontier(
    results: Sequence[JobResult], bound_cost: float, config: ReplayConfig
) -> dict[str, list[dict[str, Any]]]:
    """Frontier points per swept policy, sorted by knob value."""
    out: dict[str, list[dict[str, Any]]] = {"acuplan": [], "vpa": [], "reactive": []}
    for r in results:
        for run in r.runs:
            if r.policy == SWEEP:
                q = float(run.name.split("@q")[1])
                out["acuplan"].append(_point(run.name, "risk_quantile", q, run, bound_cost))
            elif r.label != r.policy:
                knob = "target_percentile" if r.policy == "vpa" else "floor_acu"
                value = float(r.label.split("@")[1])
                out[r.policy].append(_point(r.label, knob, value, run, bound_cost))
            elif r.policy == "acuplan":
                q = config.policy.risk_quantile
                out["acuplan"].append(
                    _point(f"acuplan@q{q:g} (production)", "risk_quantile", q, run, bound_cost)
                )
    return {k: sorted(v, key=lambda p: (p["value"], p["label"])) for k, v in out.items() if v}


def targets(scores: dict[str, Any]) -> dict[str, Any]:
    """Check issue 5's targets for one trace from its per-policy score dicts.

    acuplan must have at most 20% of reactive's SLO-violation minutes, cost at most 1.25x
    the bound's, and cost less than static-peak.
    """
    a, r, o, s = (scores.get(k) for k in ("acuplan", "reactive", "bound", "static-peak"))
    if a is None or r is None or o is None or s is None:
        return {"met": None, "why": "needs acuplan, reactive, bound and static-peak"}
    slo_limit = 0.2 * r["slo_violation_min"]
    cost_limit = 1.25 * o["cost_usd"]
    checks = {
        "slo_ok": a["slo_violation_min"] <= slo_limit,
        "cost_vs_bound_ok": a["cost_usd"] <= cost_limit,
        "cheaper_than_static_peak": a["cost_usd"] < s["cost_usd"],
    }
    return {
        "met": all(checks.values()),
        **checks,
        "slo_limit_min": round(slo_limit, 4),
        "acuplan_slo_min": a["slo_violation_min"],
        "slo_share_of_reactive": round(a["slo_violation_min"] / r["slo_violation_min"], 4)
        if r["slo_violation_min"] > 0
        else None,
        "cost_limit_usd": round(cost_limit, 6),
        "acuplan_cost_vs_bound": a["cost_vs_bound"],
    }


def _trace_doc(m: FleetCluster, runs: dict[str, PolicyRun]) -> dict[str, Any]:
    scores = with_relative_scores({name: run.score for name, run in runs.items()})
    n_scored = len(next(iter(runs.values())).capacity_acu)
    first = len(m.demand_acu) - n_scored
    dumped = {k: v.model_dump(mode="json") for k, v in scores.items()}
    return {
        "n_steps": len(m.demand_acu),
        "step_s": m.step_s,
        "scored_from": (m.start + timedelta(seconds=first * m.step_s)).isoformat(),
        "scored_until": (m.start + timedelta(seconds=len(m.demand_acu) * m.step_s)).isoformat(),
        "n_missing_steps": int(np.isnan(m.demand_acu).sum()),
        "cluster": m.cluster.model_dump(mode="json"),
        "policies": dumped,
        "targets": targets(dumped),
    }


def _warm(seconds: float) -> int:
    """Keep a worker busy briefly, so a pool starts all its processes before timing."""
    time.sleep(seconds)
    return os.getpid()


def _fleet_numbers(results: Sequence[JobResult]) -> list[tuple[str, str, dict[str, Any]]]:
    return [(r.cluster_id, run.name, run.score.model_dump()) for r in results for run in r.runs]


def _timed_fleet(
    jobs: Sequence[FleetJob], workers: int, scheduler: str | None
) -> tuple[float, int, list[JobResult]]:
    """Run the fleet on a fresh executor; return (wall s, cores, results), pool start excluded."""
    with _executor(workers, scheduler) as ex:
        cores = workers
        if scheduler is not None:
            from distributed import Client

            with Client(scheduler) as client:  # type: ignore[no-untyped-call]
                cores = sum(w["nthreads"] for w in client.scheduler_info()["workers"].values())
        for f in [ex.submit(_warm, 0.5) for _ in range(cores)]:
            f.result()
        t0 = time.perf_counter()
        where = f"dask at {scheduler}" if scheduler else f"{workers} worker(s)"
        results = _run_jobs(jobs, ex, f"fleet on {where}")
        return time.perf_counter() - t0, cores, results


def _load() -> float | None:
    """The machine's 1-minute load average (context for wall-clock numbers), if known."""
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def throughput(fleet: Sequence[FleetCluster], config: ReplayConfig, scheduler: str | None) -> dict[str, Any]:
    """Replay ``fleet`` under acuplan on 1 and 2 local workers (and Dask if given); time it.

    Throughput is scored cluster-days per core-minute of wall time (cores = workers);
    the scaling ratio is the 1-worker wall time over the 2-worker one (2.0 is perfect).
    Wall time depends on what else the machine runs, so each row also gives the CPU
    time the jobs used (cluster-days per CPU-minute: the cost of the work itself) and
    the load average before it. Every executor must give identical scores.
    """
    jobs = [FleetJob(i, m, "acuplan", config) for i, m in enumerate(fleet)]
    days = sum(m.scored_days for m in fleet)
    rows: list[dict[str, Any]] = []
    reference: list[tuple[str, str, dict[str, Any]]] | None = None
    setups: list[tuple[int, str | None]] = [(1, None), (2, None)] + ([(0, scheduler)] if scheduler else [])
    for workers, where in setups:
        load_before = _load()
        wall, cores, results = _timed_fleet(jobs, workers, where)
        cpu = sum(run.cpu_s for r in results for run in r.runs)
        numbers = _fleet_numbers(results)
        reference = reference if reference is not None else numbers
        rows.append(
            {
                "executor": "dask" if where else "process-pool",
                "cores": cores,
                "wall_s": round(wall, 3),
                "cluster_days": round(days, 3),
                "cluster_days_per_core_min": round(days / (wall / 60.0) / cores, 3),
                "cpu_s": round(cpu, 3),
                "cluster_days_per_cpu_min": round(days / (cpu / 60.0), 3) if cpu > 0 else None,
                "load_avg_1m_before": load_before,
                "identical_to_1_worker": numbers == reference,
            }
        )
    one, two = rows[0]["wall_s"], rows[1]["wall_s"]
    return {
        "fleet": {"clusters": len(fleet), "policy": "acuplan", "scored_cluster_days": round(days, 3)},
        "runs": rows,
        "scaling_ratio_2_vs_1": round(one / two, 3) if two > 0 else None,
        "identical": all(r["identical_to_1_worker"] for r in rows),
    }


def folder_fleet(
    folder: Path, *, max_acu: float, peak_acu: float | None, step_s: int = 300
) -> list[FleetCluster]:
    """Every series of every canonical trace CSV in ``folder`` as one fleet cluster.

    Raises:
        CliInputError: no CSV in the folder, or a unit that needs ``peak_acu``.
        traces.TraceFormatError: a malformed file.
    """
    paths = sorted(folder.glob("*.csv"))
    if not paths:
        raise CliInputError(f"--fleet-dir: no *.csv trace in {folder}")
    fleet = []
    for path in paths:
        for series in load_trace(path):
            demand = demand_series(series, step_s=step_s, rule=demand_rule(series, max_acu, peak_acu))
            cid = f"{path.stem}/{series.cluster_id}/{series.signal}"
            limits = ClusterSpec().limits.model_copy(update={"max_acu": max_acu})
            spec = ClusterSpec(cluster_id=series.cluster_id, limits=limits)
            fleet.append(FleetCluster(cid, demand.demand_acu, demand.start, demand.step_s, spec))
    return fleet


def run_bench(
    *,
    traces: Sequence[str],
    policies: Sequence[str],
    workers: int,
    scheduler: str | None,
    fleet: Sequence[FleetCluster] | None,
    config: ReplayConfig | None = None,
) -> BenchResult:
    """Replay ``traces`` under ``policies`` with the frontier sweeps, then time the fleet.

    Returns:
        The report document (``traces``, ``targets_met``, ``throughput``, ``timing``) and
        the runs behind it.
    """
    config = config or ReplayConfig()
    t0 = time.perf_counter()
    members = _members(traces)
    jobs = _jobs(members, policies, config)
    with _executor(workers, scheduler) as ex:
        results = _run_jobs(jobs, ex, "bench")
    by_trace: dict[str, list[JobResult]] = {m.cluster_id: [] for m in members}
    for r in results:
        by_trace[r.cluster_id].append(r)
    doc: dict[str, Any] = {"schema": 1, "policies": list(policies), "config": config.model_dump(mode="json")}
    doc["traces"], doc["timing"] = {}, {"per_trace": {}}
    runs: dict[str, dict[str, PolicyRun]] = {}
    out = BenchResult(doc, runs, {m.cluster_id: m for m in members}, config)
    for m in members:
        main = {
            r.policy: r.runs[0] for r in by_trace[m.cluster_id] if r.label == r.policy and r.policy != SWEEP
        }
        runs[m.cluster_id] = {p: main[p] for p in POLICY_NAMES if p in main}
        trace = _trace_doc(m, runs[m.cluster_id])
        bound = runs[m.cluster_id].get("bound")
        out.frontier[m.cluster_id] = _frontier(
            by_trace[m.cluster_id], bound.score.cost_usd if bound else 0.0, config
        )
        trace["frontier"] = out.frontier[m.cluster_id]
        doc["traces"][m.cluster_id] = trace
        timed = [runs[m.cluster_id][p] for p in ("acuplan", "bound") if p in runs[m.cluster_id]]
        doc["timing"]["per_trace"][m.cluster_id] = timing_of(timed, 0.0).model_dump(exclude={"total_s"})
    doc["targets_met"] = {k: v["targets"]["met"] for k, v in doc["traces"].items()}
    doc["timing"]["bench_s"] = round(time.perf_counter() - t0, 3)
    if fleet:
        doc["throughput"] = throughput(fleet, config, scheduler)
    return out


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {one_line(message)}", err=True)
    return typer.Exit(code=2)


def _names(text: str, known: Sequence[str], option: str) -> list[str]:
    names = [n.strip() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in known]
    if unknown or not names:
        raise CliInputError(f"{option}: unknown {unknown or text!r}; choose from {', '.join(known)}")
    return names


def bench_command(
    out: Annotated[
        Path, typer.Option("--out", help="Folder for bench.json, bench.md, PNGs, bench.html.")
    ] = Path("bench-out"),
    traces: Annotated[
        str | None, typer.Option("--traces", help="Comma-separated bundled traces; default all.")
    ] = None,
    policies: Annotated[
        str, typer.Option("--policies", help="Comma-separated policies; default all.")
    ] = ",".join(POLICY_NAMES),
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Local worker processes; default the CPU count.")
    ] = os.cpu_count() or 1,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler address (tcp://host:8786): run the jobs there."),
    ] = None,
    fleet_dir: Annotated[
        Path | None,
        typer.Option("--fleet-dir", help="Folder of canonical trace CSVs: the fleet for the throughput run."),
    ] = None,
    fleet_clusters: Annotated[
        int,
        typer.Option("--fleet-clusters", min=0, help="Else: cut --fleet-trace into N clusters (0: skip)."),
    ] = FLEET_CLUSTERS,
    fleet_trace: Annotated[
        str, typer.Option("--fleet-trace", help="Bundled trace the fleet is cut from.")
    ] = (FLEET_TRACE),
    max_acu: Annotated[
        float, typer.Option("--max-acu", help="MaxCapacity of --fleet-dir clusters (base of unit percent).")
    ] = 128.0,
    peak_acu: Annotated[
        float | None, typer.Option("--peak-acu", help="ACU a --fleet-dir per_s/relative series' p99 maps to.")
    ] = None,
) -> None:
    """Replay every bundled trace under every policy; write tables, JSON, plots and an HTML page.

    Also sweeps each policy's risk knob (acuplan's risk quantile, VPA's percentile,
    reactive's floor) for the cost/violation frontier, and times a fleet replay on 1 and
    2 local workers (and on Dask with --scheduler) for throughput.
    """
    from service.bench_report import score_table, write_report

    try:
        names = _names(traces, list_bundled(), "--traces") if traces else list_bundled()
        pols = _names(policies, POLICY_NAMES, "--policies")
        if fleet_dir is not None:
            fleet = folder_fleet(fleet_dir, max_acu=max_acu, peak_acu=peak_acu)
        elif fleet_clusters:
            demand, cluster = bundled_replay_inputs(fleet_trace)
            fleet = slice_fleet(
                demand.demand_acu,
                start=demand.start,
                step_s=demand.step_s,
                cluster=cluster,
                n_clusters=fleet_clusters,
                days=FLEET_DAYS,
            )
        else:
            fleet = []
        out.mkdir(parents=True, exist_ok=True)
    except (ValueError, OSError) as exc:
        raise _fail(str(exc)) from None
    result = run_bench(traces=names, policies=pols, workers=workers, scheduler=scheduler, fleet=fleet)
    console = Console() if Console().is_terminal else Console(width=140)
    for name, trace in result.doc["traces"].items():
        console.print(score_table(name, trace))
    demand_by_trace = {
        n: (
            m.demand_acu[len(m.demand_acu) - len(next(iter(result.runs[n].values())).capacity_acu) :],
            m.step_s,
        )
        for n, m in result.members.items()
    }
    paths = write_report(result.doc, result.runs, demand_by_trace, out)
    tp = result.doc.get("throughput")
    if tp:
        typer.echo(
            f"fleet: {tp['fleet']['scored_cluster_days']} cluster-days; "
            + "; ".join(
                f"{r['executor']} x{r['cores']}: {r['cluster_days_per_core_min']} per core-min"
                for r in tp["runs"]
            )
            + f"; scaling 2 vs 1: {tp['scaling_ratio_2_vs_1']}; identical: {tp['identical']}"
        )
    typer.echo(f"wrote {paths['json']}, {paths['md']}, {paths['html']} and {len(paths) - 3} PNGs")
