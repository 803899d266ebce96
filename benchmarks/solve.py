"""Placement solve-time benchmark: 1, 3 and 6 regions x 3 AZs, 24 h at 5-minute steps.

Run ``python -m benchmarks.solve`` (after ``pip install -e .``); it writes
``benchmarks/results/solve.json``. Not a timed test: timings depend on the machine and
its load, so the file records the CPU count and the load average.

Each case is the full problem: a primary (us-east-1) and candidate secondaries, client
regions with equal read/write shares, an inter-region RTT matrix (typical public
figures, illustrative), a 60-ms read / 300-ms write p99 SLO (M/M/c), a tier 0-1 reader
in another AZ, >= 2 AZs, the dynamics family (ramp, decay, lead times, dwell) and an
I/O profile. Demand is a seeded diurnal series (ACU).

What is timed is a fleet re-plan: ``n_replans`` solves 5 minutes apart, each with the
layout the previous plan deployed and a warm start from it (:func:`placement.shift_plan`),
at the default far-horizon coarsening (50 blocks for 288 steps). Per case and worker
count it reports p50/p95 of the wall time of :func:`placement.solve` (model build +
solve + extraction), the worst optimality gap at the time limit, and the same statistics
for the straightforward baseline: every step its own block, no warm start. ``quality``
compares the two plans on the first problem: the relative objective increase that
coarsening costs and the largest first-hour writer difference.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path
from typing import Any

import numpy as np
import ortools

from placement import (
    ClientRegion,
    Coarsening,
    DynamicsSpec,
    IoProfile,
    LatencySlo,
    PlacementPlan,
    PlacementProblem,
    PreviousLayout,
    SecondaryRegion,
    SolverParams,
    shift_plan,
    solve,
)

RESULTS = Path(__file__).parent / "results" / "solve.json"

REGIONS = ("us-east-1", "eu-west-2", "us-west-2", "eu-central-1", "sa-east-1", "ap-southeast-1")
AZ_PREFIX = {
    "us-east-1": "use1",
    "eu-west-2": "euw2",
    "us-west-2": "usw2",
    "eu-central-1": "euc1",
    "sa-east-1": "sae1",
    "ap-southeast-1": "apse1",
}
RTT_MS = {
    ("us-east-1", "us-west-2"): 65.0,
    ("us-east-1", "eu-west-2"): 75.0,
    ("us-east-1", "eu-central-1"): 90.0,
    ("us-east-1", "sa-east-1"): 115.0,
    ("us-east-1", "ap-southeast-1"): 215.0,
    ("us-west-2", "eu-west-2"): 130.0,
    ("us-west-2", "eu-central-1"): 145.0,
    ("us-west-2", "sa-east-1"): 175.0,
    ("us-west-2", "ap-southeast-1"): 165.0,
    ("eu-west-2", "eu-central-1"): 15.0,
    ("eu-west-2", "sa-east-1"): 185.0,
    ("eu-west-2", "ap-southeast-1"): 170.0,
    ("eu-central-1", "sa-east-1"): 200.0,
    ("eu-central-1", "ap-southeast-1"): 160.0,
    ("sa-east-1", "ap-southeast-1"): 320.0,
}
"""Typical inter-region round trips, ms (public latency tables; illustrative only)."""

STEP_S = 300
HORIZON = 288  # 24 h at 5-minute steps
CASES = {"1x3": 1, "3x3": 3, "6x3": 6}
TIME_LIMIT_S = {"1x3": 1.0, "3x3": 2.0, "6x3": 5.0}
BASELINE_LIMIT_S = {"1x3": 10.0, "3x3": 20.0, "6x3": 30.0}


def demand_series(n_steps: int, seed: int) -> np.ndarray:
    """Seeded diurnal demand, ACU: 20 +- 15 ACU daily plus gamma noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(n_steps)
    return 20.0 + 15.0 * np.sin(2 * np.pi * t / HORIZON) + rng.gamma(2.0, 2.0, n_steps)


