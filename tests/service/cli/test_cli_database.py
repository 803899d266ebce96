"""A database the CLI cannot open or use: one ``error:`` line naming ACUPLAN_DATABASE_URL, exit 2.

``acuplan keys ...`` and ``acuplan serve`` on a corrupt file, an unwritable data folder, a
bad URL or a server that does not answer; nothing already stored is lost or changed.
"""

from __future__ import annotations

import os
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.cli.main import main
from service.settings import get_server_settings, get_settings

READING = [
    pytest.param(["keys", "list"], id="keys-list"),
    pytest.param(["keys", "revoke", "0123456789ab"], id="keys-revoke"),
]
"""Commands that only read or change what is stored: they never create a database."""

CREATING = [
    pytest.param(["keys", "create", "--name", "ci"], id="keys-create"),
    pytest.param(["serve", "--host", "127.0.0.1"], id="serve"),
]
"""Commands that create the database when it does not exist."""

COMMANDS = READING + CREATING


@pytest.fixture(autouse=True)
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Settings are cached per process: rebuild them from this test's environment."""
    for name in ("DATABASE_URL", "HOST", "PORT", "AUTO_MIGRATE", "RISK_QUANTILE"):
        monkeypatch.delenv(f"ACUPLAN_{name}", raising=False)
    get_settings.cache_clear()
    get_server_settings.cache_clear()
    yield
    get_settings.cache_clear()
    get_server_settings.cache_clear()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(capsys: pytest.CaptureFixture[str], args: list[str]) -> tuple[int, str, str]:
    if args[0] == "serve":
        args = [*args, "--port", str(_free_port())]
    code = main(args)
    out = capsys.readouterr()
    return code, out.out, out.err


def _one_error_line(code: int, out: str, err: str) -> str:
    assert code == 2, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    return lines[0]


@pytest.mark.parametrize("args", COMMANDS)
def test_a_corrupt_database_file_is_one_line_and_left_as_it_was(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    db = tmp_path / "acuplan.db"
    garbage = os.urandom(64 * 1024)
    db.write_bytes(garbage)
    monkeypatch.setenv("ACUPLAN_DATABASE_URL", f"sqlite:///{db}")

    line = _one_error_line(*_run(capsys, args))

    assert (
        line == f"error: cannot open the database ACUPLAN_DATABASE_URL=sqlite:///{db}: file is not a database"
    )
    assert db.read_bytes() == garbage
    assert sorted(p.name for p in tmp_path.iterdir()) == ["acuplan.db"]  # no -wal / -shm beside it


@pytest.mark.parametrize("args", CREATING)
def test_a_data_folder_that_cannot_be_created_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))  # the default database: $XDG_DATA_HOME/acuplan/...

    line = _one_error_line(*_run(capsys, args))

    assert line == (
        f"error: cannot open the database sqlite:///{blocker}/acuplan/acuplan.db (the default; "
        f"ACUPLAN_DATABASE_URL is not set): cannot create its folder: Not a directory: {blocker}/acuplan"
    )
    assert blocker.read_text(encoding="utf-8") == "a file where the data folder should be"


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root writes into read-only folders")
@pytest.mark.parametrize("args", CREATING)
def test_a_read_only_data_folder_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o555)
    monkeypatch.setenv("ACUPLAN_DATABASE_URL", f"sqlite:///{folder}/acuplan.db")
    try:
        line = _one_error_line(*_run(capsys, args))
    finally:
        folder.chmod(0o755)

    assert line.startswith(
        f"error: cannot open the database ACUPLAN_DATABASE_URL=sqlite:///{folder}/acuplan.db: "
    )
    assert f"check that {folder} is a writable folder" in line
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("args", READING)
@pytest.mark.parametrize("default", [True, False], ids=["default-path", "url"])
def test_a_reading_command_without_a_database_says_so_and_creates_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    default: bool,
) -> None:
    """``keys list`` / ``keys revoke`` on a fresh machine used to create the database (and its folder)."""
    if default:
        monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
        shown = f"sqlite:///{tmp_path}/data/acuplan/acuplan.db (the default; ACUPLAN_DATABASE_URL is not set)"
    else:
        monkeypatch.setenv("ACUPLAN_DATABASE_URL", f"sqlite:///{tmp_path}/data/acuplan.db")
        shown = f"ACUPLAN_DATABASE_URL=sqlite:///{tmp_path}/data/acuplan.db"

    line = _one_error_line(*_run(capsys, args))

    assert line == (
        f"error: cannot open the database {shown}: it does not exist; this command creates none "
        "(`acuplan keys create --name NAME` or `acuplan serve` creates it)"
    )
    assert list(tmp_path.iterdir()) == []  # no file, no folder


@pytest.mark.parametrize("args", READING)
def test_a_reading_command_in_a_folder_that_cannot_exist_says_there_is_no_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data folder should be", encoding="utf-8")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))

    line = _one_error_line(*_run(capsys, args))

    assert line == (
        f"error: cannot open the database sqlite:///{blocker}/acuplan/acuplan.db (the default; "
        "ACUPLAN_DATABASE_URL is not set): it does not exist; this command creates none "
        "(`acuplan keys create --name NAME` or `acuplan serve` creates it)"
    )
    assert blocker.read_text(encoding="utf-8") == "a file where the data folder should be"


