"""``acuplan bench``: the scoreboard of every trace under every policy, at each ramp profile.

Owns :func:`run_bench` (the command around it is :mod:`service.cli.bench`). Loads
the traces (bundled ones by name, and every canonical CSV of a ``--traces-dir`` folder
through :func:`service.inputs.bundled.folder_replay_inputs`), builds one job per trace, ramp
profile and policy (plus the frontier sweeps), runs them on a local process pool or a
Dask cluster (``--scheduler``), and scores them with :mod:`policy.trace_replay.scoreboard` (who
dominates whom, issue 9's targets). :mod:`service.bench.report` writes the tables, JSON,
plots and HTML. Everything in the output but its ``timing`` and ``throughput`` sections
is deterministic.

The frontier sweeps each family's knob: ``reactive``'s fixed MinCapacity
(:data:`REACTIVE_FLOORS_ACU`, those within MaxCapacity), the VPA-style floor's target
percentile (:data:`VPA_PERCENTILES`), the predictive-scaling-style floor's target
utilisation (:data:`PREDICTIVE_TARGETS`) and acuplan's risk quantile
(:data:`RISK_QUANTILES`, via :func:`policy.trace_replay.sweep.sweep_risk_quantile`).
"""

from __future__ import annotations

import multiprocessing
import os
import re
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from multiprocessing import get_context
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import numpy as np
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from policy import POLICY_NAMES, ClusterSpec, PolicyScore, ReplayConfig, with_relative_scores
from policy.scaler import RAMP_PROFILES
from policy.trace_replay.fleet import SWEEP, FleetCluster, FleetJob, JobResult, run_fleet, slice_fleet
from policy.trace_replay.run import PolicyRun, replay_warnings, scored_window, timing_of
from policy.trace_replay.scoreboard import (
    PEER_POLICIES,
    ScorePoint,
    TargetCheck,
    check_targets,
    dominated_by,
    one_setting,
)
from policy.trace_replay.sweep import SWEEP_NAME
from service.bench.defaults import DEFAULT_RAMP_PROFILES, FLEET_DAYS
from service.cli.inputs import CliInputError, capacity_limits, check_finite, check_peak_acu, demand_rule
from service.inputs.bundled import bundled_replay_inputs, folder_replay_inputs
from service.version import package_version, source_commit
from traces import TraceFormatError, demand_series, load_trace

RISK_QUANTILES: tuple[float, ...] = (0.7, 0.8, 0.85, 0.9, 0.95, 0.99)
"""acuplan's fixed risk quantiles on the frontier; the production run learns its own per cluster
among ``ReplayConfig.posture.risk_quantiles`` (:mod:`policy.trace_replay.posture`)."""

VPA_PERCENTILES: tuple[float, ...] = (0.5, 0.7, 0.8, 0.9, 0.95, 0.99)
"""VPA target percentiles on the frontier (0.9 is VPA's default)."""

REACTIVE_FLOORS_ACU: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, 16.0)
"""Fixed MinCapacity values of ``reactive`` on the frontier (0.5 is the default users have);
values above the cluster's MaxCapacity are skipped."""

PREDICTIVE_TARGETS: tuple[float, ...] = (0.5, 0.6, 0.7, 0.8, 0.9)
"""Target utilisations of ``predictive-scaling`` on the frontier (0.8, acuplan's target, is
its default)."""

SWEPT: dict[str, tuple[str, tuple[float, ...]]] = {
    "reactive": ("floor_acu", REACTIVE_FLOORS_ACU),
    "vpa": ("target_percentile", VPA_PERCENTILES),
    "predictive-scaling": ("target_utilisation", PREDICTIVE_TARGETS),
}
"""Peer families swept on the frontier: policy -> (knob name, values)."""


@dataclass(frozen=True)
class Member:
    """One trace to score: the replay inputs and where they came from.

    Attributes:
        trace: the demand series and cluster (``trace.cluster_id`` is the trace's name).
        source: ``bundled`` or ``folder`` (a ``--traces-dir`` CSV).
    """

    trace: FleetCluster
    source: str

    @property
    def name(self) -> str:
        """The trace's name in the report."""
        return self.trace.cluster_id


