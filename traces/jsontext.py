"""JSON text read strictly: the one JSON reader of every metric export and HTTP body.

Owns :func:`load_json` and :class:`JsonTextError`. :func:`traces.formats.parse_any` (the
CloudWatch and Prometheus exports the CLI and ``/metrics/upload`` read) and the HTTP API's
request bodies read JSON through it, so bad JSON is reported one way.

Python's ``json`` module on its own raises ``RecursionError`` for arrays or objects nested
about a thousand levels deep (``[[[[...]]]]``), a traceback or an HTTP 500 to whoever calls
it, and ``ValueError`` for an integer of more than 4300 digits. Here every such text is a
:class:`JsonTextError` with the reason on one line. Imports nothing of ours.
"""

from __future__ import annotations

import json
from typing import Any


class JsonTextError(ValueError):
    """Text that is not JSON this reader takes.

    Attributes:
        reason: what is wrong, on one line, e.g. ``not JSON (line 1: Expecting value)`` or
            ``not readable as JSON: arrays or objects are nested too deeply``.
        pos: the 0-based character offset where the text goes wrong, or None (nesting,
            a huge number: the whole text).
    """

    def __init__(self, reason: str, pos: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pos = pos


TOO_DEEP = "not readable as JSON: arrays or objects are nested too deeply (a metric export has a few levels)"
"""The reason for JSON nested past Python's recursion limit (about 1000 levels)."""


def load_json(text: str) -> Any:
    """Parse JSON text.

    Args:
        text: the JSON text (already decoded; a byte order mark is the caller's to strip).

    Returns:
        The parsed value (``NaN`` and ``Infinity`` literals are read as floats, as
        ``json.loads`` reads them: the callers judge numbers).

    Raises:
        JsonTextError: not JSON (``not JSON (line <n>: <why>)``, with ``pos``), nested too
            deeply (:data:`TOO_DEEP`), or an integer too long to read.
    """
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise JsonTextError(f"not JSON (line {exc.lineno}: {exc.msg})", exc.pos) from None
    except RecursionError:
        raise JsonTextError(TOO_DEEP) from None
    except ValueError as exc:  # e.g. an integer over sys.get_int_max_str_digits() digits
        raise JsonTextError(f"not readable as JSON: {exc}") from None
