"""``acuplan advise`` input errors: one ``error:`` line, exit code 2, naming what the user wrote.

Each test asserts the whole message: the file, row and column as written in the file, or
the option (``--signal``, ``--trace``) at fault, and the reason.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from service.cli.main import app
from traces import format_ts

runner = CliRunner()
T0 = int(datetime(2024, 5, 6, tzinfo=UTC).timestamp())
STEP = 300


def _error(result: Any) -> str:
    """The one ``error:`` line of a refused run (exit code 2, no traceback)."""
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return str(lines[0])


def test_a_signal_with_no_acu_mapping_names_the_file_and_its_first_row(tmp_path: Path) -> None:
    rows = [f"{format_ts(T0 + STEP * i)},db,CPUUtilization,percent,30\n" for i in range(3)]
    rows += [f"{format_ts(T0 + STEP * i)},db,MysteryBytes,bytes,{1000 + i}\n" for i in range(2)]
    src = tmp_path / "long.csv"
    src.write_text("ts,cluster_id,signal,unit,value\n" + "".join(rows), encoding="utf-8")

    assert _error(runner.invoke(app, ["advise", "--input", str(src), "--max-acu", "16"])) == (
        "error: long.csv row 5, field 'signal': signal 'MysteryBytes' in unit 'bytes' has no ACU mapping: "
        "name it (e.g. working_set_bytes, FreeableMemory, DatabaseConnections) or give its kind (the first "
        "of its 2 samples)"
    )
