"""Report files the CLI writes: checked before the work, written atomically after it.

Owns :func:`check_output_paths` (every command that writes files runs it before its work,
so a bad ``--json`` costs nothing: each output can be written, and none is the same file as
an input or as another output), :func:`check_output_path`, :func:`write_text_atomic` and
:func:`write_json_atomic`. Errors are ``OSError`` s whose ``filename`` is the path the user
gave (never a temporary file's), so the CLI prints ``error: <path>: <reason>``, or a
:class:`service.cli.inputs.CliInputError` naming both options of two paths that are one file.
Imports nothing of ours but that error.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import tempfile
from collections.abc import Mapping, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from service.cli.inputs import CliInputError

PathOption = Path | Sequence[Path] | None
"""An option's path, its paths (a repeatable option), or None when it is not given."""


def _given(options: Mapping[str, PathOption]) -> list[tuple[str, Path]]:
    """(option, path) for every path given, in order (a repeatable option once per path)."""
    out = []
    for option, value in options.items():
        for path in [] if value is None else [value] if isinstance(value, Path) else value:
            out.append((option, path))
    return out


def _resolved(path: Path) -> Path:
    """``path`` with symlinks and ``..`` resolved as far as it exists (absolute on a symlink loop)."""
    try:
        return path.resolve()
    except (OSError, RuntimeError):  # a symlink loop
        return path.absolute()


def same_file(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file: equal resolved paths, or one existing file (a hard link).

    Args:
        a: a path, existing or not.
        b: another.
    """
    if _resolved(a) == _resolved(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one does not exist (yet): the resolved paths said it all
        return False


def check_output_paths(outputs: Mapping[str, PathOption], inputs: Mapping[str, PathOption]) -> None:
    """The one rule of every command that writes files, run before any work.

    Each output must be none of the inputs (it would be overwritten, maybe before it is
    read) and none of the other outputs (one would silently replace the other); then each
    must be writable (:func:`check_output_path`).

    Args:
        outputs: option -> the path it writes, e.g. ``{"--json": p, "--html": None}``.
        inputs: option -> the path(s) it reads, e.g. ``{"--input": [a, b], "--config": c}``.

    Raises:
        CliInputError: two options name one file, e.g. ``--json g2.csv: the same file as
            --input g2.csv, which it would overwrite; give another path``.
        OSError: see :func:`check_output_path`.
    """
    written = _given(outputs)
    read = _given(inputs)
    for k, (option, path) in enumerate(written):
        for other, source in read:
            if same_file(path, source):
                raise CliInputError(
                    f"{option} {path}: the same file as {other} {source}, which it would overwrite; "
                    "give another path"
                )
        for other, earlier in written[:k]:
            if same_file(path, earlier):
                raise CliInputError(
                    f"{option} {path}: the same file as {other} {earlier}; give each output its own path"
                )
    for _, path in written:
        check_output_path(path)


def check_output_path(path: Path) -> None:
    """Check that ``path`` can be created or replaced by :func:`write_json_atomic`.

    The file itself need not be writable: the new file is renamed over it, which needs
    write and search permission on its directory only.

    Args:
        path: the destination file.

    Raises:
        IsADirectoryError: ``path`` is a directory.
        FileNotFoundError: its directory does not exist.
        NotADirectoryError: its "directory" is a file.
        PermissionError: its directory is not writable.
    """
    parent = path.parent
    if path.is_dir():
        raise OSError(errno.EISDIR, "is a directory", str(path))
    if not parent.exists():
        raise OSError(errno.ENOENT, f"directory {parent} does not exist", str(path))
    if not parent.is_dir():
        raise OSError(errno.ENOTDIR, f"{parent} is not a directory", str(path))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OSError(errno.EACCES, f"directory {parent} is not writable", str(path))
    try:  # access() says yes to root everywhere (/proc, read-only mounts): create a file to know
        with tempfile.NamedTemporaryFile(dir=parent, prefix=f".{path.name}.", suffix=".probe"):
            pass
    except OSError as exc:
        raise OSError(exc.errno or errno.EACCES, f"cannot create files in {parent}", str(path)) from None


def _file_mode(path: Path) -> int:
    """Mode for the new file: the existing file's, else what ``open()`` would give (0o666 & ~umask)."""
    try:
        return stat.S_IMODE(os.stat(path).st_mode)
    except FileNotFoundError:
        umask = os.umask(0)  # the only portable way to read the umask; restored at once
        os.umask(umask)
        return 0o666 & ~umask


def write_json_atomic(path: Path, data: Any) -> None:
    """Write ``data`` as indented JSON to ``path`` without ever leaving a half-written file.

    Args:
        path: destination file.
        data: JSON-serialisable data (e.g. ``model.model_dump(mode="json")``).

    Raises:
        OSError: see :func:`write_text_atomic`.
    """
    write_text_atomic(path, json.dumps(data, indent=2) + "\n")


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` without ever leaving a half-written file.

    The text is written to a temporary file in the same directory, flushed to disk, then
    renamed over ``path`` (atomic on POSIX). A new file gets the mode ``open()`` would
    give it (0o666 minus the umask); a replaced file keeps its mode. On any failure the
    temporary file is removed and an existing ``path`` is untouched.

    Args:
        path: destination file.
        text: the content.

    Raises:
        OSError: see :func:`check_output_path`, or the write fails (``filename`` is
            ``path``).
    """
    check_output_path(path)
    tmp: str | None = None
    try:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            os.fchmod(fh.fileno(), _file_mode(path))
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        if tmp is not None:
            with suppress(FileNotFoundError):
                os.unlink(tmp)
        if isinstance(exc, OSError) and exc.filename != str(path):
            raise OSError(exc.errno, exc.strerror, str(path)) from None
        raise
