"""Irregularly sampled signals (an agent pushing every 50-70 s): read on their median step, said so.

Before the rule, the 3-day repro below read as a 54-s step (a chance run of three 54-s
spacings) with 3322 holes, four "mixed resolutions" and a 28-s offset warning.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from service.cli.exports import ingest_lines
from service.cli.main import app
from traces.formats import parse_csv
from traces.resolution import holes, nearest_common_step, periods, runs, sampling, step_of
from traces.signals import SignalRules, combine_signals
from traces.uploads import check_upload

T0 = 1_714_953_600  # 2024-05-06T00:00:00Z
HEADER = "ts,cluster_id,signal,unit,value\n"


def _jittered(seed: int = 7, days: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Samples 50-70 s apart (uniform whole seconds), a smooth daily curve of 4-7 ACU."""
    rng = np.random.default_rng(seed)
    ts = T0 + np.concatenate([[0], np.cumsum(rng.integers(50, 71, days * 86_400 // 50))])
    ts = ts[ts < T0 + days * 86_400]
    acu = 4.0 + 3.0 * np.cos(np.pi * (ts - T0) / 86_400) ** 2
    return ts.astype(np.int64), acu


def _csv(ts: np.ndarray, acu: np.ndarray) -> str:
    return HEADER + "".join(
        f"{np.datetime_as_string(np.datetime64(int(t), 's'))}Z,db,ServerlessDatabaseCapacity,acu,{v:.3f}\n"
        for t, v in zip(ts, acu, strict=True)
    )


def test_jittered_samples_have_a_60_s_step_no_resolutions_and_no_holes() -> None:
    ts, _ = _jittered()

    how = sampling(ts)

    assert ts.size == 4315
    assert (how.step_s, how.irregular, how.runs, how.median_s) == (60, True, (), 60.0)
    assert how.spread_s == (51.0, 69.0)
    # chance runs of 54, 67, 68 and 69 s hold 12 spacings; 4.9 % of them are multiples of 54 s
    assert round(how.regular_share, 3) == 0.049
    assert step_of(ts) == 60 and runs(ts) == []
    per = periods(ts, default_s=60)
    assert np.all(per == 60)
    assert holes(ts, per, grid_s=60) == []


def test_the_upload_report_says_irregular_with_its_step_and_no_holes() -> None:
    ts, acu = _jittered()

    signals, report = check_upload(parse_csv(_csv(ts, acu)))

    sig = report.signals[0]
    assert (sig.step_s, sig.irregular, sig.n_holes, sig.resolutions, sig.offset_s) == (60, True, 0, (), 0)
    assert sig.n_off_grid == int(np.count_nonzero(ts % 60))
    assert report.warnings == (
        "ServerlessDatabaseCapacity (upload.csv): sampled at irregular intervals (90% of the spacings "
        "51-69 s, median 60 s; 5% in runs of equal spacings or on one grid), so no resolution is inferred: "
        "read on a 60-s step, each sample covering 60 s from its time (the step's max, so it is "
        "conservative); steps no sample reaches are missing",
    )
    assert np.array_equal(signals[0].ts_s, ts)  # read, never moved
    assert ingest_lines(report) == [
        "inputs: upload.csv: 4315 points; signals: ServerlessDatabaseCapacity (acu, statistic not given: "
        "values read as given, 4315 points at "
        "irregular intervals, read every 60 s)"
    ]


def test_each_60_s_step_takes_the_max_of_the_samples_reaching_it() -> None:
    ts, acu = _jittered()
    signals, _ = check_upload(parse_csv(_csv(ts, acu)))

    demand = combine_signals(signals, step_s=60, rules=SignalRules())

    assert demand.start_s == T0 and demand.n_steps == 4321 and not np.isnan(demand.demand_acu).any()
    value = np.round(acu, 3)
    for k in (0, 1, 777, 2500, 4320):
        lo = T0 + 60 * k
        reach = (ts < lo + 60) & (ts + 60 > lo)
        assert demand.demand_acu[k] == value[reach].max()


def test_an_outage_in_irregular_data_is_one_hole_of_whole_steps() -> None:
    ts, acu = _jittered()
    keep = (ts < T0 + 36_000) | (ts >= T0 + 39_600)  # an hour without a push, 10:00-11:00
    signals, report = check_upload(parse_csv(_csv(ts[keep], acu[keep])))

    sig = report.signals[0]
    last = int(ts[ts < T0 + 36_000][-1])
    first = -(-(last + 60) // 60) * 60
    nxt = int(ts[ts >= T0 + 39_600][0])
    assert sig.irregular and sig.step_s == 60 and sig.n_holes == 1
    assert (first, nxt // 60 * 60) == (T0 + 36_060, T0 + 39_600)
    assert sig.holes == ("2024-05-06T10:01:00Z/2024-05-06T11:00:00Z",)
    demand = combine_signals(signals, step_s=60, rules=SignalRules())
    assert np.flatnonzero(np.isnan(demand.demand_acu)).tolist() == list(range(601, 660))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    base=st.sampled_from([10, 60, 120, 300, 600, 1800, 3600]),
    share=st.floats(min_value=0.04, max_value=0.2),
    late_only=st.booleans(),
    n=st.integers(min_value=60, max_value=800),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_any_jitter_within_a_fifth_of_a_base_period_infers_that_period(
    base: int, share: float, late_only: bool, n: int, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    amplitude = max(int(share * base), 2)  # at least 3 distinct spacings: jitter, not a second grid
    spacing = base + rng.integers(0 if late_only else -amplitude, amplitude + 1, n)
    ts = T0 + np.concatenate([[0], np.cumsum(spacing)]).astype(np.int64)

    how = sampling(ts)

    assert how.step_s == base
    assert how.irregular or how.runs  # regular only when real runs explain it (never for wide jitter)
    if how.irregular:
        assert holes(ts, periods(ts, default_s=base), grid_s=base) == []


def test_regular_exports_with_many_holes_stay_regular() -> None:
    rng = np.random.default_rng(1)
    grid = T0 + np.arange(2000, dtype=np.int64) * 60
    thinned = grid[rng.random(2000) > 0.7]  # 70 % missing: few runs, but every spacing a multiple of 60
    sparse = T0 + np.sort(rng.choice(5000, 300, replace=False)).astype(np.int64) * 60  # a sparse Sum
    mixed = np.concatenate([T0 + np.arange(0, 43_200, 300), T0 + 43_200 + np.arange(0, 86_400, 60)])

    for ts in (thinned, sparse, mixed):
        how = sampling(ts)
        assert not how.irregular and how.step_s == 60
    assert [r.resolution_s for r in sampling(mixed).runs] == [300, 60]


def test_a_poisson_clock_is_irregular_and_a_few_samples_are_never() -> None:
    rng = np.random.default_rng(2)
    poisson = T0 + np.cumsum(np.maximum(rng.exponential(300, 500).astype(np.int64), 1))
    few = T0 + np.array([0, 55, 117, 180], dtype=np.int64)

    how = sampling(poisson)
    assert (how.irregular, how.median_s, how.step_s) == (
        True,
        187.0,
        120,
    )  # 187 s: 120 by ratio (1.56 < 1.60)
    assert (sampling(few).irregular, sampling(few).step_s) == (False, 55)  # too few spacings to tell


def test_nearest_common_step_is_by_ratio_and_the_finer_on_a_tie() -> None:
    assert [nearest_common_step(x) for x in (42.5, 42.4, 60.0, 84.8, 85.0, 0.2, 1e6)] == [
        60,
        30,
        60,
        60,
        120,
        1,
        86_400,
    ]
    assert nearest_common_step(float(np.sqrt(30 * 60))) == 30


def test_advise_reads_irregular_exports_and_says_so(tmp_path: Path) -> None:
    ts, acu = _jittered()
    path = tmp_path / "agent.csv"
    path.write_text(_csv(ts, acu), encoding="utf-8")

    result = CliRunner().invoke(app, ["advise", "--csv", str(path), "--max-acu", "16"])

    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        "inputs: agent.csv: 4315 points; signals: ServerlessDatabaseCapacity (acu, statistic not given: "
        "values read as given, 4315 points at "
        "irregular intervals, read every 60 s)"
    )
    text = " ".join(result.stdout.split())
    assert "sampled at irregular intervals (90% of the spacings 51-69 s, median 60 s;" in text
    assert "hole" not in text and "mixed resolutions" not in text


def test_a_coarser_resolution_starts_without_a_phantom_hole() -> None:
    """1-minute samples, then 5-minute ones (CloudWatch's aging): the first 5-minute sample
    covers the 5 minutes after it. It took the 1-minute run's period before, leaving a
    4-minute "hole" at the switch; the reverse switch never had one."""
    coarser = np.r_[np.arange(0, 600, 60), np.arange(600, 2100, 300)].astype(np.int64)
    finer = np.r_[np.arange(0, 1500, 300), np.arange(1500, 2100, 60)].astype(np.int64)

    p = periods(coarser, default_s=60)
    assert holes(coarser, p) == []
    assert p[9] == 60 and p[10] == 300  # 540 s: the last 1-minute one; 600 s starts the 5-minute run
    assert holes(finer, periods(finer, default_s=60)) == []
