"""Tests of the converter's readers, windows and the local-only suite command.

Inline fixtures always; the real raw files when ../shared/traces-raw is present.
"""

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from trace_fixtures import BITBRAINS_MHZ, BITBRAINS_T, bitbrains_text, nasa_text, write_raw_dir

from traces import ConversionError, PerUnitRule, demand_series, format_ts, load_trace
from traces.convert import build_one, convert_all, convert_local, convert_one, main, read_checksums
from traces.convert_specs import LOCAL_SPECS, SPECS

BITBRAINS = next(s for s in LOCAL_SPECS if s.name == "bitbrains-vm41")
NASA = next(s for s in LOCAL_SPECS if s.name == "nasa-http-1995-1min")
ASG = next(s for s in SPECS if s.name == "asg-cpu-misconfiguration")
GOOGLE = next(s for s in SPECS if s.name == "google-cell-cpu-2019")


def test_epoch_reader_keeps_jittered_stamps_and_lists_the_gap(fake_raw: Path, tmp_path: Path) -> None:
    meta = convert_one(fake_raw, tmp_path, BITBRAINS, read_checksums(fake_raw))
    assert (meta.n_rows, meta.step_s, meta.unit, meta.licence) == (7, 300, "relative", "NOASSERTION")
    assert meta.first_ts == "2013-06-30T22:03:24Z"  # 1372629804 read as seconds, not ms
    assert "Kept 1 late sample(s) as they are (307 s after the previous one)." in meta.changes
    assert meta.changes[-1] == (
        "Kept 1 irregular step(s) as gaps (no rows added or interpolated): "
        "2013-06-30T22:23:31Z -> 2013-06-30T22:33:31Z (10 min)."
    )
    series = load_trace(tmp_path / "bitbrains-vm41.csv").single()
    assert series.ts.astype(np.int64).tolist() == BITBRAINS_T
    assert series.value.tolist() == BITBRAINS_MHZ
    # p99 -> 16 ACU on the 300-s grid: one step per sample, the 10-min gap is one NaN step.
    demand = demand_series(series, step_s=meta.step_s, rule=meta.demand_rule)
    assert demand.n_steps == 8 and demand.n_missing == 1 and np.isnan(demand.demand_acu[5])
    p99 = float(np.percentile(BITBRAINS_MHZ, 99))
    assert demand.demand_acu[4] == pytest.approx(21866.0 * 16.0 / p99)


def test_iso_reader_makes_a_60_s_rate_trace_with_gap_and_outage_zero(fake_raw: Path, tmp_path: Path) -> None:
    meta = convert_one(fake_raw, tmp_path, NASA, read_checksums(fake_raw))
    assert (meta.step_s, meta.unit, meta.n_rows) == (60, "per_s", 5)
    assert (meta.first_ts, meta.last_ts) == ("1995-07-01T04:00:00Z", "1995-07-01T04:06:00Z")  # -04:00 -> UTC
    assert meta.changes[-1].endswith("1995-07-01T04:02:00Z -> 1995-07-01T04:05:00Z (3 min).")
    series = load_trace(tmp_path / "nasa-http-1995-1min.csv").single()
    # requests / seconds_covered: 42/59, 61/60, 57/60, the outage zero, 30/25
    assert series.value.tolist() == pytest.approx([42 / 59, 61 / 60, 57 / 60, 0.0, 30 / 25])
    # 60-s end to end: load_trace -> demand_series at the metadata's step.
    demand = demand_series(series, step_s=meta.step_s, rule=PerUnitRule(acu_s_per_unit=1.0))
    assert demand.step_s == 60 and demand.n_steps == 7 and demand.n_missing == 2
    assert np.isnan(demand.demand_acu[3]) and np.isnan(demand.demand_acu[4])
    assert demand.demand_acu[5] == 0.0  # recorded outage zero stays zero, not missing
    assert format_ts(int(demand.start.timestamp())) == "1995-07-01T04:00:00Z"


