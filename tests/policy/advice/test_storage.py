"""Storage, its growth, backup retention and the I/O-Optimized break-even, by hand."""

import numpy as np
import pytest

from policy.advice.prices import DEFAULT_PRICE_BOOK
from policy.advice.storage import GIB, storage_advice, volume_growth


def test_growth_is_the_least_squares_slope_of_the_sparse_samples() -> None:
    volume = np.full(3 * 288, np.nan)
    volume[::12] = (100 + np.arange(3 * 288)[::12] / 288 * 2.0) * GIB  # hourly samples, +2 GiB/day
    gib, growth = volume_growth(volume, 300)
    assert growth == pytest.approx(2.0)
    assert gib == pytest.approx(100 + (3 * 288 - 12) / 288 * 2.0)
    assert volume_growth(np.full(10, np.nan), 300) == (None, None)
    assert volume_growth(np.array([GIB, 2 * GIB]), 300) == (2.0, None)  # 5 minutes: no rate


def test_backup_and_io_optimized_break_even_by_hand() -> None:
    s = storage_advice(
        volume_gib=100.0,
        growth_gib_per_day=2.0,
        given_gib=0.0,
        compute_standard_usd_per_month=200.0,
        io_million_per_month=500.0,
        backup_retention_days=14,
        backup_change_gib_per_day=None,
        book=DEFAULT_PRICE_BOOK,
    )
    # The month's mean volume: 100 + 2 x 30.42 / 2 = 130.42 GiB.
    assert s.storage_usd_per_month == {"standard": 13.04, "io_optimized": 29.34}
    assert s.storage_gib_in_30_days == 160.0
    # 2 GiB changed a day x (14 - 1) days beyond the free volume = 26 GiB x $0.021.
    assert (s.backup_billed_gib, s.backup_usd_per_month) == (26.0, 0.55)
    # I/O-Optimized adds 200 x (0.16/0.12 - 1) = 66.67 of compute and 130.42 x 0.125 = 16.30
    # of storage: 82.97 / $0.20 = 414.8 million I/O a month; 500 million cost $100.
    assert s.io_optimized_break_even_io_million == pytest.approx(414.84, abs=0.01)
    assert s.io_optimized_saving_usd_per_month == pytest.approx(17.03, abs=0.01)
    assert "at 500.0 million I/O-Optimized is cheaper by $17.03/month" in s.sentences[2]


def test_a_one_day_retention_is_free_and_unknown_io_is_said() -> None:
    s = storage_advice(
        volume_gib=None,
        growth_gib_per_day=None,
        given_gib=50.0,
        compute_standard_usd_per_month=100.0,
        io_million_per_month=None,
        backup_retention_days=1,
        backup_change_gib_per_day=5.0,
        book=DEFAULT_PRICE_BOOK,
    )
    assert (s.source, s.growth_gib_per_day, s.backup_usd_per_month) == ("given", None, 0.0)
    assert s.storage_usd_per_month["standard"] == 5.0
    assert s.io_optimized_saving_usd_per_month is None
    assert "give the I/O per month" in s.sentences[2]
