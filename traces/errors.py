"""Errors raised by the ``traces`` package.

This module owns the package's exception hierarchy. It imports nothing of ours.

Every error is a :class:`TraceFormatError`, which is also a :class:`ValueError`
(input errors subclass the builtin callers already catch). ``str()`` of every error
is a single line naming the file, the 1-based line number and the column when they
are known, then the reason, e.g.::

    rds.csv row 17, field 'value': 'abc' is not a number
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar


def _one_line(text: str) -> str:
    """Collapse any line breaks so that a message always fits on one line."""
    return " ".join(text.split())


class TraceFormatError(ValueError):
    """A trace file, a bundled trace or a demand mapping input is invalid.

    Attributes:
        path: The file the error is about, or None when it is not about a file.
        row: 1-based line number in the file (the header is line 1), or None when
            the error concerns the whole file.
        field: Column name the error is about, or None.
        reason: What is wrong, without the location prefix.
        code: the stable wire code, set explicitly on every class.
    """

    code: ClassVar[str] = "trace_format"

    def __init__(
        self,
        reason: str,
        *,
        path: str | Path | None = None,
        row: int | None = None,
        field: str | None = None,
    ) -> None:
        self.path: Path | None = Path(path) if path is not None else None
        self.row = row
        self.field = field
        self.reason = _one_line(reason)
        super().__init__(self._message())

    def _message(self) -> str:
        parts: list[str] = []
        if self.path is not None:
            parts.append(self.path.name)
        if self.row is not None:
            parts.append(f"row {self.row}")
        location = " ".join(parts)
        if self.field is not None:
            location = f"{location}, field {self.field!r}" if location else f"field {self.field!r}"
        return f"{location}: {self.reason}" if location else self.reason

    def __str__(self) -> str:
        return self._message()


class UnknownTraceError(TraceFormatError, KeyError):
    """A bundled (or suite) trace name that does not exist was requested.

    It is both a :class:`TraceFormatError` (hence a ``ValueError``) and a
    ``KeyError``, so ``except KeyError`` around a name lookup also works. Unlike a
    plain ``KeyError`` its ``str()`` is not quoted.

    Attributes:
        name: The name that was asked for.
        valid_names: The valid names (bundled trace names, sorted; or suite names).
    """

    code: ClassVar[str] = "unknown_trace"

    def __init__(self, name: str, valid_names: Sequence[str], *, what: str = "bundled trace") -> None:
        self.name = name
        self.valid_names = tuple(valid_names)
        super().__init__(f"unknown {what} {name!r}; valid names: {', '.join(self.valid_names)}")


class DemandMappingError(TraceFormatError):
    """A series cannot be mapped to ACU demand with the given rule or grid.

    Raised for a non-positive ``step_s``, an empty series, a rule whose input unit
    does not match the series unit, or a p99 of zero for ``p99_to_peak_acu``.
    """

    code: ClassVar[str] = "demand_mapping"


class ConversionError(TraceFormatError):
    """The raw-to-bundle converter met input it refuses to convert.

    Raised for a checksum mismatch against ``SHA256SUMS``, a missing raw file, or a
    timestamp pattern that the documented reconstruction rules do not cover.
    """

    code: ClassVar[str] = "conversion"
