"""JSON text read strictly: the one JSON reader of every metric export and HTTP body.

Owns :func:`load_json` and :class:`JsonTextError`. :func:`traces.formats.parse_any` (the
CloudWatch and Prometheus exports the CLI and ``/metrics/upload`` read) and the HTTP API's
request bodies read JSON through it, so bad JSON is reported one way.

Python's ``json`` module on its own raises ``RecursionError`` for arrays or objects nested
about a thousand levels deep (``[[[[...]]]]``), a traceback or an HTTP 500 to whoever calls
it, and ``ValueError`` for an integer of more than 4300 digits; and it reads an object
that repeats a key (``{"step_s": 300, "step_s": 60}``) as its last value without a word.
Here every such text is a :class:`JsonTextError` with the reason on one line; a repeated
key is named with its path (``cluster.limits.max_acu``). Imports nothing of ours.
"""

from __future__ import annotations

import json
from typing import Any


class JsonTextError(ValueError):
    """Text that is not JSON this reader takes.

    Attributes:
        reason: what is wrong, on one line, e.g. ``not JSON (Expecting value: line 1 column 1)``
            (the decoder's reason, then its 1-based line and column as :class:`json.JSONDecodeError`
            puts them: ``Unterminated string starting at: line 1 column 19990`` is where the
            string starts) or ``not readable as JSON: arrays or objects are nested too deeply``.
        pos: the 0-based character offset where the text goes wrong, or None (nesting,
            a huge number, a repeated key: the whole text).
        path: for a repeated key, its path from the top (object keys and list indices, the
            key last, e.g. ``("cluster", "limits", "max_acu")``); else None.
    """

    def __init__(
        self, reason: str, pos: int | None = None, path: tuple[str | int, ...] | None = None
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.pos = pos
        self.path = path


class _Repeated(dict[str, Any]):
    """An object that repeated a key (``key``), kept to locate it after the parse."""

    key: str


def _repeated_key(parsed: Any) -> tuple[str | int, ...] | None:
    """The path of the first repeated key in document order (iterative: the text may nest deeply)."""
    stack: list[tuple[tuple[str | int, ...], Any]] = [((), parsed)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Repeated):
            return (*path, value.key)
        if isinstance(value, dict):
            stack.extend(((*path, k), v) for k, v in reversed(value.items()))
        elif isinstance(value, list):
            stack.extend(((*path, i), v) for i, v in reversed(list(enumerate(value))))
    return None


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
        JsonTextError: not JSON (``not JSON (<why>: line <n> column <m>)``, with ``pos``), nested too
            deeply (:data:`TOO_DEEP`), an integer too long to read, or an object that repeats
            a key (``the key 'step_s' appears more than once in its object ...``, with ``path``).
    """
    repeats = False

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        nonlocal repeats
        obj = dict(items)
        if len(obj) == len(items):
            return obj
        repeats = True
        marked = _Repeated(obj)
        seen: set[str] = set()
        for key, _ in items:
            if key in seen:
                marked.key = key
                break
            seen.add(key)
        return marked

    try:
        parsed = json.loads(text, object_pairs_hook=pairs)
    except json.JSONDecodeError as exc:
        raise JsonTextError(f"not JSON ({exc.msg}: line {exc.lineno} column {exc.colno})", exc.pos) from None
    except RecursionError:
        raise JsonTextError(TOO_DEEP) from None
    except ValueError as exc:  # e.g. an integer over sys.get_int_max_str_digits() digits
        raise JsonTextError(f"not readable as JSON: {exc}") from None
    path = _repeated_key(parsed) if repeats else None
    if path is not None:
        raise JsonTextError(
            f"the key {path[-1]!r} appears more than once in its object: JSON keys must be unique "
            "(the last one would win without a word)",
            path=path,
        )
    return parsed
