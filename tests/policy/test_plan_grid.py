"""Property: every capacity a recommendation plans is a multiple of 0.5 ACU, fail-safe plans too.

Aurora Serverless v2 capacity moves in 0.5-ACU steps (sources: aurora-capacity), and the
README promises every planned capacity on that grid. A fail-safe plan (the solver found
none: here a budget no plan meets) billed the writer at the mean of Aurora's scaler level
over the plan step, 2.2525... ACU (QA 73 #5); it is rounded up to the grid now.
"""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from placement import PreviousLayout, is_on_half_acu_grid
from policy import Recommendation, recommend

NOW = datetime(2024, 5, 9, tzinfo=UTC)


def _planned_acu(rec: Recommendation) -> list[float]:
    """Every capacity of the plan's steps and settings, ACU (demand and shortfall are no capacity)."""
    out = []
    for s in rec.steps:
        out += [s.min_capacity_acu, s.writer_acu, s.failover_reader_acu, s.capacity_acu]
        out += [*s.extra_reader_acu_by_az.values(), *s.secondary_acu_by_region.values()]
    out += [c.min_capacity_acu for c in rec.settings.capacity_changes]
    return out


@settings(max_examples=40, deadline=None, derandomize=True)
@given(
    base=st.floats(0.0, 40.0),
    swing=st.floats(0.0, 20.0),
    period_steps=st.integers(2, 288),
    noise=st.floats(0.0, 3.0),
    max_half_acu=st.integers(2, 128),
    budget_usd=st.sampled_from([None, 0.0001, 0.5]),
    deployed_half_acu=st.none() | st.integers(1, 64),
)
def test_every_planned_capacity_is_on_the_half_acu_grid(
    base: float,
    swing: float,
    period_steps: int,
    noise: float,
    max_half_acu: int,
    budget_usd: float | None,
    deployed_half_acu: int | None,
) -> None:
    t = np.arange(3 * 288)
    rng = np.random.default_rng(period_steps)
    wave = base + swing * np.sin(2 * np.pi * t / period_steps)
    history = np.maximum(wave + rng.normal(0, noise, t.size), 0.0)
    max_acu = max_half_acu / 2
    cluster: dict[str, object] = {"limits": {"min_acu": 0.5, "max_acu": max_acu}}
    if budget_usd is not None:
        cluster["placement"] = {"budget_usd": budget_usd}
    previous = None
    if deployed_half_acu is not None:
        previous = PreviousLayout(writer_acu=min(deployed_half_acu / 2, max_acu), failover_az_id="use1-az2")

    rec = recommend(history, now=NOW, cluster=cluster, previous=previous)

    off = [x for x in _planned_acu(rec) if not is_on_half_acu_grid(x)]
    assert not off, (rec.is_fail_safe, rec.infeasible_families, off[:5])


def test_the_qa_fail_safe_plan_bills_the_writer_on_the_grid() -> None:
    """The QA case: a sawtooth of 2-4.75 ACU and a $0.0001 budget: infeasible, the budget named."""
    history = 2.0 + (np.arange(864) % 12) * 0.25

    rec = recommend(history, now=NOW, cluster={"placement": {"budget_usd": 0.0001}})

    assert rec.is_fail_safe and rec.infeasible_families == ("budget",)
    # The scaler's mean level in the first plan step is 2.25 ACU and more: rounded up, 2.5 ACU.
    assert [s.writer_acu for s in rec.steps[:3]] == [2.5, 2.5, 3.0]
    assert all(s.failover_reader_acu == s.writer_acu for s in rec.steps)
    assert all(s.capacity_acu == 2 * s.writer_acu for s in rec.steps)
