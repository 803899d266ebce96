"""A MinCapacity raise is set at the trace step that first needs it, not at its plan step's start."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np

from placement import PreviousLayout
from policy import recommend
from policy.settings import floor_at, time_raises
from policy.types import CapacityChange, PlanStep

T0 = datetime(2024, 1, 4, 1, 0, tzinfo=UTC)
STEP_S = 300


def _change(minute: int, acu: float) -> CapacityChange:
    return CapacityChange(
        at=T0 + timedelta(minutes=minute), min_capacity_acu=acu, max_capacity_acu=64, reason="r"
    )


def _steps(floors: list[float]) -> tuple[PlanStep, ...]:
    return tuple(
        PlanStep(
            start=T0 + timedelta(minutes=15 * i),
            demand_p50_acu=f,
            demand_risk_acu=f,
            min_capacity_acu=f,
            writer_acu=f,
            failover_reader_acu=f,
            extra_readers_by_az={},
            extra_reader_acu_by_az={},
            capacity_acu=2 * f,
            shortfall_acu=0.0,
            shortfall_probability=0.0,
        )
        for i, f in enumerate(floors)
    )


def _time(
    changes: tuple[CapacityChange, ...], need: list[float], deployed: float | None
) -> tuple[CapacityChange, ...]:
    return time_raises(
        changes,
        np.asarray(need),
        start=T0,
        step_s=STEP_S,
        block=3,
        deployed_acu=deployed,
        steps=_steps([c.min_capacity_acu for c in changes]),
        quantile="p90",
    )


def _timed(
    changes: tuple[CapacityChange, ...], need: list[float], deployed: float | None
) -> list[tuple[int, float]]:
    return [
        (int((c.at - T0).total_seconds()) // 60, c.min_capacity_acu) for c in _time(changes, need, deployed)
    ]


def test_a_raise_moves_to_the_first_step_that_needs_it_and_a_lowering_stays() -> None:
    changes = (_change(0, 3.0), _change(15, 22.0), _change(30, 0.5))
    # plan step 2 (minutes 15-30) needs 22 ACU only in its last 5 minutes
    need = [3.0, 3.0, 3.0, 3.0, 3.0, 22.0, 0.5, 0.5, 0.5]
    assert _timed(changes, need, deployed=None) == [(0, 3.0), (25, 22.0), (30, 0.5)]
    # needed from its first trace step: it stays; a raise no step needs (held) stays too
    assert _timed(changes, [3.0, 3.0, 3.0, 22.0, 3.0, 3.0, 0.5, 0.5, 0.5], None)[1] == (15, 22.0)
    assert _timed(changes, [3.0] * 6 + [0.5] * 3, None)[1] == (15, 22.0)


def test_the_first_raise_over_the_deployed_floor_is_split_so_the_schedule_starts_at_the_horizon() -> None:
    changes = (_change(0, 22.0), _change(15, 0.5))
    need = [3.0, 3.0, 22.0, 0.5, 0.5, 0.5]
    timed = _time(changes, need, deployed=3.0)
    assert [(c.at, c.min_capacity_acu) for c in timed] == [
        (T0, 3.0),
        (T0 + timedelta(minutes=10), 22.0),
        (T0 + timedelta(minutes=15), 0.5),
    ]
    assert timed[0].reason == "stay at 3 ACU until 01:10 UTC, when the raise is needed"
    assert timed[1].reason.startswith("raise to 22 ACU")
    # unknown deployed floor: the first change is the plan's first step
    assert _timed(changes, need, deployed=None) == [(0, 22.0), (15, 0.5)]


def test_a_nightly_batch_is_met_five_minutes_ahead_not_fifteen() -> None:
    # 3 days of a 4 -> 40 ACU batch at 02:00-04:00 UTC; at 01:00 the plan raises MinCapacity for it
    rng = np.random.default_rng(1)
    t = np.arange(3 * 288 + 12)
    hour = t * STEP_S / 3600 % 24
    history = 4 + 0.5 * rng.standard_normal(t.size) + np.where((hour >= 2) & (hour < 4), 36.0, 0.0)
    rec = recommend(history, now=T0, step_s=STEP_S, previous=PreviousLayout(writer_acu=3.0))
    changes = rec.settings.capacity_changes
    batch = T0 + timedelta(hours=1)
    raise_at = next(c.at for c in changes if c.min_capacity_acu > 10)
    assert batch - timedelta(minutes=15) < raise_at < batch
    assert (
        floor_at(changes, batch - timedelta(minutes=15))
        < 10
        <= floor_at(changes, batch - timedelta(seconds=1))
    )
    # the plan step still says what MinCapacity it holds
    step = next(s for s in rec.steps if s.start == batch - timedelta(minutes=15))
    assert step.min_capacity_acu == floor_at(changes, batch - timedelta(seconds=1))
