"""The forecast benchmark's trace suite: the bundled traces plus real held-out series.

``suite()`` returns every series the forecast benchmark scores, as ACU demand on a 300-s
grid (NaN = no sample in the step). Bundled traces come through ``traces`` with their own
demand rule. The held-out series are read here from the raw files of the shared
``traces-raw`` folder (``--raw``, default ``../shared/traces-raw`` next to the repository),
with a small loader per source; nothing is downloaded. A missing raw folder or file is
skipped with a note, so the benchmark still runs on the bundled traces alone.

This loader is a stop-gap until the replay bench's suite module (``traces.suite``) exists;
then the benchmark should take its list from there.

Demand mapping of the raw series (the bundled traces' rules, ``traces.demand``):

* CPU percent (NAB CloudWatch CPUUtilization): ``percent / 100 * 16`` ACU, as the bundled
  NAB traces (AWS measures CPUUtilization against MaxCapacity);
* anything else (Bitbrains CPU MHz, Google cell mean CPU, NASA requests/s, NAB network
  bytes): scaled so the series' p99 is 64 ACU (``p99_to_peak_acu``; coverage and pinball
  ratios do not depend on the scale);
* each 300-s step takes the max of the samples in it (``traces.demand`` convention); NASA's
  1-minute counts become the max per-minute request rate (requests/s) of each 5 minutes.

Clock: ``start`` is the first step's timestamp in the source's own clock (NAB: its naive
stamps, US local; Bitbrains: UTC; NASA: -04:00 local; Google: offsets from an unpublished
start), which is what "hour of day" means in the results.

Roles: ``dev`` series are the ones calibration settings were chosen on; ``held_out`` ones
were not looked at while choosing (``DEV_SERIES`` says which, and why).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from traces import demand_series, list_bundled, load_bundled

STEP_S = 300
DEFAULT_RAW = Path(__file__).resolve().parents[2] / "shared" / "traces-raw"
PEAK_ACU = 64.0  # p99_to_peak_acu target of the bundled azure trace
NAB_MAX_ACU = 16.0  # percent_of_max_acu of the bundled NAB traces

# Calibration settings were chosen on these (every bundled trace, which the old benchmark
# had already been tuned on, plus one Bitbrains VM and one NAB EC2 series); every other
# series is held out.
DEV_SERIES = frozenset(
    [*list_bundled(), "bitbrains-vm-338", "nab-ec2-cpu-5f5533"],
)


@dataclass(frozen=True)
class SuiteSeries:
    """One benchmark series.

    Attributes:
        name: results key.
        role: ``"dev"`` (settings chosen on it) or ``"held_out"``.
        demand_acu: demand per 300-s step, shape (n_steps,), ACU, NaN = missing.
        start: timestamp of step 0 in the source's clock (naive = the source's local clock).
        source: where it came from (bundled name or raw file path relative to traces-raw).
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


def _p99_scaled(values: np.ndarray) -> np.ndarray:
    return values * PEAK_ACU / np.nanpercentile(values, 99.0)


def _nab(path: Path, percent: bool) -> tuple[np.ndarray, datetime]:
    df = pd.read_csv(path)
    ts = pd.to_datetime(df["timestamp"])
    t0 = ts.iloc[0].floor("5min")
    offsets = (ts - t0).dt.total_seconds().to_numpy()
    values = df["value"].to_numpy(dtype=np.float64)
    demand = _on_grid(offsets, values)
    demand = demand / 100.0 * NAB_MAX_ACU if percent else _p99_scaled(demand)
    return demand, t0.to_pydatetime()


def _bitbrains(path: Path) -> tuple[np.ndarray, datetime]:
    df = pd.read_csv(path)
    epoch = df["Timestamp [ms]"].to_numpy(dtype=np.int64)  # seconds, despite the name
    t0 = epoch[0] - epoch[0] % STEP_S
    demand = _on_grid(epoch - t0, df["CPU usage [MHZ]"].to_numpy(dtype=np.float64))
    return _p99_scaled(demand), datetime(1970, 1, 1) + timedelta(seconds=int(t0))


