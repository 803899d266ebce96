"""Input checks shared by every forecaster and by ``forecast_demand``.

This module owns the rules for call parameters (``step_s``, ``horizon``, ``quantiles``,
``season_s``) and for the raw ``history_acu`` array. Each check runs before any work and
raises an error naming the field, the value and the rule (statsforecast ``_validate_*``,
sklearn ``check_array``). Missing values (NaN) are *not* errors here; ``history.fill_gaps``
handles them.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from forecasting.errors import (
    InsufficientHistoryError,
    InvalidHistoryError,
    InvalidParameterError,
)
from forecasting.types import FloatArray

__all__ = [
    "check_history",
    "check_horizon",
    "check_quantiles",
    "check_step_s",
    "season_steps",
]


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool | np.bool_)


def check_step_s(step_s: Any) -> int:
    """Return ``step_s`` as an ``int`` after checking it is a positive integer (seconds).

    Raises:
        InvalidParameterError: if ``step_s`` is not an integer or is <= 0.
    """
    if not _is_int(step_s) or step_s <= 0:
        raise InvalidParameterError(f"step_s must be a positive integer (seconds), got {step_s!r}")
    return int(step_s)


def check_horizon(horizon: Any) -> int:
    """Return ``horizon`` as an ``int`` after checking it is >= 1 (steps, never seconds).

    Raises:
        InvalidParameterError: if ``horizon`` is not an integer or is < 1.
    """
    if not _is_int(horizon) or horizon < 1:
        raise InvalidParameterError(f"horizon must be an integer >= 1 (steps), got {horizon!r}")
    return int(horizon)


def check_quantiles(quantiles: Sequence[float]) -> tuple[float, ...]:
    """Return ``quantiles`` as a tuple of floats after checking the quantile rules.

    Rules: non-empty, each finite and in the open interval (0, 1), strictly ascending.

    Raises:
        InvalidParameterError: naming the first offending position and value.
    """
    try:
        qs = tuple(float(q) for q in quantiles)
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"quantiles must be a sequence of floats, got {quantiles!r}") from exc
    if not qs:
        raise InvalidParameterError("quantiles must not be empty")
    for i, q in enumerate(qs):
        if not 0.0 < q < 1.0:  # also rejects NaN
            raise InvalidParameterError(f"quantiles[{i}]={q!r} must be in the open interval (0, 1)")
        if i > 0 and q <= qs[i - 1]:
            raise InvalidParameterError(
                f"quantiles must be strictly ascending; quantiles[{i}]={q!r} <= "
                f"quantiles[{i - 1}]={qs[i - 1]!r}"
            )
    return qs


def season_steps(season_s: Any, step_s: int) -> int:
    """Return the season length in steps, ``season_s // step_s``.

    Args:
        season_s: seasonal period, seconds; a positive multiple of ``step_s``.
        step_s: step length, seconds (already checked).

    Returns:
        Season length in steps, >= 2.

    Raises:
        InvalidParameterError: if ``season_s`` is not a positive integer, not a multiple of
            ``step_s`` (phases would drift), or shorter than two steps.
    """
    if not _is_int(season_s) or season_s <= 0:
        raise InvalidParameterError(f"season_s must be a positive integer (seconds), got {season_s!r}")
    if season_s % step_s != 0:
        raise InvalidParameterError(f"season_s={season_s} must be a multiple of step_s={step_s}")
    n_season_steps = int(season_s) // step_s
    if n_season_steps < 2:
        raise InvalidParameterError(
            f"season_s={season_s} must span >= 2 steps of step_s={step_s}; got {n_season_steps}"
        )
    return n_season_steps


def check_history(history_acu: Any) -> FloatArray:
    """Return ``history_acu`` as a new 1-D float64 array after checking its values.

    NaN (or None in a list) marks a missing step and is allowed (see ``history.fill_gaps``);
    booleans, complex numbers and text are refused, never coerced.

    Args:
        history_acu: demand per step, shape (n_steps,), ACU; the last element is the step
            just before the forecast starts.

    Returns:
        A float64 copy, shape (n_steps,), NaNs kept.

    Raises:
        InvalidHistoryError: if not 1-D or not real numbers, or any value is negative or infinite
            (message names ``history_acu``, the first bad index and its value).
        InsufficientHistoryError: if empty or every value is NaN.
    """
    if isinstance(history_acu, list | tuple):  # numpy would upcast True or "3" beside floats
        odd = next(
            (i for i, v in enumerate(history_acu) if isinstance(v, bool | np.bool_ | str | bytes | complex)),
            None,
        )
        if odd is not None:
            raise InvalidHistoryError(
                f"history_acu[{odd}]={history_acu[odd]!r} must be a real number (ACU; NaN or None for a "
                "missing step)"
            )
    try:
        raw = np.asarray(history_acu)
        kind = raw.dtype.kind
        y = np.array(raw, dtype=np.float64, copy=True) if kind not in "bcmMUSV" else raw
    except (TypeError, ValueError) as exc:
        raise InvalidHistoryError(f"history_acu must be numeric, got {history_acu!r:.80}") from exc
    if kind in "bcmMUSV":  # booleans, complex numbers, times, text: never coerced
        raise InvalidHistoryError(
            f"history_acu must be real numbers (ACU; NaN or None for a missing step), got {raw.dtype} values"
        )
    if y.ndim != 1:
        raise InvalidHistoryError(f"history_acu must be 1-D (n_steps,), got shape {y.shape}")
    if y.size == 0:
        raise InsufficientHistoryError("history_acu is empty; need at least 1 observed step")
    bad = np.flatnonzero(np.isinf(y) | (y < 0.0))
    if bad.size:
        i = int(bad[0])
        value = float(y[i])
        rule = "must be >= 0 ACU" if value < 0 else "must be finite (use NaN for missing)"
        raise InvalidHistoryError(f"history_acu[{i}]={value!r} {rule}; {bad.size} invalid value(s) in total")
    if np.all(np.isnan(y)):
        raise InsufficientHistoryError(
            f"history_acu has {y.size} steps, all missing (NaN); need at least 1 observed step"
        )
    return y
