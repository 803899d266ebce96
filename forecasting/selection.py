"""Automatic model selection by rolling-origin backtest, with adaptive conformal intervals.

This module owns ``AutoForecaster``, the model ``forecast_demand`` uses by default. Per series
and per call (no state between calls; the same history gives the same choice):

0. find the window's one-off upward excursions (``excursions.one_offs``): the candidates are
   fitted, and forecast from, the window with them replaced by the same time on the days
   before (each backtest origin sees only the ones confirmed by then), and every error is
   measured against the window as observed;
1. split the gap-free window into training ``y[:T]`` and origins every 3 steps over the last
   ``backtest_s`` (``backtest.split_origins``);
2. fit each feasible candidate once on ``y[:T]`` (``registry.min_train_steps``); a candidate
   whose fit fails is dropped with a note naming the error;
3. roll each fitted candidate over the origins without refitting (its states follow the data;
   its parameters stay those of ``y[:T]``), collecting errors e[o, h] = y[o+h] - yhat[o, h];
4. score each candidate by the mean pinball loss of its split-conformal quantiles
   (``intervals.conformal_offsets`` per horizon band) and choose the lowest; candidates that
   tie (equal to 1e-9: a flat weekend scores a weekly and a no-season model both 0) are
   scored again on the earlier origins of step 5, and then the earlier candidate wins;
5. take the winner's backtest errors *cross-fitted*: the origins fall in
   ``CROSS_FIT_BLOCKS`` contiguous blocks, and in a block where the candidates' scores on the
   other blocks (``intervals.complement_scores``) choose another model, the block's errors
   are that model's, re-centred per step on the winner's median there (its spread, the
   winner's bias). A model chosen because its backtest was lucky would otherwise calibrate on
   those same lucky errors and under-cover (the winner's curse of selection: Tibshirani &
   Tibshirani 2009, "A bias correction for the minimum error rate in cross-validation", Ann.
   Appl. Stat. 3(2); for conformal intervals after model selection, Yang & Kuchibhotla 2024,
   "Selection and aggregation of conformal prediction sets", JASA); then roll the winner
   further back, over origins on the same grid up to ``calibration_s`` before the end (those
   before T are in-sample for its parameters, its states stay causal; it was not chosen on
   them), and calibrate its quantiles from all these errors (``calibration.calibrate``:
   recency weights with a data-chosen half-life, ACI levels replayed over the last 2 days,
   hour-of-day bins);
6. forecast from the end of the window with the *same* fitted winner plus those offsets,
   shifted by the winner's recent bias while its last hour's one-step errors lie outside the
   central 80 % of its past ones (``bias.intercept_correction``), then raise the upper
   quantiles when the last hour is above every hour of the 2 days before it
   (``unprecedented.level_excess``, less what an upward shift already added), and keep them at
   the lowest of those hours when the last hour fell below every one
   (``unprecedented.level_drop``), each with a warning.

Parameters fitted on ``y[:T]`` are up to ``backtest_s`` old when the forecast is made; the
states (level, season, AR lags) are current. This keeps one fit per candidate, which is what
makes the selection affordable on every call.

Steps 0-3 do not depend on the quantiles asked for, and a caller may ask the same window
for several sets of quantiles (the replay's re-plan: the plan applied, then its shadows'
shared forecast). Inside a :func:`shared_backtests` block their outcome, the window's one-off
excursions and every candidate's fit and backtest errors, is kept, keyed by the window's
exact bytes, the step, the scored horizon and the whole ``ForecastConfig``: another call with
the same key reuses the fitted models and errors, which are exactly what fitting again would
give (the fits are deterministic), and scores them at its own quantiles. The fitted models
are only read after their fit, and the kept errors are read-only arrays. Outside such a
block nothing is kept.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import numpy as np

from forecasting.backtest import ORIGIN_STRIDE_STEPS, rolling_errors, split_origins
from forecasting.base import BaseForecaster, IntArray, RollingForecaster
from forecasting.bias import intercept_correction
from forecasting.calibration import calibrate
from forecasting.config import ForecastConfig
from forecasting.errors import ForecastingError, InsufficientHistoryError, ModelFitError
from forecasting.excursions import OneOffs, one_offs
from forecasting.holt_winters import holt_winters_min_steps
from forecasting.intervals import complement_scores, conformal_offsets, extend_by_sqrt, pinball_score
from forecasting.registry import make_model, min_train_steps
from forecasting.types import FloatArray, ModelName, ModelScore
from forecasting.unprecedented import RECENT_S, level_drop, level_excess, widen_upper
from forecasting.validation import season_steps

__all__ = ["AutoForecaster", "shared_backtests"]

# Cross-fitting against the winner's curse (step 5): the backtest's origins in this many
# contiguous blocks of time (12 h each over the default 2 days), each needing at least
# MIN_BLOCK_ORIGINS origins (an hour at the 15-minute stride) or the errors are used as they
# are. ASSUMPTION: 4 was fixed before the suite was scored (the textbook 4-5 folds of
# cross-validation); it is not tuned.
CROSS_FIT_BLOCKS = 4
MIN_BLOCK_ORIGINS = 4
# Scores equal to this tolerance are a tie (a flat weekend scores a weekly and a no-season
# model both 0).
TIE_RTOL = 1e-9
TIE_ATOL = 1e-12

_BASIC = ("last_value", "ses", "seasonal_naive", "seasonal_naive_weekly")  # no silent skip note for these


@dataclass(frozen=True)
class _Fitted:
    """One candidate after module steps 2-3: fitted and rolled over the origins, or dropped.

    Attributes:
        name: the candidate.
        model: the fitted model (None when dropped).
        errors: its backtest errors, shape (n_origins, h_cal), ACU, read-only (None when dropped).
        notes: the fit's own notes.
        dropped: why it was dropped (the ``ForecastingError``'s message), or None.
    """

    name: ModelName
    model: RollingForecaster | None
    errors: FloatArray | None
    notes: tuple[str, ...]
    dropped: str | None


@dataclass(frozen=True)
class _Backtest:
    """What module steps 0-3 make of a window, whatever the quantiles: one-offs and candidates."""

    one_offs: OneOffs
    fitted: tuple[_Fitted, ...]


_backtests: ContextVar[dict[tuple[Any, ...], _Backtest] | None] = ContextVar("backtests", default=None)


@contextmanager
def shared_backtests() -> Iterator[None]:
    """Within the block, forecasts of the same window share one backtest (module steps 0-3).

    For a caller that asks one history for several sets of quantiles: each forecast is the
    one it would be alone, to the bit, but the candidates are fitted and backtested once per
    window (keyed by the window's bytes, the step, the scored horizon and the
    ``ForecastConfig``). What is kept lives until the block ends (about 0.5 MB per window
    at the defaults); blocks nest, the innermost one keeping its own.

    Example:
        >>> import numpy as np
        >>> y = np.tile(np.r_[np.full(6, 2.0), np.full(6, 4.0)], 100)
        >>> with shared_backtests():
        ...     a = AutoForecaster(ForecastConfig(season_s=3600), 3, (0.5,)).fit(y, 300)
        ...     b = AutoForecaster(ForecastConfig(season_s=3600), 3, (0.1, 0.9)).fit(y, 300)
        >>> a.chosen_ is b.chosen_  # one fit of the winner
        True
    """
    token = _backtests.set({})
    try:
        yield
    finally:
        _backtests.reset(token)


def _backtest(
    y: FloatArray,
    step_s: int,
    h_cal: int,
    train: int,
    origins: IntArray,
    candidates: list[ModelName],
    cfg: ForecastConfig,
) -> _Backtest:
    """Module steps 0-3 for the window ``y``: from the cache when this window was backtested lately.

    Args:
        y: the gap-free window, shape (n,), ACU.
        step_s: step length, seconds.
        h_cal: steps scored from each origin.
        train: training steps, ``y[:train]``.
        origins: backtest origins, shape (n_origins,) (a function of the other arguments).
        candidates: the candidates long enough to fit, in order.
        cfg: the configuration (seasons, and the candidates' own options).

    Returns:
        The :class:`_Backtest`; inside a :func:`shared_backtests` block, the same object for
        the same key.
    """
    kept = _backtests.get()
    key = (y.tobytes(), y.size, step_s, h_cal, train, tuple(candidates), cfg)
    if kept is not None and key in kept:
        return kept[key]
    own = y.copy()  # what is kept must not see a caller change its array
    m = season_steps(cfg.season_s, step_s)
    found = one_offs(own, m, step_s, season_steps(cfg.weekly_season_s, step_s))
    fitted = []
    for name in candidates:
        model = make_model(name, cfg)
        try:
            notes = model.fit_quietly(found.cleaned[:train], step_s)
            errors = rolling_errors(model, own, origins, h_cal, found)
        except ForecastingError as exc:
            fitted.append(_Fitted(name, None, None, (), str(exc)))
            continue
        errors.setflags(write=False)
        fitted.append(_Fitted(name, model, errors, notes, None))
    out = _Backtest(found, tuple(fitted))
    if kept is not None:
        kept[key] = out
    return out


def _cross_fit_blocks(n_origins: int) -> IntArray | None:
    """Block of each backtest origin, ``CROSS_FIT_BLOCKS`` contiguous ones; None if too few origins."""
    if n_origins < CROSS_FIT_BLOCKS * MIN_BLOCK_ORIGINS:
        return None
    return np.arange(n_origins, dtype=np.int64) * CROSS_FIT_BLOCKS // n_origins


def _scores(
    errors: FloatArray, blocks: IntArray | None, quantiles: tuple[float, ...]
) -> tuple[float, FloatArray]:
    """A candidate's backtest score (module step 4) and, per block, its score on the other blocks.

    Returns the mean pinball loss, ACU, and shape (CROSS_FIT_BLOCKS,) (empty without blocks).
    """
    if blocks is None:
        return pinball_score(errors, conformal_offsets(errors, quantiles), quantiles), np.empty(0)
    scores = complement_scores(errors, blocks, CROSS_FIT_BLOCKS + 1, quantiles)  # the last holds no origin
    return float(scores[-1]), scores[:-1]


def _cross_fitted(errors: list[FloatArray], held: FloatArray, blocks: IntArray, best: int) -> FloatArray:
    """The winner's backtest errors with each block's spread from its cross-fitted choice (step 5).

    Args:
        errors: every scored candidate's backtest errors, each (n_origins, h_cal), ACU.
        held: per candidate and block, the score on the other blocks, (n_candidates, n_blocks).
        blocks: block of each origin, shape (n_origins,).
        best: index of the winner.

    Returns:
        Shape (n_origins, h_cal), ACU: in a block whose other blocks also choose the winner
        (ties go to it), its errors; else the choice's errors minus their median per step in
        the block plus the winner's (the spread is the choice's, the bias the winner's).
    """
    won = errors[best]
    out = won.copy()
    for b in range(held.shape[1]):
        tied = np.isclose(held[:, b], held[:, b].min(), rtol=TIE_RTOL, atol=TIE_ATOL)
        choice = best if tied[best] else int(np.flatnonzero(tied)[0])
        if choice != best:
            rows = blocks == b
            other = errors[choice][rows]
            out[rows] = other - np.median(other, axis=0) + np.median(won[rows], axis=0)
    return out


class AutoForecaster(BaseForecaster):
    """Backtest-selected, conformally calibrated forecaster (module docstring).

    Args:
        config: candidates, seasons, the backtest and calibration spans (``ForecastConfig``).
        horizon: steps scored from each origin (the horizon the caller will predict; longer
            predictions extend the last band's offsets by sqrt(h / horizon)).
        quantiles: quantiles the selection scores, ascending in (0, 1).

    Fitted attributes (besides ``BaseForecaster``'s):
        chosen_: the fitted winning candidate.
        y_: the window the models forecast from, shape (n_steps,), ACU: the history with its
            confirmed one-off excursions replaced (``one_offs_.cleaned``).
        one_offs_: the history's one-off excursions (``excursions.one_offs``); backtest
            errors are measured against the history itself.
        errors_: the winner's errors over the calibration span (the backtest's cross-fitted,
            module step 5), shape (n_origins, h_cal), ACU.
        origins_: their origins, shape (n_origins,), ascending step indices of ``y_``.
        n_backtest_: how many of the last origins are the backtest's (out of sample).
        season_steps_: the daily season m, steps.
        excess_: the unprecedented-level excess added above p50 (``unprecedented``), ACU.
        drop_floor_: the level the quantiles above p50 keep after an unprecedented drop
            (``unprecedented.level_drop``; 0.0 without one), ACU.
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
    one_offs_: OneOffs
    errors_: FloatArray
    origins_: IntArray
    n_backtest_: int
    season_steps_: int
    excess_: float
    drop_floor_: float
    shift_: float
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
        train, origins = split_origins(y.size, h_cal, cfg.backtest_s // step_s, preferred)
        notes: list[str] = []
        fits: list[tuple[ModelScore, RollingForecaster, FloatArray, tuple[str, ...], FloatArray]] = []
        blocks = _cross_fit_blocks(origins.size)
        too_short = [c for c in cfg.candidates if min_train_steps(c, cfg, step_s) > train]
        backtest = _backtest(
            y, step_s, h_cal, train, origins, [c for c in cfg.candidates if c not in too_short], cfg
        )
        self.one_offs_ = backtest.one_offs
        for f in backtest.fitted:
            if f.model is None or f.errors is None:
                notes.append(f"{f.name} dropped from the backtest: {f.dropped}")
                continue
            try:
                score, held = _scores(f.errors, blocks, self.quantiles)
                if not np.isfinite(score):
                    raise ModelFitError("its backtest pinball loss overflows float64 (values near 1e308)")
            except ForecastingError as exc:
                notes.append(f"{f.name} dropped from the backtest: {exc}")
                continue
            fits.append((ModelScore(model=f.name, pinball_acu=score), f.model, f.errors, f.notes, held))
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
        best, rescored = self._break_tie(y, origins, [(f[0].pinball_acu, f[1]) for f in fits], m, step_s)
        chosen, self.chosen_, errors, own_notes, _ = fits[best]
        if blocks is not None:
            errors = _cross_fitted([f[2] for f in fits], np.stack([f[4] for f in fits]), blocks, best)
        self.origins_, self.errors_ = self._calibration_errors(y, origins, errors, m, step_s, rescored)
        weekly = (
            season_steps(cfg.weekly_season_s, step_s) if chosen.model == "seasonal_naive_weekly" else None
        )
        self.shift_, bias_note = self._intercept_correction(y, step_s, chosen.model)
        self.excess_, level_note = level_excess(y, step_s, weekly, lifted_acu=max(self.shift_, 0.0))
        self.drop_floor_, drop_note = level_drop(y, step_s, weekly)
        self.n_backtest_ = int(origins.size)
        self.season_steps_ = m
        self.y_ = self.one_offs_.cleaned
        self.scores_ = tuple(f[0] for f in fits)
        self.model_name_ = chosen.model
        return [*notes, *own_notes, *(note for note in (level_note, drop_note, bias_note) if note)]

    def _intercept_correction(self, y: FloatArray, step_s: int, model: str) -> tuple[float, str | None]:
        """The winner's shift while its last hour's one-step errors say it is off (``bias``)."""
        recent = np.arange(max(y.size - max(RECENT_S // step_s, 1), int(self.origins_[0])), y.size)
        errors = rolling_errors(self.chosen_, y, recent.astype(np.int64), 1, self.one_offs_)[:, 0]
        return intercept_correction(errors, self.errors_[:, 0], model)

    def _earlier_origins(
        self,
        y: FloatArray,
        origins: IntArray,
        h_cal: int,
        models: list[RollingForecaster],
        m: int,
        step_s: int,
    ) -> IntArray:
        """Origins on the backtest's grid before it, back over the calibration span (step 5)."""
        first = max(
            y.size - h_cal - self._cfg().calibration_s // step_s,
            *(model.min_fit_steps(step_s) for model in models),
            m,
        )
        earlier = np.arange(int(origins[0]) - ORIGIN_STRIDE_STEPS, first - 1, -ORIGIN_STRIDE_STEPS)[::-1]
        return earlier.astype(np.int64)

    def _break_tie(
        self,
        y: FloatArray,
        origins: IntArray,
        scored: list[tuple[float, RollingForecaster]],
        m: int,
        step_s: int,
    ) -> tuple[int, tuple[IntArray, FloatArray] | None]:
        """The winner: lowest score; tied ones rescored on the earlier origins (step 4).

        Returns its index and, after a rescoring, its earlier origins and errors there (for
        step 5 to reuse), else None.
        """
        low = min(score for score, _ in scored)
        tied = [
            i for i, (score, _) in enumerate(scored) if np.isclose(score, low, rtol=TIE_RTOL, atol=TIE_ATOL)
        ]
        if len(tied) == 1:
            return tied[0], None
        h_cal = min(self.horizon, m)
        earlier = self._earlier_origins(y, origins, h_cal, [scored[i][1] for i in tied], m, step_s)
        if earlier.size == 0:
            return tied[0], None
        errors = [rolling_errors(scored[i][1], y, earlier, h_cal, self.one_offs_) for i in tied]
        again = [pinball_score(e, conformal_offsets(e, self.quantiles), self.quantiles) for e in errors]
        k = min(range(len(tied)), key=lambda j: (again[j], j))
        return tied[k], (earlier, errors[k])

    def _calibration_errors(
        self,
        y: FloatArray,
        origins: IntArray,
        errors: FloatArray,
        m: int,
        step_s: int,
        rescored: tuple[IntArray, FloatArray] | None = None,
    ) -> tuple[IntArray, FloatArray]:
        """Extend the winner's backtest errors back over the calibration span (module step 5).

        ``rescored``: the winner's earlier origins and errors from a tie-break, reused when
        they are the same origins.
        """
        h_cal = errors.shape[1]
        earlier = self._earlier_origins(y, origins, h_cal, [self.chosen_], m, step_s)
        if earlier.size == 0:
            return origins, errors
        if rescored is not None and np.array_equal(rescored[0], earlier):
            before = rescored[1]
        else:
            before = rolling_errors(self.chosen_, y, earlier, h_cal, self.one_offs_)
        return np.concatenate([earlier, origins]).astype(np.int64), np.concatenate([before, errors])

    def _predict(self, horizon: int, quantiles: tuple[float, ...]) -> FloatArray:
        n = self.y_.size
        point = self.chosen_.point_paths(self.y_, np.array([n], dtype=np.int64), horizon)[0] + self.shift_
        cal = calibrate(
            self.errors_, self.origins_, n, quantiles, self.season_steps_, self.step_s_, self.one_offs_.mask
        )
        offsets = extend_by_sqrt(cal.offsets, horizon, quantiles)
        raw = point[np.newaxis, :] + offsets
        return widen_upper(raw, quantiles, excess_acu=self.excess_, drop_floor_acu=self.drop_floor_)

    def _report(self) -> dict[str, Any]:
        chosen = next(s for s in self.scores_ if s.model == self.model_name_)
        return {
            "candidates": self.scores_,
            "backtest_pinball_acu": chosen.pinball_acu,
            "n_backtest_origins": self.n_backtest_,
        }
