"""Jittered sample times snap to their grid; regular, offset and irregular times do not move."""

from __future__ import annotations

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from traces.formats import parse_csv
from traces.resolution import COMMON_STEPS_S, JITTER_SHARE, snap_jitter
from traces.uploads import check_upload

T0 = 1_714_953_600  # 2024-05-06T00:00:00Z


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    step=st.sampled_from([s for s in COMMON_STEPS_S if s >= 15]),
    n=st.integers(min_value=8, max_value=400),
    share=st.floats(min_value=0.0, max_value=0.19),
    seed=st.integers(min_value=0, max_value=2**32 - 1),
)
def test_snapped_times_lie_on_one_grid_within_the_jitter_bound(
    step: int, n: int, share: float, seed: int
) -> None:
    rng = np.random.default_rng(seed)
    grid = T0 + np.arange(n, dtype=np.int64) * step
    amplitude = int(share * step)
    noise = rng.integers(-amplitude, amplitude + 1, n)
    jittered = grid + noise  # still increasing: |noise| < step / 5
    assume(abs(float(np.median(np.diff(jittered))) - step) <= 0.1 * step)  # the step is recognisable
    snapped, found, moved = snap_jitter(jittered)
    if np.all(noise == noise[0]):  # a constant offset is a grid of its own, not jitter
        assert snapped is jittered and found == 0 and moved == 0
        return
    assert found == step
    assert np.all(np.diff(snapped) > 0)
    assert np.all((snapped - snapped[0]) % step == 0)  # one grid
    assert moved == int(np.abs(snapped - jittered).max()) <= JITTER_SHARE * step


def test_regular_offset_and_irregular_times_do_not_move() -> None:
    regular = T0 + np.arange(50, dtype=np.int64) * 300
    holes = np.delete(regular, [5, 6, 20])
    rng = np.random.default_rng(0)
    irregular = T0 + np.cumsum(rng.integers(1, 1000, 200))
    for ts in (regular, regular + 150, holes, irregular, regular[:3]):
        snapped, step, moved = snap_jitter(ts)
        assert snapped is ts and step == 0 and moved == 0


def test_two_second_jitter_is_one_300_s_series_without_holes_and_said() -> None:
    rng = np.random.default_rng(3)
    ts = T0 + np.arange(288, dtype=np.int64) * 300 + rng.choice([0, 0, 0, 1, 2], 288)
    rows = "".join(
        f"{np.datetime_as_string(np.datetime64(int(t), 's'))}Z,db,ServerlessDatabaseCapacity,acu,4\n"
        for t in ts
    )

    signals, report = check_upload(parse_csv("ts,cluster_id,signal,unit,value\n" + rows))

    sig = report.signals[0]
    assert sig.step_s == 300 and sig.n_holes == 0 and sig.offset_s == 0 and sig.n_off_grid == 0
    assert np.array_equal(signals[0].ts_s, T0 + np.arange(288) * 300)
    assert any(
        "sample times jitter by up to 2 s around a 300-s grid; each sample was moved to its grid time" in w
        for w in report.warnings
    )
