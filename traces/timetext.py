r"""Timestamp text: the one rule for ISO 8601 text and epoch seconds of every parser.

Owns :func:`parse_iso`, :func:`text_problem`, :func:`epoch_seconds` and
:data:`EPOCH_MS_FROM`. The metric exports (:mod:`traces.formats`), the canonical trace files
(:func:`traces.load_trace`), the converter, the CLI's ``--now`` and the HTTP API's
timestamps all read through them.

Python 3.11's ``datetime.fromisoformat`` stops reading at a NUL byte:
``"2024-01-02T00:00:00Z\x00; DROP TABLE x"`` is read as 2024-01-02T00:00:00Z and the rest
is dropped without a word; it also takes any character as the date-time separator. A
timestamp is printable ASCII text, so :func:`parse_iso` refuses any other character
(NUL, control characters, non-ASCII digits and separators) before parsing.
Imports nothing of ours.
"""

from __future__ import annotations

import math
from datetime import datetime

EPOCH_MS_FROM = 100_000_000_000
"""Epoch values at or above this (the year 5138 in seconds; 1973 in milliseconds) are
refused as epoch milliseconds, with a hint, rather than read as seconds far in the future."""


def text_problem(text: str) -> str | None:
    r"""Why ``text`` cannot be a timestamp before it is parsed, or None.

    Args:
        text: the timestamp text.

    Returns:
        ``holds a NUL byte at character <i>`` (or ``holds the character '\x07' ...``) for the
        first character that is not printable ASCII, 0-based; None when every one is.
    """
    for i, char in enumerate(text):
        if not (char.isascii() and char.isprintable()):
            what = "a NUL byte" if char == "\0" else f"the character {char!r}"
            return f"holds {what} at character {i}"
    return None


def parse_iso(text: str, *, what: str = "an ISO 8601 timestamp") -> datetime:
    """Parse ISO 8601 text as ``datetime.fromisoformat`` does, refusing what it would drop.

    RFC 3339 (section 5.6, NOTE) lets the ``T`` separator and the ``Z`` suffix be lower
    case: ``fromisoformat`` takes any separator, and a final ``z`` is read as ``Z`` here
    (``2024-05-06 00:10:00z`` is 00:10 UTC).

    Args:
        text: the timestamp text, e.g. ``2024-05-06T12:00:00+00:00`` (Python 3.11 reads a
            ``Z`` suffix too; a ``z`` suffix is read as ``Z``).
        what: what the text should be, in the error (e.g. ``an ISO 8601 timestamp with a
            UTC offset``).

    Returns:
        The datetime (naive when the text has no offset: the caller decides).

    Raises:
        ValueError: ``'<text>' holds a NUL byte at character 20: not <what>`` for a character
            other than printable ASCII (:func:`text_problem`), ``'<text>' is not <what>``
            for text ``fromisoformat`` refuses.
    """
    problem = text_problem(text)
    if problem is not None:
        raise ValueError(f"{text!r} {problem}: not {what}")
    try:
        return datetime.fromisoformat(text[:-1] + "Z" if text.endswith("z") else text)
    except ValueError:
        raise ValueError(f"{text!r} is not {what}") from None


def epoch_seconds(value: float) -> int | str:
    """Epoch seconds (floored), or why the number is not a timestamp.

    Args:
        value: a number read as seconds since 1970-01-01T00:00:00Z.

    Returns:
        The whole seconds; or the reason as text: not finite, or at or after
        :data:`EPOCH_MS_FROM` (after the year 5000; a value that epoch milliseconds could be
        says so).
    """
    if not math.isfinite(value):
        return f"{value!r} is not a timestamp"
    if abs(value) >= EPOCH_MS_FROM:
        hint = ": epoch milliseconds? give seconds" if abs(value) < EPOCH_MS_FROM * 1000 else ""
        return f"{value!r} is not epoch seconds (after the year 5000){hint}"
    return math.floor(value)
