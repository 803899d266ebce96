"""A chosen model that is wrong *now*: an intercept correction while its recent errors say so.

This module owns the rule, and its warning, for a level shift the chosen model has not
followed. Model selection scores candidates over the whole backtest (2 days) and fits their
parameters on data up to that long ago, so a model that fitted the old regime well can keep
forecasting it for hours after the level moved: on a daily series whose mean fell from 8 to
2 ACU, Holt-Winters (near-zero level smoothing, fitted before the shift) still forecast a
mean of 10-11 ACU for the next 3 hours at 1, 2 and 4 hours after the shift, against 2.5
realised, until another model won the backtest 8 hours on. Pure numpy.

Rule, for the chosen model's one-step-ahead errors ``e = y - yhat`` (``r`` = steps per
hour)::

    recent = e at the last r steps (each forecast one step ahead from the data before it)
    past   = e at the calibration origins, one step ahead (days of them)
    lo, hi = quantiles BAND_LOW, BAND_HIGH of past
    if median(recent) < lo or median(recent) > hi:
        shift = median(recent) - median(past)      # added to the whole point forecast

This is an *intercept correction* (Clements & Hendry, "Forecasting Economic Time Series",
Cambridge University Press 1998, ch. 8: after a location shift a model's forecasts are
set back on track by adding its recent residuals), triggered by a test rather than always
applied: under a model that is still right, the median of the last hour's errors falls
outside the 10-90 % band of its past errors only when half of them do (for 12 independent
errors at a 5-minute step, P(Binomial(12, 0.1) >= 6) = 5e-4 per side, about 1 call in 1,000),
so on a series the model tracks the rule stays silent (72 calls over 2 days of 3 synthetic
daily series: none; ``tests/forecasting/test_bias.py``). It is self-limiting: the next call
recomputes it, and as soon as the model's recent errors are back in the band (the model has
caught up, or the level went back) no shift is applied. Both directions are corrected: a
model still forecasting an old, higher level (a workload moved away, a cluster left idle)
or an old, lower one (a new tenant) is as wrong either way. The upper quantiles keep their
guard for the first hours of a drop (:func:`forecasting.unprecedented.level_drop`) and get
the part of a rise above every recent level that the shift did not already add
(:func:`forecasting.unprecedented.level_excess`).

ASSUMPTION: the 10-90 % band is the product's own central interval (its default risk
quantile is p90); the window is the last hour, as for the unprecedented-level rules. Neither
was tuned on the benchmark series. Measured after the fact on the forecast benchmark
(``python -m benchmarks.forecast``, 23 series): mean pinball ratio dev 0.6126 -> 0.6019,
held-out 0.7858 -> 0.7805, no coverage target newly missed.
"""

from __future__ import annotations

import numpy as np

from forecasting.types import FloatArray

__all__ = ["BAND_HIGH", "BAND_LOW", "BIASED_FORECAST", "intercept_correction"]

BAND_LOW = 0.1
BAND_HIGH = 0.9
BIASED_FORECAST = "biased forecast:"
"""Prefix of the warning when the correction applies."""


def intercept_correction(
    recent_errors: FloatArray, past_errors: FloatArray, model: str
) -> tuple[float, str | None]:
    """Return the shift to add to the point forecast, ACU, and its warning (0.0, None: none).

    Args:
        recent_errors: the chosen model's one-step-ahead errors ``y - yhat`` at the last
            hour's steps, shape (r,), ACU.
        past_errors: its one-step-ahead errors at the calibration origins, shape (n_past,),
            ACU.
        model: the chosen model's name, for the warning.

    Returns:
        (shift, note): ``median(recent) - median(past)`` when the recent median lies
        outside the ``BAND_LOW``-``BAND_HIGH`` quantiles of the past errors, else (0.0,
        None). Fewer than 2 errors on either side: (0.0, None).

    Examples:
        >>> past = np.linspace(-1.0, 1.0, 201)  # a model that was right to within 1 ACU
        >>> intercept_correction(np.full(12, -6.0), past, "holt_winters")[0]
        -6.0
        >>> intercept_correction(np.r_[np.full(6, 0.2), np.full(6, -0.2)], past, "ses")
        (0.0, None)
    """
    recent = np.asarray(recent_errors, dtype=np.float64)
    past = np.asarray(past_errors, dtype=np.float64)
    if recent.size < 2 or past.size < 2:
        return 0.0, None
    now = float(np.median(recent))
    lo, hi = (float(x) for x in np.quantile(past, [BAND_LOW, BAND_HIGH]))
    if lo <= now <= hi:
        return 0.0, None
    shift = now - float(np.median(past))
    way = "above" if shift < 0 else "below"
    note = (
        f"{BIASED_FORECAST} {model} forecast the last hour {abs(now):.3g} ACU {way} demand at the "
        f"median one step ahead, outside {BAND_LOW:.0%}-{BAND_HIGH:.0%} of its past one-step errors "
        f"({lo:.3g} to {hi:.3g} ACU); its forecast is shifted by {shift:+.3g} ACU while that lasts"
    )
    return shift, note
