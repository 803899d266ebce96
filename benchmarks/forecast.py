"""Forecast benchmark: every hourly origin of every suite series, scored per block and hour.

Run ``.venv/bin/python -m benchmarks.forecast``. It writes ``benchmarks/results/forecast.json``
and prints one line per series. About 5 minutes on an idle 2-core machine with the default
two worker processes (each pinned to one BLAS thread, so times are single-core).

Series (``benchmarks.forecast_suite``): the replay bench's suite (``traces.suite``: bundled
traces plus, with the shared raw-trace folder, Bitbrains VMs and NASA requests) and extra
raw series (more Bitbrains VMs, NAB CloudWatch). Each has a role: ``dev`` (calibration
settings were chosen on it) or ``held_out`` (never looked at while choosing); the summary
reports both apart.

Protocol, at the policy's settings (step 300 s, horizon 36 steps = 3 h, quantiles p50/p90/
p95/p99, history window ``ForecastConfig().max_history_s`` = 14 days = 4,032 steps):

* origins every ``--every-h`` hours (default 1, the policy's re-plan interval) from
  ``--warmup-days`` (default 2, the replay's warm-up) after the series starts to its end;
  at origin o the forecaster sees ``demand[max(0, o - 4032) : o]`` (NaN = missing) and
  forecasts ``demand[o : o + 36]``; missing actuals are not scored;
* ``selected`` is ``forecast_demand`` with ``ForecastConfig()`` (what the policy uses);
  ``seasonal_naive`` is ``SeasonalNaive`` with its textbook intervals, the reference;
* ``pinball_ratio``: mean pinball loss over the four quantiles and all scored steps,
  selected / seasonal naive;
* ``coverage_pXX``: share of scored steps at or below the stated quantile (one-sided: the
  policy sizes capacity at an upper quantile); pooled, per 3-day block of origins (a
  trailing block shorter than 1.5 days joins the one before) with the worst block, and per
  hour of day (UTC) of the target step; ``coverage_p90_ci95`` and ``coverage_p95_ci95``:
  95 % day-block bootstrap intervals of the pooled ones (``coverage_interval``: how far a
  miss of the 2.5-point target is from sampling noise);
* ``fit_forecast_ms_median`` (and ``_p90``): wall time of one ``forecast_demand`` call, ms,
  timed apart from the scored runs: 30 calls in the main process, one after another, at the
  last origins whose window is full (4,032 steps; the 14-day series never fill it, so their
  last origins, ~3,960 steps); one core (BLAS pinned to one thread). On a shared machine wall
  time includes waiting for a core: ``fit_forecast_cpu_ms_median`` is the CPU time alone;
* ``warnings``: how many forecasts carried each kind of warning (text before the first
  colon, semicolon or parenthesis, numbers replaced by N);
* ``events``: on a block below 0.85 at p95, the documented or measured events
  (``forecast_suite.KNOWN_EVENTS``) that overlap its origins and horizon.

Everything except the timings is deterministic. ``--baseline PATH`` adds, per series, the
pinball of this run relative to an earlier results file (``pinball_vs_baseline``).
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # single-core timings; must precede the numpy import

import argparse  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import re  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import warnings  # noqa: E402
from concurrent.futures import ProcessPoolExecutor  # noqa: E402
from datetime import datetime, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks.forecast_suite import KNOWN_EVENTS, SuiteSeries, suite  # noqa: E402
from forecasting import ForecastConfig, SeasonalNaive, forecast_demand  # noqa: E402

RESULTS = Path(__file__).parent / "results" / "forecast.json"
STEP_S = 300
HORIZON = 36  # 3 h, PolicyConfig().horizon_s / 300 s
QUANTILES = (0.5, 0.9, 0.95, 0.99)
WINDOW = ForecastConfig().max_history_s // STEP_S  # 4,032 steps
BLOCK_STEPS = 3 * 288  # 3-day blocks of origins
NOMINAL_TOLERANCE = 0.025  # issue 13: pooled p90 / p95 within 2.5 points of nominal
BLOCK_FLOOR_P95 = 0.85  # issue 13: no 3-day block below 0.85 at p95 unless the event is named
BOOTSTRAP_RESAMPLES = 2000  # day-block bootstrap of the pooled coverages (coverage_interval)
TIMED_CALLS = 30  # sequential forecast_demand calls timed per series, after the scored runs


def _origins(n_steps: int, warmup_days: float, every_h: float) -> list[int]:
    every = round(every_h * 3600 / STEP_S)
    first = round(warmup_days * 86_400 / STEP_S)
    return list(range(first, n_steps - HORIZON + 1, every))


def _warning_kind(text: str) -> str:
    head = re.split(r"[:;(]", text, maxsplit=1)[0].strip()
    return re.sub(r"\d+(\.\d+)?", "N", head)


def run_origins(demand: np.ndarray, origins: list[int]) -> dict[str, Any]:
    """Forecast from each origin with ``selected`` and ``seasonal_naive``.

    Args:
        demand: shape (n_steps,), ACU, NaN = missing.
        origins: forecast origins (indices into ``demand``).

    Returns:
        ``selected`` and ``naive``: forecasts, shape (n_origins, 4, HORIZON), ACU;
        ``models``: chosen model per origin; ``warnings``: warning kinds per origin.
    """
    sel = np.empty((len(origins), len(QUANTILES), HORIZON))
    naive = np.empty_like(sel)
    models, kinds = [], []
    for i, o in enumerate(origins):
        history = demand[max(0, o - WINDOW) : o]
        fc = forecast_demand(history, step_s=STEP_S, horizon=HORIZON, quantiles=QUANTILES)
        sel[i] = fc.demand_acu
        naive[i] = SeasonalNaive().forecast(history, STEP_S, HORIZON, QUANTILES).demand_acu
        models.append(fc.model)
        kinds.append(sorted({_warning_kind(w) for w in fc.warnings}))
    return {"selected": sel, "naive": naive, "models": models, "warnings": kinds}


def time_calls(demand: np.ndarray, origins: list[int], n_calls: int = TIMED_CALLS) -> dict[str, list[float]]:
    """Wall and CPU time of ``forecast_demand`` at up to ``n_calls`` origins, ms, in this process.

    The origins are the last ones whose window is full (4,032 steps), else the last ones; one
    untimed warm-up call first. CPU time (``time.process_time``) is what one core spends; wall
    time also holds the waits for a core when the machine is shared.
    """
    full = [o for o in origins if o >= WINDOW] or origins
    chosen = full[-n_calls:]
    forecast_demand(demand[max(0, chosen[0] - WINDOW) : chosen[0]], STEP_S, HORIZON, QUANTILES)
    wall, cpu = [], []
    for o in chosen:
        t0, c0 = time.perf_counter(), time.process_time()
        forecast_demand(demand[max(0, o - WINDOW) : o], STEP_S, HORIZON, QUANTILES)
        wall.append((time.perf_counter() - t0) * 1000.0)
        cpu.append((time.process_time() - c0) * 1000.0)
    return {"wall": wall, "cpu": cpu}


def _job(args: tuple[np.ndarray, list[int]]) -> dict[str, Any]:
    warnings.simplefilter("ignore")  # fallbacks are expected on gappy series; scores say the rest
    return run_origins(*args)


def _pinball(actual: np.ndarray, fc: np.ndarray) -> np.ndarray:
    """Pinball loss per quantile summed over points: actual (n,), fc (n_q, n) -> (n_q,)."""
    q = np.asarray(QUANTILES)[:, np.newaxis]
    diff = actual[np.newaxis, :] - fc
    return np.asarray(np.maximum(q * diff, (q - 1.0) * diff).sum(axis=1))


def _score(actual: np.ndarray, sel: np.ndarray, naive: np.ndarray) -> dict[str, Any]:
    """Scores over flattened points: actual (n,), forecasts (n_q, n)."""
    if actual.size == 0:
        return {"n_points": 0}
    ours, ref = _pinball(actual, sel), _pinball(actual, naive)
    out: dict[str, Any] = {
        "n_points": int(actual.size),
        "pinball_ratio": round(float(ours.sum() / ref.sum()), 4) if ref.sum() > 0 else None,
        "pinball_acu": round(float(ours.mean() / actual.size), 6),
    }
    for k, q in enumerate(QUANTILES):
        out[f"coverage_p{round(q * 100)}"] = round(float(np.mean(actual <= sel[k])), 4)
    return out


def coverage_interval(cover: np.ndarray, seen: np.ndarray, origins: np.ndarray) -> list[float]:
    """95 % day-block bootstrap interval of a pooled coverage.

    The errors of one day's origins are correlated (overlapping 3-hour horizons, one
    weather), so the points are resampled by whole days of origins (Künsch 1989, "The
    jackknife and the bootstrap for general stationary observations", Ann. Statist. 17(3):
    the block bootstrap), ``BOOTSTRAP_RESAMPLES`` times with a fixed seed (deterministic).

    Args:
        cover: whether each point is at or below the quantile, shape (n_origins, H).
        seen: which points have an actual, shape (n_origins, H).
        origins: origin step indices, shape (n_origins,), ascending.

    Returns:
        ``[low, high]``: the 2.5 % and 97.5 % points of the resampled pooled coverage.
    """
    day = (origins - origins[0]) // 288
    hits = np.bincount(day, weights=np.sum(cover & seen, axis=1))
    counts = np.bincount(day, weights=np.sum(seen, axis=1))
    rng = np.random.default_rng(0)
    draws = rng.integers(0, day.max() + 1, size=(BOOTSTRAP_RESAMPLES, int(day.max()) + 1))
    rates = hits[draws].sum(axis=1) / np.maximum(counts[draws].sum(axis=1), 1.0)
    return [round(float(v), 4) for v in np.quantile(rates, [0.025, 0.975])]


def _blocks(origins: np.ndarray) -> np.ndarray:
    """3-day block index per origin; a trailing block under 1.5 days joins the one before."""
    rel = origins - origins[0]
    block = rel // BLOCK_STEPS
    last = int(block[-1])
    if last > 0 and rel[-1] - last * BLOCK_STEPS < BLOCK_STEPS // 2:
        block[block == last] = last - 1
    return np.asarray(block)


def score_series(series: SuiteSeries, origins: list[int], res: dict[str, Any]) -> dict[str, Any]:
    """Aggregate one series' forecasts into the results entry (module protocol)."""
    demand = series.demand_acu
    o = np.asarray(origins)
    steps = o[:, np.newaxis] + np.arange(HORIZON)[np.newaxis, :]  # (n_origins, H)
    actual = demand[steps]
    seen = ~np.isnan(actual)
    sel = np.moveaxis(res["selected"], 1, 0)  # (n_q, n_origins, H)
    naive = np.moveaxis(res["naive"], 1, 0)
    out: dict[str, Any] = {"role": series.role, "source": series.source, "n_steps": int(demand.size)}
    out["n_origins"] = len(origins)
    out |= _score(actual[seen], sel[:, seen], naive[:, seen])
    block = _blocks(o)
    blocks = []
    for b in np.unique(block):
        rows = block == b
        mask = seen & rows[:, np.newaxis]
        first, last = int(o[rows][0]), int(o[rows][-1])
        entry = {
            "first_origin": (series.start + timedelta(seconds=first * STEP_S)).isoformat(),
            "last_origin": (series.start + timedelta(seconds=last * STEP_S)).isoformat(),
        }
        entry |= _score(actual[mask], sel[:, mask], naive[:, mask])
        end = series.start + timedelta(seconds=(last + HORIZON) * STEP_S)
        if entry.get("coverage_p95", 1.0) < BLOCK_FLOOR_P95:
            entry["events"] = [
                text
                for a, b, text in KNOWN_EVENTS.get(series.name, [])
                if datetime.fromisoformat(a) < end
                and datetime.fromisoformat(b) > series.start + timedelta(seconds=first * STEP_S)
            ]
        blocks.append(entry)
    out["blocks"] = blocks
    scored = [b for b in blocks if b["n_points"]]
    for q in ("p90", "p95"):
        worst = min(scored, key=lambda b: b[f"coverage_{q}"])
        out[f"worst_block_coverage_{q}"] = worst[f"coverage_{q}"]
        out[f"worst_block_{q}_first_origin"] = worst["first_origin"]
    hour0 = series.start.hour + series.start.minute / 60.0
    hour = np.floor(hour0 + steps * STEP_S / 3600.0).astype(np.int64) % 24
    by_hour: dict[str, list[float | None]] = {}
    for k, q in enumerate(QUANTILES):
        cover = actual <= sel[k]
        by_hour[f"p{round(q * 100)}"] = [
            round(float(np.mean(cover[seen & (hour == h)])), 4) if np.any(seen & (hour == h)) else None
            for h in range(24)
        ]
    out["coverage_by_hour"] = by_hour
    for k, q in enumerate(QUANTILES):
        if q in (0.9, 0.95):
            cover = actual <= sel[k]
            out[f"coverage_p{round(q * 100)}_ci95"] = coverage_interval(cover, seen, o)
    for q in ("p90", "p95"):
        values = [v for v in by_hour[q] if v is not None]
        out[f"worst_hour_coverage_{q}"] = min(values) if values else None
    wall, cpu = np.asarray(res["ms"]["wall"]), np.asarray(res["ms"]["cpu"])
    out["fit_forecast_ms_median"] = round(float(np.median(wall)), 2)
    out["fit_forecast_ms_p90"] = round(float(np.quantile(wall, 0.9)), 2)
    out["fit_forecast_cpu_ms_median"] = round(float(np.median(cpu)), 2)
    out["timed_window_steps"] = int(min(WINDOW, origins[-1]))
    models: dict[str, int] = {}
    for m in res["models"]:
        models[m] = models.get(m, 0) + 1
    out["models"] = dict(sorted(models.items()))
    kinds: dict[str, int] = {}
    for ks in res["warnings"]:
        for k in ks:
            kinds[k] = kinds.get(k, 0) + 1
    out["warnings"] = dict(sorted(kinds.items()))
    return out


