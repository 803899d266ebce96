"""The forecast benchmark's series: the replay suite plus a few extra raw series.

``suite()`` returns every series the forecast benchmark scores, as ACU demand on a 300-s
grid (NaN = no sample in the step), each with a role:

* the replay bench's suite, ``traces.suite.load_suite(step_s=300)``: the bundled traces and,
  when the shared raw-trace folder is found, its local-only members (Bitbrains VMs, NASA);
* extra held-out series read here from that folder (``EXTRA_SERIES``: more Bitbrains VMs and
  NAB CloudWatch series that are not in the suite), with the suite's demand rules: NAB CPU
  percent as ``percent / 100 * 16`` ACU, anything else scaled so its p99 is 64 ACU; each
  300-s step the max of its samples. Nothing is downloaded; a missing file is skipped.

Roles: ``dev`` series are those the calibration settings were chosen on (``DEV_SERIES``: the
five traces the old benchmark was tuned on, one Bitbrains VM and one NAB EC2 series); every
other series is ``held_out`` and was not looked at while choosing. Timestamps are UTC (NAB
stamps are read as UTC-5 all year, the ``traces.nab_clock`` rule; Bitbrains stamps are epoch
seconds), so "hour of day" in the results is the UTC hour.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from traces.suite import find_raw_dir, load_suite

STEP_S = 300
PEAK_ACU = 64.0  # p99_to_peak_acu peak of the bundled aggregate traces
NAB_MAX_ACU = 16.0  # percent_of_max_acu of the bundled NAB CPU traces
NAB_UTC_OFFSET = timedelta(hours=5)  # traces.nab_clock: NAB stamps are on UTC-5 all year

DEV_SERIES = frozenset(
    {
        "rds-cpu-cc0c53",
        "rds-cpu-e47b3b",
        "elb-requests-8c0756",
        "ec2-cpu-dst-failure",
        "azure-vm-cpu-2019",
        "bitbrains-vm338",
        "nab-ec2-cpu-5f5533",
    }
)

_NAB = "nab-aws-cloudwatch"
_BB = "bitbrains-rnd-2013-07"
EXTRA_SERIES: dict[str, tuple[str, str]] = {
    "bitbrains-vm338": (f"{_BB}/vm_338.csv", "bitbrains"),
    **{f"bitbrains-vm{vm}": (f"{_BB}/vm_{vm}.csv", "bitbrains") for vm in (384, 408, 411, 417, 421)},
    "nab-ec2-cpu-5f5533": (f"{_NAB}/ec2_cpu_utilization_5f5533.csv", "nab_percent"),
    "nab-grok-asg-anomaly": (f"{_NAB}/grok_asg_anomaly.csv", "nab_percent"),
    "nab-ec2-network-in-257a54": (f"{_NAB}/ec2_network_in_257a54.csv", "nab_other"),
}
"""name -> (path in the raw folder, reader)."""


KNOWN_EVENTS: dict[str, list[tuple[str, str, str]]] = {
    "nasa-http-1995-1min": [
        (
            "1995-07-28T17:33:00+00:00",
            "1995-08-01T04:00:00+00:00",
            "no requests logged 1995-07-28 13:33 to 07-31 23:59 EDT: the July log ends (traces-raw "
            "SOURCES.md, NASA caveats); the history fills the gap by repeating the day before",
        ),
        (
            "1995-08-01T18:52:00+00:00",
            "1995-08-03T08:36:00+00:00",
            "the NASA KSC server was shut down for Hurricane Erin, 1995-08-01 14:52 to 08-03 04:36 "
            "EDT (ITA NASA-HTTP page): zero requests, then the full load returns in one step",
        ),
    ],
    "azure-vm-cpu-2019": [
        (
            "2019-01-03T00:00:00+00:00",
            "2019-01-05T00:00:00+00:00",
            "the trace's first forecasts (2-3 days of history, all of it the backtest, starting on "
            "New Year's Day at 51-56 ACU a day): on Fri 2019-01-04 the load rose to a 55.9-ACU "
            "day and a 67-ACU peak above every earlier sample (62.6); the 12:00 origin's p95 "
            "topped at 61.6 against 62.6 served, Jan 3/4 origins covered 0.81/0.75 at p95, "
            "Jan 5 0.96 (measured with benchmarks.forecast.run_origins)",
        )
    ],
    "bitbrains-vm338": [
        (
            "2013-07-24T20:26:00+00:00",
            "2013-07-26T04:00:00+00:00",
            "a 55-minute hole in the raw trace (2013-07-24 20:26 UTC, traces-raw SOURCES.md), then "
            "the load between the nightly 40-ACU batches rose by half (0.58 to 0.87 ACU mean) for "
            "a day; the hour-of-day bins had calibrated those quiet hours on flat load",
        )
    ],
}
"""Documented or measured events behind low-coverage blocks: series -> (start, end UTC, text)."""


@dataclass(frozen=True)
class SuiteSeries:
    """One benchmark series.

    Attributes:
        name: results key.
        role: ``"dev"`` (settings chosen on it) or ``"held_out"``.
        demand_acu: demand per 300-s step, shape (n_steps,), ACU, NaN = missing.
        start: UTC timestamp of step 0.
        source: ``suite:<name>`` or the raw file's path in the raw folder.
    """

    name: str
    role: str
    demand_acu: np.ndarray
    start: datetime
    source: str


def _on_grid(offsets_s: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Max of the samples per 300-s step; steps without a sample are NaN."""
    idx = np.floor_divide(offsets_s.astype(np.int64), STEP_S)
    out = np.full(int(idx.max()) + 1, np.nan)
    order = np.argsort(idx, kind="stable")
    idx, values = idx[order], values[order]
    starts = np.flatnonzero(np.r_[True, idx[1:] != idx[:-1]])
    out[idx[starts]] = np.maximum.reduceat(values, starts)
    return out


