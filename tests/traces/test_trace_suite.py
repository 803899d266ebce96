"""Tests of traces.suite: the suite's names, shapes, shipped flags and demand."""

from pathlib import Path

import numpy as np
import pytest

from traces import TRACE_SHAPES, ConversionError, DemandMappingError, UnknownTraceError, list_bundled
from traces.convert_specs import LOCAL_SPECS, RAW_DIR_ENV, SPECS
from traces.folder import infer_step_s
from traces.suite import find_raw_dir, load_suite, suite_names

BUNDLED = [s.name for s in SPECS]
LOCAL = ["bitbrains-vm41", "bitbrains-vm303", "bitbrains-vm392", "nasa-http-1995-1min"]


@pytest.fixture
def no_raw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A working directory without ../shared/traces-raw and no $ACUPLAN_TRACES_RAW (a clean clone)."""
    (tmp_path / "repo").mkdir()
    monkeypatch.chdir(tmp_path / "repo")
    monkeypatch.delenv(RAW_DIR_ENV, raising=False)


def test_bundled_suite_is_every_bundled_trace_in_spec_order(no_raw: None) -> None:
    assert suite_names() == BUNDLED == suite_names(include_local=False)
    assert sorted(BUNDLED) == list_bundled()
    assert find_raw_dir() is None


def test_every_member_has_a_shape_and_the_suite_covers_the_issue_shapes() -> None:
    specs = [*SPECS, *LOCAL_SPECS]
    assert [s.name for s in LOCAL_SPECS] == LOCAL
    assert len({s.name for s in specs}) == len(specs)
    assert all(s.shape in TRACE_SHAPES for s in specs)
    assert all(s.shipped for s in SPECS) and not any(s.shipped for s in LOCAL_SPECS)
    assert all(s.licence in {"MIT", "CC-BY-4.0"} for s in SPECS)
    assert all(s.licence == "NOASSERTION" for s in LOCAL_SPECS)
    shapes = {s.shape for s in specs}
    assert {"bursty_vm", "web_requests_1min", "asg", "step_change", "cell_aggregate", "rds_cpu"} <= shapes
    assert len(specs) - 5 >= 6  # at least six real traces beyond the original five bundled ones


def test_bundled_members_carry_demand_by_their_default_rule(no_raw: None) -> None:
    members = load_suite(names=["asg-cpu-misconfiguration", "rds-cpu-cc0c53"])
    assert [(m.name, m.shape, m.shipped) for m in members] == [
        ("asg-cpu-misconfiguration", "asg", True),
        ("rds-cpu-cc0c53", "rds_cpu", True),
    ]
    asg, rds = members
    assert asg.demand.step_s == 300 and asg.demand.n_steps == 8640 and asg.demand.n_missing == 0
    assert np.nanmax(asg.demand.demand_acu) == pytest.approx(16.0)  # p99 (100 %) -> 16 ACU
    assert rds.demand.demand_acu[0] == pytest.approx(rds.series.value[0] / 100 * 16)
    assert rds.metadata.name == "rds-cpu-cc0c53" and rds.metadata.licence == "MIT"


def test_local_members_come_from_the_raw_folder_in_memory(fake_raw: Path, tmp_path: Path) -> None:
    assert suite_names(fake_raw) == BUNDLED + LOCAL
    members = load_suite(fake_raw, names=["nasa-http-1995-1min", "bitbrains-vm303"])
    nasa, vm = members
    assert (nasa.shape, nasa.shipped, nasa.demand.step_s) == ("web_requests_1min", False, 60)
    assert (vm.shape, vm.shipped, vm.demand.step_s) == ("daily_bursty_vm", False, 300)
    # 60-s grid: 7 steps, the 2-minute hole missing, the outage minute a recorded zero.
    acu = nasa.demand.demand_acu
    assert nasa.demand.n_steps == 7 and np.isnan(acu[3]) and np.isnan(acu[4]) and acu[5] == 0.0
    p99 = float(np.percentile(nasa.series.value, 99))
    assert acu[0] == pytest.approx(42 / 59 * 24 / p99)
    assert nasa.metadata.licence == "NOASSERTION" and nasa.metadata.step_s == 60
    assert not list(tmp_path.glob("**/*.json"))  # nothing was written
    # A common 300-s grid: each step the max of its five 1-minute samples.
    (coarse,) = load_suite(fake_raw, names=["nasa-http-1995-1min"], step_s=300)
    assert coarse.demand.step_s == 300 and coarse.demand.n_steps == 2
    assert coarse.demand.demand_acu[1] == pytest.approx(np.nanmax(acu[5:]))


def test_raw_folder_from_the_environment(
    fake_raw: Path, no_raw: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(RAW_DIR_ENV, str(fake_raw))
    assert find_raw_dir() == fake_raw
    assert suite_names()[-4:] == LOCAL
    monkeypatch.setenv(RAW_DIR_ENV, str(fake_raw / "missing"))
    with pytest.raises(ConversionError, match=r"\$ACUPLAN_TRACES_RAW: no raw-trace folder"):
        suite_names()


def test_errors(no_raw: None, tmp_path: Path) -> None:
    with pytest.raises(UnknownTraceError, match="unknown suite trace 'nasa-http-1995-1min'; valid names"):
        load_suite(names=["nasa-http-1995-1min"])  # local-only, and no raw folder here
    with pytest.raises(ConversionError, match="raw_dir: no raw-trace folder with a SHA256SUMS"):
        load_suite(tmp_path / "nowhere")
    with pytest.raises(DemandMappingError, match="step_s 60 must be an int >= the step"):
        load_suite(names=["rds-cpu-cc0c53"], step_s=60)


def test_real_raw_suite(real_raw: Path) -> None:
    members = {m.name: m for m in load_suite(real_raw, names=LOCAL)}
    assert {n: (m.demand.step_s, m.demand.n_steps, m.demand.n_missing) for n, m in members.items()} == {
        "bitbrains-vm41": (300, 8640, 389),
        "bitbrains-vm303": (300, 8640, 378),
        "bitbrains-vm392": (300, 8640, 379),
        "nasa-http-1995-1min": (60, 89280, 4947),
    }
    for m in members.values():
        present = m.demand.demand_acu[~np.isnan(m.demand.demand_acu)]
        assert np.percentile(m.series.value, 99) > 0 and np.all(present >= 0)
    assert infer_step_s(members["bitbrains-vm41"].series) == 300
