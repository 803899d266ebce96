"""The planner's use of the floor rule: where the scaler is now, what it holds, short dips."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy import ScalerModel
from policy.floors import (
    FloorCluster,
    cheapest_floors,
    fill_short_dips,
    hold_small_decreases,
    scaler_hold,
    scaler_now,
)
from policy.scaler import InstanceState

CLUSTER = FloorCluster(read_frac=0.5, has_failover=True, min_acu=0.5, max_acu=64.0)


@pytest.mark.parametrize(
    ("floors", "max_dip", "before", "expected"),
    [
        ([0.5, 4, 0.5, 0.5, 4, 0.5], 2, None, [0.5, 4, 4, 4, 4, 0.5]),  # a 2-step lull between raises
        ([0.5, 4, 0.5, 0.5, 0.5, 4, 0.5], 2, None, [0.5, 4, 0.5, 0.5, 0.5, 4, 0.5]),  # too long
        ([0.5, 0.5, 4], 2, 4.0, [4, 4, 4]),  # the deployed floor counts on the left
        ([4, 2, 6, 1], 1, None, [4, 4, 6, 1]),  # lifted to the lower side, end left alone
        ([3, 1, 2, 5], 2, None, [3, 3, 3, 5]),  # the whole lull lifted to min(3, 5)
        ([1, 2, 3], 5, None, [1, 2, 3]),  # no dip
    ],
)
def test_fill_short_dips(
    floors: list[float], max_dip: int, before: float | None, expected: list[float]
) -> None:
    got = fill_short_dips(np.array(floors, dtype=float), max_dip, before_acu=before).tolist()
    assert got == expected
    assert all(g >= f for g, f in zip(got, floors, strict=True))


@pytest.mark.parametrize(
    ("floors", "before", "expected"),
    [
        ([10.5, 10.5, 11, 9.5], 11.0, [11, 11, 11, 9.5]),  # a one-step dip kept, later steps alone
        ([10, 10, 9.5], 11.0, [11, 11, 9.5]),  # 9.1% below: kept; 13.6%: the run ends
        ([9.5, 11, 11], 11.0, [9.5, 11, 11]),  # a real decrease first: nothing held
        ([10.5, 12, 10.5], 11.0, [11, 12, 10.5]),  # a raise ends the run, never held back
        ([4.5, 4.5], 5.0, [5, 5]),  # exactly 10% is within the tolerance
        ([0.5, 1.0], 1.0, [0.5, 1.0]),  # at 1 ACU one grid step is 50%: lowered
    ],
)
def test_hold_small_decreases(floors: list[float], before: float, expected: list[float]) -> None:
    assert hold_small_decreases(np.array(floors, dtype=float), before, 0.1).tolist() == expected


@given(
    st.lists(st.integers(1, 80), min_size=1, max_size=12),
    st.integers(1, 80),
    st.floats(0.0, 0.5),
)
def test_hold_small_decreases_lifts_only_within_the_band(
    levels: list[int], before_steps: int, tol: float
) -> None:
    floors, before = np.array(levels, dtype=float) / 2, before_steps / 2
    got = hold_small_decreases(floors, before, tol)
    assert (got >= floors).all()
    lifted = got > floors
    assert (got[lifted] == before).all()  # only ever to the deployed floor
    assert (floors[lifted] >= before * (1 - tol) - 1e-9).all()  # from inside the band
    if lifted.any():  # and only over a leading run at the deployed floor
        assert (got[: int(np.flatnonzero(lifted).max()) + 1] == before).all()
    assert (hold_small_decreases(floors, before, 0.0) == floors).all()  # 0 turns it off


@pytest.mark.parametrize(
    ("floors", "before", "expected"),
    [
        ([7, 7, 6.5, 6.5, 7, 7], None, [7, 7, 7, 7, 7, 7]),  # a 7.1% dip, 2 steps: filled
        ([7, 6, 6, 7], None, [7, 6, 6, 7]),  # 14%: a real dip
        ([7.5, 7, 6.5, 6.5, 7, 7.5], None, [7.5, 7.5, 7.5, 7.5, 7.5, 7.5]),  # inner first, then outer
        ([8, 7, 6.5, 7, 6], None, [8, 7, 7, 7, 6]),  # inside a decline that never comes back
        ([6.5, 6.5, 7], 7.0, [7, 7, 7]),  # the deployed floor on the left
        ([7, 6.5, 6.5], None, [7, 6.5, 6.5]),  # at the end: nothing follows yet
    ],
)
def test_fill_short_dips_fills_shallow_dips_of_any_length(
    floors: list[float], before: float | None, expected: list[float]
) -> None:
    got = fill_short_dips(np.array(floors, dtype=float), 0, before_acu=before, tolerance=0.1).tolist()
    assert got == expected
    assert fill_short_dips(np.array(floors, dtype=float), 0, before_acu=before).tolist() == floors


def test_scaler_now_remembers_a_burst_still_draining() -> None:
    # 2 h at 2 ACU, a 20-ACU step, then one step back at 2 ACU: the writer (half the load)
    # went to 15 ACU (10 / 0.7 rounded up) and halves every 300 s: one step later it is at
    # 7.5 ACU, far above the 1.5 ACU a steady 1-ACU writer would hold.
    history = np.array([2.0] * 24 + [20.0, 2.0])
    state = scaler_now(history, step_s=300, cluster=CLUSTER, model=ScalerModel(), floor_acu=0.5)
    assert state[0].capacity_acu == 7.5
    steady = scaler_now(np.full(26, 2.0), step_s=300, cluster=CLUSTER, model=ScalerModel(), floor_acu=0.5)
    assert steady[0] == InstanceState(1.5, 1.5)


def test_scaler_hold_is_the_scalers_own_level() -> None:
    start = [InstanceState(1.5, 1.5)] * 2
    hold = scaler_hold(
        np.full(6, 2.0), step_s=300, cluster=CLUSTER, model=ScalerModel(), start=start, floor_acu=0.5
    )
    assert hold.tolist() == [1.5] * 6  # 1 ACU per instance at the 70% target, on the grid


def test_a_need_no_schedule_can_meet_from_now_is_not_chased_with_max_capacity() -> None:
    # Now the writer sits at 1 ACU and the next step needs 40 ACU: no floor set now can
    # get there (60-s delay + ramp), so the first floor is what still helps, not 64 ACU.
    start = [InstanceState(1.0, 1.0)] * 2
    need = np.array([1.0, 80.0, 80.0, 80.0, 80.0, 80.0])
    floors = cheapest_floors(
        np.full(6, 1.0),
        need,
        step_s=300,
        cluster=CLUSTER,
        model=ScalerModel(),
        start=start,
        floor_before_acu=0.5,
    )
    # The best reachable at step 1: a max floor from 60 s ramps 1 -> 2**(240/45) = 40.3, so
    # 40 ACU; floor 40 gets there (45*log2(40) = 239.5 s after the delay) and costs least.
    assert floors[0] == 40.0
    assert floors.max() <= 64.0
