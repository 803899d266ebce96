"""One contract battery over every forecaster (statsforecast assert_class, sklearn check_estimator)."""

import warnings

import numpy as np
import pytest

from forecasting import (
    BaseForecaster,
    Forecaster,
    ForecastWarning,
    HoltWinters,
    LastValue,
    NotFittedError,
    QuantileForecast,
    SeasonalNaive,
)

STEP_S = 300
HORIZON = 40
QUANTILES = (0.05, 0.5, 0.9, 0.95)

FORECASTERS = [
    pytest.param(lambda: SeasonalNaive(), id="seasonal_naive"),
    pytest.param(lambda: SeasonalNaive(season_s=3600), id="seasonal_naive-hourly"),
    pytest.param(lambda: LastValue(), id="last_value"),
    pytest.param(lambda: HoltWinters(), id="holt_winters"),
    pytest.param(lambda: HoltWinters(trend="damped"), id="holt_winters-damped"),
]

pytestmark = [
    pytest.mark.parametrize("make", FORECASTERS),
    # clean histories must not trigger any warning, ours or a leaked statsmodels one
    pytest.mark.filterwarnings("error"),
]


def test_fit_then_predict_equals_forecast(make, three_days):
    fitted = make().fit(three_days, STEP_S).predict(HORIZON, QUANTILES)
    stateless = make().forecast(three_days, STEP_S, HORIZON, QUANTILES)
    assert fitted == stateless
    assert isinstance(fitted, QuantileForecast)


def test_predict_before_fit_raises_not_fitted(make):
    model = make()
    with pytest.raises(NotFittedError, match="not fitted"):
        model.predict(HORIZON, QUANTILES)
    with pytest.raises(ValueError):  # NotFittedError is also a ValueError ...
        model.predict(HORIZON, QUANTILES)
    with pytest.raises(AttributeError):  # ... and an AttributeError (sklearn)
        model.predict(HORIZON, QUANTILES)


def test_output_shape_and_invariants(make, three_days):
    fc = make().fit(three_days, STEP_S).predict(HORIZON, QUANTILES)
    d = fc.demand_acu
    assert d.shape == (len(QUANTILES), HORIZON)
    assert d.dtype == np.float64
    assert np.all(np.isfinite(d))
    assert np.all(d >= 0.0)
    assert np.all(np.diff(d, axis=0) >= 0.0), "quantiles cross"
    assert fc.quantiles == QUANTILES
    assert fc.horizon == HORIZON
    assert fc.warnings == ()
    np.testing.assert_array_equal(fc.quantile(0.9), d[2])


def test_refit_equals_fresh_fit(make, three_days, make_diurnal):
    other, _ = make_diurnal(700, level=50.0, amplitude=20.0, seed=7)
    refitted = make().fit(other, STEP_S).fit(three_days, STEP_S).predict(HORIZON, QUANTILES)
    fresh = make().fit(three_days, STEP_S).predict(HORIZON, QUANTILES)
    assert refitted == fresh


def test_same_input_gives_identical_output(make, three_days):
    first = make().forecast(three_days, STEP_S, HORIZON, QUANTILES)
    second = make().forecast(three_days.copy(), STEP_S, HORIZON, QUANTILES)
    assert first == second


def test_forecast_does_not_change_the_instance(make, three_days):
    model = make()
    model.forecast(three_days, STEP_S, HORIZON, QUANTILES)
    with pytest.raises(NotFittedError):
        model.predict(HORIZON, QUANTILES)


def test_constructor_only_stores_hyperparameters(make):
    model = make()
    assert isinstance(model, Forecaster)
    assert isinstance(model, BaseForecaster)
    assert not [k for k in vars(model) if k.endswith("_")], "fitted state before fit"
    clone = type(model)(**model.get_params())
    assert clone.get_params() == model.get_params()
    assert repr(clone) == repr(model)


def test_fit_does_not_modify_the_input(make, three_days):
    history = three_days.copy()
    history[10] = np.nan
    before = history.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ForecastWarning)  # the gap note is expected
        make().fit(history, STEP_S)
    np.testing.assert_array_equal(history, before)


def test_output_array_is_read_only(make, three_days):
    fc = make().fit(three_days, STEP_S).predict(HORIZON, QUANTILES)
    with pytest.raises(ValueError):
        fc.demand_acu[0, 0] = 1.0
