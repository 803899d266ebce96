"""Autoregressive building blocks: a least-squares AR(p) fit and vectorised multi-origin paths.

This module owns the AR(p) arithmetic shared by ``seasonal_ar`` (AR on seasonal differences)
and ``mstl`` (AR on the deseasonalised series). Pure numpy; no statsmodels, no state.

Model, for a gap-free series x::

    x[t] = c + phi_1 x[t-1] + ... + phi_p x[t-p] + e[t]

fitted by conditional least squares (``numpy.linalg.lstsq`` on the lagged design matrix; the
same estimator as statsmodels ``AutoReg(x, lags=p, trend="c" | "n")``). An OLS fit can be
explosive on short or trending windows; if ``sum(|phi|) > MAX_PHI_SUM`` the coefficients are
scaled down to that sum, which guarantees all roots lie outside the unit circle (a sufficient
condition), so forecasts revert to ``c / (1 - sum(phi))`` instead of diverging.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from forecasting.errors import InsufficientHistoryError, ModelFitError
from forecasting.types import FloatArray

__all__ = ["MAX_PHI_SUM", "MIN_AR_ROWS", "ArCoefficients", "ar_paths", "fit_ar"]

IntArray = npt.NDArray[np.int64]

# sum(|phi|) cap: close to a unit root (an AR(1) at the cap keeps 0.995**36 = 84% of today's
# deviation from the mean after 36 steps) while ruling out explosive fits.
MAX_PHI_SUM = 0.995
# Fewer rows than this make the p + 1 least-squares coefficients noise (rule of thumb: 10+
# observations per coefficient, with p <= 4).
MIN_AR_ROWS = 50

ArCoefficients = tuple[float, FloatArray]
"""(c, phi): the intercept in the series' unit and the AR coefficients, shape (p,)."""


def fit_ar(x: FloatArray, order: int, *, constant: bool, field: str) -> ArCoefficients:
    """Fit AR(``order``) to ``x`` by conditional least squares (module formula).

    Args:
        x: gap-free series, shape (n,), finite.
        order: p >= 1, number of lags.
        constant: fit the intercept c (else c = 0).
        field: what ``x`` is, for error messages (e.g. "seasonal differences").

    Returns:
        (c, phi) with ``phi`` of shape (p,), stability-capped (module docstring).

    Raises:
        InsufficientHistoryError: fewer than ``MIN_AR_ROWS`` rows after the p lags.
        ModelFitError: non-finite coefficients.
    """
    n_rows = x.size - order
    if n_rows < MIN_AR_ROWS:
        raise InsufficientHistoryError(
            f"{field} have {x.size} steps; AR({order}) needs >= {order + MIN_AR_ROWS}"
        )
    lags = [x[order - i : x.size - i] for i in range(1, order + 1)]
    if constant:
        lags.append(np.ones(n_rows))
    design = np.column_stack(lags)
    coef = np.linalg.lstsq(design, x[order:], rcond=None)[0]
    if not np.all(np.isfinite(coef)):
        raise ModelFitError(f"AR({order}) least squares on {field} gave non-finite coefficients")
    phi = np.asarray(coef[:order], dtype=np.float64)
    total = float(np.sum(np.abs(phi)))
    if total > MAX_PHI_SUM:
        phi = phi * (MAX_PHI_SUM / total)
    return (float(coef[order]) if constant else 0.0), phi


def ar_paths(x: FloatArray, origins: IntArray, horizon: int, coef: ArCoefficients) -> FloatArray:
    """Forecast ``x[o], ..., x[o + horizon - 1]`` from each origin o using ``x[:o]`` only.

    Args:
        x: gap-free series, shape (n,); values at or after an origin are never read for it.
        origins: shape (n_origins,), each in [p, n].
        horizon: number of steps, >= 1.
        coef: (c, phi) from ``fit_ar``.

    Returns:
        Point forecasts, shape (n_origins, horizon), in the unit of ``x``.
    """
    c, phi = coef
    order = phi.size
    # buffer[:, j] = x[o - order + j]: the p most recent values, oldest first
    buffer = np.stack([x[origins - order + j] for j in range(order)], axis=1)
    out = np.empty((origins.size, horizon))
    for h in range(horizon):
        nxt = c + buffer[:, ::-1] @ phi
        out[:, h] = nxt
        buffer = np.concatenate([buffer[:, 1:], nxt[:, np.newaxis]], axis=1)
    return out
