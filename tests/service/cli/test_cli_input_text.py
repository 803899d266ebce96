"""Input files the CLI cannot read are one ``error:`` line and exit 2, never a traceback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.cli.main import main
from service.settings import get_server_settings, get_settings

CSV = (
    "ts,cluster_id,signal,unit,value\n"
    "2024-05-06T00:00:00Z,db-1,capacity,acu,1\n"
    "2024-05-06T00:05:00Z,db-1,capacity,acu,2\n"
)


@pytest.fixture(autouse=True)
def fresh_settings() -> Iterator[None]:
    """Settings are cached per process: rebuild them from this test's environment."""
    get_settings.cache_clear()
    get_server_settings.cache_clear()
    yield
    get_settings.cache_clear()
    get_server_settings.cache_clear()


def _prometheus(t: float | int) -> str:
    series = {"metric": {"__name__": "ServerlessDatabaseCapacity"}, "values": [[t, "1"]]}
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": [series]}})


@pytest.mark.parametrize(
    ("name", "content", "words"),
    [
        pytest.param(
            "deep.json", '{"config":' + "[" * 100_000 + "]" * 100_000 + "}", "nested too deeply", id="deep"
        ),
        pytest.param("prom.json", _prometheus(1e300), "1e+300 is not epoch seconds", id="prometheus_1e300"),
        pytest.param(
            "prom.json", _prometheus(10**23), f"{10**23} is not epoch seconds", id="prometheus_10e23"
        ),
    ],
)
@pytest.mark.parametrize("command", ["recommend", "advise"])
def test_an_unreadable_json_export_is_one_error_line(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str, name: str, content: str, words: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")

    code = main([command, "--input", str(path), "--max-acu", "16"])

    err = capsys.readouterr().err
    assert code == 2
    assert len(err.splitlines()) == 1
    assert err.startswith(f"error: {name}")
    assert words in err


def test_a_utf16_config_file_is_one_error_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    data, config = tmp_path / "db.csv", tmp_path / "u16.toml"
    data.write_text(CSV, encoding="utf-8")
    config.write_bytes("[cluster]\nmax_acu = 16\n".encode("utf-16"))

    code = main(["recommend", "--input", str(data), "--config", str(config)])

    err = capsys.readouterr().err
    assert code == 2
    assert err.splitlines() == [
        "error: u16.toml: not UTF-8 text (byte 0: invalid start byte); save it as UTF-8"
    ]


@pytest.mark.parametrize("command", ["recommend", "advise"])
def test_a_truncated_json_export_says_where_it_breaks(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    """QA 58 #4: the decoder's reason 'Unterminated string starting at' ended the line, with no place."""
    path = tmp_path / "trunc.json"
    path.write_text('[{"MetricDataResults": [{"Id": "acu_max", "Label": "Serverless', encoding="utf-8")

    code = main([command, "--input", str(path), "--max-acu", "16"])

    assert code == 2
    assert capsys.readouterr().err == (
        "error: trunc.json: not JSON (Unterminated string starting at: line 1 column 52)\n"
    )


@pytest.mark.parametrize("command", ["recommend", "advise"])
def test_a_naive_timestamp_names_input_timezone(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str
) -> None:
    """QA 58 #4: the fix for a timestamp without an offset is --input-timezone, and the error says so."""
    path = tmp_path / "naive.csv"
    path.write_text(CSV.replace("T00:00:00Z", " 00:00:00"), encoding="utf-8")

    code = main([command, "--input", str(path)])

    assert code == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line == (
        "error: naive.csv row 2, field 'ts': '2024-05-06 00:00:00' has no UTC offset; give one, or the time "
        "zone the export is in with --input-timezone (e.g. --input-timezone Europe/Berlin; HTTP: POST "
        "/v1/clusters/{cluster_id}/metrics/upload?timezone=)"
    )
