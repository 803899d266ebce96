"""CSV text read record by record, each with the line it starts on: the one CSV reader of ``traces``.

Owns :func:`csv_records` and :class:`CsvTextError`. :func:`traces.formats.parse_csv` (every
CSV the CLI and the HTTP API read) and :func:`traces.loaders.load_trace` (the canonical
trace files) both read through it, so a malformed CSV is reported one way.

The ``csv`` module on its own reads an unterminated quote without a word: the field runs
over every line break to the end of the file (or to the next ``"``), and the error, if any,
is a field count named at the last line it read (``row 4: row has 2 fields, expected 5``),
or the file's last value is read as if it had been closed. Here a record that runs over a
line break, or that the file ends inside, is an error naming the row where it starts
and saying ``unterminated quote``: no metric CSV has a line break inside a field.
Imports nothing of ours.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator

UNTERMINATED_QUOTE = "unterminated quote"
"""The words every error about a quoted field that is never closed starts with."""


class CsvTextError(ValueError):
    """CSV text the reader cannot go on with, from one record on (the rest is unread).

    Attributes:
        line: the 1-based line the record starts on (the header is line 1).
        reason: what is wrong, on one line, e.g. ``unterminated quote: the '"' that opens a
            field on this row is never closed (the file ends inside it)``.
    """

    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"row {line}: {reason}")
        self.line = line
        self.reason = reason


def csv_records(lines: Iterable[str]) -> Iterator[tuple[int, list[str]]]:
    """Yield each CSV record with the line it starts on (an empty line is an empty record).

    Read with the comma dialect, ``strict``: a quoted field must be closed, and only a
    comma or the end of the line may follow its closing quote.

    Args:
        lines: the text's lines with their line ends (a file opened with ``newline=""`` or
            ``io.StringIO(text, newline="")``).

    Yields:
        (1-based line number, the record's fields).

    Raises:
        CsvTextError: a record that runs over a line break (a quote not closed on its own
            line) or that the text ends inside: ``unterminated quote: ...`` at the line the
            record starts on; any other text the ``csv`` module refuses (a field over
            ``csv.field_size_limit()``, a character after a closing quote): ``not readable
            as CSV: <why>`` at that line.
    """
    reader = csv.reader(lines, strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if str(exc) == "unexpected end of data":  # strict: the text ended inside a quoted field
                raise CsvTextError(
                    start,
                    f"{UNTERMINATED_QUOTE}: the '\"' that opens a field on this row is never closed "
                    "(the file ends inside it); close it, or remove it",
                ) from None
            if reader.line_num > start:
                raise CsvTextError(start, _runs_on(start, reader.line_num, f" ({exc})")) from None
            raise CsvTextError(start, f"not readable as CSV: {exc}") from None
        if reader.line_num > start:
            raise CsvTextError(start, _runs_on(start, reader.line_num))
        yield start, row


def _runs_on(start: int, end: int, why: str = "") -> str:
    """The reason for a record from line ``start`` that the reader took on to line ``end``."""
    return (
        f"{UNTERMINATED_QUOTE}: the '\"' that opens a field on this row is not closed on it, so the field "
        f"runs over the line break(s) to row {end}{why}; close it, or remove it"
    )
