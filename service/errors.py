"""Which exceptions are the caller's fault, and how the service names them.

Owns :data:`DOMAIN_ERRORS`, :func:`is_input_error`, :func:`error_code`,
:func:`error_field`, :func:`one_line` and :func:`cap_echoes`, shared by the HTTP error handlers
(:mod:`service.http.app`) and the CLI (:mod:`service.cli.main`) so both surfaces classify
errors the same way. Imports the error
base classes of ``policy``, ``forecasting``, ``placement`` and ``traces`` (public names).
"""

from __future__ import annotations

import re
from typing import Final

from forecasting import ForecastingError, InsufficientHistoryError, InvalidHistoryError
from placement import PlacementError
from policy import PolicyError
from service.inputs.history import HistoryError
from traces import TraceFormatError

DOMAIN_ERRORS: tuple[type[Exception], ...] = (PolicyError, ForecastingError, PlacementError, TraceFormatError)
"""Base classes of our packages' errors. Only those that are also ValueErrors are input errors;
the rest (e.g. ``ModelFitError``, a RuntimeError) are bugs or outcomes and map to 500 / a traceback."""


def is_input_error(exc: BaseException) -> bool:
    """Return True when ``exc`` reports bad input rather than a bug.

    Args:
        exc: any exception.

    Returns:
        True for a ValueError subclass of one of :data:`DOMAIN_ERRORS`, or a
        :class:`service.inputs.history.HistoryError`.
    """
    return isinstance(exc, ValueError) and isinstance(exc, (*DOMAIN_ERRORS, HistoryError))


def error_code(exc: BaseException) -> str:
    """Return the stable wire code of an error: its class's explicit ``code`` attribute.

    Every error class of our packages states its code (renaming a class never changes the
    API); anything else is ``invalid_request``.

    Args:
        exc: the exception.

    Returns:
        E.g. ``insufficient_history``, ``invalid_request``, ``trace_format``.
    """
    code = getattr(type(exc), "code", None)
    return code if isinstance(code, str) and code else "invalid_request"


_WIRE_FIELDS: Final[dict[str, str]] = {"history_acu": "history", "demand_acu": "history"}
"""Library field names -> request field names where they differ. The library's history array
is indexed by grid step, not by request point, so ``history_acu[7]`` is reported as
``history``. ``step_s``, ``now``, ``config.*``, ``previous.*`` and ``cluster.*`` are the same."""

_CLASS_FIELDS: Final[tuple[tuple[type[Exception], str], ...]] = (
    (InsufficientHistoryError, "history"),
    (InvalidHistoryError, "history"),
)
"""The field an error without a ``field`` attribute is about, by class."""


def error_field(exc: BaseException) -> str | None:
    """Return the request field an input error is about, as a dotted wire path.

    Args:
        exc: an input error (see :func:`is_input_error`).

    Returns:
        ``HistoryError.loc`` joined by dots (``history.3.ts``, ``now``); else the error's
        ``field`` attribute (``policy.InvalidRequestError.field``,
        ``traces.TraceFormatError.field``) mapped to the wire name (``history_acu`` ->
        ``history``; ``config.min_azs``, ``previous.writer_acu`` unchanged); else a
        per-class default (forecasting's history errors -> ``history``); else None.
    """
    if isinstance(exc, HistoryError):
        return ".".join(str(part) for part in exc.loc)
    field = getattr(exc, "field", None)
    if isinstance(field, str) and field:
        head = re.split(r"[.\[]", field, maxsplit=1)[0]
        return _WIRE_FIELDS.get(head, field)
    return next((name for cls, name in _CLASS_FIELDS if isinstance(exc, cls)), None)


def one_line(text: str) -> str:
    """Collapse all whitespace runs (including line breaks) into single spaces.

    Args:
        text: any message.

    Returns:
        The message on one line.
    """
    return " ".join(text.split())


ECHO_LIMIT: Final[int] = 80
"""Most characters of a request value an error message repeats (:func:`cap_echoes`)."""

_QUOTED: Final[re.Pattern[str]] = re.compile(  # a quote after a word character is an apostrophe
    r"""(?<![^\s(\[{=:,])(['"])((?:\\.|(?!\1)[^\\]){""" + str(ECHO_LIMIT + 1) + r""",})\1(?![^\s)\]},.:;])"""
)
_TOKEN: Final[re.Pattern[str]] = re.compile(r"\S{" + str(ECHO_LIMIT + 41) + ",}")


def cap_echoes(text: str) -> str:
    """Cut every value a message repeats to its first :data:`ECHO_LIMIT` characters plus ``...``.

    A quoted value (``'...'`` or ``"..."``, as ``repr`` writes them, opening after a blank or
    one of ``([{=:,`` and closing before one or ``)]},.:;``, so an apostrophe never opens
    one) longer than 80 characters keeps its first 80 and its closing quote; an unquoted run of more than 120
    non-blank characters keeps its first 80. So a 100-kB timestamp in a request gives a
    one-line 422, not a 100-kB one. Used by the HTTP error handlers
    (:mod:`service.http.app`) for every 422 message.

    Args:
        text: a message.

    Returns:
        The message, with long echoes cut (``'99999...'``); shorter ones unchanged.
    """
    text = _QUOTED.sub(lambda m: f"{m.group(1)}{m.group(2)[:ECHO_LIMIT]}...{m.group(1)}", text)
    return _TOKEN.sub(lambda m: f"{m.group(0)[:ECHO_LIMIT]}...", text)
