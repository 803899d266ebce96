"""Numeric text: the one rule for a number written in a CSV cell or a Prometheus value.

Owns :func:`parse_number` and :func:`exact_number` (a value in a message, all its digits).
:mod:`traces.formats` (CSV, AWS CSV, Prometheus string values),
the canonical trace files (:func:`traces.load_trace`) and the converter read numbers through it.

Python's ``float()`` reads more than a metric export writes: ``1_0`` is 10 (digit grouping),
``３`` (fullwidth) and ``٣`` (Arabic-Indic) are 3, and it strips any Unicode whitespace, so a
typo or a mangled file is read as a plausible value without a word. Here a number is plain
ASCII decimal or scientific notation (``12``, ``-0.5``, ``.5``, ``1e3``, ``2.5E-3``), or one of
the words ``nan``, ``inf``, ``infinity`` (any case, with a sign) that the callers then refuse
as not finite with their own message. Imports nothing of ours.
"""

from __future__ import annotations

import re
from typing import Final

_DECIMAL: Final[re.Pattern[str]] = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
"""Plain decimal or scientific notation in ASCII digits (no ``_``, no hex, no other scripts)."""

_WORDS: Final[re.Pattern[str]] = re.compile(r"[+-]?(?:nan|inf|infinity)", re.IGNORECASE)
"""The non-finite words ``float()`` reads; callers refuse them as not finite."""

_BLANKS: Final[str] = " \t\r\n"
"""The blanks stripped around a number (ASCII only)."""


def parse_number(text: str) -> float:
    """Read numeric text as a float, refusing what only Python's ``float()`` would read.

    Args:
        text: the text, e.g. ``6.5`` or `` 1e3 ``; ASCII blanks around it are ignored.

    Returns:
        The value (``nan`` or an infinity for those words: the caller checks finiteness).

    Raises:
        ValueError: ``'<text>' is not a number`` for anything else: ``1_0``, ``0x10``,
            non-ASCII digits, a blank.
    """
    plain = text.strip(_BLANKS)
    if _DECIMAL.fullmatch(plain) or _WORDS.fullmatch(plain):
        return float(plain)
    raise ValueError(f"{text!r} is not a number")


def exact_number(value: float) -> str:
    """Write a value for a message with every digit it has, grouped in thousands.

    ``%g`` keeps 6 significant digits, so a limit's message could say ``demand 1e+06 ACU must
    be <= 1e+06 ACU`` of 1,000,001; this is Python's shortest text that reads back as the
    same float (``repr``), with thousands separators and without a trailing ``.0``.

    Args:
        value: the value (any float: ``nan``, ``inf`` and exponents are written as ``repr``
            writes them).

    Returns:
        E.g. ``1,000,001``, ``1,000,000.000000001``, ``-3``, ``0.25``, ``1e+300``.
    """
    return format(float(value), ",").removesuffix(".0")
