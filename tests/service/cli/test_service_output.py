"""service.cli.output: the --json file is checked up front, written atomically, with the usual mode."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from service.cli.output import check_output_path, write_json_atomic


@pytest.fixture
def umask() -> Iterator[None]:
    """Restore the process umask after a test that sets it."""
    old = os.umask(0o022)
    os.umask(old)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_write_json_atomic_replaces_whole_file(tmp_path: Path) -> None:
    path = tmp_path / "out.json"
    path.write_text("old", encoding="utf-8")

    write_json_atomic(path, {"a": [1, 2]})

    assert path.read_text(encoding="utf-8") == '{\n  "a": [\n    1,\n    2\n  ]\n}\n'
    assert [p.name for p in tmp_path.iterdir()] == ["out.json"]


@pytest.mark.parametrize(("mask", "expected"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_new_file_gets_the_umask_default_mode(tmp_path: Path, umask: None, mask: int, expected: int) -> None:
    os.umask(mask)
    path = tmp_path / "out.json"

    write_json_atomic(path, {})

    assert _mode(path) == expected


@pytest.mark.parametrize("existing", [0o644, 0o640, 0o600])
def test_replaced_file_keeps_its_mode(tmp_path: Path, umask: None, existing: int) -> None:
    os.umask(0o077)
    path = tmp_path / "out.json"
    path.write_text("old", encoding="utf-8")
    path.chmod(existing)

    write_json_atomic(path, {})

    assert _mode(path) == existing


def test_directory_target_names_the_users_path(tmp_path: Path) -> None:
    target = tmp_path / "out"
    target.mkdir()

    with pytest.raises(IsADirectoryError) as info:
        write_json_atomic(target, {})

    assert info.value.filename == str(target)
    assert info.value.strerror == "is a directory"
    assert list(target.iterdir()) == [] and sorted(p.name for p in tmp_path.iterdir()) == ["out"]


@pytest.mark.parametrize(
    ("target", "error", "reason"),
    [
        pytest.param(
            "missing/out.json", FileNotFoundError, "directory {tmp}/missing does not exist", id="no_parent"
        ),
        pytest.param(
            "file/out.json", NotADirectoryError, "{tmp}/file is not a directory", id="parent_is_a_file"
        ),
    ],
)
def test_check_output_path_names_the_users_path(
    tmp_path: Path, target: str, error: type[OSError], reason: str
) -> None:
    (tmp_path / "file").write_text("x", encoding="utf-8")
    path = tmp_path / target

    with pytest.raises(error) as info:
        check_output_path(path)

    assert (info.value.filename, info.value.strerror) == (str(path), reason.format(tmp=tmp_path))


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write into any directory")
def test_check_output_path_rejects_a_read_only_directory(tmp_path: Path) -> None:
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)

    with pytest.raises(PermissionError) as info:
        check_output_path(ro / "out.json")

    assert info.value.strerror == f"directory {ro} is not writable"


def test_check_output_path_accepts_a_new_file_in_a_writable_directory(tmp_path: Path) -> None:
    check_output_path(tmp_path / "new.json")
    check_output_path(Path("relative-name.json"))  # parent "." (the working directory)


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_check_output_path_tries_the_directory_where_access_says_yes() -> None:
    # access() lets root "write" /proc; creating a file there fails, so the check must create one.
    with pytest.raises(OSError) as info:
        check_output_path(Path("/proc/acuplan-out.json"))
    assert (info.value.filename, info.value.strerror) == (
        "/proc/acuplan-out.json",
        "cannot create files in /proc",
    )
    assert not list(Path("/tmp").glob(".acuplan-out.json.*.probe"))
