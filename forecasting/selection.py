"""Automatic model selection by rolling-origin backtest, with split-conformal intervals.

This module owns ``AutoForecaster``, the model ``forecast_demand`` uses by default. Per series
and per call (no state between calls; the same history gives the same choice):

1. split the gap-free window into training ``y[:T]`` and origins over the last
   ``calibration_s`` (``backtest.split_origins``);
2. fit each feasible candidate once on ``y[:T]`` (``registry.min_train_steps``); a candidate
   whose fit fails is dropped with a note naming the error;
3. roll each fitted candidate over the origins without refitting (its states follow the data;
   its parameters stay those of ``y[:T]``), collecting errors e[o, h] = y[o+h] - yhat[o, h];
4. calibrate each candidate's quantiles from its own errors (``intervals.conformal_offsets``,
   per horizon band) and score it by the mean pinball loss of those quantiles; choose the
   lowest score (ties: earlier candidate);
5. forecast from the end of the window with the *same* fitted candidate plus its offsets, so
   the intervals are calibrated on exactly the model that forecasts (split conformal).

Parameters fitted on ``y[:T]`` are up to ``calibration_s`` old when the forecast is made; the
states (level, season, AR lags) are current. This keeps one fit per candidate, which is what
makes the selection affordable on every call (~35 ms for 4,032 steps and seven candidates).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from forecasting.backtest import rolling_errors, split_origins
from forecasting.base import BaseForecaster, RollingForecaster
from forecasting.config import ForecastConfig
from forecasting.errors import ForecastingError, InsufficientHistoryError
from forecasting.holt_winters import holt_winters_min_steps
from forecasting.intervals import conformal_offsets, extend_by_sqrt, pinball_score
from forecasting.registry import make_model, min_train_steps
from forecasting.types import FloatArray, ModelScore
from forecasting.validation import season_steps

__all__ = ["AutoForecaster"]

_BASIC = ("last_value", "ses", "seasonal_naive", "seasonal_naive_weekly")  # no silent skip note for these


class AutoForecaster(BaseForecaster):
    """Backtest-selected, conformally calibrated forecaster (module docstring).

    Args:
        config: candidates, seasons and the calibration span (``ForecastConfig``).
        horizon: steps scored from each origin (the horizon the caller will predict; longer
            predictions extend the last band's offsets by sqrt(h / horizon)).
        quantiles: quantiles the selection scores, ascending in (0, 1).

    Fitted attributes (besides ``BaseForecaster``'s):
        chosen_: the fitted winning candidate.
        y_: the fitted window, shape (n_steps,), ACU.
        errors_: the winner's backtest errors, shape (n_origins, h_cal), ACU.
        scores_: every scored candidate, in candidate order.

    Raises (from ``fit``):
        InsufficientHistoryError: no candidate could be backtested (the message names why).

    Examples:
        >>> y = np.tile(np.r_[np.full(6, 2.0), np.full(6, 4.0)], 100)
        >>> fc = AutoForecaster(ForecastConfig(season_s=3600), horizon=3, quantiles=(0.5,))
        >>> fc.fit(y, 300).predict(3, (0.5,)).model
        'seasonal_naive'
    """

    chosen_: RollingForecaster
    y_: FloatArray
    errors_: FloatArray
    scores_: tuple[ModelScore, ...]

    def __init__(
        self,
        config: ForecastConfig | None = None,
        horizon: int = 36,
        quantiles: tuple[float, ...] = (0.5, 0.9, 0.95),
    ) -> None:
        self.config = config
        self.horizon = horizon
        self.quantiles = quantiles

    def _cfg(self) -> ForecastConfig:
        return self.config if self.config is not None else ForecastConfig()

    def _gap_season_steps(self, step_s: int) -> int:
        season_steps(self._cfg().weekly_season_s, step_s)
        return season_steps(self._cfg().season_s, step_s)

    def _fit(self, y: FloatArray, step_s: int) -> list[str]:
        cfg = self._cfg()
        m = season_steps(cfg.season_s, step_s)
        h_cal = min(self.horizon, m)
        preferred = holt_winters_min_steps(m, cfg.min_seasons)
        train, origins = split_origins(y.size, h_cal, cfg.calibration_s // step_s, preferred)
        notes: list[str] = []
        fits: list[tuple[ModelScore, RollingForecaster, FloatArray, tuple[str, ...]]] = []
        too_short = [c for c in cfg.candidates if min_train_steps(c, cfg, step_s) > train]
        for name in [c for c in cfg.candidates if c not in too_short]:
            model = make_model(name, cfg)
            try:
                own_notes = model.fit_quietly(y[:train], step_s)
                errors = rolling_errors(model, y, y, origins, h_cal)
            except ForecastingError as exc:
                notes.append(f"{name} dropped from the backtest: {exc}")
                continue
            score = pinball_score(errors, conformal_offsets(errors, self.quantiles), self.quantiles)
            fits.append((ModelScore(model=name, pinball_acu=score), model, errors, own_notes))
        skipped = [c for c in too_short if c not in _BASIC]
        if not fits:
            raise InsufficientHistoryError(
                f"history has {y.size} steps; no candidate of {cfg.candidates} could be backtested"
                f" ({'; '.join(notes) or f'{train} training steps are too few'})"
            )
        if skipped and all(s.model in _BASIC for s, *_ in fits):
            needs = ", ".join(f"{c} needs >= {min_train_steps(c, cfg, step_s)}" for c in skipped)
            notes.append(
                f"history has {y.size} steps, {train} before the backtest origins; {needs}; "
                f"chose among {', '.join(s.model for s, *_ in fits)}"
            )
        best = min(range(len(fits)), key=lambda i: (fits[i][0].pinball_acu, i))
        chosen, self.chosen_, self.errors_, own_notes = fits[best]
        self.y_ = y.copy()
        self.scores_ = tuple(f[0] for f in fits)
        self.model_name_ = chosen.model
        return [*notes, *own_notes]

    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> FloatArray:
        n = self.y_.size
        point = self.chosen_.point_paths(self.y_, np.array([n], dtype=np.int64), horizon)[0]
        offsets = extend_by_sqrt(conformal_offsets(self.errors_, quantiles), horizon)
        raw: FloatArray = point[np.newaxis, :] + offsets
        return raw

    def _report(self) -> dict[str, Any]:
        chosen = next(s for s in self.scores_ if s.model == self.model_name_)
        return {
            "candidates": self.scores_,
            "backtest_pinball_acu": chosen.pinball_acu,
            "n_backtest_origins": int(self.errors_.shape[0]),
        }