def _meets(entry: dict[str, Any]) -> dict[str, bool]:
    low = [b for b in entry["blocks"] if b.get("coverage_p95", 1.0) < BLOCK_FLOOR_P95]
    return {
        "p90_within_2.5": abs(entry["coverage_p90"] - 0.90) <= NOMINAL_TOLERANCE,
        "p95_within_2.5": abs(entry["coverage_p95"] - 0.95) <= NOMINAL_TOLERANCE,
        "worst_block_p95_at_least_0.85": not low,
        "blocks_below_0.85_have_named_events": all(b.get("events") for b in low),
    }


def summary(traces: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Per role: mean pinball ratio, coverage ranges and which series miss which target."""
    out: dict[str, Any] = {}
    for role in ("dev", "held_out"):
        entries = {n: t for n, t in traces.items() if t["role"] == role}
        if not entries:
            continue
        misses = {
            n: [k for k, ok in t["targets"].items() if not ok and k != "worst_block_p95_at_least_0.85"]
            for n, t in entries.items()
        }
        out[role] = {
            "series": len(entries),
            "pinball_ratio_mean": round(float(np.mean([t["pinball_ratio"] for t in entries.values()])), 4),
            "coverage_p90_range": [
                min(t["coverage_p90"] for t in entries.values()),
                max(t["coverage_p90"] for t in entries.values()),
            ],
            "coverage_p95_range": [
                min(t["coverage_p95"] for t in entries.values()),
                max(t["coverage_p95"] for t in entries.values()),
            ],
            "fit_forecast_ms_median": round(
                float(np.median([t["fit_forecast_ms_median"] for t in entries.values()])), 2
            ),
            "fit_forecast_cpu_ms_median": round(
                float(np.median([t["fit_forecast_cpu_ms_median"] for t in entries.values()])), 2
            ),
            "misses": {n: m for n, m in misses.items() if m},
        }
    return out


def _git_commit() -> str | None:
    try:
        done = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True)
    except (OSError, subprocess.CalledProcessError):
        return None
    return done.stdout.strip()


def run(
    series: list[SuiteSeries], every_h: float, warmup_days: float, workers: int
) -> dict[str, dict[str, Any]]:
    """Forecast every origin of every series (``workers`` processes) and score them."""
    jobs, spans = [], []
    for s in series:
        origins = _origins(s.demand_acu.size, warmup_days, every_h)
        chunks = [origins[i : i + 96] for i in range(0, len(origins), 96)]
        spans.append((s, origins, len(jobs), len(jobs) + len(chunks)))
        jobs += [(s.demand_acu, c) for c in chunks]
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            parts = list(pool.map(_job, jobs))
    else:
        parts = [_job(j) for j in jobs]
    out: dict[str, dict[str, Any]] = {}
    for s, origins, a, b in spans:
        merged: dict[str, Any] = {
            "selected": np.concatenate([p["selected"] for p in parts[a:b]]),
            "naive": np.concatenate([p["naive"] for p in parts[a:b]]),
        }
        for key in ("models", "warnings"):
            merged[key] = [x for p in parts[a:b] for x in p[key]]
        merged["ms"] = time_calls(s.demand_acu, origins)
        entry = score_series(s, origins, merged)
        entry["targets"] = _meets(entry)
        out[s.name] = entry
        print(
            f"{s.name:28} {s.role:8} ratio {entry['pinball_ratio']:.3f}  p90 {entry['coverage_p90']:.3f}  "
            f"p95 {entry['coverage_p95']:.3f}  worst-block p95 {entry['worst_block_coverage_p95']:.3f}  "
            f"worst-hour p95 {entry['worst_hour_coverage_p95']:.3f}  "
            f"{entry['fit_forecast_ms_median']:.1f} ms ({entry['fit_forecast_cpu_ms_median']:.1f} CPU)",
            flush=True,
        )
    return out


def main() -> None:
    """Parse arguments, run, and write the results file."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trace", action="append", help="suite series (repeatable); default all")
    parser.add_argument("--raw", type=Path, help="the raw-trace folder (default: found as traces.suite does)")
    parser.add_argument("--every-h", type=float, default=1.0, help="hours between origins")
    parser.add_argument("--warmup-days", type=float, default=2.0, help="history before the first origin")
    parser.add_argument("--workers", type=int, default=2, help="worker processes")
    parser.add_argument("--baseline", type=Path, help="earlier results file to compare pinball with")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--label", help="what forecasting code ran (recorded in the results)")
    args = parser.parse_args()
    series, notes = suite(args.raw, args.trace)
    for note in notes:
        print(note)
    t0 = time.perf_counter()
    traces = run(series, args.every_h, args.warmup_days, args.workers)
    if args.baseline is not None:
        before = json.loads(args.baseline.read_text())["traces"]
        for name, entry in traces.items():
            if name in before:
                entry["pinball_vs_baseline"] = round(entry["pinball_acu"] / before[name]["pinball_acu"], 4)
    results = {
        "protocol": {
            "step_s": STEP_S,
            "horizon": HORIZON,
            "quantiles": QUANTILES,
            "window_steps": WINDOW,
            "every_h": args.every_h,
            "warmup_days": args.warmup_days,
            "block_days": BLOCK_STEPS / 288,
        },
        "commit": _git_commit(),
        "label": args.label,
        "machine": {
            "python": platform.python_version(),
            "cpu_count": os.cpu_count(),
            "blas_threads": 1,
            "workers": args.workers,
        },
        "run_s": round(time.perf_counter() - t0, 1),
        "notes": notes,
        "summary": summary(traces),
        "traces": traces,
    }
    print(json.dumps(results["summary"], indent=2))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
