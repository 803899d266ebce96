"""Tests of the bundled traces: names, sizes, spans, metadata and demand mapping."""

import json
from datetime import UTC, datetime

import numpy as np
import pytest

from traces import (
    P99ToPeakAcuRule,
    PercentOfMaxAcuRule,
    TraceFormatError,
    UnknownTraceError,
    bundled_path,
    demand_series,
    format_ts,
    list_bundled,
    load_bundled,
    load_trace,
)

# name -> (rows, first UTC ts, last UTC ts, unit, kind, missing 300-s steps)
EXPECTED = {
    "asg-cpu-misconfiguration": (
        8640,
        "2014-06-15T22:24:00Z",
        "2014-07-15T22:19:00Z",
        "percent",
        "autoscaling_group_cpu",
        0,
    ),
    "azure-vm-cpu-2019": (
        8640,
        "2019-01-01T00:00:00Z",
        "2019-01-30T23:55:00Z",
        "relative",
        "fleet_cpu_aggregate",
        0,
    ),
    "ec2-cpu-bursty-fe7f93": (4032, "2014-02-14T19:27:00Z", "2014-02-28T19:22:00Z", "percent", "vm_cpu", 0),
    "ec2-cpu-dst-failure": (
        4032,
        "2014-03-07T08:41:00Z",
        "2014-03-21T08:41:00Z",
        "percent",
        "database_cpu",
        1,
    ),
    "ec2-cpu-step-825cc2": (4032, "2014-04-10T05:04:00Z", "2014-04-24T05:09:00Z", "percent", "vm_cpu", 2),
    "ec2-cpu-step-ac20cd": (4032, "2014-04-02T19:29:00Z", "2014-04-16T19:49:00Z", "percent", "vm_cpu", 5),
    "elb-requests-8c0756": (4032, "2014-04-10T05:04:00Z", "2014-04-24T05:39:00Z", "per_s", "request_rate", 8),
    "google-cell-cpu-2019": (
        8064,
        "2019-05-01T00:00:00Z",
        "2019-05-28T23:55:00Z",
        "relative",
        "fleet_cpu_aggregate",
        0,
    ),
    "rds-cpu-cc0c53": (4032, "2014-02-14T19:30:00Z", "2014-02-28T19:30:00Z", "percent", "database_cpu", 1),
    "rds-cpu-e47b3b": (4032, "2014-04-10T05:02:00Z", "2014-04-24T04:57:00Z", "percent", "database_cpu", 0),
}


