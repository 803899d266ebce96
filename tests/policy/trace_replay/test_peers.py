"""Peer policies: each behaves as its public description says (table-driven where it fits)."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from placement import PreviousLayout
from policy import POLICY_NAMES, ClusterSpec, HpaReadersConfig, ReplayConfig, VpaConfig, make_policy
from policy.trace_replay.peers import decaying_percentiles

NOW = datetime(2024, 1, 8, tzinfo=UTC)  # a multiple of 6 h since the epoch
STEP = 300


def _policy(name: str, demand: np.ndarray, **cfg: object):  # type: ignore[no-untyped-def]
    return make_policy(
        name, demand, cluster=ClusterSpec(read_frac=0.5), config=ReplayConfig(**cfg), step_s=STEP
    )


def test_report_order_keeps_the_first_four_and_adds_the_peers() -> None:
    assert POLICY_NAMES == (
        "reactive",
        "static-peak",
        "vpa",
        "predictive-scaling",
        "hpa-readers",
        "acuplan",
        "bound",
    )


def test_decaying_histogram_percentile_is_the_end_of_the_bucket() -> None:
    cfg = VpaConfig()
    x = np.linspace(1.0, 10.0, 1000)
    (p90,) = decaying_percentiles(x, np.zeros_like(x), (0.9,), cfg)
    # Bucket ends are 5% apart, so the percentile is within 5% above the exact one.
    assert 9.1 <= p90 <= 9.1 * 1.05 + 0.01


def test_decay_halves_the_weight_of_a_day_old_sample() -> None:
    cfg = VpaConfig()
    x = np.array([1.0, 10.0])
    # Equal ages: p50 is in the lower bucket. The old 1-ACU sample weighs 1/2 after 24 h,
    # so the median moves to the fresh 10-ACU sample.
    assert decaying_percentiles(x, np.array([0.0, 0.0]), (0.5,), cfg)[0] < 2.0
    assert decaying_percentiles(x, np.array([86_400.0, 0.0]), (0.5,), cfg)[0] > 9.0
    assert decaying_percentiles(np.array([np.nan]), np.zeros(1), (0.9,), cfg) == (0.0,)


def test_vpa_sets_p90_plus_15_percent_and_holds_inside_its_band() -> None:
    history = np.full(3 * 288, 8.0)  # busier instance sees 4 ACU
    vpa = _policy("vpa", history)
    first = vpa.decide(history, now=NOW, n_steps=12, previous=None)
    assert first.floor_acu[0] == pytest.approx(5.0)  # 4 x 1.05 bucket end x 1.15 = 4.83 -> 5.0
    # A floor inside [lower, upper] stays; one outside moves to the target.
    inside = vpa.decide(history, now=NOW, n_steps=12, previous=PreviousLayout(writer_acu=5.5))
    outside = vpa.decide(history, now=NOW, n_steps=12, previous=PreviousLayout(writer_acu=20.0))
    assert inside.floor_acu[0] == 5.5
    assert outside.floor_acu[0] == 5.0


def _daily(days: int) -> np.ndarray:
    t = np.arange(days * 288)
    return 4.0 + 4.0 * (((t % 288) // 12) == 12)  # 8 ACU from 12:00 to 13:00, else 4


def test_predictive_scaling_waits_for_a_day_of_data() -> None:
    ps = _policy("predictive-scaling", _daily(1))
    d = ps.decide(_daily(1)[:200], now=NOW, n_steps=12, previous=None)
    assert np.all(d.floor_acu == 0.5)  # the user's floor: no forecast before 24 h of history


def test_predictive_scaling_raises_the_floor_before_the_forecast_peak() -> None:
    history = _daily(3)[: 2 * 288 + 11 * 12]  # from 00:00 two days ago to 11:00 today
    ps = _policy("predictive-scaling", history)
    d = ps.decide(history, now=NOW + timedelta(hours=11), n_steps=24, previous=None)  # 11:00 -> 13:00
    # Peak hour 12:00 needs 8 x 0.5 / 0.8 = 5 ACU from 11:55 (300-s buffer); 4 ACU -> 2.5 before.
    assert d.floor_acu[10] == 2.5 and d.floor_acu[11] == 5.0 and d.floor_acu[22] == 5.0
    assert d.floor_acu[23] == 2.5


def test_predictive_scaling_uses_only_the_forecast_issued_at_the_last_refresh() -> None:
    history = _daily(3)
    ps = _policy("predictive-scaling", history)
    at = NOW + timedelta(hours=5)
    a = ps.decide(history, now=at, n_steps=12, previous=None)
    spiked = history.copy()
    spiked[-12:] = 100.0  # data after the 00:00 refresh is not used until 06:00
    b = ps.decide(spiked, now=at, n_steps=12, previous=None)
    np.testing.assert_array_equal(a.floor_acu, b.floor_acu)


def _counts(hpa, loads: list[float]) -> list[int]:  # type: ignore[no-untyped-def]
    out = []
    for i, load in enumerate(loads):
        d = hpa.decide(np.array([load]), now=NOW + timedelta(seconds=STEP * i), n_steps=1, previous=None)
        out.append(int(d.n_extra_readers[0]) + int(d.has_failover))
    return out


def _hpa(**cfg: int):  # type: ignore[no-untyped-def]
    config = ReplayConfig(peers={"hpa_readers": HpaReadersConfig(**cfg)})
    return make_policy("hpa-readers", np.zeros(1), cluster=ClusterSpec(), config=config, step_s=STEP)


@pytest.mark.parametrize(
    ("loads", "cfg", "expected"),
    [
        # Reader CPU is read load per reader / MaxCapacity 128 (sources: aurora-metrics); target 70%.
        ([10.0, 10.0], {}, [1, 1]),  # 4%: the minimum, the tier-1 reader
        ([200.0, 200.0], {}, [2, 2]),  # 100/128 = 78% > 77%: ceil(1.12) = 2, then 39%: ceil(1.1) = 2
        ([190.0, 190.0], {}, [1, 1]),  # 95/128 = 74%: within the 10% tolerance
        ([200.0, 400.0, 400.0], {"scale_out_cooldown_s": 600}, [2, 2, 3]),  # second scale-out waits
        ([300.0, 300.0, 1.0, 1.0, 1.0], {"scale_in_cooldown_s": 900}, [2, 2, 2, 1, 1]),  # scale-in waits
    ],
    ids=["idle", "scale-out", "tolerance", "out-cooldown", "in-cooldown"],
)
def test_hpa_readers_track_reader_cpu(loads: list[float], cfg: dict[str, int], expected: list[int]) -> None:
    assert _counts(_hpa(**cfg), loads) == expected