def make_problem(
    n_regions: int, demand: np.ndarray, *, previous: PreviousLayout | None, coarse: bool
) -> PlacementProblem:
    """The benchmark problem for ``n_regions`` regions over ``demand`` (shape (288,))."""
    regions = REGIONS[:n_regions]
    share = 1.0 / n_regions
    return PlacementProblem(
        step_s=STEP_S,
        demand_acu=tuple(float(x) for x in demand),
        secondaries=tuple(
            SecondaryRegion(region=r, az_ids=tuple(f"{AZ_PREFIX[r]}-az{i}" for i in (1, 2, 3)))
            for r in regions[1:]
        ),
        clients=tuple(ClientRegion(region=r, read_share=share, write_share=share) for r in regions),
        rtt_ms=_rtt(regions),
        latency=LatencySlo(read_p99_ms=60.0, write_p99_ms=300.0),
        dynamics=DynamicsSpec(),
        io=IoProfile(
            io_requests_per_hour=2e6, write_io_per_hour=5e5, storage_gib=200.0, replication_gb_per_hour=0.5
        ),
        previous=previous,
        coarsening=Coarsening() if coarse else None,
    )


def _rtt(regions: tuple[str, ...]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for (a, b), v in RTT_MS.items():
        if a in regions and b in regions:
            out.setdefault(a, {})[b] = v
    return out


def deployed(plan: PlacementPlan, step: int) -> PreviousLayout:
    """The layout ``plan`` has deployed at ``step`` (the next re-plan's starting point)."""
    return PreviousLayout(
        writer_acu=plan.writer_acu[step],
        failover_az_id=plan.failover_az_id,
        extra_readers_by_az={r.az_id: r.count[step] for r in plan.extra_readers if r.count[step]},
        secondary_floor_acu={s.region: s.min_capacity_acu[step] for s in plan.secondaries},
        secondary_readers_by_az={
            s.region: {r.az_id: r.count[step] for r in s.readers if r.count[step]} for s in plan.secondaries
        },
    )


def _stats(times_s: list[float], plans: list[PlacementPlan]) -> dict[str, Any]:
    ms = np.array(times_s) * 1e3
    statuses: dict[str, int] = {}
    for p in plans:
        statuses[p.status.value] = statuses.get(p.status.value, 0) + 1
    return {
        "p50_ms": round(float(np.percentile(ms, 50)), 1),
        "p95_ms": round(float(np.percentile(ms, 95)), 1),
        "gap": round(max(p.gap for p in plans), 5),
        "n": len(plans),
        "status": statuses,
    }


def replan_sequence(
    n_regions: int, case: str, workers: int, n_replans: int, seed: int
) -> tuple[dict[str, Any], list[PlacementProblem], list[PlacementPlan]]:
    """Time ``n_replans`` warm-started re-plans 5 minutes apart.

    Returns:
        The statistics, the problems solved (coarsened) and their plans.
    """
    series = demand_series(HORIZON + n_replans, seed)
    params = SolverParams(time_limit_s=TIME_LIMIT_S[case], num_workers=workers)
    # Bootstrap as a deployment would: the first plan may add secondaries at once (no
    # lead time); every timed re-plan starts from what the previous plan deployed.
    first = make_problem(n_regions, series[:HORIZON], previous=None, coarse=True)
    plan = solve(first.model_copy(update={"dynamics": DynamicsSpec(secondary_lead_s=0)}), params)
    times, plans, problems = [], [], []
    for k in range(1, n_replans + 1):
        problem = make_problem(n_regions, series[k : k + HORIZON], previous=deployed(plan, 1), coarse=True)
        t0 = time.perf_counter()
        plan = solve(problem, params, warm_start=shift_plan(plan, 1))
        times.append(time.perf_counter() - t0)
        plans.append(plan)
        problems.append(problem)
    out = _stats(times, plans)
    out["n_blocks"] = plans[-1].n_blocks
    return out, problems, plans


def baseline(
    problems: list[PlacementProblem], case: str, workers: int
) -> tuple[dict[str, Any], list[PlacementPlan]]:
    """Time the straightforward formulation of the same problems: full resolution, cold."""
    params = SolverParams(time_limit_s=BASELINE_LIMIT_S[case], num_workers=workers)
    times, plans = [], []
    for problem in problems:
        full = problem.model_copy(update={"coarsening": None})
        t0 = time.perf_counter()
        plans.append(solve(full, params))
        times.append(time.perf_counter() - t0)
    return _stats(times, plans), plans


def quality(coarse: list[PlacementPlan], full: list[PlacementPlan]) -> dict[str, Any]:
    """What coarsening the far horizon costs, plan by plan, against full resolution.

    ``objective_increase_frac`` is the relative objective increase (the coarse plan,
    expanded to steps, is a feasible full-resolution plan: its objective is what
    following it would cost); the first hour is what gets applied before the next
    re-plan, so ``first_hour_writer_max_diff_acu`` is the decision that matters.
    """
    first_hour = 3600 // STEP_S
    increases, diffs, same = [], [], []
    for c, f in zip(coarse, full, strict=False):
        if not (c.has_solution and f.has_solution):
            continue
        increases.append(c.objective_usd / f.objective_usd - 1.0)
        diffs.append(
            max(abs(a - b) for a, b in zip(c.writer_acu[:first_hour], f.writer_acu[:first_hour], strict=True))
        )
        same.append([s.region for s in c.secondaries] == [s.region for s in f.secondaries])
    return {
        "objective_increase_frac_mean": round(float(np.mean(increases)), 5) if increases else None,
        "objective_increase_frac_max": round(float(np.max(increases)), 5) if increases else None,
        "first_hour_writer_max_diff_acu": max(diffs) if diffs else None,
        "same_secondaries": all(same) if same else None,
        "n_compared": len(increases),
        "baseline_gap_max": round(max(f.gap for f in full), 5),
    }


def run(cases: list[str], n_replans: int, n_baseline: int, seed: int) -> dict[str, Any]:
    """Run the named cases on 1 and 2 workers."""
    out: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
            "note": "shared machine: other work ran concurrently; timings are as measured",
        },
        "ortools": getattr(ortools, "__version__", "unknown"),
        "steps": HORIZON,
        "step_s": STEP_S,
        "cases": {},
    }
    for case in cases:
        n = CASES[case]
        per_workers: dict[str, Any] = {}
        reference: dict[str, Any] | None = None
        for workers in (1, 2):
            fast, problems, plans = replan_sequence(n, case, workers, n_replans, seed)
            base, full = baseline(problems[:n_baseline], case, workers)
            if workers == 1:
                reference = quality(plans, full)
            fast["baseline_p50_ms"], fast["baseline_p95_ms"] = base["p50_ms"], base["p95_ms"]
            fast["baseline_gap"], fast["baseline_status"] = base["gap"], base["status"]
            fast["speedup_p95"] = round(base["p95_ms"] / fast["p95_ms"], 1)
            per_workers[str(workers)] = fast
            print(
                f"{case} workers={workers}: p50 {fast['p50_ms']} ms, p95 {fast['p95_ms']} ms, "
                f"gap {fast['gap']}, baseline p95 {base['p95_ms']} ms (gap {base['gap']})",
                flush=True,
            )
        assert reference is not None
        one = per_workers["1"]
        out["cases"][case] = {
            "p50_ms": one["p50_ms"],
            "p95_ms": one["p95_ms"],
            "gap": one["gap"],
            "baseline_p95_ms": one["baseline_p95_ms"],
            "time_limit_s": TIME_LIMIT_S[case],
            "baseline_time_limit_s": BASELINE_LIMIT_S[case],
            "workers": per_workers,
            "quality": reference,
        }
    return out


def main() -> None:
    """Parse arguments, run, and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--case", action="append", choices=sorted(CASES), help="case (repeatable); default all"
    )
    parser.add_argument(
        "--replans", type=int, default=20, help="timed warm re-plans per case and worker count"
    )
    parser.add_argument(
        "--baseline-runs", type=int, default=3, help="timed baseline solves per case and worker count"
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results = run(args.case or list(CASES), args.replans, args.baseline_runs, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
