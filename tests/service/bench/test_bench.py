"""``acuplan bench``: bench.json layout, dominance and targets on tiny folder traces, outputs, errors.

Traces here are short synthetic canonical CSVs in a tmp ``--traces-dir``: a flat load
(Aurora alone has no SLO minute, so costs are exact), a periodic spike (Aurora alone has
well over 5 SLO minutes) and a diurnal one. Whole bundled traces only under ``slow``.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from policy import ReplayConfig
from service.bench.report import _bucket, display_name, worst_event
from service.bench.run import folder_members, run_bench
from service.cli.main import main
from service.version import package_version, source_commit
from traces import diurnal_demand, format_ts

T0 = datetime(2024, 5, 6, tzinfo=UTC)
PEERS = "reactive,static-peak,vpa,predictive-scaling,hpa-readers"
PEER_FAMILIES = ("reactive", "vpa", "predictive-scaling", "hpa-readers")


def _csv(folder: Path, name: str, values: Any) -> None:
    start = int(T0.timestamp())
    rows = "".join(f"{format_ts(start + 300 * i)},{name},load,acu,{v:.3f}\n" for i, v in enumerate(values))
    (folder / f"{name}.csv").write_text("ts,cluster_id,signal,unit,value\n" + rows, encoding="utf-8")


def _spiky(n: int) -> np.ndarray:
    """1 ACU, with a one-step jump to 12 ACU every 2 hours."""
    v = np.full(n, 1.0)
    v[17::24] = 12.0
    return v


def _folder(tmp_path: Path, n: int) -> Path:
    folder = tmp_path / "traces"
    folder.mkdir()
    _csv(folder, "flat", np.full(n, 1.0))
    _csv(folder, "spiky", _spiky(n))
    _csv(folder, "diurnal", diurnal_demand(n, seed=3, base_acu=1, peak_acu=6, burst_prob=0.05))
    return folder


def _deterministic(doc: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in doc.items() if k not in ("timing", "throughput")}


def _points(section: dict[str, Any]) -> list[tuple[str, str, float, float]]:
    """(label, family, cost, SLO minutes) of every default run and frontier point."""
    out = [(p, p, s["cost_usd"], s["slo_violation_min"]) for p, s in section["policies"].items()]
    for family, pts in section["frontier"].items():
        out += [(pt["label"], family, pt["cost_usd"], pt["slo_violation_min"]) for pt in pts]
    return out


def _dominators(label: str, cost: float, slo: float, points: list[tuple[str, str, float, float]]) -> set[str]:
    """Independent re-statement of issue 9's rule: a peer point with <= minutes at <= 0.99x cost."""
    return {
        lab
        for lab, fam, c, m in points
        if fam in PEER_FAMILIES and lab != label and m <= slo and c <= 0.99 * cost
    }


