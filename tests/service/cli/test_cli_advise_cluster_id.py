"""``acuplan advise`` refuses a cluster id that AWS rejects as the commands' DbClusterIdentifier (QA 58 #1).

The id goes into every EventBridge Scheduler target and ``modify-db-cluster`` command the
advice prints, so ``Billing DB_prod`` (a space, an underscore) is one ``error:`` line and exit
code 2 before the replay, not commands AWS refuses when they fire.
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from policy.aws_names import DB_CLUSTER_IDENTIFIER_RULE
from service.cli.main import app

runner = CliRunner()


def _one_line(args: list[str]) -> str:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    [line] = result.stderr.splitlines()
    return line


def _canonical(path: Path, cluster_id: str, n: int = 3) -> Path:
    rows = [f"2024-05-06T00:{5 * i:02d}:00Z,{cluster_id},demand_acu,acu,1.0" for i in range(n)]
    path.write_text("ts,cluster_id,signal,unit,value\n" + "\n".join(rows) + "\n")
    return path


def test_a_cluster_id_aws_rejects_is_one_line_naming_the_option_and_the_rule(tmp_path: Path) -> None:
    path = _canonical(tmp_path / "billing.csv", "billing-db")

    line = _one_line(["advise", "-i", str(path), "--cluster-id", "Billing DB_prod"])

    assert line == (
        "error: --cluster-id: 'Billing DB_prod' is not a valid Aurora DBClusterIdentifier "
        f"({DB_CLUSTER_IDENTIFIER_RULE}); the timetable's commands address the cluster by it: give its "
        "identifier in AWS (e.g. --cluster-id billing-db)"
    )


def test_an_exports_cluster_id_aws_rejects_asks_for_cluster_id(tmp_path: Path) -> None:
    path = _canonical(tmp_path / "billing.csv", "Billing DB_prod")

    line = _one_line(["advise", "-i", str(path)])

    assert line == (
        "error: the exports' cluster_id 'Billing DB_prod' is not a valid Aurora DBClusterIdentifier "
        f"({DB_CLUSTER_IDENTIFIER_RULE}); the timetable's commands address the cluster by it: give its "
        "identifier in AWS with --cluster-id (e.g. billing-db)"
    )
    # --cluster-id names it: the id passes, and the three samples are then too short a history.
    named = _one_line(["advise", "-i", str(path), "--cluster-id", "billing-db"])
    assert "advice needs at least 3 days" in named


def _value_export(path: Path, days: int = 3) -> Path:
    """An AWS ``Timestamp,Value`` export (no cluster_id column), 3 days at 300 s."""
    rows = [
        f"2024-05-{6 + i // 288:02d}T{i % 288 // 12:02d}:{5 * (i % 12):02d}:00Z,30" for i in range(days * 288)
    ]
    path.write_text("Timestamp,Value\n" + "\n".join(rows) + "\n")
    return path


def test_an_input_naming_no_cluster_asks_for_cluster_id(tmp_path: Path) -> None:
    """Its commands targeted a made-up ``cluster-1``, a real cluster of that name if one exists (QA 64 #1)."""
    path = _value_export(tmp_path / "cpu.csv")
    cpu = ["--signal", "CPUUtilization Maximum", "--max-acu", "16"]

    line = _one_line(["advise", "-i", str(path), *cpu])

    assert line == (
        "error: --cluster-id: the input names no cluster (no cluster_id in its rows); give --cluster-id, the "
        "DBClusterIdentifier the commands will target (e.g. --cluster-id billing-db)"
    )
    out = tmp_path / "advice.json"
    named = runner.invoke(
        app, ["advise", "-i", str(path), *cpu, "--cluster-id", "billing-db", "--json", str(out)]
    )
    assert named.exit_code == 0, named.output
    assert "billing-db" in out.read_text() and "cluster-1" not in out.read_text()