def test_list_bundled_is_sorted_and_complete() -> None:
    assert list_bundled() == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bundled_trace_rows_span_unit_and_gaps(name: str) -> None:
    rows, first, last, unit, kind, n_gaps = EXPECTED[name]
    trace = load_bundled(name)
    series = trace.single()
    assert series.n_samples == rows
    assert format_ts(int(series.ts[0].astype(int))) == first
    assert format_ts(int(series.ts[-1].astype(int))) == last
    assert series.unit == unit
    steps = np.diff(series.ts.astype(np.int64))
    assert np.all(steps % 300 == 0) and np.all(steps >= 300)  # 5-min grid; longer steps are gaps
    assert int((steps // 300 - 1).sum()) == n_gaps
    meta = trace.metadata
    assert meta is not None
    assert (meta.name, meta.kind, meta.unit, meta.step_s, meta.n_rows) == (name, kind, unit, 300, rows)
    assert (meta.first_ts, meta.last_ts) == (first, last)
    assert meta.read_frac is None
    assert meta.licence in {"MIT", "CC-BY-4.0"}  # only redistributable data is shipped
    assert len(meta.source.raw_sha256) == 64 and meta.changes


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_bundled_trace_maps_to_non_negative_finite_demand(name: str) -> None:
    trace = load_bundled(name)
    assert trace.metadata is not None
    demand = demand_series(trace.single(), step_s=300, rule=trace.metadata.demand_rule)
    present = demand.demand_acu[~np.isnan(demand.demand_acu)]
    assert present.size == demand.n_steps - demand.n_missing > 0
    assert np.all(np.isfinite(present)) and np.all(present >= 0)
    assert demand.n_missing == EXPECTED[name][5]


def test_default_demand_rules_and_ranges() -> None:
    rds = load_bundled("rds-cpu-e47b3b")
    assert rds.metadata is not None
    assert rds.metadata.demand_rule == PercentOfMaxAcuRule(max_acu=16)
    demand = demand_series(rds.single(), step_s=300, rule=rds.metadata.demand_rule).demand_acu
    # raw CPU 12.628 % .. 76.23 % of max ACU 16
    assert np.nanmin(demand) == pytest.approx(12.628 / 100 * 16)
    assert np.nanmax(demand) == pytest.approx(76.23 / 100 * 16)
    for name, peak in (("elb-requests-8c0756", 24.0), ("azure-vm-cpu-2019", 64.0)):
        trace = load_bundled(name)
        assert trace.metadata is not None
        series = trace.single()
        acu = demand_series(series, step_s=300, rule=trace.metadata.demand_rule).demand_acu
        assert np.percentile(acu[~np.isnan(acu)], 99) == pytest.approx(peak)


def test_elb_rate_is_count_per_300_s() -> None:
    series = load_bundled("elb-requests-8c0756").single()
    assert series.value[0] == pytest.approx(94.0 / 300)  # raw first row: 94 requests / 5 min
    assert series.value.max() == pytest.approx(656.0 / 300)


def test_dst_window_of_ec2_trace_is_a_regular_utc_grid() -> None:
    series = load_bundled("ec2-cpu-dst-failure").single()
    seconds = series.ts.astype(np.int64)
    start = int(datetime(2014, 3, 9, 6, 56, tzinfo=UTC).timestamp())  # raw 01:56 EST
    i = int(np.searchsorted(seconds, start))
    window = seconds[i : i + 14]  # 01:56, the 12 re-stamped rows, 03:01
    assert window.tolist() == [start + 300 * k for k in range(14)]
    # raw values of the 12 rows stamped 03:00:00, in file order
    assert series.value[i + 1] == pytest.approx(44.612)
    assert series.value[i + 12] == pytest.approx(47.09)
    assert series.value[i + 13] == pytest.approx(45.962)


def test_azure_offsets_are_anchored_at_the_stated_epoch() -> None:
    series = load_bundled("azure-vm-cpu-2019").single()
    assert series.ts[0] == np.datetime64("2019-01-01T00:00:00", "s")
    assert np.all(np.diff(series.ts.astype(np.int64)) == 300)


def test_unknown_name_lists_valid_names() -> None:
    with pytest.raises(UnknownTraceError) as info:
        load_bundled("nasa-http")
    assert str(info.value) == (
        "unknown bundled trace 'nasa-http'; valid names: asg-cpu-misconfiguration, azure-vm-cpu-2019, "
        "ec2-cpu-bursty-fe7f93, ec2-cpu-dst-failure, ec2-cpu-step-825cc2, ec2-cpu-step-ac20cd, "
        "elb-requests-8c0756, google-cell-cpu-2019, rds-cpu-cc0c53, rds-cpu-e47b3b"
    )
    assert isinstance(info.value, KeyError) and isinstance(info.value, TraceFormatError)
    with pytest.raises(KeyError):
        bundled_path("nasa-http")


def test_bundled_path_points_at_a_loadable_csv_matching_the_json() -> None:
    path = bundled_path("rds-cpu-cc0c53")
    assert path.name == "rds-cpu-cc0c53.csv" and path.is_file()
    meta = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    assert set(meta) >= {
        "name",
        "description",
        "kind",
        "source",
        "licence",
        "step_s",
        "signal",
        "unit",
        "demand_rule",
        "read_frac",
        "changes",
    }
    assert load_trace(path).single().n_samples == meta["n_rows"]


def test_provenance_covers_every_trace_and_the_dst_rule() -> None:
    text = (bundled_path("rds-cpu-cc0c53").parent / "PROVENANCE.md").read_text(encoding="utf-8")
    for name in EXPECTED:
        assert f"## {name}" in text
    assert "Copyright 2014-2024 Numenta Inc." in text
    assert "CC BY 4.0" in text and "ea702d75cc2258d9d7dd35ca8e5e2539d71f3140" in text
    assert "NAB clock: assumed zone and the DST rule" in text
    assert "Google ClusterData 2019" in text and "doi:10.1145/3342195.3387517" in text
    assert "--suite-dir" in text  # the local-only traces are named, with how to convert them
    assert "FACTS.md" not in text and "DESIGN.md" not in text  # cite primary sources only


def test_no_local_only_trace_is_shipped() -> None:
    data = bundled_path("rds-cpu-cc0c53").parent
    shipped = {p.stem for p in data.iterdir() if p.suffix in (".csv", ".json")}
    assert shipped == set(EXPECTED)
    assert not any(name.startswith(("bitbrains", "nasa")) for name in shipped)
    for name in EXPECTED:
        meta = load_bundled(name).metadata
        assert meta is not None and meta.licence != "NOASSERTION"


def test_new_traces_default_rules_and_values() -> None:
    # ASG: p99 = 100 % maps to 16 ACU (the same numbers as percent of 16 ACU).
    asg = load_bundled("asg-cpu-misconfiguration")
    assert asg.metadata is not None
    assert asg.metadata.demand_rule == P99ToPeakAcuRule(peak_acu=16)
    acu = demand_series(asg.single(), step_s=300, rule=asg.metadata.demand_rule).demand_acu
    assert float(np.percentile(asg.single().value, 99)) == 100.0
    assert np.nanmax(acu) == pytest.approx(16.0)
    assert acu[0] == pytest.approx(asg.single().value[0] * 0.16)
    # Bursty EC2: percent of a 16-ACU MaxCapacity; baseline ~0.41 ACU, bursts to 15.9.
    bursty = load_bundled("ec2-cpu-bursty-fe7f93")
    assert bursty.metadata is not None
    assert bursty.metadata.demand_rule == PercentOfMaxAcuRule(max_acu=16)
    acu = demand_series(bursty.single(), step_s=300, rule=bursty.metadata.demand_rule).demand_acu
    assert np.nanmedian(acu) == pytest.approx(2.582 / 100 * 16)
    assert np.nanmax(acu) == pytest.approx(99.668 / 100 * 16)
    # Step change: the last 38 h sit at ~99 %, ~16 ACU after the p99 rule; 34 % before.
    step = load_bundled("ec2-cpu-step-ac20cd")
    assert step.metadata is not None
    acu = demand_series(step.single(), step_s=300, rule=step.metadata.demand_rule).demand_acu
    assert np.nanmedian(acu[-400:]) > 15.5 and np.nanmedian(acu[1000:3000]) < 6.0


def test_asg_window_and_google_anchor() -> None:
    asg = load_bundled("asg-cpu-misconfiguration")
    assert asg.metadata is not None
    assert asg.metadata.changes[0].startswith("Kept raw lines 9412-18051 (8640 of 18050 rows")
    google = load_bundled("google-cell-cpu-2019").single()
    assert google.ts[0] == np.datetime64("2019-05-01T00:00:00", "s")
    assert np.all(np.diff(google.ts.astype(np.int64)) == 300)
    assert google.value[0] == pytest.approx(0.4416155843647663)  # raw first avg_cpu
