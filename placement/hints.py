"""Warm start: hint the model from a previous plan or the deployed layout.

Owns :func:`add_hints` and :func:`shift_plan`. CP-SAT prefers complete hints and may
ignore a hint (sources: cp-sat); we hint every decision variable (capacities, reader slots,
failover AZ, secondaries) and leave routes and shortfalls to propagation. Imports
nothing of ours outside ``placement``.
"""

from __future__ import annotations

import numpy as np
from ortools.sat.python import cp_model

from placement.data import ModelData
from placement.results import AzReaders, PlacementPlan
from placement.types import PlacementProblem
from placement.units import acu_to_half_acu_ceil
from placement.variables import VarIndex


def shift_plan(plan: PlacementPlan, n_steps: int) -> PlacementPlan:
    """Drop the first ``n_steps`` steps of ``plan`` and repeat its last step to keep the length.

    Use it to warm-start the next re-plan, ``n_steps`` after this one.

    Args:
        plan: a plan with a solution, horizon T.
        n_steps: steps elapsed since it was made, 0 <= n_steps.

    Returns:
        A plan of the same horizon T (only the per-step arrays move).
    """

    def move(xs: tuple[float, ...] | tuple[int, ...]) -> tuple[float, ...]:
        if not xs:
            return ()
        arr = list(xs)[n_steps:] or [xs[-1]]
        return tuple(float(x) for x in arr + [arr[-1]] * (len(xs) - len(arr)))

    def readers(rs: tuple[AzReaders, ...]) -> tuple[AzReaders, ...]:
        return tuple(
            AzReaders(az_id=r.az_id, count=tuple(int(c) for c in move(r.count)), acu=move(r.acu)) for r in rs
        )

    secondaries = tuple(
        s.model_copy(update={"min_capacity_acu": move(s.min_capacity_acu), "readers": readers(s.readers)})
        for s in plan.secondaries
    )
    return plan.model_copy(
        update={
            "writer_acu": move(plan.writer_acu),
            "min_capacity_acu": move(plan.min_capacity_acu),
            "failover_reader_acu": move(plan.failover_reader_acu),
            "extra_readers": readers(plan.extra_readers),
            "shortfall_acu": move(plan.shortfall_acu),
            "secondaries": secondaries,
        }
    )


def _block_values(values: tuple[float, ...] | tuple[int, ...], d: ModelData) -> list[float]:
    arr = np.asarray(values, dtype=np.float64)
    if len(arr) == 0:
        return [0.0] * d.n_blocks
    out = []
    for t, n in d.blocks:
        part = arr[t : t + n]
        out.append(float(part.max()) if len(part) else float(arr[-1]))
    return out


def _hint_readers(
    m: cp_model.CpModel, d: ModelData, v: VarIndex, region: str, readers: tuple[AzReaders, ...]
) -> None:
    by_az = {r.az_id: r for r in readers}
    spec = next(r for r in d.regions if r.name == region)
    for a in spec.az_ids:
        got = by_az.get(a)
        counts = _block_values(got.count, d) if got else [0.0] * d.n_blocks
        acus = _block_values(got.acu, d) if got else [0.0] * d.n_blocks
        for b in range(d.n_blocks):
            n = min(int(counts[b]), spec.slots)
            for k in range(spec.slots):
                m.add_hint(v.on[region, a, k, b], int(k < n))
            cap = int(acu_to_half_acu_ceil(acus[b])) if n else 0
            m.add_hint(v.cap[region, a, b], cap)


def _hint_from_plan(m: cp_model.CpModel, d: ModelData, v: VarIndex, plan: PlacementPlan) -> None:
    for x, value in zip(v.writer, _block_values(plan.min_capacity_acu or plan.writer_acu, d), strict=True):
        m.add_hint(x, int(acu_to_half_acu_ceil(value)))
    if v.writer_cap:
        for x, value in zip(v.writer_cap, _block_values(plan.writer_acu, d), strict=True):
            m.add_hint(x, int(acu_to_half_acu_ceil(value)))
    for a, y in v.failover_az.items():
        m.add_hint(y, int(a == plan.failover_az_id))
    if v.failover:
        values = _block_values(plan.failover_reader_acu, d)
        for x, value in zip(v.failover, values, strict=True):
            m.add_hint(x, int(acu_to_half_acu_ceil(value)) if plan.failover_az_id else 0)
    _hint_readers(m, d, v, d.primary.name, plan.extra_readers)
    # Shortfall as planned (usually none): routes are then forced by propagation instead
    # of being completed at 0 with every read short, a hint 20x off the optimum.
    short = _block_values(plan.shortfall_acu, d)
    for b in range(d.n_blocks):
        if short[b] <= 0:
            m.add_hint(v.write_short[b], 0)
            for c in range(len(d.clients)):
                m.add_hint(v.read_short[c, b], 0)
    used = {s.region: s for s in plan.secondaries}
    for r in d.regions[1:]:
        m.add_hint(v.active[r.name], int(r.name in used))
        floors = _block_values(used[r.name].min_capacity_acu, d) if r.name in used else [0.0] * d.n_blocks
        for x, value in zip(v.floor[r.name], floors, strict=True):
            m.add_hint(x, int(acu_to_half_acu_ceil(value)))
        _hint_readers(m, d, v, r.name, used[r.name].readers if r.name in used else ())


def add_hints(
    m: cp_model.CpModel,
    problem: PlacementProblem,
    d: ModelData,
    v: VarIndex,
    warm_start: PlacementPlan | None,
) -> None:
    """Hint ``m`` from ``warm_start`` (a previous plan on this horizon) or the deployed layout.

    Args:
        m: the model.
        problem: the problem.
        d: its data.
        v: its variables.
        warm_start: a plan whose step 0 is this problem's step 0 (see
            :func:`shift_plan`), or None to hold the deployed layout.
    """
    if warm_start is not None and warm_start.has_solution:
        _hint_from_plan(m, d, v, warm_start)
        return
    prev = problem.previous
    if prev is None:
        return
    w = int(acu_to_half_acu_ceil(prev.writer_acu))
    for x in v.writer:
        m.add_hint(x, w)
    for a, y in v.failover_az.items():
        m.add_hint(y, int(a == prev.failover_az_id))