def test_keys_list_and_revoke_work_once_keys_create_made_the_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ACUPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'acuplan.db'}")
    assert main(["keys", "create", "--name", "ci"]) == 0
    key_id = capsys.readouterr().out.strip().removeprefix("acu_").split("_")[0]

    listed = _run(capsys, ["keys", "list"])
    revoked = _run(capsys, ["keys", "revoke", key_id])

    assert listed[0] == 0 and f"{key_id}  read,write  active" in listed[1]
    last = "no active key is left: every /v1 request gets 401 until `acuplan keys create --name NAME`\n"
    assert revoked == (0, f"key {key_id} revoked\n", last)  # the last key: authentication stays on


@pytest.mark.parametrize(
    ("url", "shown", "reason"),
    [
        pytest.param(
            "notaurl",
            "ACUPLAN_DATABASE_URL",
            "not a database URL: use sqlite:///path.db or postgresql://user@host:port/db",
            id="not-a-url",
        ),
        pytest.param(
            "postgresql://u@127.0.0.1:port/x",
            "ACUPLAN_DATABASE_URL",
            "not a database URL: use sqlite:///path.db or postgresql://user@host:port/db",
            id="bad-port",
        ),
        pytest.param(
            "mysql://u@127.0.0.1/x",
            "ACUPLAN_DATABASE_URL=mysql://u@127.0.0.1/x",
            "'mysql' is not a supported database: use sqlite:///path.db or postgresql://user@host:port/db",
            id="unsupported",
        ),
        pytest.param(
            "postgresql://u:hunter2@127.0.0.1:{port}/x",
            "ACUPLAN_DATABASE_URL=postgresql://u:***@127.0.0.1:{port}/x",
            'connection failed: connection to server at "127.0.0.1", port {port} failed: Connection refused',
            id="no-server",
        ),
    ],
)
@pytest.mark.parametrize("args", COMMANDS)
def test_a_bad_database_url_is_one_line_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    url: str,
    shown: str,
    reason: str,
) -> None:
    port = _free_port()  # nothing listens there
    monkeypatch.setenv("ACUPLAN_DATABASE_URL", url.format(port=port))

    line = _one_error_line(*_run(capsys, args))

    assert line.startswith(
        f"error: cannot open the database {shown.format(port=port)}: {reason.format(port=port)}"
    )
    assert "hunter2" not in line and "listen" not in line


IN_MEMORY = (
    "it is an in-memory SQLite database: each connection would get its own empty database, so the "
    "tables, keys and metrics acuplan stores would be lost; use sqlite:///path.db or "
    "postgresql://user@host:port/db"
)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        pytest.param("sqlite://", "sqlite://", id="no-path"),
        pytest.param("sqlite:///", "sqlite:///", id="empty-path"),
        pytest.param("sqlite:///:memory:", "sqlite:///%3Amemory%3A", id="memory"),
        pytest.param("sqlite:///file::memory:?uri=true", "sqlite:///file%3A%3Amemory%3A?uri=true", id="uri"),
    ],
)
@pytest.mark.parametrize("args", COMMANDS)
def test_an_in_memory_database_url_is_refused_naming_the_variable(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    args: list[str],
    url: str,
    shown: str,
) -> None:
    """``keys create`` printed a key that was lost; ``serve`` answered 500 (no such table) to every call."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ACUPLAN_DATABASE_URL", url)

    line = _one_error_line(*_run(capsys, args))

    assert line == f"error: cannot open the database ACUPLAN_DATABASE_URL={shown}: {IN_MEMORY}"
    assert list(tmp_path.iterdir()) == []


def test_a_database_of_a_newer_version_is_refused_unchanged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "acuplan.db"
    monkeypatch.setenv("ACUPLAN_DATABASE_URL", f"sqlite:///{db}")
    assert main(["keys", "create", "--name", "kept"]) == 0
    capsys.readouterr()
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    before = db.read_bytes()

    for args in (["keys", "list"], ["keys", "create", "--name", "new"]):
        get_settings.cache_clear()
        line = _one_error_line(*_run(capsys, args))
        assert line.startswith(f"error: cannot open the database ACUPLAN_DATABASE_URL=sqlite:///{db}: ")
        assert (
            "its schema is not one this version of acuplan knows" in line and "9999_from_the_future" in line
        )

    assert db.read_bytes() == before
    with sqlite3.connect(db) as conn:
        assert [r[0] for r in conn.execute("SELECT name FROM api_keys")] == ["kept"]


def test_keys_with_an_invalid_setting_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ACUPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'a.db'}")
    monkeypatch.setenv("ACUPLAN_RISK_QUANTILE", "0.4")

    line = _one_error_line(*_run(capsys, ["keys", "list"]))

    assert line == "error: invalid environment: ACUPLAN_RISK_QUANTILE: Input should be greater than 0.5"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(
            ["--name", "", "--scope", "read"], "error: --name must be 1-128 characters, got 0", id="name"
        ),
        pytest.param(
            ["--name", "x", "--scope", "admin"],
            "error: --scope must be read or write, got 'admin'",
            id="scope",
        ),
    ],
)
def test_keys_create_blames_the_option_that_is_wrong(
    args: list[str],
    message: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """An empty --name blamed --scope ("got []") before."""
    monkeypatch.setenv("ACUPLAN_DATABASE_URL", f"sqlite:///{tmp_path / 'k.db'}")
    get_settings.cache_clear()
    assert _one_error_line(*_run(capsys, ["keys", "create", *args])) == message
