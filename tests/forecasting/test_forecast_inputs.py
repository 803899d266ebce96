"""Parameter validation, ForecastConfig rules, QuantileForecast invariants and the gap-fill rule."""

import numpy as np
import pydantic
import pytest

from forecasting import (
    ForecastConfig,
    HoltWinters,
    InsufficientHistoryError,
    InvalidParameterError,
    QuantileForecast,
    SeasonalNaive,
    forecast_demand,
)
from forecasting.history import fill_gaps

HISTORY = np.tile([1.0, 2.0, 3.0], 400)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"horizon": 0}, r"^horizon must be an integer >= 1 \(steps\), got 0$"),
        ({"horizon": -3}, r"^horizon must be .* got -3$"),
        ({"horizon": 2.5}, r"^horizon must be .* got 2\.5$"),
        ({"horizon": True}, r"^horizon must be .* got True$"),
        ({"step_s": 0}, r"^step_s must be a positive integer \(seconds\), got 0$"),
        ({"step_s": -300}, r"^step_s must be .* got -300$"),
        ({"step_s": 300.0}, r"^step_s must be .* got 300\.0$"),
        ({"quantiles": ()}, r"^quantiles must not be empty$"),
        ({"quantiles": (0.9, 0.5)}, r"quantiles\[1\]=0\.5 <= quantiles\[0\]=0\.9"),
        ({"quantiles": (0.5, 0.5)}, r"strictly ascending"),
        ({"quantiles": (0.0, 0.5)}, r"^quantiles\[0\]=0\.0 must be in the open interval \(0, 1\)$"),
        ({"quantiles": (0.5, 1.0)}, r"^quantiles\[1\]=1\.0 must be in the open interval"),
        ({"quantiles": (float("nan"),)}, r"^quantiles\[0\]=nan must be in the open interval"),
        ({"quantiles": ("high",)}, r"^quantiles must be a sequence of floats"),
        ({"step_s": 7}, r"^season_s=86400 must be a multiple of step_s=7$"),
        ({"step_s": 86_400}, r"^season_s=86400 must span >= 2 steps of step_s=86400; got 1$"),
    ],
    ids=lambda v: str(v) if isinstance(v, dict) else "",
)
def test_bad_parameters_name_the_field(kwargs, pattern):
    call = {"step_s": 300, "horizon": 6, "quantiles": (0.5, 0.9)} | kwargs
    with pytest.raises(InvalidParameterError, match=pattern):
        forecast_demand(HISTORY, **call)
    with pytest.raises(ValueError):  # input errors are ValueErrors too
        forecast_demand(HISTORY, **call)


def test_models_validate_hyperparameters_in_fit_not_init():
    bad_season = SeasonalNaive(season_s=1000)  # stored unchanged, no error yet
    assert bad_season.season_s == 1000
    with pytest.raises(InvalidParameterError, match="season_s=1000 must be a multiple of step_s=300"):
        bad_season.fit(HISTORY, 300)
    with pytest.raises(InvalidParameterError, match="trend must be 'none' or 'damped'"):
        HoltWinters(trend="mul").fit(HISTORY, 300)  # type: ignore[arg-type]


def test_holt_winters_alone_refuses_short_history():
    with pytest.raises(
        InsufficientHistoryError,
        match=r"^history has 400 steps; holt_winters with season 288 steps needs >= 576$",
    ):
        HoltWinters().fit(np.ones(400), 300)


def test_forecast_config_defaults_and_rules():
    cfg = ForecastConfig()
    assert (cfg.model, cfg.season_s, cfg.max_history_s, cfg.min_seasons) == ("auto", 86_400, 14 * 86_400, 2)
    with pytest.raises(pydantic.ValidationError):
        ForecastConfig(seasonality=3)  # type: ignore[call-arg]  # extra="forbid"
    with pytest.raises(pydantic.ValidationError):
        ForecastConfig(min_seasons=1)
    with pytest.raises(pydantic.ValidationError):
        ForecastConfig(model="arima")  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError, match="max_history_s=86400 must be >= min_seasons"):
        ForecastConfig(max_history_s=86_400)
    assert ForecastConfig(model="seasonal_naive", max_history_s=86_400).max_history_s == 86_400
    with pytest.raises(pydantic.ValidationError):
        cfg.season_s = 3600  # type: ignore[misc]  # frozen


def test_quantile_lookup():
    fc = QuantileForecast(quantiles=(0.5, 0.9), demand_acu=[[1.0, 2.0], [3.0, 4.0]], model="x")
    np.testing.assert_array_equal(fc.quantile(0.9), [3.0, 4.0])
    np.testing.assert_array_equal(fc.quantile(0.1 + 0.8), [3.0, 4.0])  # float round-trip
    with pytest.raises(InvalidParameterError, match=r"quantile=0\.95 is not in this forecast"):
        fc.quantile(0.95)
    with pytest.raises(ValueError):
        fc.quantile(0.95)


@pytest.mark.parametrize(
    ("quantiles", "demand"),
    [
        ((0.5, 0.9), [[1.0, 2.0]]),  # wrong number of rows
        ((0.5, 0.9), [[2.0, 2.0], [1.0, 3.0]]),  # crossing
        ((0.5,), [[-1.0]]),  # negative
        ((0.5,), [[np.nan]]),  # non-finite
        ((0.9, 0.5), [[1.0], [2.0]]),  # quantiles not ascending
        ((0.5,), [[]]),  # horizon 0
    ],
    ids=["rows", "crossing", "negative", "nan", "descending", "empty"],
)
def test_quantile_forecast_rejects_broken_invariants(quantiles, demand):
    with pytest.raises(pydantic.ValidationError):
        QuantileForecast(quantiles=quantiles, demand_acu=demand, model="x")


def test_fill_gaps_rule():
    nan = np.nan
    # season of 3 steps: leading gap <- first observed; t < season <- last value;
    # t >= season <- same phase one season earlier (including already-filled values)
    y = np.array([nan, 5.0, nan, 7.0, nan, 9.0, nan, nan])
    filled, n_missing = fill_gaps(y, season_steps=3)
    np.testing.assert_array_equal(filled, [5.0, 5.0, 5.0, 7.0, 5.0, 9.0, 7.0, 5.0])
    assert n_missing == 5
    assert np.isnan(y[0]), "input must not be modified"