def _read_extra(path: Path, reader: str) -> tuple[np.ndarray, datetime]:
    df = pd.read_csv(path)
    if reader == "bitbrains":
        epoch = df["Timestamp [ms]"].to_numpy(dtype=np.int64)  # seconds, despite the name
        t0 = int(epoch[0] - epoch[0] % STEP_S)
        demand = _on_grid(epoch - t0, df["CPU usage [MHZ]"].to_numpy(dtype=np.float64))
        return demand * PEAK_ACU / np.nanpercentile(demand, 99.0), datetime.fromtimestamp(t0, UTC)
    ts = pd.to_datetime(df["timestamp"])
    t0 = ts.iloc[0].floor("5min")
    demand = _on_grid((ts - t0).dt.total_seconds().to_numpy(), df["value"].to_numpy(dtype=np.float64))
    if reader == "nab_percent":
        demand = demand / 100.0 * NAB_MAX_ACU
    else:
        demand = demand * PEAK_ACU / np.nanpercentile(demand, 99.0)
    return demand, t0.to_pydatetime().replace(tzinfo=UTC) + NAB_UTC_OFFSET


def suite(raw: Path | None = None, names: list[str] | None = None) -> tuple[list[SuiteSeries], list[str]]:
    """Return the benchmark series (replay suite first, then the extras) and notes.

    Args:
        raw: the raw-trace folder; None finds it as ``traces.suite`` does.
        names: keep only these series (None: all available).

    Returns:
        (series, notes): notes say what was skipped and why.
    """
    folder = find_raw_dir(raw)
    notes = [] if folder is not None else ["no raw-trace folder found: bundled traces only"]
    out: list[SuiteSeries] = []
    for member in load_suite(folder, step_s=STEP_S):
        if names is None or member.name in names:
            role = "dev" if member.name in DEV_SERIES else "held_out"
            demand = np.asarray(member.demand.demand_acu, dtype=np.float64)
            out.append(SuiteSeries(member.name, role, demand, member.demand.start, f"suite:{member.name}"))
    for name, (rel, reader) in EXTRA_SERIES.items():
        if names is not None and name not in names:
            continue
        path = (folder or Path()) / rel
        if folder is None or not path.is_file():
            notes.append(f"{name}: {rel} not found; skipped")
            continue
        demand, start = _read_extra(path, reader)
        out.append(SuiteSeries(name, "dev" if name in DEV_SERIES else "held_out", demand, start, rel))
    return out, notes
