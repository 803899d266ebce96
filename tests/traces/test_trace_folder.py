"""traces.load_folder and service.inputs.bundled.folder_replay_inputs (a folder of canonical CSVs)."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from pydantic import ValidationError

from service.inputs.bundled import bundled_replay_inputs, folder_replay_inputs
from traces import (
    AcuRule,
    DemandMappingError,
    P99ToPeakAcuRule,
    PercentOfMaxAcuRule,
    TraceFormatError,
    bundled_path,
    load_folder,
)
from traces.folder import infer_step_s

HEADER = "ts,cluster_id,signal,unit,value\n"


def write(folder: Path, name: str, rows: list[tuple[str, str, str, str, float]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(HEADER + "".join(f"{t},{c},{s},{u},{v!r}\n" for t, c, s, u, v in rows), encoding="utf-8")
    return path


def minutes(
    start_min: int, values: list[float], *, unit: str = "acu", cid: str = "db", step_min: int = 1
) -> list:
    return [
        (f"2024-03-04T00:{start_min + step_min * i:02d}:00Z", cid, "load", unit, v)
        for i, v in enumerate(values)
    ]


def test_defaults_by_unit_without_metadata(tmp_path: Path) -> None:
    write(tmp_path, "a-acu.csv", minutes(0, [1.0, 2.5], step_min=5))
    write(tmp_path, "b-pct.csv", minutes(0, [50.0, 25.0], unit="percent", step_min=5))
    hours = [(h, m) for h in range(2) for m in range(0, 60, 5)]
    write(
        tmp_path,
        "c-rate.csv",
        [(f"2024-03-04T{h:02d}:{m:02d}:00Z", "web", "rps", "per_s", h * 60 + m + 1.0) for h, m in hours],
    )
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    members = load_folder(tmp_path)
    assert [m.name for m in members] == ["a-acu", "b-pct", "c-rate"]
    acu, pct, rate = members
    assert (acu.rule, acu.rule_source, acu.metadata) == (AcuRule(), "default", None)
    assert acu.demand.step_s == 300 and acu.demand.demand_acu.tolist() == [1.0, 2.5]
    assert pct.rule == PercentOfMaxAcuRule(max_acu=16) and pct.max_acu == 16.0
    assert pct.demand.demand_acu.tolist() == [8.0, 4.0]  # 50 % and 25 % of 16 ACU
    assert rate.rule == P99ToPeakAcuRule(peak_acu=16)
    p99 = float(np.percentile(rate.series.value, 99))
    assert rate.demand.demand_acu[-1] == pytest.approx(rate.series.value[-1] * 16 / p99)
    assert rate.read_frac is None and rate.cluster_id == "web"


def test_a_60_s_csv_is_gridded_at_60_s(tmp_path: Path) -> None:
    values = [1.0, 2.0, 3.0, 4.0]
    rows = minutes(0, values[:2]) + minutes(3, values[2:])  # minute 2 missing
    write(tmp_path, "one-minute.csv", rows)
    (member,) = load_folder(tmp_path)
    assert infer_step_s(member.series) == 60
    demand = member.demand
    assert (demand.step_s, demand.n_steps, demand.n_missing) == (60, 5, 1)
    assert demand.demand_acu[[0, 1, 3, 4]].tolist() == values and np.isnan(demand.demand_acu[2])


def test_step_inference_takes_the_median_interval_to_the_minute(tmp_path: Path) -> None:
    jittered = [1372629804, 1372630104, 1372630403, 1372630704, 1372631011, 1372631611]  # Bitbrains-like
    rows = [
        (f"{np.datetime_as_string(np.datetime64(t, 's'))}Z", "vm", "cpu", "relative", 1.0) for t in jittered
    ]
    (member,) = load_folder(write(tmp_path, "vm.csv", rows).parent)
    assert infer_step_s(member.series) == 300  # steps 300, 299, 301, 307, 600: median 301 -> 300
    assert member.demand.n_steps == 7 and member.demand.n_missing == 1


def test_multi_series_csv_names_each_series(tmp_path: Path) -> None:
    rows = minutes(0, [1.0, 2.0], cid="a", step_min=5) + minutes(0, [3.0, 4.0], cid="b", step_min=5)
    write(tmp_path, "fleet.csv", sorted(rows))
    assert [m.name for m in load_folder(tmp_path)] == ["fleet/a/load", "fleet/b/load"]


def test_metadata_beside_the_csv_gives_rule_step_and_read_share(tmp_path: Path) -> None:
    shutil.copy(bundled_path("rds-cpu-cc0c53"), tmp_path / "mine.csv")
    meta = json.loads(bundled_path("rds-cpu-cc0c53").with_suffix(".json").read_text(encoding="utf-8"))
    meta.update(demand_rule={"rule": "percent_of_max_acu", "max_acu": 32.0}, read_frac=0.8)
    (tmp_path / "mine.json").write_text(json.dumps(meta), encoding="utf-8")
    (member,) = load_folder(tmp_path, max_acu=4.0)  # the default's max_acu does not apply
    assert member.rule_source == "metadata" and member.rule == PercentOfMaxAcuRule(max_acu=32)
    assert member.read_frac == 0.8 and member.max_acu == 32.0
    bundled_demand, _ = bundled_replay_inputs("rds-cpu-cc0c53")
    assert np.allclose(member.demand.demand_acu, bundled_demand.demand_acu * 2, equal_nan=True)
    (name, demand, cluster), *_ = folder_replay_inputs(tmp_path)
    assert name == "mine" and cluster.limits.max_acu == 32.0 and cluster.read_frac == 0.8
    assert cluster.cluster_id == "rds-cc0c53" and demand is not None


def test_folder_scores_a_bundled_trace_exactly_like_the_bundle(tmp_path: Path) -> None:
    for name in ("rds-cpu-cc0c53", "elb-requests-8c0756"):
        shutil.copy(bundled_path(name), tmp_path)
        shutil.copy(bundled_path(name).with_suffix(".json"), tmp_path)
    got = {name: (demand, cluster) for name, demand, cluster in folder_replay_inputs(tmp_path)}
    for name in ("rds-cpu-cc0c53", "elb-requests-8c0756"):
        demand, cluster = bundled_replay_inputs(name)
        assert np.array_equal(got[name][0].demand_acu, demand.demand_acu, equal_nan=True)
        assert got[name][0].start == demand.start and got[name][0].step_s == demand.step_s
        assert got[name][1] == cluster


def test_replay_inputs_defaults_and_overrides(tmp_path: Path) -> None:
    write(tmp_path, "pct.csv", minutes(0, [50.0, 100.0], unit="percent", step_min=5))
    write(tmp_path, "rel.csv", minutes(0, [1.0, 2.0], unit="relative", step_min=5))
    (pct_name, pct, pct_cluster), (_, rel, rel_cluster) = folder_replay_inputs(tmp_path)
    assert pct_name == "pct" and pct.demand_acu.tolist() == [8.0, 16.0]
    assert pct_cluster.limits.max_acu == 16.0 and pct_cluster.read_frac == 0.5
    assert rel_cluster.limits.max_acu == 128.0  # ClusterSpec's default for a p99-scaled series
    assert rel.demand_acu[-1] == pytest.approx(2.0 * 16 / float(np.percentile([1.0, 2.0], 99)))
    (_, pct, pct_cluster), (_, rel, _) = folder_replay_inputs(tmp_path, max_acu=32, peak_acu=8, read_frac=0.2)
    assert pct.demand_acu.tolist() == [16.0, 32.0] and pct_cluster.limits.max_acu == 32.0
    assert pct_cluster.read_frac == 0.2
    assert rel.demand_acu[-1] == pytest.approx(2.0 * 8 / float(np.percentile([1.0, 2.0], 99)))
    with pytest.raises(ValidationError):
        folder_replay_inputs(tmp_path, max_acu=10.3)  # off the 0.5 grid, refused before reading


def test_bad_files_give_one_line_errors_naming_file_row_and_field(tmp_path: Path) -> None:
    cases = {
        "bad.csv": (HEADER + "2024-03-04T00:00:00Z,db,load,acu,-1\n", r"^bad.csv row 2, field 'value': '-1'"),
        "late.csv": (
            HEADER + "2024-03-04T00:05:00Z,db,load,acu,1\n2024-03-04T00:00:00Z,db,load,acu,1\n",
            r"^late.csv row 3, field 'ts': timestamp 2024-03-04T00:00:00Z is earlier",
        ),
        "head.csv": ("ts,value\n", r"^head.csv row 1: header is missing column"),
    }
    for name, (text, message) in cases.items():
        folder = tmp_path / name.removesuffix(".csv")
        folder.mkdir()
        (folder / name).write_text(text, encoding="utf-8")
        with pytest.raises(TraceFormatError, match=message) as info:
            load_folder(folder)
        assert "\n" not in str(info.value)
    (tmp_path / "empty").mkdir()
    with pytest.raises(TraceFormatError, match=r"^empty: no \*.csv trace in the folder$"):
        load_folder(tmp_path / "empty")
    with pytest.raises(TraceFormatError) as missing:
        folder_replay_inputs(tmp_path / "nope")
    # the whole path as given (an absolute one read as a bare name without its "/" before)
    assert str(missing.value) == f"{tmp_path / 'nope'} is not a folder (or it does not exist)"


def test_bad_metadata_names_the_json_and_field(tmp_path: Path) -> None:
    shutil.copy(bundled_path("rds-cpu-cc0c53"), tmp_path / "m.csv")
    meta = json.loads(bundled_path("rds-cpu-cc0c53").with_suffix(".json").read_text(encoding="utf-8"))
    (tmp_path / "m.json").write_text(
        json.dumps({**meta, "demand_rule": {"rule": "percent_of_max_acu", "max_acu": -1}})
    )
    with pytest.raises(
        TraceFormatError, match=r"^m.json, field 'demand_rule.percent_of_max_acu.max_acu': invalid"
    ):
        load_folder(tmp_path)
    (tmp_path / "m.json").write_text(json.dumps({**meta, "n_rows": 5}))
    with pytest.raises(TraceFormatError, match=r"^m.json: metadata of 'rds-cpu-cc0c53' declares"):
        load_folder(tmp_path)
    (tmp_path / "m.json").write_text("{not json")
    with pytest.raises(TraceFormatError, match=r"^m.json: invalid metadata JSON"):
        load_folder(tmp_path)
    (tmp_path / "m.json").write_text(json.dumps({**meta, "demand_rule": {"rule": "acu"}}))
    with pytest.raises(DemandMappingError, match=r"^m.csv, field 'unit': .* rule 'acu' needs unit 'acu'"):
        load_folder(tmp_path)
    (tmp_path / "m.json").write_text(
        json.dumps({**meta, "demand_rule": {"rule": "percent_of_max_acu", "max_acu": 10.3}})
    )
    with pytest.raises(TraceFormatError, match=r"^m.json, field 'demand_rule.max_acu': cannot replay"):
        folder_replay_inputs(tmp_path)


def test_zero_p99_names_the_csv(tmp_path: Path) -> None:
    write(tmp_path, "idle.csv", minutes(0, [0.0, 0.0], unit="relative", step_min=5))
    with pytest.raises(DemandMappingError, match=r"^idle.csv: series \(db, load\) has p99 0.0"):
        load_folder(tmp_path)


@pytest.mark.parametrize(
    ("seconds", "expected"),
    [([0], 300), ([0, 60, 120, 300, 360], 60), ([0, 10, 20, 31], 10), ([0, 290, 600, 905], 300)],
    ids=["one-sample", "60s-with-gap", "10s", "jittered-300s"],
)
def test_infer_step_s(tmp_path: Path, seconds: list[int], expected: int) -> None:
    rows = [(f"{np.datetime_as_string(np.datetime64(t, 's'))}Z", "c", "s", "acu", 1.0) for t in seconds]
    (member,) = load_folder(write(tmp_path, "t.csv", rows).parent)
    assert infer_step_s(member.series) == expected == member.demand.step_s
