"""One rule for every command that writes files: no output is an input or another output.

``service.cli.output.check_output_paths`` compares resolved paths (``..``, symlinks) and, when
both exist, the files themselves (a hard link); it runs before any work, so the refused
command reads nothing, writes nothing and leaves every file as it was.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from service.cli.inputs import CliInputError
from service.cli.main import app
from service.cli.output import check_output_paths, same_file
from traces import format_ts

runner = CliRunner()
T0 = int(datetime(2024, 5, 6, tzinfo=UTC).timestamp())


def _overwrites(output: str, source: str) -> str:
    """The one-line refusal of an output naming an input (``"--json g2.csv"``, ``"--input g2.csv"``)."""
    return f"error: {output}: the same file as {source}, which it would overwrite; give another path"


INPUT_JSON = _overwrites("--json g2.csv", "--input g2.csv")


@pytest.fixture
def here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in a fresh folder holding ``g2.csv`` (3 days of one cluster) and ``c.toml``."""
    monkeypatch.chdir(tmp_path)
    rows = "".join(f"{format_ts(T0 + 300 * i)},g2,load,acu,{1 + i % 12}\n" for i in range(3 * 288))
    (tmp_path / "g2.csv").write_text("ts,cluster_id,signal,unit,value\n" + rows, encoding="utf-8")
    (tmp_path / "c.toml").write_text("[cluster]\nmax_acu = 16\n", encoding="utf-8")
    return tmp_path


def _files(folder: Path) -> dict[str, bytes | None]:
    """Every file's content (None for a folder) under ``folder``, by relative path."""
    return {str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes() for p in folder.rglob("*")}


def _refused(result: Any, line: str, folder: Path, before: dict[str, bytes | None]) -> None:
    assert result.exit_code == 2, result.output
    assert result.stderr.splitlines() == [line]
    assert _files(folder) == before  # nothing written or created


@pytest.mark.parametrize(
    ("args", "line"),
    [
        pytest.param(
            ["--input", "g2.csv", "--json", "g2.csv"],
            INPUT_JSON,
            id="json_is_the_input",
        ),
        pytest.param(
            ["--csv", "g2.csv", "--json", "../{name}/g2.csv"],
            _overwrites("--json ../{name}/g2.csv", "--csv g2.csv"),
            id="json_is_the_csv_by_another_path",
        ),
        pytest.param(
            ["--input", "g2.csv", "--input", "link.csv", "--json", "g2.csv"],
            INPUT_JSON,
            id="the_first_input_named",
        ),
        pytest.param(
            ["--input", "link.csv", "--json", "g2.csv"],
            _overwrites("--json g2.csv", "--input link.csv"),
            id="a_symlink_to_it",
        ),
        pytest.param(
            ["--input", "g2.csv", "--json", "hard.csv"],
            _overwrites("--json hard.csv", "--input g2.csv"),
            id="a_hard_link_to_it",
        ),
        pytest.param(
            ["--input", "g2.csv", "--config", "c.toml", "--json", "c.toml"],
            _overwrites("--json c.toml", "--config c.toml"),
            id="json_is_the_config",
        ),
    ],
)
def test_recommend_refuses_an_output_that_is_an_input(here: Path, args: list[str], line: str) -> None:
    (here / "link.csv").symlink_to("g2.csv")
    os.link(here / "g2.csv", here / "hard.csv")
    before = _files(here)
    name = here.name

    result = runner.invoke(app, ["recommend", *(a.format(name=name) for a in args)])

    _refused(result, line.format(name=name), here, before)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        pytest.param(
            ["--trace", "rds-cpu-cc0c53", "--html", "x.html", "--json", "x.html"],
            "error: --html x.html: the same file as --json x.html; give each output its own path",
            id="html_is_the_json",
        ),
        pytest.param(
            ["--trace", "rds-cpu-cc0c53", "--json", "x.json", "--html", "./sub/../x.json"],
            "error: --html sub/../x.json: the same file as --json x.json; give each output its own path",
            id="html_is_the_json_by_another_path",
        ),
        pytest.param(
            ["--input", "g2.csv", "--json", "g2.csv"],
            INPUT_JSON,
            id="json_is_the_input",
        ),
        pytest.param(
            ["--csv", "g2.csv", "--json", "out.json", "--html", "g2.csv"],
            _overwrites("--html g2.csv", "--csv g2.csv"),
            id="html_is_the_csv",
        ),
    ],
)
def test_advise_refuses_an_output_that_is_an_input_or_the_other_output(
    here: Path, args: list[str], line: str
) -> None:
    (here / "sub").mkdir()
    before = _files(here)

    result = runner.invoke(app, ["advise", *args])

    _refused(result, line, here, before)


def test_different_files_pass(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_text("x")

    check_output_paths(
        {"--json": tmp_path / "a.json", "--html": tmp_path / "a.html", "--other": None},
        {"--input": [tmp_path / "a.csv"], "--config": None},
    )  # no error; nothing is left behind by the writability probe
    assert [p.name for p in tmp_path.iterdir()] == ["a.csv"]


def test_the_rule_is_checked_before_writability(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-folder" / "a.json"

    with pytest.raises(CliInputError, match=r"^--html .*a\.json: the same file as --json .*a\.json;"):
        check_output_paths({"--json": missing, "--html": missing}, {})


def test_same_file_resolves_paths_and_compares_existing_files(tmp_path: Path) -> None:
    (tmp_path / "a").write_text("x")
    os.link(tmp_path / "a", tmp_path / "b")
    (tmp_path / "c").write_text("x")
    (tmp_path / "loop").symlink_to("loop")

    assert same_file(tmp_path / "a", tmp_path / "b")  # a hard link
    assert same_file(tmp_path / "new", tmp_path / "." / "new")  # neither exists
    assert not same_file(tmp_path / "a", tmp_path / "c")
    assert not same_file(tmp_path / "a", tmp_path / "new")
    assert same_file(tmp_path / "loop", tmp_path / "loop")  # a symlink loop: no error
