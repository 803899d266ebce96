"""Replay every bundled trace under every policy and record scores and timings.

Run ``python -m benchmarks.replay`` (after ``pip install -e .``). It writes
``benchmarks/results/replay.json``: per trace the wall time of the whole replay, the
per-policy scores, and per re-plan the median / p95 time (forecast + solve) and the
median CP-SAT solve time. Timings depend on the machine; scores do not.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path
from typing import Any

import ortools

from policy import replay
from service.inputs.bundled import bundled_replay_inputs
from traces import list_bundled

RESULTS = Path(__file__).parent / "results" / "replay.json"


def run(names: list[str]) -> dict[str, Any]:
    """Replay each named bundled trace and collect scores and timings."""
    out: dict[str, Any] = {
        "machine": {"python": platform.python_version(), "cpu_count": __import__("os").cpu_count()},
        "ortools": ortools.__version__,
        "traces": {},
    }
    for name in names:
        demand, cluster = bundled_replay_inputs(name)
        t0 = time.perf_counter()
        report = replay(
            demand.demand_acu, start=demand.start, step_s=demand.step_s, cluster=cluster, trace_name=name
        )
        wall = time.perf_counter() - t0
        timing = report.timing
        assert timing is not None
        out["traces"][name] = {
            "n_steps": report.n_steps,
            "wall_s": round(wall, 2),
            "replan_ms_p50": timing.replan_ms_p50,
            "replan_ms_p95": timing.replan_ms_p95,
            "solve_ms_p50": timing.solve_ms_p50,
            "scores": {k: v.model_dump() for k, v in report.scores.items()},
        }
        print(f"{name}: {wall:.1f} s; acuplan re-plan p50 {timing.replan_ms_p50.get('acuplan')} ms")
    return out


def main() -> None:
    """Parse arguments, run, and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--trace", action="append", help="bundled trace (repeatable); default all")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results = run(args.trace or list_bundled())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