def test_bench_on_a_folder_writes_the_scoreboard_and_every_output(tmp_path: Path) -> None:
    # 2.5 days at 300 s: 2 days of warm-up, 12 h scored; the cheap policies at one profile.
    folder = _folder(tmp_path, 720)
    out = tmp_path / "out"
    args = [
        "bench",
        "--traces-dir",
        str(folder),
        "--out",
        str(out),
        "--workers",
        "1",
    ]
    code = main([*args, "--policies", f"{PEERS},bound", "--ramp-profiles", "default"])
    assert code == 0
    doc = json.loads((out / "bench.json").read_text())
    assert "throughput" not in doc  # it times acuplan: without acuplan, no fleet unless asked for

    assert list(doc["traces"]) == ["diurnal", "flat", "spiky"]  # file-name order
    assert doc["ramp_profiles"] == ["default"] and doc["peers"] == list(PEER_FAMILIES)
    flat = doc["traces"]["flat"]
    assert flat["source"] == "folder" and flat["ramp_profile"] == "default" and flat["profiles"] == {}
    assert flat["cluster"]["limits"]["max_acu"] == 128.0  # unit acu without metadata: the default cluster
    pol = flat["policies"]
    for score in pol.values():
        keys = {"cost_usd", "slo_violation_min", "cost_vs_bound", "slo_share_of_reactive", "dominated_by"}
        assert keys <= set(score)
    # 1 ACU split over the writer and the tier-1 reader: each instance's scaler holds
    # ceil_half(0.5 / 0.7) = 1 ACU, so 2 ACU x 12 h x $0.12; nothing violates, the bound is the same.
    assert pol["reactive"]["cost_usd"] == pytest.approx(2.88)
    assert pol["reactive"]["slo_violation_min"] == 0.0 and pol["reactive"]["slo_share_of_reactive"] is None
    assert pol["bound"]["cost_usd"] == pytest.approx(2.88) and pol["bound"]["cost_vs_bound"] == 1.0
    reactive = {p["value"]: p["cost_usd"] for p in flat["frontier"]["reactive"]}
    assert reactive == pytest.approx({0.5: 2.88, 1.0: 2.88, 2.0: 5.76, 4.0: 11.52, 8.0: 23.04, 16.0: 46.08})
    assert [p["value"] for p in flat["frontier"]["vpa"]] == [0.5, 0.7, 0.8, 0.9, 0.95, 0.99]
    assert [p["value"] for p in flat["frontier"]["predictive-scaling"]] == [0.5, 0.6, 0.7, 0.8, 0.9]
    # static-peak (Min = Max = 1 ACU) costs 2.88 too, yet never dominates: hindsight is no peer.
    assert pol["static-peak"]["cost_usd"] == pytest.approx(2.88)
    beaten = flat["frontier"]["reactive"][2]["dominated_by"]  # reactive@2 at 5.76
    assert {"reactive", "reactive@0.5", "reactive@1", "hpa-readers"} <= set(beaten)
    assert "static-peak" not in beaten and "bound" not in beaten
    # The same cost is no win: reactive@1 does not dominate reactive.
    assert pol["reactive"]["dominated_by"] == []
    assert flat["targets"] == {"met": None, "why": "needs acuplan and reactive runs"} | {
        k: flat["targets"][k] for k in flat["targets"] if k not in ("met", "why")
    }
    assert doc["targets_met"] == {"default": {"diurnal": None, "flat": None, "spiky": None}}

    spiky = doc["traces"]["spiky"]
    assert spiky["policies"]["reactive"]["slo_violation_min"] >= 5.0
    for name, trace in doc["traces"].items():
        points = _points(trace)
        for label, _, cost, slo in points:
            where = trace["policies"].get(label) or next(
                p for pts in trace["frontier"].values() for p in pts if p["label"] == label
            )
            assert set(where["dominated_by"]) == _dominators(label, cost, slo, points), (name, label)

    md = (out / "bench.md").read_text().splitlines()
    assert md[0] == "# acuplan bench"
    assert doc["code"]["acuplan"] == package_version() and doc["code"]["commit"] == source_commit()
    assert md[2].startswith(f"Written by acuplan {package_version()}")
    assert md[4].startswith(
        "| trace | ramp | days | your floor ACU | Aurora alone at your floor: USD | SLO min | acuplan"
    )
    diurnal = doc["traces"]["diurnal"]
    window = datetime.fromisoformat(diurnal["scored_until"]) - datetime.fromisoformat(diurnal["scored_from"])
    days = window.total_seconds() / 86_400
    row = md[6].split(" | ")
    assert row[:4] == ["| diurnal", "default", f"{days:.1f}", "0.5"]  # ClusterSpec's default MinCapacity
    assert row[8] == "-"  # acuplan's changes per day: acuplan did not run here
    assert "**Costs and minutes are totals** over each trace's scored window" in "\n".join(md)
    assert "static-peak` is not a peer: it sizes the cluster with hindsight" in "\n".join(md)
    assert "**SLO min** (SLO-violation minutes): minutes in which some instance ran above 95% of" in (
        "\n".join(md)
    )
    idle = [
        n
        for n in ("hpa-readers", "vpa", "predictive-scaling")
        if all(t["policies"][n]["scaling_actions"] == 0 for t in doc["traces"].values())
    ]
    never = [line.split(" (")[0].rstrip(".") for line in md if line.startswith("**Never acted**")]
    assert never == (
        [f"**Never acted** on any trace here: {', '.join(f'`{n}`' for n in idle)}"] if idle else []
    )
    for name in ("bench.html", "frontier-flat.png", "capacity-spiky.png"):
        assert (out / name).stat().st_size > 0
    page = (out / "bench.html").read_text()
    assert page.count("data:image/png;base64,") == 6 and 'src="http' not in page
    assert page.index("Aurora alone at your floor: USD") < page.index("<h2>")  # the table opens the page

    again = run_bench(
        members=folder_members(folder),
        policies=[*PEERS.split(","), "bound"],
        workers=1,
        scheduler=None,
        fleet=None,
        profiles=["default"],
    )
    assert _deterministic(again.doc) == _deterministic(doc)


