"""Configuration of demand forecasting: ``ForecastConfig``.

This module owns the frozen, explicit configuration that ``forecast_demand`` takes (and that
``policy.config.PolicyConfig`` nests). No environment reads, no module state. Each default
carries its rationale or source.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = ["ForecastConfig"]


class ForecastConfig(BaseModel):
    """How ``forecast_demand`` chooses and fits a model.

    Attributes:
        model: ``"auto"`` picks Holt-Winters when the history allows it, else a simpler
            model; ``"holt_winters"`` prefers Holt-Winters but still degrades (with a
            warning) on short/constant history or a failed fit; ``"seasonal_naive"`` always
            uses the seasonal naive baseline (last value if shorter than one season).
        season_s: seasonal period in seconds; must be a multiple of ``step_s`` and at least
            two steps long (checked when forecasting, since ``step_s`` is a call argument).
        max_history_s: only the most recent ``max_history_s // step_s`` steps are used.
        min_seasons: full seasons of history needed before Holt-Winters is tried.

    Raises:
        pydantic.ValidationError: (a ``ValueError``) on unknown keys, non-positive values,
            ``min_seasons < 2``, or ``max_history_s < min_seasons * season_s`` with a model
            that wants Holt-Winters (the window could never hold enough history).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    # "auto": use the richest model the history supports, degrade with a warning otherwise
    # (DESIGN.md §4: short/constant/gappy histories are normal inputs).
    model: Literal["auto", "seasonal_naive", "holt_winters"] = "auto"
    # Daily cycle: database load follows business hours. Weekly seasonality (MSTL) is not
    # modelled yet; 86,400 s = 288 steps at the default step_s=300.
    season_s: int = Field(default=86_400, gt=0)
    # 14 days, the most history EC2 predictive scaling uses (FACTS.md C7). At step_s=300 that
    # is 4,032 steps, which a heuristic-init Holt-Winters fits in ~10 ms.
    max_history_s: int = Field(default=14 * 86_400, gt=0)
    # Holt-Winters needs >= 2 full seasons: statsmodels' heuristic initialisation refuses
    # fewer, and PHPA checks the same minimum (STYLE.md §7).
    min_seasons: int = Field(default=2, ge=2)

    @model_validator(mode="after")
    def _window_fits_min_seasons(self) -> ForecastConfig:
        needed_s = self.min_seasons * self.season_s
        if self.model != "seasonal_naive" and self.max_history_s < needed_s:
            raise ValueError(
                f"max_history_s={self.max_history_s} must be >= min_seasons * season_s = "
                f"{self.min_seasons} * {self.season_s} = {needed_s} when model={self.model!r}"
            )
        return self