@dataclass(frozen=True)
class JobMeta:
    """What a job stands for on the scoreboard.

    Attributes:
        trace: the trace's name.
        profile: the ramp profile's name.
        policy: the policy id (``acuplan`` for the risk sweep).
        label: ``policy`` for a default run, ``<policy>@<value>`` for a swept one, ``SWEEP``
            for the risk sweep (whose runs are named by ``policy.trace_replay.sweep.SWEEP_NAME``).
        knob: the swept knob's name ("" for a default run).
        value: the knob's value (NaN for a default run).
    """

    trace: str
    profile: str
    policy: str
    label: str
    knob: str = ""
    value: float = float("nan")


@dataclass
class BenchResult:
    """What ``run_bench`` produced, for the report writers.

    Attributes:
        doc: the ``bench.json`` document.
        runs: per trace, per ramp profile, per policy: the default run (capacity series
            for the plots).
        members: per trace, its replay inputs.
        config: the base replay configuration (ramp profile replaced per profile).
        profiles: the ramp profiles, the first one first.
    """

    doc: dict[str, Any]
    runs: dict[str, dict[str, dict[str, PolicyRun]]]
    members: dict[str, FleetCluster]
    config: ReplayConfig
    profiles: tuple[str, ...] = field(default=DEFAULT_RAMP_PROFILES)


def bundled_members(names: Sequence[str]) -> list[Member]:
    """The bundled traces ``names`` as bench members (their own cluster and demand rule)."""
    out = []
    for name in names:
        demand, cluster = bundled_replay_inputs(name)
        out.append(
            Member(FleetCluster(name, demand.demand_acu, demand.start, demand.step_s, cluster), "bundled")
        )
    return out


def folder_members(
    folder: Path, *, max_acu: float | None = None, peak_acu: float | None = None
) -> list[Member]:
    """Every series of every canonical CSV in ``folder`` as a bench member.

    The demand rule and the cluster are :func:`service.inputs.bundled.folder_replay_inputs`'s: a
    ``<stem>.json`` beside the CSV gives rule, step and read share; without one, ``acu``
    as is, ``percent`` of a MaxCapacity of ``max_acu`` (default 16 ACU), anything else
    with its p99 mapped to ``peak_acu`` (default 16 ACU). The cluster is ClusterSpec's
    default (MinCapacity 0.5, writer plus a tier-1 reader in another AZ, read share 0.5,
    $0.12 per ACU-hour) with MaxCapacity ``max_acu``, else the percent rule's, else 128.

    Raises:
        CliInputError: the folder is missing, not a folder, or holds no ``*.csv``; a
            malformed file (the message names ``--traces-dir`` and the file).
    """
    try:
        inputs = folder_replay_inputs(folder, max_acu=max_acu, peak_acu=peak_acu)
    except TraceFormatError as exc:
        raise CliInputError(f"--traces-dir: {exc}") from None
    return [
        Member(FleetCluster(name, d.demand_acu, d.start, d.step_s, cluster), "folder")
        for name, d, cluster in inputs
    ]


def with_profile(config: ReplayConfig, profile: str) -> ReplayConfig:
    """``config`` with the simulated scaler's ramp set to the named profile (acuplan plans for it)."""
    scaler = config.scaler.model_copy(update={"ramp": RAMP_PROFILES[profile]})
    return config.model_copy(update={"scaler": scaler})


def _variant(config: ReplayConfig, policy: str, value: float) -> ReplayConfig:
    """``config`` with one peer family's knob set to ``value``."""
    peers = config.peers
    if policy == "vpa":
        vpa = peers.vpa.model_copy(update={"target_percentile": value})
        return config.model_copy(update={"peers": peers.model_copy(update={"vpa": vpa})})
    if policy == "predictive-scaling":
        ps = peers.predictive.model_copy(update={"target_utilisation": value})
        return config.model_copy(update={"peers": peers.model_copy(update={"predictive": ps})})
    return config.model_copy(update={"reactive_floor_acu": value})