def test_run_bench_with_acuplan_judges_the_targets_per_profile(tmp_path: Path) -> None:
    # 1.5 days with a 1-day warm-up: 12 acuplan re-plans per profile and sweep point.
    folder = _folder(tmp_path, 432)
    result = run_bench(
        members=folder_members(folder),
        policies=["reactive", "vpa", "acuplan", "bound"],
        workers=1,
        scheduler=None,
        fleet=None,
        config=ReplayConfig(warmup_s=86_400),
        profiles=["default", "slow"],
    )
    doc = result.doc

    assert set(doc["targets_met"]) == {"default", "slow"}
    for name, trace in doc["traces"].items():
        assert list(trace["profiles"]) == ["slow"]
        for prof, sec in [("default", trace), ("slow", trace["profiles"]["slow"])]:
            t, pol = sec["targets"], sec["policies"]
            a, r, b = pol["acuplan"], pol["reactive"], pol["bound"]
            # every fixed quantile is a swept point; the production run learns its own
            assert [p["value"] for p in sec["frontier"]["acuplan"]] == [0.7, 0.8, 0.85, 0.9, 0.95, 0.99]
            assert all(p["label"].startswith("acuplan@q") for p in sec["frontier"]["acuplan"])
            counted = sum((a["replans_by_risk_quantile"] or {}).values()) + a["replans_aurora_alone"]
            assert counted == a["n_replans"]
            assert t["dominated_by"] == a["dominated_by"]
            assert t["checks"]["not_dominated"] is (not a["dominated_by"])
            if r["slo_violation_min"] == 0:
                assert t["applicable"] == ["not_dominated", "cost_vs_reactive"]
                assert t["checks"]["cost_vs_reactive"] is (a["cost_usd"] <= 1.02 * r["cost_usd"])
            elif r["slo_violation_min"] >= 5:
                assert t["applicable"] == ["not_dominated", "slo_share_of_reactive", "cost_vs_bound"]
                assert t["checks"]["slo_share_of_reactive"] is (
                    a["slo_violation_min"] <= 0.2 * r["slo_violation_min"]
                )
                assert t["checks"]["cost_vs_bound"] is (a["cost_usd"] <= 1.25 * b["cost_usd"])
            assert t["met"] is all(t["checks"].values())
            assert doc["targets_met"][prof][name] is t["met"]
            assert b["slo_violation_min"] == 0.0
            if a["slo_violation_min"] == 0.0 and a["shortfall_acu_h"] == 0.0:
                assert a["cost_usd"] >= b["cost_usd"] - 1e-6  # the bound is a lower bound
            assert a["cost_vs_bound"] == pytest.approx(a["cost_usd"] / b["cost_usd"], rel=1e-5)
    flat, spiky = doc["traces"]["flat"], doc["traces"]["spiky"]
    assert flat["targets"]["applicable"] == ["not_dominated", "cost_vs_reactive"]
    assert spiky["profiles"]["slow"]["targets"]["applicable"] == [
        "not_dominated",
        "slo_share_of_reactive",
        "cost_vs_bound",
    ]
    # The slow ramp leaves Aurora alone further behind each spike than the default one.
    slow_r = spiky["profiles"]["slow"]["policies"]["reactive"]["slo_violation_min"]
    assert slow_r > spiky["policies"]["reactive"]["slo_violation_min"]
    assert set(result.runs["spiky"]) == {"default", "slow"}
    # one_setting re-counts targets.met / targets.reaching over every (trace, profile) section
    sections = [(t, name) for name, tr in doc["traces"].items() for t in (tr, tr["profiles"]["slow"])]
    acuplan, *others = doc["one_setting"]
    assert acuplan["label"] == "acuplan"
    assert acuplan["met"] == sum(t["targets"]["met"] is True for t, _ in sections)
    for rec in others:
        assert rec["met"] == sum(rec["label"] in t["targets"]["reaching"] for t, _ in sections)
        assert rec["met"] + len(rec["missed"]) == len(sections)


def test_worst_event_is_the_step_with_most_demand_per_capacity_it_started_with() -> None:
    demand = np.array([1.0, 1.0, 8.0, 2.0, np.nan])
    capacity_at_end = np.array([2.0, 2.0, 10.0, 4.0, 4.0])  # step 2 starts at step 1's 2 ACU

    assert worst_event(demand, capacity_at_end) == 2
    assert worst_event(np.full(3, np.nan), np.ones(3)) == 0


def test_long_windows_are_bucketed_peak_for_demand_mean_for_capacity() -> None:
    values = np.array([1.0, 2.0, 3.0, np.nan, 5.0])

    assert _bucket(values, 2, "max").tolist() == [2.0, 3.0, 5.0]
    assert _bucket(values, 2, "mean").tolist() == [1.5, 3.0, 5.0]


