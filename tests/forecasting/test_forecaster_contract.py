"""One contract battery over every forecaster (statsforecast assert_class, sklearn check_estimator).

Runs over every registered model (``forecasting.MODEL_NAMES`` via ``make_model``), the
backtest-selected ``AutoForecaster`` and a few non-default hyperparameters.
"""

import warnings

import numpy as np
import pytest
from conftest import SEASON_STEPS, diurnal

from forecasting import (
    MODEL_NAMES,
    AutoForecaster,
    BaseForecaster,
    ForecastConfig,
    Forecaster,
    ForecastWarning,
    HoltWinters,
    NotFittedError,
    QuantileForecast,
    SeasonalNaive,
    make_model,
)

STEP_S = 300
HORIZON = 40
QUANTILES = (0.05, 0.5, 0.9, 0.95)

WEEKLY_MODELS = {"seasonal_naive_weekly"}  # need a week of history before they stop degrading

FORECASTERS = [
    *(pytest.param(lambda name=name: make_model(name, ForecastConfig()), id=name) for name in MODEL_NAMES),
    pytest.param(lambda: AutoForecaster(), id="auto"),
    pytest.param(lambda: AutoForecaster(ForecastConfig(model="mstl"), horizon=12), id="auto-mstl-h12"),
    pytest.param(lambda: SeasonalNaive(season_s=3600), id="seasonal_naive-hourly"),
    pytest.param(lambda: HoltWinters(trend="damped"), id="holt_winters-damped"),
]


@pytest.fixture
def three_days(request):
    """Noisy diurnal history long enough for the model under test (8 days for weekly ones)."""
    days = 8 if request.node.callspec.id.split("-")[0] in WEEKLY_MODELS else 3
    return diurnal(days * SEASON_STEPS, seed=1)[0]


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
    other, _ = make_diurnal(three_days.size, level=50.0, amplitude=20.0, seed=7)
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