def _jobs(
    members: Sequence[FleetCluster], policies: Sequence[str], config: ReplayConfig, profiles: Sequence[str]
) -> tuple[list[FleetJob], list[JobMeta]]:
    """Every (trace, profile, policy) job plus the frontier sweeps, the costliest first (load balance).

    Returns:
        The jobs and, index for index, what each stands for.
    """
    jobs: list[FleetJob] = []
    meta: list[JobMeta] = []

    def add(
        m: FleetCluster, cfg: ReplayConfig, info: JobMeta, *, policy: str, quantiles: tuple[float, ...] = ()
    ) -> None:
        label = None if info.label == info.policy else info.label
        jobs.append(FleetJob(len(jobs), m, policy, cfg, risk_quantiles=quantiles, label=label))
        meta.append(info)

    swept_q = RISK_QUANTILES  # acuplan's own run learns its quantile: every fixed one is a swept point
    heavy = sorted(members, key=lambda m: -len(m.demand_acu))
    for m in heavy:
        for prof in profiles:
            cfg = with_profile(config, prof)
            if "acuplan" in policies and swept_q:
                add(m, cfg, JobMeta(m.cluster_id, prof, "acuplan", SWEEP), policy=SWEEP, quantiles=swept_q)
            for p in ("acuplan", "bound"):
                if p in policies:
                    add(m, cfg, JobMeta(m.cluster_id, prof, p, p), policy=p)
    for m in members:
        for prof in profiles:
            cfg = with_profile(config, prof)
            for p in policies:
                if p in ("acuplan", "bound"):
                    continue
                add(m, cfg, JobMeta(m.cluster_id, prof, p, p), policy=p)
                knob, values = SWEPT.get(p, ("", ()))
                for v in values:
                    if p == "reactive" and v > m.cluster.limits.max_acu:
                        continue
                    info = JobMeta(m.cluster_id, prof, p, f"{p}@{v:g}", knob, v)
                    add(m, _variant(cfg, p, v), info, policy=p)
    return jobs, meta


ONE_THREAD_ENV: dict[str, str] = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
"""Worker processes get one BLAS/OpenMP thread each: the pool already fills the cores. With
OpenBLAS's default helper thread, one worker burned ~1.8 cores and 2 workers were no
faster than 1 (measured by the bench's throughput section on the 2-core machine)."""


_TERMINATE_GRACE_S = 5.0
"""Seconds a bench worker gets to exit on SIGTERM before SIGKILL (ours: it holds no resources)."""
_STOP_DEADLINE_S = 30.0
"""Seconds the sweep keeps trying before it leaves a process that ignores SIGKILL (kernel D state)."""


@contextmanager
def _executor(workers: int, scheduler: str | None) -> Iterator[Executor]:
    """A local process pool of ``workers``, or a Dask cluster's executor at ``scheduler``.

    Local workers are spawned (not forked) so that :data:`ONE_THREAD_ENV`, set here
    unless the caller set those variables, is read when each worker loads its BLAS.
    Dask workers are started by whoever runs the cluster (give them the same variables).
    A run stopped by an exception, Ctrl-C or SIGTERM (a CI timeout, ``kill``) terminates
    its local workers instead of leaving them computing jobs nobody will collect.
    """
    if scheduler is None:
        for key, value in ONE_THREAD_ENV.items():
            os.environ.setdefault(key, value)
        with _sigterm_as_exit():
            others = set(multiprocessing.active_children())
            pool = ProcessPoolExecutor(max_workers=workers, mp_context=get_context("spawn"))
            try:
                yield pool
            except BaseException:
                _stop_children(others)
                # with every worker gone the pool's manager thread sees a broken pool, fails the
                # pending futures and reaps the workers: wait for it (a first shutdown(wait=False)
                # would forget the thread, and its reaping raced the sweep's own), then sweep again
                pool.shutdown(wait=True, cancel_futures=True)
                _stop_children(others)
                raise
            pool.shutdown(wait=True)
        return
    from distributed import Client

    with Client(scheduler) as client:  # type: ignore[no-untyped-call]
        yield client.get_executor()


def _stop_children(others: set[BaseProcess]) -> None:
    """Terminate the child processes not in ``others`` (the pool's workers), then kill stragglers.

    Sweeps until none is left: SIGTERM first, SIGKILL once a child has outlived
    ``_TERMINATE_GRACE_S``, giving up after ``_STOP_DEADLINE_S`` (a process in uninterruptible
    sleep). A worker the pool was still spawning when the run stopped is not yet a child in the
    first sweep (seen on a loaded machine), and a child another thread reaped is listed until
    that thread records its exit code, so the sweep asks again rather than trusting one join.
    """
    start = time.monotonic()
    while children := set(multiprocessing.active_children()) - others:
        waited_s = time.monotonic() - start
        if waited_s > _STOP_DEADLINE_S:
            return
        for child in children:
            if waited_s < _TERMINATE_GRACE_S:
                child.terminate()
            else:
                child.kill()
        for child in children:
            child.join(timeout=0.2)


@contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """Turn SIGTERM into ``SystemExit(143)`` while the block runs (main thread only).

    Python's default for SIGTERM is to die without running clean-up; this lets it run.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def _exit(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _progress_bar() -> Progress:
    columns = (TextColumn("{task.description:<44}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    return Progress(*columns, console=Console(stderr=True), transient=False)


def _run_jobs(
    jobs: Sequence[FleetJob], executor: Executor | None, what: str, meta: Sequence[JobMeta] | None = None
) -> list[JobResult]:
    with _progress_bar() as bar:
        task = bar.add_task(what, total=len(jobs))

        def report(result: JobResult, done: int, total: int) -> None:
            where = f" [{meta[result.index].profile}]" if meta is not None else ""
            bar.update(task, completed=done, description=f"{what}: {result.cluster_id} {result.label}{where}")

        return run_fleet(jobs, executor=executor, progress=report)


def _ratio(num: float, den: float | None) -> float | None:
    return round(num / den, 6) if den else None


@dataclass(frozen=True)
class _Swept:
    """One swept run: its family, label, knob and value."""

    policy: str
    label: str
    knob: str
    value: float
    run: PolicyRun


def _point(
    s: _Swept, points: Sequence[ScorePoint], bound_cost: float | None, reactive_slo: float | None
) -> dict[str, Any]:
    score = s.run.score
    me = ScorePoint(s.label, s.policy, score.cost_usd, score.slo_violation_min)
    out: dict[str, Any] = {"label": s.label, "knob": s.knob, "value": s.value}
    return out | {
        "cost_usd": score.cost_usd,
        "cost_vs_bound": _ratio(score.cost_usd, bound_cost),
        "slo_violation_min": score.slo_violation_min,
        "slo_share_of_reactive": _ratio(score.slo_violation_min, reactive_slo),
        "shortfall_acu_h": score.shortfall_acu_h,
        "p99_latency_ms": score.p99_latency_ms,
        "dominated_by": dominated_by(me, points),
    }


FRONTIER_ORDER: tuple[str, ...] = ("acuplan", "reactive", "vpa", "predictive-scaling")
"""Order of the swept families in ``frontier``."""


def score_section(
    runs: dict[str, PolicyRun], swept: Sequence[_Swept], config: ReplayConfig
) -> dict[str, Any]:
    """Score one trace at one ramp profile: ``policies``, ``frontier`` and ``targets``.

    Args:
        runs: the default run of each policy, by policy id.
        swept: the frontier's swept runs (acuplan's risk sweep and the peers' knobs).
        config: the replay configuration (acuplan's production risk quantile).

    Returns:
        ``{"policies": {id: score + dominated_by}, "frontier": {family: [point]},
        "targets": TargetCheck}``; peers for dominance are every ``reactive``, ``vpa``,
        ``predictive-scaling`` and ``hpa-readers`` point (``policy.trace_replay.scoreboard``).
    """
    scores: dict[str, PolicyScore] = with_relative_scores({p: r.score for p, r in runs.items()})
    named = {p: ScorePoint(p, p, s.cost_usd, s.slo_violation_min) for p, s in scores.items()}
    points = [*named.values()]
    points += [
        ScorePoint(s.label, s.policy, s.run.score.cost_usd, s.run.score.slo_violation_min) for s in swept
    ]
    policies = {
        p: s.model_dump(mode="json") | {"dominated_by": dominated_by(named[p], points)}
        for p, s in scores.items()
    }
    bound_cost = scores["bound"].cost_usd if "bound" in scores else None
    reactive_slo = scores["reactive"].slo_violation_min if "reactive" in scores else None
    family = list(swept)
    frontier: dict[str, list[dict[str, Any]]] = {}
    for s in sorted(family, key=lambda s: (FRONTIER_ORDER.index(s.policy), s.value, s.label)):
        frontier.setdefault(s.policy, []).append(_point(s, points, bound_cost, reactive_slo))
    candidates = [p for p in points if p.is_peer or (p.policy == "acuplan" and p.label != "acuplan")]
    targets = check_targets(
        named.get("acuplan"), named.get("reactive"), named.get("bound"), points, candidates=candidates
    )
    return {"policies": policies, "frontier": frontier, "targets": targets.model_dump(mode="json")}


def _trace_head(m: Member, config: ReplayConfig) -> dict[str, Any]:
    t = m.trace
    first, _ = scored_window(t.demand_acu, step_s=t.step_s, config=config, policies=())
    warnings = replay_warnings(
        t.demand_acu, start=t.start, step_s=t.step_s, first=first, cluster=t.cluster, config=config
    )
    return {
        "source": m.source,
        "n_steps": len(t.demand_acu),
        "step_s": t.step_s,
        "scored_from": (t.start + timedelta(seconds=first * t.step_s)).isoformat(),
        "scored_until": (t.start + timedelta(seconds=len(t.demand_acu) * t.step_s)).isoformat(),
        "n_missing_steps": int(np.isnan(t.demand_acu).sum()),
        "cluster": t.cluster.model_dump(mode="json"),
        "warnings": list(warnings),  # a replay report's (policy.trace_replay.run.replay_warnings)
    }


def check_members(members: Sequence[Member], policies: Sequence[str], config: ReplayConfig) -> None:
    """Check before any work that every member can be scored (unique names, warm-up, steps).

    Raises:
        CliInputError: a name used twice (a folder CSV named like a bundled trace), a
            series the warm-up leaves nothing of, a step the re-plan interval is not a
            multiple of, or (with acuplan) a step that does not divide the plan step.
    """
    seen: set[str] = set()
    plan_step = config.policy.plan_step_s
    for m in members:
        t = m.trace
        where = f"--traces-dir: {m.name}" if m.source == "folder" else m.name
        if m.name in seen:
            raise CliInputError(f"{where}: a trace of this name is already scored (rename the CSV)")
        seen.add(m.name)
        try:
            scored_window(t.demand_acu, step_s=t.step_s, config=config, policies=policies)
        except ValueError as exc:
            raise CliInputError(f"{where}: {exc}") from None
        if "acuplan" in policies and plan_step % t.step_s:
            raise CliInputError(
                f"{where}: step {t.step_s} s does not divide acuplan's {plan_step}-s plan step"
            )


@contextmanager
def _executor_for(workers: int, scheduler: str | None) -> Iterator[Executor | None]:
    """The bench's executor: None (run in this process) for one local worker, else :func:`_executor`."""
    if workers == 1 and scheduler is None:
        yield None
        return
    with _executor(workers, scheduler) as ex:
        yield ex


def run_bench(
    *,
    members: Sequence[Member],
    policies: Sequence[str],
    workers: int,
    scheduler: str | None,
    fleet: Sequence[FleetCluster] | None,
    config: ReplayConfig | None = None,
    profiles: Sequence[str] = DEFAULT_RAMP_PROFILES,
) -> BenchResult:
    """Replay ``members`` under ``policies`` at each ramp profile with the frontier sweeps; score them.

    Args:
        members: the traces (names unique; see :func:`check_members`).
        policies: policy ids from ``POLICY_NAMES``.
        workers: local worker processes (1: run in this process).
        scheduler: a Dask scheduler address, or None for local workers.
        fleet: clusters for the throughput section (None or empty: skip it).
        config: base replay configuration (default ``ReplayConfig()``); each profile
            replaces its scaler's ramp (:func:`with_profile`), and acuplan plans for it.
        profiles: ramp profile names (``policy.scaler.RAMP_PROFILES``); the first one
            fills each trace's ``policies``/``frontier``/``targets``, the others
            ``profiles``.

    Returns:
        The report document (``traces``, ``targets_met``, ``throughput``, ``timing``;
        layout in README "Bench and fleet") and the default runs behind it.

    Raises:
        CliInputError: see :func:`check_members`; an unknown or repeated profile.
    """
    config = config or ReplayConfig()
    profiles = tuple(profiles)
    if not profiles or len(set(profiles)) != len(profiles) or any(p not in RAMP_PROFILES for p in profiles):
        raise CliInputError(
            f"ramp profiles {list(profiles)}: give distinct names from {', '.join(RAMP_PROFILES)}"
        )
    check_members(members, policies, config)
    t0 = time.perf_counter()
    jobs, meta = _jobs([m.trace for m in members], policies, config, profiles)
    with _executor_for(workers, scheduler) as ex:
        results = _run_jobs(jobs, ex, "bench", meta)
    grouped: dict[tuple[str, str], list[JobResult]] = {}
    for r in results:
        grouped.setdefault((meta[r.index].trace, meta[r.index].profile), []).append(r)
    doc: dict[str, Any] = {
        "schema": 2,
        "policies": list(policies),
        "peers": list(PEER_POLICIES),
        "ramp_profiles": list(profiles),
        "ramp_profile_settings": {p: RAMP_PROFILES[p].model_dump(mode="json") for p in profiles},
        "sweeps": {p: {"knob": k, "values": list(v)} for p, (k, v) in SWEPT.items() if p in policies}
        | (
            {"acuplan": {"knob": "risk_quantile", "values": list(RISK_QUANTILES)}}
            if "acuplan" in policies
            else {}
        ),
        "config": config.model_dump(mode="json"),
        "code": {"acuplan": package_version(), "commit": source_commit()},
        "traces": {},
        "targets_met": {p: {} for p in profiles},
        "timing": {"per_trace": {}},
    }
    all_runs: dict[str, dict[str, dict[str, PolicyRun]]] = {}
    for m in members:
        trace = _trace_head(m, config) | {"ramp_profile": profiles[0]}
        others: dict[str, Any] = {}
        all_runs[m.name] = {}
        doc["timing"]["per_trace"][m.name] = {}
        for prof in profiles:
            main: dict[str, PolicyRun] = {}
            swept: list[_Swept] = []
            for r in grouped.get((m.name, prof), []):
                info = meta[r.index]
                if info.label == SWEEP:
                    qs = jobs[r.index].risk_quantiles
                    swept += [
                        _Swept("acuplan", SWEEP_NAME.format(q=q), "risk_quantile", q, run)
                        for q, run in zip(qs, r.runs, strict=True)
                    ]
                elif info.label == info.policy:
                    main[info.policy] = r.runs[0]
                else:
                    swept.append(_Swept(info.policy, info.label, info.knob, info.value, r.runs[0]))
            runs = {p: main[p] for p in POLICY_NAMES if p in main}
            all_runs[m.name][prof] = runs
            section = score_section(runs, swept, with_profile(config, prof))
            if prof == profiles[0]:
                trace |= section
            else:
                others[prof] = section
            doc["targets_met"][prof][m.name] = section["targets"]["met"]
            timed = [runs[p] for p in ("acuplan", "bound") if p in runs]
            doc["timing"]["per_trace"][m.name][prof] = timing_of(timed, 0.0).model_dump(exclude={"total_s"})
        trace["profiles"] = others
        doc["traces"][m.name] = trace
    doc["one_setting"] = suite_settings(doc)
    doc["timing"]["bench_s"] = round(time.perf_counter() - t0, 3)
    if fleet:
        doc["throughput"] = throughput(fleet, config, scheduler)
    return BenchResult(doc, all_runs, {m.name: m.trace for m in members}, config, profiles)


def suite_settings(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """Rank single settings by the (trace, profile) sections where they meet the targets.

    Args:
        doc: a bench document (its traces' ``targets`` at every profile).

    Returns:
        :func:`policy.trace_replay.scoreboard.one_setting` over every section, as JSON
        (``label``, ``met``, ``missed`` as ``<trace>/<profile>``): ``acuplan`` first.
    """
    sections: list[tuple[str, TargetCheck]] = []
    for name, trace in doc["traces"].items():
        by_profile = {doc["ramp_profiles"][0]: trace} | trace.get("profiles", {})
        sections += [
            (f"{name}/{prof}", TargetCheck.model_validate(sec["targets"])) for prof, sec in by_profile.items()
        ]
    return [r.model_dump(mode="json") for r in one_setting(sections)]


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


def fleet_for(
    fleet_dir: Path | None,
    fleet_clusters: int,
    fleet_trace: str,
    max_acu: float | None,
    peak_acu: float | None,
) -> list[FleetCluster]:
    """The throughput fleet: a folder's series, or ``fleet_clusters`` slices of a bundled trace."""
    if fleet_dir is not None:
        return folder_fleet(fleet_dir, max_acu=max_acu if max_acu is not None else 128.0, peak_acu=peak_acu)
    if not fleet_clusters:
        return []
    demand, cluster = bundled_replay_inputs(fleet_trace)
    return slice_fleet(
        demand.demand_acu,
        start=demand.start,
        step_s=demand.step_s,
        cluster=cluster,
        n_clusters=fleet_clusters,
        days=FLEET_DAYS,
    )


def safe_name(name: str) -> str:
    """A trace name as a file-name part (a folder CSV with several series has ``/`` in its name)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name)


def check_finite_options(max_acu: float | None, peak_acu: float | None) -> None:
    """Check ``--max-acu`` (finite, a valid MaxCapacity) and ``--peak-acu`` (finite, > 0).

    Raises:
        CliInputError: naming the option.
    """
    check_finite("--max-acu", max_acu)
    check_finite("--peak-acu", peak_acu)
    if max_acu is not None:
        capacity_limits(max_acu)
    check_peak_acu(peak_acu)
