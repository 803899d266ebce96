"""``recommend``/``advise``: FreeableMemory impossible at --max-acu is one error line naming it (QA 55 B)."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli.main import app
from traces import format_ts

runner = CliRunner()
T0 = 1_709_251_200  # 2024-03-01T00:00:00Z


def _mem(path: Path) -> Path:
    """The QA export: 3 days + 1 h of 5-minute FreeableMemory (20-28 GiB free) and CPUUtilization."""
    rows = ["ts,cluster_id,signal,unit,value,statistic\n"]
    for i in range(3 * 288 + 12):
        wave = math.sin(i / 288 * 2 * math.pi)
        rows.append(
            f"{format_ts(T0 + 300 * i)},db1,FreeableMemory,bytes,{(24 + 4 * wave) * 2**30:.0f},Minimum\n"
        )
        rows.append(f"{format_ts(T0 + 300 * i)},db1,CPUUtilization,percent,{20 + 10 * wave:.2f},Maximum\n")
    path.write_text("".join(rows), encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["recommend", "advise"])
def test_free_memory_above_max_acu_x_2_gib_is_one_line_naming_max_acu(tmp_path: Path, command: str) -> None:
    result = runner.invoke(app, [command, "--input", str(_mem(tmp_path / "mem.csv")), "--max-acu", "4"])

    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [
        "error: --max-acu: FreeableMemory reached 28.00 GiB at 2024-03-01 06:00Z (876 of 876 samples "
        "above 8 GiB), more than the 8 GiB a MaxCapacity of 4 ACU has (2 GiB per ACU): FreeableMemory is "
        "the memory free at MaxCapacity, so the cluster's MaxCapacity is at least 14 ACU; give its real "
        "MaxCapacity"
    ]


def test_the_same_export_at_the_least_max_capacity_it_allows_is_planned(tmp_path: Path) -> None:
    result = runner.invoke(app, ["recommend", "--input", str(_mem(tmp_path / "mem.csv")), "--max-acu", "14"])
    assert result.exit_code == 0, result.output