def test_in_memory_build_equals_the_written_files(fake_raw: Path, tmp_path: Path) -> None:
    sums = read_checksums(fake_raw)
    for spec in LOCAL_SPECS:
        built = build_one(fake_raw, spec, sums).trace()
        convert_one(fake_raw, tmp_path, spec, sums)
        written = load_trace(tmp_path / f"{spec.name}.csv").single()
        series = built.single()
        assert np.array_equal(series.ts, written.ts) and np.array_equal(series.value, written.value)
        assert series.key == written.key and series.unit == written.unit
        on_disk = json.loads((tmp_path / f"{spec.name}.json").read_text(encoding="utf-8"))
        assert built.metadata is not None and built.metadata.model_dump(mode="json") == on_disk


def test_window_keeps_the_stated_rows_and_says_so(tmp_path: Path) -> None:
    rows = "".join(f"2014-06-15 {h:02d}:{m:02d}:00,{10 + m}.5\n" for h in (17, 18) for m in range(4, 60, 5))
    raw = write_raw_dir(tmp_path / "raw", {"nab/asg.csv": "timestamp,value\n" + rows})
    spec = replace(ASG, raw_file="nab/asg.csv", window=("2014-06-15 17:24:00", "2014-06-15 18:04:00"))
    built = build_one(raw, spec, read_checksums(raw))
    assert built.metadata.changes[0] == (
        "Kept raw lines 6-14 (9 of 24 rows, 2014-06-15 17:24:00 to 2014-06-15 18:04:00 on the source's "
        "clock) and dropped the rest."
    )
    assert format_ts(built.utc[0]) == "2014-06-15T22:24:00Z" and len(built.utc) == 9
    assert built.values[0] == 34.5
    with pytest.raises(ConversionError, match="does not match exactly one row"):
        off_grid = replace(spec, window=("2014-06-15 17:25:00", "2014-06-15 18:04:00"))
        build_one(raw, off_grid, read_checksums(raw))


def test_offsets_reader_uses_the_specs_column_and_epoch(tmp_path: Path) -> None:
    header = "t_offset_s,avg_cpu,avg_mem,avg_assigned_mem,avg_cycles_per_instruction\n"
    text = header + "0,0.44,0.3,0.6,148\n300,0.43,0.3,0.6,148\n"
    raw = write_raw_dir(tmp_path / "raw", {"agg/g.csv": text})
    built = build_one(raw, replace(GOOGLE, raw_file="agg/g.csv"), read_checksums(raw))
    assert [format_ts(t) for t in built.utc] == ["2019-05-01T00:00:00Z", "2019-05-01T00:05:00Z"]
    assert built.values == (0.44, 0.43)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (bitbrains_text(t=[1372629804, 1372630094]), "irregular steps shorter than 299 s"),
        (bitbrains_text().replace("1372630104,", "12:00,"), r"bitbrains.csv row 3, field 'Timestamp \[ms\]'"),
        (bitbrains_text().replace(",79.7,", ",-1,"), r"row 3, field 'CPU usage \[MHZ\]': value -1.0 out"),
        ("Timestamp [ms],CPU cores\n1,2\n", "lacks column"),
    ],
    ids=["short-step", "bad-time", "negative", "missing-column"],
)
def test_bad_raw_rows_are_refused_naming_row_and_field(tmp_path: Path, text: str, message: str) -> None:
    raw = write_raw_dir(tmp_path / "raw", {"bb/bitbrains.csv": text})
    with pytest.raises(ConversionError, match=message):
        build_one(raw, replace(BITBRAINS, raw_file="bb/bitbrains.csv"), read_checksums(raw))


def test_iso_stamps_need_an_offset(tmp_path: Path) -> None:
    raw = write_raw_dir(tmp_path / "raw", {"n/n.csv": nasa_text([("1995-07-01T00:00:00", 1, 60, 0)])})
    with pytest.raises(ConversionError, match="n.csv row 2, field 'timestamp': .* needs a UTC offset"):
        build_one(raw, replace(NASA, raw_file="n/n.csv"), read_checksums(raw))


