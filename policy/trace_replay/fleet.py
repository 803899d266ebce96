"""Replay a fleet of clusters as independent jobs on any ``concurrent.futures`` executor.

Owns :class:`FleetCluster`, :class:`FleetJob`, :func:`run_job`, :func:`run_fleet` and
:func:`slice_fleet`. A job is one cluster under one policy (or one risk-quantile sweep);
it is pure and deterministic, so results do not depend on where it runs: in-process, a
local process pool, or a Dask cluster through ``distributed.Client.get_executor()``
(the caller builds the executor; this module starts nothing and knows no address).
Results come back sorted by job index whatever the completion order.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Executor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import numpy.typing as npt

from policy.config import ReplayConfig
from policy.trace_replay.run import PolicyRun, replay_policy
from policy.trace_replay.sweep import sweep_risk_quantile
from policy.types import ClusterSpec

FloatArray = npt.NDArray[np.float64]

SWEEP = "acuplan-sweep"
"""Job kind that sweeps acuplan's risk quantile (see :mod:`policy.trace_replay.sweep`)."""


@dataclass(frozen=True)
class FleetCluster:
    """One cluster of a fleet: its demand series and what it runs on.

    Attributes:
        cluster_id: unique name within the fleet.
        demand_acu: demand per step, shape (n_steps,), ACU; NaN for missing steps.
        start: start of the first step, timezone-aware.
        step_s: step length, seconds.
        cluster: the simulated cluster.
    """

    cluster_id: str
    demand_acu: FloatArray
    start: datetime
    step_s: int
    cluster: ClusterSpec

    @property
    def scored_days(self) -> float:
        """Days of this series a replay with ``ReplayConfig()`` warm-up scores (for throughput)."""
        return max(len(self.demand_acu) * self.step_s - ReplayConfig().warmup_s, 0) / 86_400


@dataclass(frozen=True)
class FleetJob:
    """One unit of fleet work.

    Attributes:
        index: position in the job list (results are returned in this order).
        member: the cluster.
        policy: a policy name from ``POLICY_NAMES``, or :data:`SWEEP`.
        config: replay configuration.
        risk_quantiles: the swept values when ``policy`` is :data:`SWEEP`.
        label: a name for the result (e.g. a knob variant, ``vpa@0.7``); None means
            ``policy``.
    """

    index: int
    member: FleetCluster
    policy: str
    config: ReplayConfig
    risk_quantiles: tuple[float, ...] = ()
    label: str | None = None


@dataclass(frozen=True)
class JobResult:
    """What a job produced: its index, cluster, label and runs (one, or one per swept point)."""

    index: int
    cluster_id: str
    policy: str
    label: str
    runs: tuple[PolicyRun, ...]


def run_job(job: FleetJob) -> JobResult:
    """Run one fleet job (a top-level function, so process pools and Dask can ship it)."""
    m = job.member
    if job.policy == SWEEP:
        runs = sweep_risk_quantile(
            m.demand_acu,
            start=m.start,
            step_s=m.step_s,
            cluster=m.cluster,
            config=job.config,
            risk_quantiles=job.risk_quantiles,
        )
        return JobResult(job.index, m.cluster_id, job.policy, job.label or job.policy, tuple(runs))
    run = replay_policy(
        job.policy, m.demand_acu, start=m.start, step_s=m.step_s, cluster=m.cluster, config=job.config
    )
    return JobResult(job.index, m.cluster_id, job.policy, job.label or job.policy, (run,))


def run_fleet(
    jobs: Sequence[FleetJob],
    *,
    executor: Executor | None = None,
    progress: Callable[[JobResult, int, int], None] | None = None,
) -> list[JobResult]:
    """Run ``jobs`` in-process (``executor`` None) or on ``executor``; return them in index order.

    Args:
        jobs: the work; indices must be unique.
        executor: a ``concurrent.futures.Executor`` (a ``ProcessPoolExecutor``, or a Dask
            ``Client.get_executor()``), or None to run serially here.
        progress: optional callback ``(result, done, total)`` as each job finishes.

    Returns:
        One :class:`JobResult` per job, sorted by ``index``: identical whatever ran them
        (everything but the timings inside each PolicyRun).
    """
    results: list[JobResult] = []
    if executor is None:
        for job in jobs:
            results.append(run_job(job))
            if progress is not None:
                progress(results[-1], len(results), len(jobs))
    else:
        futures = [executor.submit(run_job, job) for job in jobs]
        for future in as_completed(futures):
            results.append(future.result())
            if progress is not None:
                progress(results[-1], len(results), len(jobs))
    return sorted(results, key=lambda r: r.index)


def slice_fleet(
    demand_acu: FloatArray,
    *,
    start: datetime,
    step_s: int,
    cluster: ClusterSpec,
    n_clusters: int,
    days: float,
    seed: int = 0,
) -> list[FleetCluster]:
    """Cut one series into ``n_clusters`` windows of ``days`` and rescale each: a synthetic fleet.

    Window k starts ``k x stride`` steps in, wrapping around the possible starts, with
    stride = max(1, (n_steps - window) // n_clusters), so windows spread over the series
    and keep its time of day. Each is multiplied by a seeded log-normal scale
    (sigma 0.5: most clusters within 0.4x-2.7x), so the fleet mixes sizes.

    Args:
        demand_acu: the source series, shape (n_steps,), ACU.
        start: start of its first step.
        step_s: its step, seconds.
        cluster: the cluster every member copies (with its own ``cluster_id``).
        n_clusters: fleet size, >= 1.
        days: window length, days (must fit in the series).
        seed: seed of the scale draws.

    Returns:
        The fleet, ``cluster_id`` = ``<cluster.cluster_id>-<k>``.

    Raises:
        ValueError: ``n_clusters`` < 1 or a window longer than the series.
    """
    window = round(days * 86_400 / step_s)
    n = len(demand_acu)
    if n_clusters < 1 or not 0 < window <= n:
        raise ValueError(f"need n_clusters >= 1 and 0 < days*86400/step_s <= {n}; got {n_clusters}, {days}")
    stride = max(1, (n - window) // n_clusters)
    scales = np.random.default_rng(seed).lognormal(0.0, 0.5, n_clusters)
    fleet = []
    for k in range(n_clusters):
        offset = (k * stride) % (n - window + 1)
        fleet.append(
            FleetCluster(
                cluster_id=f"{cluster.cluster_id}-{k}",
                demand_acu=demand_acu[offset : offset + window] * scales[k],
                start=start + timedelta(seconds=offset * step_s),
                step_s=step_s,
                cluster=cluster.model_copy(update={"cluster_id": f"{cluster.cluster_id}-{k}"}),
            )
        )
    return fleet