@pytest.mark.parametrize(
    ("label", "name"),
    [
        ("reactive", "Aurora alone (your MinCapacity)"),
        ("reactive@2", "Aurora alone at MinCapacity 2"),
        ("vpa@0.7", "VPA-style floor (p70 +15%)"),
        ("predictive-scaling@0.6", "predictive-scaling style (60% target)"),
        ("acuplan@q0.95", "acuplan at risk p95"),
        ("static-peak", "static at the trace's peak (hindsight)"),
        ("bound", "perfect-foresight bound"),
    ],
)
def test_points_are_named_by_what_they_are(label: str, name: str) -> None:
    assert display_name(label) == name


@pytest.mark.parametrize(
    ("setup", "args", "part"),
    [
        pytest.param(None, ["--traces-dir", "{tmp}/missing"], "/missing is not a folder", id="missing_dir"),
        pytest.param("empty", ["--traces-dir", "{tmp}/d"], "no *.csv trace in the folder", id="empty_dir"),
        pytest.param("txt", ["--traces-dir", "{tmp}/d"], "no *.csv trace in the folder", id="no_csv"),
        pytest.param("file", ["--traces-dir", "{tmp}/d"], "not a folder", id="a_file"),
        pytest.param("short", ["--traces-dir", "{tmp}/d"], "--traces-dir: short: warmup_s=", id="too_short"),
        pytest.param(
            None, ["--ramp-profiles", "default,nope"], "--ramp-profiles: unknown ['nope']", id="profile"
        ),
        pytest.param(None, ["--traces", "nope"], "--traces: unknown ['nope']", id="unknown_trace"),
        pytest.param(None, ["--max-acu", "0.7"], "--max-acu 0.7", id="off_grid_max_acu"),
    ],
)
def test_bench_bad_input_is_one_line_exit_2_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], setup: str | None, args: list[str], part: str
) -> None:
    d = tmp_path / "d"
    if setup == "file":
        d.write_text("x")
    elif setup is not None:
        d.mkdir()
    if setup == "txt":
        (d / "notes.txt").write_text("not a trace")
    if setup == "short":
        _csv(d, "short", np.ones(12))
    out = tmp_path / "out"

    code = main(["bench", "--out", str(out), *(a.format(tmp=tmp_path) for a in args)])

    err = capsys.readouterr().err.splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("error: ") and part in err[0], err
    if setup is None and args[0] == "--traces-dir":  # the whole path as typed, its "/" included
        assert err[0] == f"error: --traces-dir: {tmp_path}/missing is not a folder (or it does not exist)"
    assert not out.exists()  # nothing was written


@pytest.mark.slow
def test_bench_with_a_fleet_is_deterministic_and_identical_on_1_and_2_workers(tmp_path: Path) -> None:
    # ~1 min: the peers over a whole bundled trace twice, and a 2-cluster acuplan fleet on 1 and 2 workers.
    def bench(out: Path) -> dict[str, Any]:
        one = ["--traces", "rds-cpu-cc0c53", "--policies", PEERS, "--ramp-profiles", "default"]
        assert main(["bench", "--out", str(out), "--workers", "1", *one, "--fleet-clusters", "2"]) == 0
        doc: dict[str, Any] = json.loads((out / "bench.json").read_text())
        return doc

    a, b = bench(tmp_path / "a"), bench(tmp_path / "b")
    assert _deterministic(a) == _deterministic(b)
    assert a["traces"]["rds-cpu-cc0c53"]["source"] == "bundled"
    assert a["throughput"]["identical"] is True
    assert [r["cores"] for r in a["throughput"]["runs"]] == [1, 2]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(  # it was the matplotlib line: the mistyped option was never named
            ["--policies", "acuplna"],
            "error: --policies: unknown ['acuplna']; choose from reactive, static-peak, vpa, "
            "predictive-scaling, hpa-readers, acuplan, bound",
            id="mistyped_option",
        ),
        pytest.param(
            ["--ramp-profiles", "nope"],
            "error: --ramp-profiles: unknown ['nope']; choose from fast, default, slow",
            id="mistyped_profile",
        ),
        pytest.param(  # was dropped silently
            ["--policies", "reactive,bound,reactive"],
            "error: --policies: reactive named twice; name each once",
            id="named_twice",
        ),
        pytest.param(
            ["--policies", "reactive", "--fleet-clusters", "0"],
            "error: acuplan bench needs matplotlib: pip install 'acuplan[bench]'",
            id="good_options",
        ),
    ],
)
def test_bench_checks_its_options_before_the_matplotlib_extra(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    message: str,
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # importlib.util.find_spec: not installed
    folder = _folder(tmp_path, 3 * 288)
    out = tmp_path / "out"

    code = main(["bench", "--out", str(out), "--traces-dir", str(folder), *args])

    assert code == 2
    assert capsys.readouterr().err.splitlines() == [message]
    assert not out.exists()
