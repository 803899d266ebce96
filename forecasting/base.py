"""The forecaster protocol and the base class every model derives from.

This module owns the estimator contract (scikit-learn / statsforecast style):

* ``__init__`` only stores hyperparameters, unchanged and under the same names;
* ``fit(history_acu, step_s) -> self`` validates, fills gaps, fits, and stores fitted state
  in attributes ending in ``_`` (refitting replaces all of it); the first fit of a process
  sets BLAS to one thread (``forecasting.blas``);
* ``predict(horizon, quantiles) -> QuantileForecast`` raises ``NotFittedError`` before fit and
  sends every raw forecast through ``intervals.finalize`` (the one post-processing step);
* ``forecast(history_acu, step_s, horizon, quantiles)`` fits a fresh clone and predicts,
  leaving the instance untouched;
* for the rolling-origin backtest (``forecasting.backtest``): ``RollingForecaster.point_paths(y, origins,
  horizon)`` forecasts from many origins with the fitted parameters, reading only ``y[:o]``
  for origin o; ``min_fit_steps(step_s)`` says how much history ``fit`` needs;
  ``fit_quietly`` fits and returns the notes instead of warning (for composite models).

Data-quality notes found during ``fit`` are emitted once as ``ForecastWarning`` and copied
onto every ``QuantileForecast`` the fitted model returns.
"""

from __future__ import annotations

import inspect
import warnings
from abc import ABC, abstractmethod
from collections.abc import Sequence
from typing import Any, Protocol, Self, runtime_checkable

import numpy as np
import numpy.typing as npt

from forecasting.blas import one_blas_thread
from forecasting.errors import ForecastWarning, NotFittedError
from forecasting.history import fill_gaps, gap_message
from forecasting.intervals import finalize
from forecasting.types import FloatArray, QuantileForecast
from forecasting.validation import check_history, check_horizon, check_quantiles, check_step_s

__all__ = ["BaseForecaster", "Forecaster", "IntArray", "RollingForecaster"]

IntArray = npt.NDArray[np.int64]


@runtime_checkable
class Forecaster(Protocol):
    """What ``policy`` may rely on from any forecaster."""

    def fit(self, history_acu: npt.ArrayLike, step_s: int) -> Self:
        """Fit on demand history, shape (n_steps,), ACU per ``step_s`` seconds; return self."""
        ...

    def predict(self, horizon: int, quantiles: Sequence[float]) -> QuantileForecast:
        """Forecast ``horizon`` steps after the fitted history at the given quantiles."""
        ...

    def forecast(
        self, history_acu: npt.ArrayLike, step_s: int, horizon: int, quantiles: Sequence[float]
    ) -> QuantileForecast:
        """Fit and predict without changing this instance."""
        ...


