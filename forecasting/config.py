"""Configuration of demand forecasting: ``ForecastConfig``.

This module owns the frozen, explicit configuration that ``forecast_demand`` takes (and that
``policy.config.PolicyConfig`` nests). No environment reads, no module state. Each default
carries its rationale or source.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from forecasting.types import ModelName

__all__ = ["ForecastConfig"]


class ForecastConfig(BaseModel):
    """How ``forecast_demand`` chooses, fits and calibrates a model.

    Attributes:
        model: ``"auto"`` backtests every name in ``candidates`` on the series' own history
            and uses the best, with split-conformal intervals (``forecasting.selection``);
            a model name backtests and calibrates just that model. Either degrades (with a
            warning) to last value / seasonal naive when the history is too short to
            backtest, or constant.
        candidates: the models ``"auto"`` may choose from (``ModelName`` values, no repeats).
        season_s: daily seasonal period in seconds; must be a multiple of ``step_s`` and at
            least two steps long (checked when forecasting, since ``step_s`` is a call
            argument).
        weekly_season_s: the second seasonal period (weekly models), seconds.
        max_history_s: only the most recent ``max_history_s // step_s`` steps are used.
        min_seasons: full seasons of history needed before Holt-Winters is tried.
        backtest_s: span at the end of the window the backtest origins cover; the errors
            there score the candidates (out of sample: fitted on the steps before it).
        calibration_s: how far back the chosen model's errors are collected to calibrate
            its quantiles (``forecasting.calibration``; recency weights with a half-life the
            data chooses decide how much each day counts, so this is a cap, not the span).

    Raises:
        pydantic.ValidationError: (a ``ValueError``) on unknown keys, non-positive values,
            ``min_seasons < 2``, repeated candidates, or ``max_history_s < min_seasons *
            season_s`` with a model that wants Holt-Winters (the window could never hold
            enough history).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # "auto": the model that wins a rolling-origin backtest on the series' own history
    # (forecasting.auto); short/constant/gappy histories degrade with a warning.
    model: Literal["auto"] | ModelName = "auto"
    # Every shipped model but mstl: on the forecast benchmark (23 series, every hourly origin)
    # mstl won 6% of origins and dropping it moved pinball per series by -2.4% to +2.9% (mean
    # ~0) while its fit is ~9 of the ~22 ms a forecast took; ``model="mstl"`` still uses it.
    candidates: tuple[ModelName, ...] = Field(
        default=tuple(m for m in get_args(ModelName) if m != "mstl"), min_length=1
    )
    # Daily cycle: database load follows business hours; 86,400 s = 288 steps at 300 s.
    season_s: int = Field(default=86_400, gt=0)
    # Weekly cycle (weekday/weekend); 2,016 steps at 300 s.
    weekly_season_s: int = Field(default=7 * 86_400, gt=0)
    # 14 days, the most history EC2 predictive scaling uses (sources: ec2-predictive). At step_s=300 that
    # is 4,032 steps.
    max_history_s: int = Field(default=14 * 86_400, gt=0)
    # Holt-Winters needs >= 2 full seasons: statsmodels' heuristic initialisation refuses
    # fewer (statsmodels ExponentialSmoothing, initialization_method='heuristic').
    min_seasons: int = Field(default=2, ge=2)
    # 2 days of backtest origins: ~180 origins x 36 steps of errors per candidate, two daily
    # cycles, 12 days of a 14-day window left to fit on (the lowest mean pinball of 2, 3, 5
    # and 7 days on the forecast benchmark).
    backtest_s: int = Field(default=2 * 86_400, gt=0)
    # 7 days of the winner's errors (~670 origins): enough for hour-of-day bins and for the
    # longest recency half-life (4 days) to matter (``forecasting.calibration``).
    calibration_s: int = Field(default=7 * 86_400, gt=0)

    @model_validator(mode="after")
    def _window_fits_min_seasons(self) -> ForecastConfig:
        needed_s = self.min_seasons * self.season_s
        if self.model != "seasonal_naive" and self.max_history_s < needed_s:
            raise ValueError(
                f"max_history_s={self.max_history_s} must be >= min_seasons * season_s = "
                f"{self.min_seasons} * {self.season_s} = {needed_s} when model={self.model!r}"
            )
        if len(set(self.candidates)) != len(self.candidates):
            raise ValueError(f"candidates must not repeat a model, got {self.candidates}")
        return self
