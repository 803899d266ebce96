"""Cross-fitted calibration errors against the winner's curse (``selection`` step 5; seeded)."""

import numpy as np
import pytest
from conftest import diurnal
from hypothesis import given, settings
from hypothesis import strategies as st

from forecasting import AutoForecaster, ForecastConfig, forecast_demand
from forecasting.backtest import rolling_errors
from forecasting.intervals import complement_scores, conformal_offsets, pinball_score
from forecasting.selection import CROSS_FIT_BLOCKS, _cross_fit_blocks, _cross_fitted


@settings(max_examples=60, deadline=None)
@given(
    n_origins=st.integers(6, 60),
    horizon=st.integers(1, 20),
    n_blocks=st.integers(2, 5),
    seed=st.integers(0, 2**32 - 1),
    rounded=st.booleans(),
    quantiles=st.lists(st.floats(0.02, 0.98), min_size=1, max_size=4, unique=True).map(sorted),
)
def test_complement_scores_equal_a_direct_recomputation(
    n_origins, horizon, n_blocks, seed, rounded, quantiles
):
    rng = np.random.default_rng(seed)
    errors = rng.standard_t(3, (n_origins, horizon))
    errors = np.round(errors) if rounded else errors  # ties among errors
    blocks = rng.integers(0, n_blocks, n_origins)
    blocks[:n_blocks] = np.arange(n_blocks)  # no block holds every origin
    qs = tuple(quantiles)
    got = complement_scores(errors, blocks, n_blocks, qs)
    for b in range(n_blocks):
        rest = errors[blocks != b]
        want = pinball_score(rest, conformal_offsets(rest, qs), qs)
        assert np.isclose(got[b], want, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("error_acu", [0.001, 0.0313, 0.7, 1.9, 2.55])
def test_complement_scores_of_equal_errors_are_zero_never_a_rounding_below(error_acu):
    # A noise-free trend leaves every backtest error equal: each block's loss is exactly 0, where
    # the prefix-sum differences used to leave a few ulps below it (and ModelScore refused it).
    errors = np.full((40, 24), error_acu)
    got = complement_scores(errors, np.arange(40) % 5, 6, (0.05, 0.5, 0.9, 0.95))
    assert np.all(got >= 0.0) and np.allclose(got, 0.0, atol=1e-12)


def test_a_noise_free_linear_trend_is_forecast_not_refused():
    for days in (3, 14):  # both lengths raised a pydantic ValidationError (pinball_acu < 0)
        y = np.linspace(1.0, 10.0, days * 288)
        fc = forecast_demand(y, step_s=300, horizon=12, quantiles=(0.5, 0.9))
        assert fc.demand_acu[0, 0] == pytest.approx(10.0, abs=0.1)


def test_complement_scores_of_a_block_without_origins_is_the_whole_score():
    errors = np.arange(12.0).reshape(6, 2)
    got = complement_scores(errors, np.array([0, 0, 0, 1, 1, 1]), 3, (0.5, 0.9))
    assert got[2] == pinball_score(errors, conformal_offsets(errors, (0.5, 0.9)), (0.5, 0.9))


def test_blocks_are_contiguous_and_need_enough_origins():
    assert _cross_fit_blocks(CROSS_FIT_BLOCKS * 4 - 1) is None
    assert _cross_fit_blocks(181).tolist() == [0] * 46 + [1] * 45 + [2] * 45 + [3] * 45


def test_a_block_whose_other_blocks_choose_another_model_takes_its_spread_at_the_winners_median():
    blocks = np.repeat(np.arange(4), 2)
    won = np.array([[1.0, 2.0]] * 8)  # the winner: errors 1 and 2, no spread
    other = np.tile([[0.0, 0.0], [4.0, 6.0]], (4, 1))  # spread 4 and 6 around medians 2 and 3
    held = np.array([[1.0, 1.0, 2.0, 1.0], [1.0, 1.0, 1.0, 2.0]])  # block 2: the other model wins
    held[1, 0] = 1.0 - 1e-12  # lower, but a tie within TIE_RTOL: the winner keeps block 0
    out = _cross_fitted([won, other], held, blocks, best=0)
    np.testing.assert_array_equal(out[blocks != 2], won[blocks != 2])
    # block 2's rows: other - its per-step median (2, 3) + the winner's (1, 2)
    np.testing.assert_array_equal(out[blocks == 2], [[-1.0, -1.0], [3.0, 5.0]])


def test_when_every_block_chooses_the_winner_its_own_errors_calibrate():
    y, _ = diurnal(14 * 288, seed=3)
    auto = AutoForecaster(ForecastConfig(candidates=("last_value", "seasonal_naive")), 36, (0.5, 0.9, 0.95))
    auto.fit(y, 300)
    assert auto.model_name_ == "seasonal_naive"
    backtest = auto.origins_[-auto.n_backtest_ :]
    own = rolling_errors(auto.chosen_, auto.one_offs_.y, backtest, 36, auto.one_offs_)
    np.testing.assert_array_equal(auto.errors_[-auto.n_backtest_ :], own)
