"""A hard multi-region request gives the same plan on every rerun, and says which limit stopped it.

Distilled from google/or-tools#4195 ("with a time limit you can never be truly
deterministic"): with a wall-clock limit alone, one 6-AZ, 10-secondary request got three
different plans ($66.21 to $72.24) as the machine's load changed.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from placement import SolverParams, SolveStatus
from policy import PolicyConfig, recommend
from policy.plan import _timeout_reason

_SECONDARIES = {
    "us-west-2": "usw2", "eu-west-1": "euw1", "eu-central-1": "euc1", "ap-southeast-1": "apse1",
    "ap-northeast-1": "apne1", "eu-west-2": "euw2", "ca-central-1": "cac1", "sa-east-1": "sae1",
    "ap-south-1": "aps1", "us-east-2": "use2",
}  # fmt: skip


def _cluster() -> dict[str, object]:
    regions = sorted(["us-east-1", *_SECONDARIES])
    rtt = {
        a: {b: 0.0 if a == b else 80.0 + (regions.index(a) * 3 + regions.index(b) * 3) % 60 for b in regions}
        for a in regions
    }
    return {
        "cluster_id": "db1",
        "topology": {
            "region": "us-east-1",
            "az_ids": ["use1-az1", "use1-az2", "use1-az4", "use1-az5", "use1-az6", "use1-az3"],
            "writer_az_id": "use1-az1",
        },
        "limits": {"min_acu": 0.5, "max_acu": 256, "max_extra_readers_per_az": 5},
        "placement": {
            "secondaries": [
                {"region": r, "az_ids": [f"{p}-az{i}" for i in (1, 2, 3)]} for r, p in _SECONDARIES.items()
            ],
            "clients": [{"region": r, "read_share": 1 / 11, "write_share": 1 / 11} for r in regions],
            "rtt_ms": rtt,
            "latency": {"read_p99_ms": 300, "write_p99_ms": 400},
            "availability": {"survive_az_loss": True, "min_availability": 0.9999},
            "dynamics": {},
            "coarsening": None,
            "io": {"storage_gib": 500, "write_io_per_hour": 1e6, "replication_gb_per_hour": 1},
        },
    }


def test_a_request_cut_by_its_work_limit_gives_the_same_plan_every_time() -> None:
    t = np.arange(600)
    history = np.round(20 * (4 + 3 * np.sin(t / 288 * 2 * np.pi)), 2)
    config = PolicyConfig(solver=SolverParams(deterministic_time_limit=0.05))
    now = datetime(2024, 3, 4, tzinfo=UTC)
    first, again = (
        recommend(history, now=now, step_s=300, cluster=_cluster(), config=config) for _ in range(2)
    )
    assert first.solver.status is SolveStatus.FEASIBLE_AT_TIMEOUT  # cut before optimality was proved
    timing = {"solver": {"solve_time_s"}}  # wall time: the one thing that may differ
    assert first.model_dump(exclude=timing) == again.model_dump(exclude=timing)
    [reason] = [r for r in first.reasons if r.startswith("solver hit its")]
    assert reason.startswith(
        "solver hit its work limit (0.05 deterministic-time units: a rerun gives the same plan)"
    )


def test_the_plan_says_which_limit_stopped_the_solver() -> None:
    assert _timeout_reason(0.8, 0.125, SolverParams()) == (
        "solver hit its work limit (1 deterministic-time units: a rerun gives the same plan); "
        "best plan found, gap 12.5%"
    )
    wall = (
        "solver hit its 10-s wall-clock limit (a busy machine stops it at another point: a rerun may "
        "give another plan); best plan found, gap 12.5%"
    )
    assert _timeout_reason(9.95, 0.125, SolverParams()) == wall  # ran to the wall clock
    assert _timeout_reason(0.8, 0.125, SolverParams(deterministic_time_limit=None)) == wall