def _google(path: Path) -> tuple[np.ndarray, datetime]:
    df = pd.read_csv(path)
    demand = _on_grid(df["t_offset_s"].to_numpy(), df["avg_cpu"].to_numpy(dtype=np.float64))
    return _p99_scaled(demand), datetime(2019, 5, 1)  # unpublished start: offsets only


def _nasa(path: Path) -> tuple[np.ndarray, datetime]:
    df = pd.read_csv(path)
    ts = pd.to_datetime(df["timestamp"].str.slice(0, 19))  # all -04:00: keep local clock
    t0 = ts.iloc[0]
    offsets = (ts - t0).dt.total_seconds().to_numpy()
    rate = df["requests"].to_numpy(dtype=np.float64) / df["seconds_covered"].clip(lower=1).to_numpy()
    return _p99_scaled(_on_grid(offsets, rate)), t0.to_pydatetime()


# name -> (relative path, loader)
_NAB = "nab-aws-cloudwatch"
_BB = "bitbrains-rnd-2013-07"
RAW_SERIES: dict[str, tuple[str, str]] = {
    "nab-asg-misconfiguration": (f"{_NAB}/cpu_utilization_asg_misconfiguration.csv", "nab_percent"),
    "nab-grok-asg-anomaly": (f"{_NAB}/grok_asg_anomaly.csv", "nab_percent"),
    "nab-ec2-cpu-5f5533": (f"{_NAB}/ec2_cpu_utilization_5f5533.csv", "nab_percent"),
    "nab-ec2-cpu-825cc2": (f"{_NAB}/ec2_cpu_utilization_825cc2.csv", "nab_percent"),
    "nab-ec2-cpu-ac20cd": (f"{_NAB}/ec2_cpu_utilization_ac20cd.csv", "nab_percent"),
    "nab-ec2-cpu-fe7f93": (f"{_NAB}/ec2_cpu_utilization_fe7f93.csv", "nab_percent"),
    "nab-ec2-network-in-257a54": (f"{_NAB}/ec2_network_in_257a54.csv", "nab_other"),
    **{
        f"bitbrains-vm-{vm}": (f"{_BB}/vm_{vm}.csv", "bitbrains")
        for vm in (41, 303, 338, 384, 392, 408, 411, 417, 421)
    },
    "google-cell-2019-cpu": ("cloud-aggregate-cpu/google_2019_cell_aggregate_5min.csv", "google"),
    "nasa-http-1995": ("nasa-http-1995/nasa_http_1995_requests_per_minute.csv", "nasa"),
}


def _load_raw(path: Path, kind: str) -> tuple[np.ndarray, datetime]:
    if kind in ("nab_percent", "nab_other"):
        return _nab(path, percent=kind == "nab_percent")
    return {"bitbrains": _bitbrains, "google": _google, "nasa": _nasa}[kind](path)


def bundled(name: str) -> SuiteSeries:
    """Return bundled trace ``name`` with its own demand rule (what the replay bench uses)."""
    loaded = load_bundled(name)
    meta = loaded.metadata
    assert meta is not None  # load_bundled attaches metadata
    demand = demand_series(loaded.single(), step_s=meta.step_s, rule=meta.demand_rule)
    start = datetime.fromisoformat(str(demand.ts[0].astype("datetime64[s]")))
    return SuiteSeries(name, "dev", np.asarray(demand.demand_acu, dtype=np.float64), start, f"bundled:{name}")


def suite(raw: Path = DEFAULT_RAW, names: list[str] | None = None) -> tuple[list[SuiteSeries], list[str]]:
    """Return the suite (bundled first, then raw series in ``RAW_SERIES`` order) and notes.

    Args:
        raw: the ``traces-raw`` folder.
        names: keep only these series (None: all).

    Returns:
        (series, notes): notes name raw files that were not found.
    """
    out: list[SuiteSeries] = []
    notes: list[str] = []
    for name in list_bundled():
        if names is None or name in names:
            out.append(bundled(name))
    for name, (rel, kind) in RAW_SERIES.items():
        if names is not None and name not in names:
            continue
        path = raw / rel
        if not path.is_file():
            notes.append(f"{name}: {path} not found; skipped")
            continue
        demand, start = _load_raw(path, kind)
        role = "dev" if name in DEV_SERIES else "held_out"
        out.append(SuiteSeries(name, role, demand, start, rel))
    return out, notes
