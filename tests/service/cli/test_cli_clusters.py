"""Exports naming several clusters: the clusters are checked before duplicates, ``--cluster-id`` picks one.

Two clusters' rows at the same timestamps were reported as 1,152 conflicting duplicates;
the clusters are now known before the samples are compared (``service.inputs.signals.read_uploads``),
and ``--cluster-id`` (or ``cluster.cluster_id`` of recommend's ``--config``) reads that
cluster's rows only (``traces.formats.parse_any(select_cluster=...)``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from service.cli.main import app
from traces import format_ts
from traces.formats import parse_any

runner = CliRunner()
T0 = 1_714_953_600  # 2024-05-06T00:00:00Z
N = 3 * 288
HEADER = "ts,cluster_id,signal,unit,value\n"


def _rows(cluster: str, base: float) -> list[str]:
    """3 days at 5 min: ``base`` ACU with a 4-ACU business-hours bump."""
    return [
        f"{format_ts(T0 + 300 * i)},{cluster},load,acu,{base + 4 * (9 <= (i % 288) / 12 < 17):g}\n"
        for i in range(N)
    ]


def _write(path: Path, *rows: list[str]) -> Path:
    path.write_text(HEADER + "".join(r for block in rows for r in block), encoding="utf-8")
    return path


@pytest.fixture
def two(tmp_path: Path) -> Path:
    """One file, two clusters' rows at the same timestamps, interleaved, with other values."""
    orders, billing = _rows("orders-db", 1.0), _rows("billing-db", 3.0)
    return _write(tmp_path / "two.csv", [row for pair in zip(orders, billing, strict=True) for row in pair])


def _error(result: Any) -> str:
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    return str(lines[0])


SEVERAL = (
    "error: two.csv names 2 clusters (billing-db, orders-db); give one cluster's rows per run, or choose one "
    "with --cluster-id"
)


@pytest.mark.parametrize("command", ["recommend", "advise"])
def test_two_clusters_at_the_same_times_are_named_not_counted_as_conflicts(two: Path, command: str) -> None:
    assert _error(runner.invoke(app, [command, "--input", str(two)])) == SEVERAL


@pytest.mark.parametrize("command", ["recommend", "advise"])
def test_a_cluster_id_the_exports_do_not_name_is_refused(two: Path, command: str) -> None:
    assert _error(runner.invoke(app, [command, "--input", str(two), "--cluster-id", "c1"])) == (
        "error: --cluster-id: two.csv names no cluster 'c1'; it names 2: billing-db, orders-db"
    )


def test_the_config_files_cluster_id_picks_the_rows_or_is_named(two: Path, tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('[cluster]\ncluster_id = "c1"\n', encoding="utf-8")

    assert _error(runner.invoke(app, ["recommend", "--input", str(two), "--config", str(config)])) == (
        "error: c.toml: cluster.cluster_id: two.csv names no cluster 'c1'; it names 2: billing-db, orders-db"
    )

    config.write_text('[cluster]\ncluster_id = "billing-db"\n', encoding="utf-8")
    result = runner.invoke(app, ["recommend", "--input", str(two), "--config", str(config)])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == (
        f"inputs: two.csv: {N} points; signals: load (acu, statistic not given: "
        f"values read as given, {N} points every 300 s)"
    )


def _recommend(tmp_path: Path, name: str, *args: str) -> dict[str, Any]:
    out = tmp_path / f"{name}.json"
    result = runner.invoke(app, ["recommend", *args, "--json", str(out)])
    assert result.exit_code == 0, result.output
    read = (
        f"{Path(args[1]).name}: {N} points; signals: load (acu, statistic not given: "
        f"values read as given, {N} points every 300 s)"
    )
    assert result.stdout.splitlines()[0] == f"inputs: {read}"
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


@pytest.mark.parametrize(("cluster", "base"), [("orders-db", 1.0), ("billing-db", 3.0)])
def test_cluster_id_reads_that_clusters_rows_only(
    two: Path, tmp_path: Path, cluster: str, base: float
) -> None:
    alone = _write(tmp_path / "alone.csv", _rows(cluster, base))

    picked = _recommend(tmp_path, "picked", "--input", str(two), "--cluster-id", cluster)
    own = _recommend(tmp_path, "own", "--input", str(alone))

    assert picked["cluster_id"] == own["cluster_id"] == cluster
    assert picked["settings"] == own["settings"]  # the same plan as from its own rows alone


def test_cluster_id_picks_across_files_and_still_names_a_single_clusters_export(tmp_path: Path) -> None:
    a = _write(tmp_path / "a.csv", _rows("orders-db", 1.0))
    b = _write(tmp_path / "b.csv", _rows("billing-db", 3.0))

    assert _error(runner.invoke(app, ["recommend", "-i", str(a), "-i", str(b)])) == (
        "error: a.csv, b.csv names 2 clusters (billing-db, orders-db); give one cluster's rows per run, or "
        "choose one with --cluster-id"
    )
    picked = runner.invoke(app, ["recommend", "-i", str(a), "-i", str(b), "--cluster-id", "orders-db"])
    assert picked.exit_code == 0, picked.output
    assert picked.stdout.splitlines()[0].startswith(f"inputs: a.csv, b.csv: {N} points;")
    named = runner.invoke(app, ["recommend", "-i", str(a), "--cluster-id", "orders"])  # one cluster: a name
    assert named.exit_code == 0, named.output
    assert "cluster orders: plan for" in named.stdout


def test_select_cluster_skips_the_other_clusters_rows_unread() -> None:
    text = (
        HEADER
        + f"{format_ts(T0)},a,load,acu,1\n"
        + f"{format_ts(T0)},b,load,acu,2\n"  # the same time, another value: not a conflict
        + f"{format_ts(T0 + 300)},b,load,acu,oops\n"  # another cluster's bad row: not read
        + f"{format_ts(T0 + 300)}, ,load,acu,1\n"  # a blank cluster_id is still a problem
    )

    upload = parse_any(text.encode(), name="u.csv", select_cluster="a")

    assert upload.cluster_ids == {"a"}
    assert upload.n_rows == 2
    assert [(p.where, p.field, p.reason) for p in upload.problems] == [
        ("u.csv row 5", "cluster_id", "cluster_id is blank")
    ]
    assert upload.signals[("load", "unknown")].values == [1.0]