def test_suite_dir_command_writes_every_local_trace_and_a_no_redistribution_note(
    fake_raw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "suite"
    assert main(["--suite-dir", str(out), "--raw-dir", str(fake_raw)]) == 0
    names = [s.name for s in LOCAL_SPECS]
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["PROVENANCE.md", *(f"{n}.csv" for n in names), *(f"{n}.json" for n in names)]
    )
    assert "nasa-http-1995-1min: 5 rows, 1995-07-01T04:00:00Z .. 1995-07-01T04:06:00Z, step 60 s" in (
        capsys.readouterr().out
    )
    provenance = (out / "PROVENANCE.md").read_text(encoding="utf-8")
    assert "do not commit, publish or redistribute them" in provenance
    assert all(f"## {n}" in provenance for n in names)


def test_suite_dir_inside_the_package_is_refused(fake_raw: Path, capsys: pytest.CaptureFixture[str]) -> None:
    package_data = Path(__file__).resolve().parents[2] / "traces" / "data" / "local"
    with pytest.raises(ConversionError, match="must be outside the traces package"):
        convert_local(fake_raw, package_data)
    assert not package_data.exists()
    assert main(["--suite-dir", str(package_data), "--raw", str(fake_raw)]) == 1
    assert capsys.readouterr().err.startswith("error: local: the suite folder must be outside")


def test_missing_raw_folder_is_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--suite-dir", str(tmp_path / "s"), "--raw-dir", str(tmp_path / "nope")]) == 1
    assert capsys.readouterr().err == "error: nope: raw trace folder not found\n"


def test_real_raw_reproduces_the_bundle_byte_for_byte(real_raw: Path, tmp_path: Path) -> None:
    convert_all(real_raw, tmp_path)
    data = Path(__file__).resolve().parents[2] / "traces" / "data"
    for path in sorted(data.iterdir()):
        assert (tmp_path / path.name).read_bytes() == path.read_bytes(), path.name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in data.iterdir())


def test_real_raw_local_traces(real_raw: Path, tmp_path: Path) -> None:
    metadata = {m.name: m for m in convert_local(real_raw, tmp_path)}
    assert {n: m.n_rows for n, m in metadata.items()} == {
        "bitbrains-vm41": 8251,
        "bitbrains-vm303": 8262,
        "bitbrains-vm392": 8261,
        "nasa-http-1995-1min": 84333,
    }
    nasa = metadata["nasa-http-1995-1min"]
    assert (nasa.first_ts, nasa.last_ts, nasa.step_s) == ("1995-07-01T04:00:00Z", "1995-09-01T03:59:00Z", 60)
    assert nasa.changes[-1] == (
        "Kept 1 irregular step(s) as gaps (no rows added or interpolated): "
        "1995-07-28T17:32:00Z -> 1995-08-01T04:00:00Z (4948 min)."
    )
    series = load_trace(tmp_path / "nasa-http-1995-1min.csv").single()
    demand = demand_series(series, step_s=60, rule=nasa.demand_rule)
    assert demand.n_steps == 89280 and demand.n_missing == 4947  # the July 28-31 hole, missing
    ts = demand.ts
    outage = (ts >= np.datetime64("1995-08-01T18:53")) & (ts < np.datetime64("1995-08-03T08:36"))
    assert outage.sum() == 2263 and np.all(demand.demand_acu[outage] == 0.0)  # recorded zeros
    assert np.nanpercentile(demand.demand_acu, 99) == pytest.approx(24.0, rel=0.01)  # p99 -> 24 ACU
    vm41 = load_trace(tmp_path / "bitbrains-vm41.csv").single()
    assert vm41.value.max() == pytest.approx(22123, abs=1)  # max CPU MHz of vm_41
