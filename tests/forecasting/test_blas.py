"""The forecaster's BLAS runs on one thread once anything has been fitted (forecasting.blas)."""

import numpy as np
from threadpoolctl import threadpool_info

from forecasting import SeasonalNaive
from forecasting.blas import one_blas_thread


def test_after_a_fit_every_blas_runs_on_one_thread_and_a_second_call_changes_nothing():
    SeasonalNaive(season_s=3600).fit(np.arange(48.0), 300)
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    assert blas  # numpy's and scipy's OpenBLAS
    assert {lib["num_threads"] for lib in blas} == {1}
    one_blas_thread()
    assert {lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"} == {1}
