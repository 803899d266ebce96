"""``forecast_demand``: the one entry point ``policy`` calls.

This module owns the path from raw history to a forecast and every fallback on it. It
validates inputs, keeps the recent window (``ForecastConfig.max_history_s``), fills gaps once
(``forecasting.history``), and hands the window to ``selection.AutoForecaster`` (backtest
selection + adaptive conformal intervals, ``forecasting.calibration``) over
``config.candidates`` (``config.model="auto"``) or over the one named model. Every fallback
is a ``ForecastWarning`` *and* a line in ``QuantileForecast.warnings``; it never emits NaN
and never crashes on short, constant, all-zero, gappy or spiky history.

==================================  ================  ========================================
condition (n steps in the window,   model             warning
m season steps)
==================================  ================  ========================================
history constant (incl. all 0)      seasonal_naive    "history is constant (v ACU over n
                                    (last_value if    steps); backtest skipped; using ..."
                                    n < m)
too short to backtest any           last_value if     "history has n steps; a backtest ...
candidate (or every fit failed)     n < m, else       needs >= k; using ..." (names the
                                    seasonal_naive    failed fits)
only the naive candidates fit       best of them      "history has n steps, T before the
before the origins                                    backtest origins; holt_winters needs..."
a candidate's fit fails             best of the rest  "holt_winters dropped from the backtest:
                                                      ..."
the last hour > 5% above every      backtest winner,  "unprecedented level: demand over the
hour of the 2 days before it        upper quantiles   last hour averaged ..." (not a
                                    raised            fallback; ``forecasting.unprecedented``)
the last hour > 5% below every      any model (the    "unprecedented drop: demand over the
hour of the 2 days before it        fallbacks too),   last hour averaged ..." (not a
                                    upper quantiles   fallback; ``forecasting.unprecedented``)
                                    kept at the
                                    lowest of them
otherwise                           backtest winner   none
==================================  ================  ========================================

Other hard inputs: NaN gaps are filled first (warning "history_acu had k missing (NaN)
steps ..."); a non-converging statsmodels fit is kept and scored, and warns only if it wins
("holt_winters: the statsmodels optimiser did not converge ..."); isolated spikes need no
path of their own (candidates are scored against the spiky actuals, so one that repeats a
spike loses, and the conformal offsets carry the spike risk); very large values are scaled
inside each model (Holt-Winters and SES divide by the maximum; least squares and STL are
scale-equivariant), tested at 1e6 ACU.

Irregular or jittered timestamps never reach this package: ``traces.demand_series`` puts
samples on the fixed ``step_s`` grid first (each step takes the max of the samples whose
timestamp falls inside it; empty steps are NaN), so ``history_acu`` is always regular.

Thread-safety note: Holt-Winters and MSTL silence statsmodels warnings with
``warnings.catch_warnings``, which changes process-wide warning filters while they run.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from forecasting.base import BaseForecaster
from forecasting.baselines import LastValue, SeasonalNaive
from forecasting.config import ForecastConfig
from forecasting.errors import (
    ForecastingError,
    ForecastWarning,
    InsufficientHistoryError,
    InvalidParameterError,
)
from forecasting.history import fill_gaps, gap_message, recent_window
from forecasting.selection import AutoForecaster
from forecasting.types import FloatArray, QuantileForecast
from forecasting.unprecedented import level_drop, widen_upper
from forecasting.validation import (
    check_history,
    check_horizon,
    check_quantiles,
    check_step_s,
    season_steps,
)

__all__ = ["forecast_demand"]


def _fallback(y: FloatArray, m: int, config: ForecastConfig) -> BaseForecaster:
    """Return the model used without a backtest: seasonal naive, or last value if n < m."""
    return SeasonalNaive(season_s=config.season_s) if y.size >= m else LastValue()


def _forecast_window(
    y: FloatArray, m: int, step_s: int, horizon: int, qs: tuple[float, ...], config: ForecastConfig
) -> tuple[QuantileForecast, list[str]]:
    """Forecast the gap-free window ``y``; return the forecast and the fallback notes."""
    if np.ptp(y) == 0.0:
        model = _fallback(y, m, config)
        reason = f"history is constant ({float(y[0]):g} ACU over {y.size} steps); backtest skipped"
    else:
        candidates = config.candidates if config.model == "auto" else (config.model,)
        auto = AutoForecaster(config.model_copy(update={"candidates": candidates}), horizon, qs)
        try:
            auto.fit_quietly(y, step_s)
            return auto.predict(horizon, qs), []
        except ForecastingError as exc:
            if isinstance(exc, InvalidParameterError):
                raise
            model = _fallback(y, m, config)
            reason = str(exc)
    fallback_name = "seasonal_naive" if isinstance(model, SeasonalNaive) else "last_value"
    notes = [f"{reason}; using {fallback_name}"]
    model.fit_quietly(y, step_s)
    fc = model.predict(horizon, qs)
    # The selection's drop rule holds here too (a fallback has no calibrated interval to lose a
    # dropout in: 30 steps at 5 ACU then one 0 paused the cluster). Its rise rule does not: the
    # fallbacks already repeat the last level or the last day, and the excess would count twice.
    drop_floor, drop = level_drop(y, step_s)
    if drop is None:
        return fc, notes
    widened = widen_upper(fc.demand_acu, qs, excess_acu=0.0, drop_floor_acu=drop_floor)
    widened.setflags(write=False)
    return fc.model_copy(update={"demand_acu": widened}), [*notes, drop]


def _uncalibrated(quantiles: tuple[float, ...], n_origins: int) -> list[str]:
    """A note when a quantile is beyond what ``n_origins`` backtest errors per step can calibrate.

    Split conformal needs ceil((n + 1) q) <= n errors for the q-quantile (Vovk et al.,
    "Algorithmic Learning in a Random World", 2005; Angelopoulos & Bates, "A Gentle
    Introduction to Conformal Prediction", 2021, section 1): beyond n / (n + 1) (below
    1 / (n + 1)) its offset is the most extreme error seen, so the bound is optimistic.
    """
    if n_origins <= 0:
        return []
    lo, hi = 1 / (n_origins + 1), n_origins / (n_origins + 1)
    beyond = [q for q in quantiles if q > hi or q < lo]
    if not beyond:
        return []
    listed = ", ".join(f"{q:.10g}" for q in beyond)
    return [
        f"quantile(s) {listed} are beyond what {n_origins} backtest origins can calibrate ({lo:.3g} to "
        f"{hi:.3g}): their offsets are the most extreme backtest errors seen, so those bounds are optimistic"
    ]


def forecast_demand(
    history_acu: npt.ArrayLike,
    step_s: int = 300,
    horizon: int = 36,
    quantiles: Sequence[float] = (0.5, 0.9, 0.95),
    config: ForecastConfig | None = None,
) -> QuantileForecast:
    """Forecast ACU demand quantiles for the next ``horizon`` steps.

    Args:
        history_acu: demand per step, shape (n_steps,), ACU, >= 0; NaN marks a missing step.
            The last element is the step just before the forecast starts.
        step_s: step length, seconds (default 300: CloudWatch's 5-minute period).
        horizon: number of steps to forecast, >= 1 (default 36 = 3 h at 300 s).
        quantiles: strictly ascending probabilities in (0, 1).
        config: model choice, season and history window; ``ForecastConfig()`` if None.

    Returns:
        ``QuantileForecast`` with ``demand_acu`` of shape (n_quantiles, horizon), ACU: finite,
        >= 0, non-crossing; ``model`` names the model used, ``warnings`` every fallback, and
        ``candidates`` / ``backtest_pinball_acu`` / ``n_backtest_origins`` the backtest behind
        the choice (empty / None / 0 on a fallback path).

    Raises:
        InvalidParameterError: bad ``step_s``, ``horizon``, ``quantiles`` or
            ``config.season_s`` (not a multiple of ``step_s``, or under two steps).
        InvalidHistoryError: negative or infinite values, or not 1-D (names index and value).
        InsufficientHistoryError: empty history, or no observed value in the window.

    Warns:
        ForecastWarning: gaps filled, simpler model used, a candidate's fit failed or did not
            converge (the same texts as ``QuantileForecast.warnings``).

    Examples:
        >>> fc = forecast_demand([2.0, 3.0, 4.0] * 200, step_s=300, horizon=3,
        ...                      config=ForecastConfig(season_s=900))
        >>> fc.model, fc.quantile(0.5).round(3).tolist()  # a perfect repeat: the simplest model ties
        ('seasonal_naive', [2.0, 3.0, 4.0])
        >>> [c.model for c in fc.candidates][:3]
        ['last_value', 'ses', 'seasonal_naive']
    """
    config = config if config is not None else ForecastConfig()
    step_s = check_step_s(step_s)
    horizon = check_horizon(horizon)
    qs = check_quantiles(quantiles)
    m = season_steps(config.season_s, step_s)
    window = recent_window(check_history(history_acu), config.max_history_s // step_s)
    if np.all(np.isnan(window)):
        raise InsufficientHistoryError(
            f"the last {window.size} steps of history_acu (max_history_s="
            f"{config.max_history_s}) are all missing (NaN); need at least 1 observed step"
        )
    y, n_missing = fill_gaps(window, m)
    notes = [gap_message(n_missing, y.size, m)] if n_missing else []
    fc, fallback_notes = _forecast_window(y, m, step_s, horizon, qs, config)
    notes += fallback_notes
    notes += [w for w in fc.warnings if w not in notes]
    notes += _uncalibrated(qs, fc.n_backtest_origins)
    for note in notes:
        warnings.warn(note, ForecastWarning, stacklevel=2)
    return fc.model_copy(update={"warnings": tuple(notes)})
