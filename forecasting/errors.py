"""Exception and warning types of the ``forecasting`` package.

This module owns every error the package raises. It imports nothing, so any module of the
package (and callers such as ``policy``) can import it without cycles.

Hierarchy (input errors also subclass ``ValueError``, the scikit-learn convention, so callers
that already catch builtins keep working)::

    ForecastingError
    ├── InsufficientHistoryError (ValueError)   empty / all-missing / too-short history
    ├── InvalidHistoryError (ValueError)        negative, infinite or non-1-D history
    ├── InvalidParameterError (ValueError)      bad horizon, quantiles, step_s, season_s
    ├── NotFittedError (ValueError, AttributeError)  predict() before fit()
    └── ModelFitError (RuntimeError)            a model failed to fit (auto path falls back)

``ForecastWarning`` marks soft data-quality issues and model fallbacks; it is emitted with
``warnings.warn`` and also recorded on ``QuantileForecast.warnings``.
"""

from __future__ import annotations

from typing import ClassVar

__all__ = [
    "ForecastWarning",
    "ForecastingError",
    "InsufficientHistoryError",
    "InvalidHistoryError",
    "InvalidParameterError",
    "ModelFitError",
    "NotFittedError",
]


class ForecastingError(Exception):
    """Base class of every error raised by ``forecasting``.

    Attributes:
        code: the stable wire code, set explicitly on every class.
    """

    code: ClassVar[str] = "forecasting"


class InsufficientHistoryError(ForecastingError, ValueError):
    """The history is empty, entirely missing, or too short for the requested model.

    Messages state what arrived and the minimum needed, e.g. "history has 200 steps;
    holt_winters with season 288 steps needs >= 576".
    """

    code: ClassVar[str] = "insufficient_history"


class InvalidHistoryError(ForecastingError, ValueError):
    """The history has a value no demand can take (negative, infinite) or a wrong shape.

    Messages name the field ``history_acu``, the first offending index and its value.
    """

    code: ClassVar[str] = "invalid_history"


class InvalidParameterError(ForecastingError, ValueError):
    """A call parameter (``horizon``, ``quantiles``, ``step_s``, ``season_s``…) is invalid.

    Messages name the parameter, the value received and the rule it breaks.
    """

    code: ClassVar[str] = "invalid_parameter"


class NotFittedError(ForecastingError, ValueError, AttributeError):
    """``predict`` was called on a forecaster before ``fit``.

    Subclasses ``ValueError`` and ``AttributeError`` like scikit-learn's ``NotFittedError``.
    """

    code: ClassVar[str] = "not_fitted"


class ModelFitError(ForecastingError, RuntimeError):
    """A model's numerical fit failed or produced non-finite states or forecasts.

    ``forecast_demand`` catches it and falls back to a simpler model with a
    ``ForecastWarning``; direct model users see it raised.
    """

    code: ClassVar[str] = "model_fit"


class ForecastWarning(UserWarning):
    """A forecast degraded gracefully: gaps filled, a simpler model used, or a fit failed."""
