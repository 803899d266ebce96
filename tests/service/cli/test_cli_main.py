"""``service.cli.main.main``: one-line usage errors, ``--help``, ``serve``'s port, settings per command."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.cli.main import main
from service.settings import get_server_settings, get_settings

CSV = (
    "ts,cluster_id,signal,unit,value\n"
    "2024-05-06T00:00:00Z,db-1,load,acu,1\n"
    "2024-05-06T00:05:00Z,db-1,load,acu,2\n"
)


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings are cached per process: rebuild them from this test's environment."""
    for name in ("HOST", "PORT", "LOG_LEVEL", "HORIZON_S", "RISK_QUANTILE", "TARGET_UTILISATION"):
        monkeypatch.delenv(f"ACUPLAN_{name}", raising=False)
    get_settings.cache_clear()
    get_server_settings.cache_clear()
    yield
    get_settings.cache_clear()
    get_server_settings.cache_clear()


@pytest.fixture
def csv(tmp_path: Path) -> Path:
    path = tmp_path / "db.csv"
    path.write_text(CSV, encoding="utf-8")
    return path


def _run(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.mark.parametrize(
    ("args", "line"),
    [
        pytest.param(["replay"], "error: Missing option '--trace'.", id="missing_required_option"),
        pytest.param(
            ["recommend", "--csv", "db.csv", "--step-s", "0"],
            "error: Invalid value for '--step-s': Input should be greater than or equal to 1",
            id="step_below_minimum",
        ),
        pytest.param(
            ["replay", "--trace", "rds-cpu-cc0c53", "--replan-every-min", "abc"],
            "error: Invalid value for '--replan-every-min': Input should be a valid integer, unable to "
            "parse string as an integer",
            id="not_an_integer",
        ),
        pytest.param(
            ["replay", "--trace", "x", "--bogus"], "error: No such option: --bogus", id="unknown_option"
        ),
        pytest.param(["bogus"], "error: No such command 'bogus'.", id="unknown_command"),
    ],
)
def test_usage_errors_are_one_line_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], line: str
) -> None:
    code, out, err = _run(capsys, args)

    assert code == 2
    assert err.splitlines() == [line]
    assert out == ""


def test_help_exits_0_and_documents_the_replan_limits(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, ["replay", "--help"])

    text = " ".join(out.replace("│", " ").split())
    assert code == 0
    assert err == ""
    assert "Usage: acuplan replay" in text
    assert (
        "a multiple of the trace step (5 min for every bundled trace), at most the planning horizon "
        "(180 min by default; ACUPLAN_HORIZON_S)" in text
    )


@pytest.mark.parametrize(
    "command",
    [[], ["advise"], ["recommend"], ["replay"], ["bench"], ["serve"], ["traces"], ["keys"], ["keys", "list"]],
    ids=lambda c: " ".join(c) or "acuplan",
)
def test_help_shows_no_value_type_after_a_flag(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """typer 0.29's rich panel wrote ``--help <bool>`` as if the flag took a value."""
    monkeypatch.setenv("COLUMNS", "120")
    code, out, _ = _run(capsys, [*command, "--help"])

    assert code == 0
    rows = [" ".join(line.replace("│", " ").split()) for line in out.splitlines()]
    assert "--help Show this message and exit." in rows
    assert "<bool>" not in out
    if command == ["advise"]:  # an option that takes a value keeps its type
        assert any(r.startswith("--min-acu <float> ") for r in rows)


def test_no_arguments_prints_help(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, [])

    assert code == 2
    assert "Usage: acuplan" in out and "recommend" in out
    assert err == ""


def test_successful_command_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, ["traces"])

    assert code == 0
    assert "rds-cpu-cc0c53" in out.splitlines()


def test_serve_on_a_busy_port_is_one_line_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        code, out, err = _run(capsys, ["serve", "--host", "127.0.0.1", "--port", str(port)])

    assert code == 2
    assert err.splitlines() == [f"error: cannot listen on 127.0.0.1:{port}: Address already in use"]


def test_server_settings_do_not_break_other_commands(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, csv: Path
) -> None:
    monkeypatch.setenv("ACUPLAN_PORT", "99999")

    code, out, err = _run(capsys, ["recommend", "--csv", str(csv)])

    assert code == 0, err
    assert "\ncluster db-1: plan for 12 x 900 s" in out


def test_invalid_port_setting_breaks_serve(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ACUPLAN_PORT", "99999")

    code, out, err = _run(capsys, ["serve"])

    assert code == 2
    assert err.splitlines() == [
        "error: invalid environment: ACUPLAN_PORT: Input should be less than or equal to 65535"
    ]


def test_invalid_policy_setting_still_breaks_recommend(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, csv: Path
) -> None:
    monkeypatch.setenv("ACUPLAN_RISK_QUANTILE", "0.4")

    code, out, err = _run(capsys, ["recommend", "--csv", str(csv)])

    assert code == 2
    assert err.splitlines() == [
        "error: invalid environment: ACUPLAN_RISK_QUANTILE: Input should be greater than 0.5"
    ]
