"""Which exceptions are the caller's fault, and how the service names them.

Owns :data:`DOMAIN_ERRORS`, :func:`is_input_error`, :func:`error_code` and
:func:`one_line`, shared by the HTTP error handlers (:mod:`service.app`) and the CLI
(:mod:`service.cli`) so both surfaces classify errors the same way. Imports the error
base classes of ``policy``, ``forecasting``, ``placement`` and ``traces`` (public names).
"""

from __future__ import annotations

import re

from forecasting import ForecastingError
from placement import PlacementError
from policy import PolicyError
from service.history import HistoryError
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
        :class:`service.history.HistoryError`.
    """
    return isinstance(exc, ValueError) and isinstance(exc, (*DOMAIN_ERRORS, HistoryError))


def error_code(exc: BaseException) -> str:
    """Return the stable wire code of an error: snake-case class name without ``Error``.

    Args:
        exc: the exception.

    Returns:
        E.g. ``insufficient_history`` for ``InsufficientHistoryError``, ``invalid_request``
        for ``InvalidRequestError``.
    """
    name = type(exc).__name__.removesuffix("Error") or "error"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def one_line(text: str) -> str:
    """Collapse all whitespace runs (including line breaks) into single spaces.

    Args:
        text: any message.

    Returns:
        The message on one line.
    """
    return " ".join(text.split())