class BaseForecaster(ABC):
    """Shared fit/predict/forecast plumbing; subclasses implement ``_fit`` and ``_predict``.

    Fitted attributes (set by ``fit``):
        n_steps_: number of history steps used.
        step_s_: step length, seconds.
        model_name_: model actually fitted (e.g. ``"last_value"`` for a seasonal naive
            degraded by a history shorter than one season).
        warnings_: notes emitted during fit, in order.
    """

    n_steps_: int
    step_s_: int
    model_name_: str
    warnings_: tuple[str, ...]

    # ---- hooks for subclasses -------------------------------------------------------------
    @abstractmethod
    def _gap_season_steps(self, step_s: int) -> int:
        """Validate hyperparameters against ``step_s``; return the season (steps) for gaps."""

    @abstractmethod
    def _fit(self, y: FloatArray, step_s: int) -> list[str]:
        """Fit on gap-free ``y`` (n_steps,); set fitted attributes; return warning notes."""

    @abstractmethod
    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> FloatArray:
        """Return the raw forecast, shape (n_quantiles, horizon), ACU (not yet finalized)."""

    def min_fit_steps(self, step_s: int) -> int:
        """Return the fewest history steps ``fit`` uses without degrading or raising.

        Args:
            step_s: step length, seconds (hyperparameters in seconds become steps).

        Returns:
            Steps, >= 1; 1 unless the model says otherwise.

        Raises:
            InvalidParameterError: hyperparameters that do not fit ``step_s``.
        """
        return 1

    def _report(self) -> dict[str, Any]:
        """Return extra ``QuantileForecast`` fields (e.g. backtest scores); none by default."""
        return {}

    # ---- public contract ------------------------------------------------------------------
    def get_params(self) -> dict[str, Any]:
        """Return the constructor arguments, by name (sklearn ``get_params(deep=False)``)."""
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({args})"

    def fit(self, history_acu: npt.ArrayLike, step_s: int) -> Self:
        """Fit the model on demand history.

        Args:
            history_acu: demand per step, shape (n_steps,), ACU; NaN marks a missing step
                (filled by the rule in ``forecasting.history``); last element = the step just
                before the forecast starts.
            step_s: step length, seconds, > 0.

        Returns:
            self, fitted.

        Raises:
            InvalidParameterError: bad ``step_s`` or hyperparameters (e.g. ``season_s``).
            InvalidHistoryError: negative/infinite values or wrong shape.
            InsufficientHistoryError: empty, all-NaN, or too short for this model.
            ModelFitError: the numerical fit failed.

        Warns:
            ForecastWarning: for each note (gaps filled, degraded model), once.
        """
        for note in self.fit_quietly(history_acu, step_s):
            warnings.warn(note, ForecastWarning, stacklevel=2)
        return self

    def fit_quietly(self, history_acu: npt.ArrayLike, step_s: int) -> tuple[str, ...]:
        """Fit like ``fit`` but return the notes instead of emitting them as warnings.

        For composite forecasters (the backtest selection) that decide which notes of an
        inner model reach the caller. Args and Raises are those of ``fit``.

        Returns:
            The notes, also stored as ``warnings_``.
        """
        self._reset()
        one_blas_thread()
        step_s = check_step_s(step_s)
        n_gap_season_steps = self._gap_season_steps(step_s)
        y, n_missing = fill_gaps(check_history(history_acu), n_gap_season_steps)
        notes = [gap_message(n_missing, y.size, n_gap_season_steps)] if n_missing else []
        notes += self._fit(y, step_s)
        self.n_steps_ = int(y.size)
        self.step_s_ = step_s
        self.warnings_ = tuple(notes)  # set last: its presence marks the model as fitted
        return self.warnings_

    def predict(self, horizon: int, quantiles: Sequence[float]) -> QuantileForecast:
        """Forecast the ``horizon`` steps that follow the fitted history.

        Args:
            horizon: number of steps, >= 1.
            quantiles: strictly ascending probabilities in (0, 1).

        Returns:
            ``QuantileForecast`` with ``demand_acu`` of shape (n_quantiles, horizon), ACU.

        Raises:
            NotFittedError: before ``fit``.
            InvalidParameterError: bad ``horizon`` or ``quantiles``.
            ModelFitError: the model produced non-finite values.
        """
        if not hasattr(self, "warnings_"):
            raise NotFittedError(
                f"this {type(self).__name__} is not fitted yet; call fit(history_acu, step_s) "
                "before predict()"
            )
        horizon = check_horizon(horizon)
        qs = check_quantiles(quantiles)
        demand_acu = finalize(self._predict(horizon, qs))
        return QuantileForecast(
            quantiles=qs,
            demand_acu=demand_acu,
            model=self.model_name_,
            warnings=self.warnings_,
            **self._report(),
        )

    def forecast(
        self, history_acu: npt.ArrayLike, step_s: int, horizon: int, quantiles: Sequence[float]
    ) -> QuantileForecast:
        """Fit a fresh copy on ``history_acu`` and predict; this instance is not changed.

        Args and Raises are those of ``fit`` and ``predict``.

        Returns:
            ``QuantileForecast``, shape (n_quantiles, horizon), ACU.
        """
        return type(self)(**self.get_params()).fit(history_acu, step_s).predict(horizon, quantiles)

    def _reset(self) -> None:
        for name in [k for k in vars(self) if k.endswith("_") and not k.startswith("_")]:
            delattr(self, name)


class RollingForecaster(BaseForecaster):
    """A forecaster that can forecast from many origins without refitting.

    Every single model is one; the rolling-origin backtest (``forecasting.backtest``)
    and the automatic selector work on these. ``AutoForecaster`` is not: it chooses a
    model per call.
    """

    @abstractmethod
    def point_paths(self, y: FloatArray, origins: IntArray, horizon: int) -> FloatArray:
        """Point forecasts from several origins with the fitted parameters (rolling origin).

        The forecast from origin o predicts ``y[o], ..., y[o + horizon - 1]`` from the fitted
        parameters and ``y[:o]`` only (states are filtered causally; nothing at or after o is
        read), so with ``o >= n_steps_`` it is a genuine out-of-sample forecast.

        Args:
            y: gap-free demand, shape (n,), ACU, whose first ``n_steps_`` steps are the
                fitted history (it may extend it).
            origins: shape (n_origins,), ints in [look-back, n] (look-back: the model's
                season or AR order); o = n forecasts the future.
            horizon: number of steps, >= 1.

        Returns:
            Point forecasts, shape (n_origins, horizon), ACU (not clipped).
        """
