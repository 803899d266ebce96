"""``acuplan advise`` run time, end to end: the README quick start and a 21-day history.

Run ``python -m benchmarks.advise`` (after ``pip install -e .``); it writes
``benchmarks/results/advise.json``. Not a timed test: timings depend on the machine and its
load, so the file records the CPU count and the load average, and CPU time next to wall
time (on a shared machine the CPU time is the steadier of the two).

Each case runs the CLI in process (``service.cli.main``, the path a user runs) with
``--json``, and records:

* ``wall_s`` and ``cpu_s`` (``time.process_time``: every thread of the process);
* ``replans`` (acuplan's hourly re-plans), ``holt_winters_fits`` and ``cp_sat_solves``:
  the work done, the same on every machine (a speed-up that saves work shows here);
* ``advice_sha256``: the SHA-256 of the ``--json`` file, which holds no timing, so it
  changes only when a result does. A change meant to be a speed-up must leave it as it is
  (compare it with the value in the committed results file, at the same code otherwise).

Cases:

* ``quick-start``: ``advise --trace rds-cpu-cc0c53 --min-acu 8`` (12 days, the README's);
* ``21d``: the first 21 days of the bundled ``asg-cpu-misconfiguration``'s ACU demand (its
  own demand rule, p99 -> 16 ACU) as a canonical CSV, ``advise --input FILE --min-acu 2``:
  456 re-plans; Aurora alone's SLO-violation minutes start the risk posture's shadows early,
  so most re-plans plan five quantiles (2,581 CP-SAT solves), the shape of a long advice
  whose cluster the forecast can help.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import timedelta
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np

RESULTS = Path(__file__).parent / "results" / "advise.json"

LONG_TRACE = "asg-cpu-misconfiguration"
LONG_DAYS = 21


def _write_long_input(path: Path) -> None:
    """The ``21d`` case's history: ``LONG_DAYS`` days of ``LONG_TRACE``'s ACU demand, canonical CSV."""
    from service.inputs.bundled import bundled_replay_inputs

    demand, _ = bundled_replay_inputs(LONG_TRACE)
    n = LONG_DAYS * 86_400 // demand.step_s
    values = demand.demand_acu[:n]
    if len(values) < n:
        raise SystemExit(f"{LONG_TRACE} holds {len(values)} steps, fewer than {LONG_DAYS} days")
    rows = ["ts,cluster_id,signal,unit,value"]
    for i, v in enumerate(values):
        if np.isfinite(v):
            ts = demand.start + timedelta(seconds=i * demand.step_s)
            rows.append(f"{ts:%Y-%m-%dT%H:%M:%SZ},bench-21d,demand,acu,{float(v)!r}")
    path.write_text("\n".join(rows) + "\n")


@contextlib.contextmanager
def _counting() -> Iterator[dict[str, int]]:
    """Count Holt-Winters fits and CP-SAT solves while the block runs."""
    from forecasting.holt_winters import HoltWinters
    from placement import solver

    counts = {"holt_winters_fits": 0, "cp_sat_solves": 0}
    fit, solve_once = HoltWinters._fit, solver.solve_once

    def counted(key: str, f: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counts[key] += 1
            return f(*args, **kwargs)

        return wrapper

    HoltWinters._fit = counted("holt_winters_fits", fit)  # type: ignore[method-assign]
    solver.solve_once = counted("cp_sat_solves", solve_once)
    try:
        yield counts
    finally:
        HoltWinters._fit = fit  # type: ignore[method-assign]
        solver.solve_once = solve_once


def _run_cli(args: list[str]) -> tuple[float, float, str]:
    """Run ``acuplan ARGS`` in process; return (wall s, CPU s, stderr). Exits on a failure."""
    from service.cli.main import main

    argv, err = sys.argv, io.StringIO()
    sys.argv = ["acuplan", *args]
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
            main()
    except SystemExit as exc:
        if exc.code not in (0, None):
            tail = err.getvalue()[-2000:]
            raise SystemExit(f"acuplan {' '.join(args)} exited {exc.code}: {tail}") from None
    finally:
        sys.argv = argv
    return time.perf_counter() - wall, time.process_time() - cpu, err.getvalue()


def run_case(name: str, folder: Path) -> dict[str, Any]:
    """Run one case in ``folder``; return its timings, work counts and the advice's digest."""
    out = folder / f"{name}.json"
    if name == "quick-start":
        args = ["advise", "--trace", "rds-cpu-cc0c53", "--min-acu", "8", "--json", str(out)]
    else:
        source = folder / "21d.csv"
        _write_long_input(source)
        args = ["advise", "--input", str(source), "--min-acu", "2", "--json", str(out)]
    with _counting() as counts:
        wall, cpu, err = _run_cli(args)
    done = [line for line in err.splitlines() if "re-plans done (100%" in line]
    return {
        "args": args[:-2],
        "wall_s": round(wall, 1),
        "cpu_s": round(cpu, 1),
        "replans": int(done[-1].split()[1]) if done else None,
        **counts,
        "advice_sha256": hashlib.sha256(out.read_bytes()).hexdigest(),
    }


CASES = ("quick-start", "21d")


def main() -> None:
    """Parse arguments, run, and write the results file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--case", action="append", choices=CASES, help="case (repeatable); default all")
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args()
    results: dict[str, Any] = {
        "machine": {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        },
        "versions": {name: version(name) for name in ("ortools", "numpy", "scipy", "statsmodels")},
        "cases": {},
    }
    with tempfile.TemporaryDirectory() as tmp:
        for case in args.case or list(CASES):
            results["cases"][case] = got = run_case(case, Path(tmp))
            print(
                f"{case}: wall {got['wall_s']} s, CPU {got['cpu_s']} s, {got['replans']} re-plans, "
                f"{got['holt_winters_fits']} Holt-Winters fits, {got['cp_sat_solves']} CP-SAT solves",
                flush=True,
            )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
