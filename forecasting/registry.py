r"""The registry of named models: one place that turns a ``ModelName`` into a forecaster.

This module owns the mapping used by the backtest selection (``selection``), by the
forecaster contract test (every registered model) and by ``benchmarks/forecast.py``.

============================  ================================================  ===========
name                          model                                             min steps*
============================  ================================================  ===========
``last_value``                ``LastValue()``                                   1
``ses``                       ``SimpleExpSmoothing()``, ETS(A,N,N)              10
``seasonal_naive``            ``SeasonalNaive(season_s)``                       m
``seasonal_naive_weekly``     ``SeasonalNaive(weekly_season_s)``                w
``seasonal_ar``               ``SeasonalAR(season_s)``, ARIMA(3,0,0)(0,1,0)_m   m + 53
``holt_winters``              ``HoltWinters(season_s)``, ETS(A,N,A)             min_seasons m
``mstl``                      ``MSTLForecaster(season_s, weekly_season_s)``     2 m + 1
============================  ================================================  ===========

\* training steps before a model is a candidate (m, w: daily and weekly season in steps).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

from forecasting.base import RollingForecaster
from forecasting.baselines import LastValue, SeasonalNaive
from forecasting.config import ForecastConfig
from forecasting.holt_winters import HoltWinters, holt_winters_min_steps
from forecasting.mstl import MSTLForecaster
from forecasting.seasonal_ar import SeasonalAR
from forecasting.ses import SimpleExpSmoothing
from forecasting.types import ModelName
from forecasting.validation import season_steps

__all__ = ["MODEL_NAMES", "make_model", "min_train_steps"]

MODEL_NAMES: tuple[ModelName, ...] = get_args(ModelName)
"""Every registered model name, in the order of ``types.ModelName``."""


def make_model(name: ModelName, config: ForecastConfig) -> RollingForecaster:
    """Return a new, unfitted forecaster for ``name`` with the seasons of ``config``.

    Args:
        name: a registered model name.
        config: supplies ``season_s`` and ``weekly_season_s``.

    Returns:
        The forecaster (hyperparameters stored, nothing validated yet).

    Raises:
        KeyError: ``name`` is not registered (a bug: ``ForecastConfig`` validates names).
    """
    makers: dict[str, Callable[[], RollingForecaster]] = {
        "last_value": LastValue,
        "ses": SimpleExpSmoothing,
        "seasonal_naive": lambda: SeasonalNaive(season_s=config.season_s),
        "seasonal_naive_weekly": lambda: SeasonalNaive(season_s=config.weekly_season_s),
        "seasonal_ar": lambda: SeasonalAR(season_s=config.season_s),
        "holt_winters": lambda: HoltWinters(season_s=config.season_s),
        "mstl": lambda: MSTLForecaster(season_s=config.season_s, weekly_season_s=config.weekly_season_s),
    }
    return makers[name]()


def min_train_steps(name: ModelName, config: ForecastConfig, step_s: int) -> int:
    """Return the training steps ``name`` needs before it is a candidate (module table).

    Raises:
        InvalidParameterError: a season of ``config`` does not fit ``step_s``.
    """
    steps = make_model(name, config).min_fit_steps(step_s)
    if name == "holt_winters":
        steps = max(steps, holt_winters_min_steps(season_steps(config.season_s, step_s), config.min_seasons))
    return steps
