"""Value types produced by the ``forecasting`` package.

This module owns ``QuantileForecast``, the single output type of every forecaster, and the
reusable ``Quantile`` and ``ModelName`` type aliases. It imports only ``errors``.

A ``QuantileForecast`` is checked on construction (shape, finiteness, non-negativity and
non-crossing), so holding one means its invariants hold; its array is a read-only copy.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from forecasting.errors import InvalidParameterError

__all__ = ["FloatArray", "ModelName", "ModelScore", "Quantile", "QuantileForecast"]

FloatArray = npt.NDArray[np.float64]
"""A float64 numpy array; shapes are given where it is used."""

Quantile = Annotated[float, Field(gt=0.0, lt=1.0)]
"""A probability q in the open interval (0, 1)."""

ModelName = Literal[
    "last_value", "ses", "seasonal_naive", "seasonal_naive_weekly", "seasonal_ar", "holt_winters", "mstl"
]
"""Names of the models this package fits, as reported in ``QuantileForecast.model``."""


class ModelScore(BaseModel):
    """One candidate's rolling-origin backtest score.

    Attributes:
        model: candidate name (a ``ModelName``).
        pinball_acu: mean pinball loss of its conformally calibrated quantiles over the
            backtest origins, steps and requested quantiles, ACU, finite, >= 0 (lower is
            better; the selection picks the minimum).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str
    pinball_acu: float = Field(ge=0.0, allow_inf_nan=False)


_QUANTILE_ABS_TOL = 1e-9  # lookup tolerance in quantile(): absorbs float round-trips only


class QuantileForecast(BaseModel):
    """A quantile forecast of ACU demand over a horizon of fixed steps.

    Attributes:
        quantiles: strictly ascending probabilities, each in (0, 1), length n_quantiles.
        demand_acu: forecast demand, shape (n_quantiles, horizon), ACU, float64; finite,
            >= 0 and non-decreasing along axis 0 (quantiles never cross). Column ``t`` is the
            step ``t + 1`` steps after the last history step. Read-only.
        model: name of the model that actually produced the forecast (e.g.
            ``"holt_winters"``, ``"seasonal_naive"``, ``"last_value"``).
        warnings: human-readable fallbacks and data-quality notes, in the order they
            happened; each was also emitted as a ``ForecastWarning``.
        candidates: backtest score of every candidate the automatic selection evaluated,
            in candidate order; empty when no backtest ran (a single model's own fit).
        backtest_pinball_acu: the chosen model's backtest score, ACU (None without one).
        n_backtest_origins: rolling origins behind the scores and the calibration.

    Raises:
        pydantic.ValidationError: (a ``ValueError``) when any invariant above is violated.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    quantiles: tuple[Quantile, ...] = Field(min_length=1)
    demand_acu: FloatArray
    model: str
    warnings: tuple[str, ...] = ()
    candidates: tuple[ModelScore, ...] = ()
    backtest_pinball_acu: float | None = Field(default=None, ge=0.0, allow_inf_nan=False)
    n_backtest_origins: int = Field(default=0, ge=0)

    @field_validator("demand_acu", mode="before")
    @classmethod
    def _as_readonly_array(cls, value: Any) -> FloatArray:
        array = np.array(value, dtype=np.float64, copy=True)
        array.setflags(write=False)
        return array

    @model_validator(mode="after")
    def _check_invariants(self) -> QuantileForecast:
        qs = self.quantiles
        if any(b <= a for a, b in zip(qs, qs[1:], strict=False)):
            raise ValueError(f"quantiles must be strictly ascending, got {qs}")
        d = self.demand_acu
        if d.ndim != 2 or d.shape[0] != len(qs) or d.shape[1] < 1:
            raise ValueError(f"demand_acu must have shape (n_quantiles={len(qs)}, horizon>=1), got {d.shape}")
        if not np.all(np.isfinite(d)):
            raise ValueError("demand_acu must be finite (no NaN/inf)")
        if np.any(d < 0.0):
            raise ValueError("demand_acu must be >= 0")
        if np.any(np.diff(d, axis=0) < 0.0):
            raise ValueError("demand_acu must be non-decreasing along the quantile axis")
        return self

    @property
    def horizon(self) -> int:
        """Number of forecast steps (columns of ``demand_acu``)."""
        return int(self.demand_acu.shape[1])

    def quantile(self, q: float) -> FloatArray:
        """Return the forecast row for one of the stated quantiles.

        Args:
            q: a probability equal (within 1e-9) to one of ``self.quantiles``.

        Returns:
            Read-only array of shape (horizon,), ACU.

        Raises:
            InvalidParameterError: (a ``ValueError``) if ``q`` is not one of the quantiles.
        """
        for i, stated in enumerate(self.quantiles):
            if math.isclose(q, stated, rel_tol=0.0, abs_tol=_QUANTILE_ABS_TOL):
                row: FloatArray = self.demand_acu[i]
                return row
        raise InvalidParameterError(
            f"quantile={float(q)!r} is not in this forecast; available quantiles: {self.quantiles}"
        )

    def __eq__(self, other: object) -> bool:
        """Compare field by field, arrays by exact value (pydantic's default cannot)."""
        if not isinstance(other, QuantileForecast):
            return NotImplemented
        return (
            self.quantiles == other.quantiles
            and self.model == other.model
            and self.warnings == other.warnings
            and self.candidates == other.candidates
            and self.backtest_pinball_acu == other.backtest_pinball_acu
            and self.n_backtest_origins == other.n_backtest_origins
            and np.array_equal(self.demand_acu, other.demand_acu)
        )

    __hash__ = None  # type: ignore[assignment]  # holds an ndarray: not hashable
