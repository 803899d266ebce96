"""Build the CP-SAT model of one single-region placement problem.

Owns :func:`build_model`, which turns a :class:`~placement.types.PlacementProblem` into
a ``CpModel`` plus a :class:`VarIndex` of its variables. It reads data -> variables ->
constraints -> objective, with one ``_add_<family>`` function per named constraint
family. It never sets solver parameters (that is :mod:`placement.solve`). Capacity is
in half-ACUs and money in micro-USD (:mod:`placement.units`). Imports nothing of ours
outside ``placement``.

The model, per step ``t`` of the horizon (all capacities in half-ACUs):

* ``writer[t]`` in [min, max]: the writer's capacity, which is also the cluster
  MinCapacity, so every other instance is at least this large (FACTS.md A1).
* ``failover[t]`` >= ``writer[t]``: the tier-1 reader in AZ ``failover_az``; tiers 0-1
  scale with the writer (FACTS.md A3). ``failover_az`` is one AZ other than the
  writer's, fixed over the horizon (readers do not move).
* ``extra_on[a,k,t]``, ``extra[a,k,t]``: up to ``max_extra_readers_per_az`` tier 2-15
  reader slots per AZ; an active slot holds between max(writer, min) and max.

Constraint families: ``writer_bounds``, ``failover_ready``, ``extra_reader_floor``,
``reader_limit``, ``az_spread``, ``write_capacity`` and ``read_capacity`` (soft, with
shortfall variables), ``churn``. Writes go to the writer; reads go to the reader
endpoint, i.e. the readers. Without a required failover reader there may be no reader
at all, so the writer then covers all demand (readers only add AZ spread).

Objective (micro-USD): compute cost of all capacity + shortfall penalty + writer churn
+ reader churn.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from placement.types import PlacementProblem
from placement.units import (
    HALF_ACU_PER_ACU,
    acu_to_half_acu_ceil,
    half_acu_step_cost_micro_usd,
    usd_to_micro_usd,
)

IntVar = cp_model.IntVar
LinearExpr = cp_model.LinearExpr | int


@dataclass
class VarIndex:
    """The model's variables, keyed the way their names read.

    Attributes:
        writer: ``writer[t]``, half-ACUs.
        failover: ``failover[t]``, half-ACUs (empty when no failover reader is required).
        failover_az: ``failover_az[a]`` booleans over non-writer AZs.
        extra_on: ``extra_on[a, k, t]`` booleans.
        extra: ``extra[a, k, t]`` half-ACUs.
        write_short: ``write_short[t]`` half-ACUs of uncovered write demand.
        read_short: ``read_short[t]`` half-ACUs of uncovered read demand.
        objective_terms: (variable, micro-USD coefficient) pairs of the objective.
    """

    writer: list[IntVar] = field(default_factory=list)
    failover: list[IntVar] = field(default_factory=list)
    failover_az: dict[str, IntVar] = field(default_factory=dict)
    extra_on: dict[tuple[str, int, int], IntVar] = field(default_factory=dict)
    extra: dict[tuple[str, int, int], IntVar] = field(default_factory=dict)
    write_short: list[IntVar] = field(default_factory=list)
    read_short: list[IntVar] = field(default_factory=list)
    objective_terms: list[tuple[LinearExpr, int]] = field(default_factory=list)


@dataclass(frozen=True)
class _Data:
    """Integer data derived from the problem (half-ACUs, micro-USD)."""

    horizon: int
    min_h: int
    max_h: int
    write_need_h: np.ndarray
    read_need_h: np.ndarray
    acu_step_cost: int
    short_step_cost: int
    churn_cost: int
    reader_churn_cost: int
    extra_azs: tuple[str, ...]
    n_slots: int


def _data(problem: PlacementProblem) -> _Data:
    demand = np.asarray(problem.demand_acu, dtype=np.float64)
    need = demand / problem.target_utilisation
    read_share = problem.read_frac if problem.require_failover_reader else 0.0
    n_slots = min(problem.limits.max_extra_readers_per_az, problem.limits.max_readers)
    return _Data(
        horizon=problem.horizon,
        min_h=int(acu_to_half_acu_ceil(problem.limits.min_acu)),
        max_h=int(acu_to_half_acu_ceil(problem.limits.max_acu)),
        write_need_h=acu_to_half_acu_ceil(need * (1.0 - read_share)),
        read_need_h=acu_to_half_acu_ceil(need * read_share),
        acu_step_cost=half_acu_step_cost_micro_usd(problem.price_usd_per_acu_hour, problem.step_s),
        short_step_cost=half_acu_step_cost_micro_usd(
            problem.shortfall_penalty_usd_per_acu_hour, problem.step_s
        ),
        churn_cost=usd_to_micro_usd(problem.churn_penalty_usd_per_acu / HALF_ACU_PER_ACU),
        reader_churn_cost=usd_to_micro_usd(problem.reader_churn_penalty_usd),
        extra_azs=tuple(sorted(problem.topology.az_ids)),
        n_slots=n_slots,
    )


def _add_writer_bounds(m: cp_model.CpModel, d: _Data, v: VarIndex) -> None:
    """Family ``writer_bounds``: one writer per step within [min_acu, max_acu]."""
    v.writer = [m.new_int_var(d.min_h, d.max_h, f"writer[{t}]") for t in range(d.horizon)]


def _add_failover_ready(m: cp_model.CpModel, problem: PlacementProblem, d: _Data, v: VarIndex) -> None:
    """Family ``failover_ready``: a tier-1 reader in another AZ, as large as the writer."""
    if not problem.require_failover_reader:
        return
    others = [a for a in sorted(problem.topology.az_ids) if a != problem.topology.writer_az_id]
    v.failover_az = {a: m.new_bool_var(f"failover_az[{a}]") for a in others}
    m.add_exactly_one(v.failover_az.values())
    # Break ties between equally good AZs by AZ ID order (1 micro-USD per rank), so
    # near-identical requests do not flip the failover AZ.
    v.objective_terms.extend((b, rank) for rank, b in enumerate(v.failover_az.values()))
    v.failover = [m.new_int_var(d.min_h, d.max_h, f"failover[{t}]") for t in range(d.horizon)]
    for t in range(d.horizon):
        m.add(v.failover[t] >= v.writer[t])


def _add_extra_reader_floor(m: cp_model.CpModel, d: _Data, v: VarIndex) -> None:
    """Family ``extra_reader_floor``: an active tier 2-15 reader holds >= the cluster minimum."""
    for rank, a in enumerate(d.extra_azs):
        for k in range(d.n_slots):
            for t in range(d.horizon):
                on = m.new_bool_var(f"extra_on[{a},{k},{t}]")
                x = m.new_int_var(0, d.max_h, f"extra[{a},{k},{t}]")
                m.add(x >= v.writer[t]).only_enforce_if(on)
                m.add(x >= d.min_h).only_enforce_if(on)
                m.add(x == 0).only_enforce_if(~on)
                v.extra_on[a, k, t], v.extra[a, k, t] = on, x
                v.objective_terms.append((on, rank))  # tie-break by AZ ID order, as above
            for t in range(d.horizon):  # symmetry breaking: fill slots in order
                if k > 0:
                    m.add_implication(v.extra_on[a, k, t], v.extra_on[a, k - 1, t])
                    m.add(v.extra[a, k - 1, t] >= v.extra[a, k, t])


def _n_extra(d: _Data, v: VarIndex, a: str, t: int) -> LinearExpr:
    return sum(v.extra_on[a, k, t] for k in range(d.n_slots))


def _add_reader_limit(m: cp_model.CpModel, problem: PlacementProblem, d: _Data, v: VarIndex) -> None:
    """Family ``reader_limit``: at most ``limits.max_readers`` readers (<= 15, FACTS.md A3)."""
    n_failover = 1 if v.failover else 0
    for t in range(d.horizon):
        m.add(sum(_n_extra(d, v, a, t) for a in d.extra_azs) + n_failover <= problem.limits.max_readers)


def _add_az_spread(m: cp_model.CpModel, problem: PlacementProblem, d: _Data, v: VarIndex) -> None:
    """Family ``az_spread``: instances in at least ``min_azs`` AZs at every step."""
    writer_az = problem.topology.writer_az_id
    for t in range(d.horizon):
        used = []
        for a in d.extra_azs:
            u = m.new_bool_var(f"az_used[{a},{t}]")
            present: list[LinearExpr] = [_n_extra(d, v, a, t)]
            if a in v.failover_az:
                present.append(v.failover_az[a])
            if a != writer_az:
                m.add(u <= sum(present))
            used.append(u)
        m.add(sum(used) >= problem.min_azs)


def _add_capacity(m: cp_model.CpModel, d: _Data, v: VarIndex) -> None:
    """Families ``write_capacity`` and ``read_capacity``: soft coverage with shortfall."""
    for t in range(d.horizon):
        ws = m.new_int_var(0, int(d.write_need_h[t]), f"write_short[{t}]")
        rs = m.new_int_var(0, int(d.read_need_h[t]), f"read_short[{t}]")
        m.add(v.writer[t] + ws >= int(d.write_need_h[t]))
        readers: list[LinearExpr] = [v.extra[a, k, t] for a in d.extra_azs for k in range(d.n_slots)]
        if v.failover:
            readers.append(v.failover[t])
        m.add(sum(readers) + rs >= int(d.read_need_h[t]))
        v.write_short.append(ws)
        v.read_short.append(rs)


def _abs_change(m: cp_model.CpModel, now: LinearExpr, before: LinearExpr, ub: int, name: str) -> IntVar:
    delta = m.new_int_var(0, ub, name)
    m.add(delta >= now - before)
    m.add(delta >= before - now)
    return delta


def _add_churn(m: cp_model.CpModel, problem: PlacementProblem, d: _Data, v: VarIndex) -> None:
    """Family ``churn``: penalise writer floor moves and reader creation/deletion."""
    prev = problem.previous
    for t in range(d.horizon):
        before_w: LinearExpr | None = v.writer[t - 1] if t > 0 else None
        if t == 0 and prev is not None:
            before_w = int(acu_to_half_acu_ceil(prev.writer_acu))
        if before_w is not None:
            dw = _abs_change(m, v.writer[t], before_w, d.max_h, f"writer_move[{t}]")
            v.objective_terms.append((dw, d.churn_cost))
        for a in d.extra_azs:
            before_n: LinearExpr | None = _n_extra(d, v, a, t - 1) if t > 0 else None
            if t == 0 and prev is not None:
                before_n = int(prev.extra_readers_by_az.get(a, 0))
            if before_n is not None:
                dn = _abs_change(m, _n_extra(d, v, a, t), before_n, d.n_slots, f"reader_move[{a},{t}]")
                v.objective_terms.append((dn, d.reader_churn_cost))
    if prev is not None and prev.failover_az_id in v.failover_az:
        # Moving the failover reader means deleting one reader and creating another.
        v.objective_terms.append((1 - v.failover_az[prev.failover_az_id], 2 * d.reader_churn_cost))


def _add_objective(m: cp_model.CpModel, d: _Data, v: VarIndex) -> None:
    """Minimise compute cost + shortfall penalty + churn, all in micro-USD."""
    capacity = list(v.writer) + list(v.failover) + list(v.extra.values())
    v.objective_terms.extend((x, d.acu_step_cost) for x in capacity)
    v.objective_terms.extend((s, d.short_step_cost) for s in v.write_short + v.read_short)
    m.minimize(sum(coef * x for x, coef in v.objective_terms))


def build_model(problem: PlacementProblem) -> tuple[cp_model.CpModel, VarIndex]:
    """Build the CP-SAT model of ``problem``.

    Args:
        problem: a validated single-region placement problem with horizon T.

    Returns:
        The model and its :class:`VarIndex`; the model has O(T x n_azs x slots)
        variables.
    """
    d = _data(problem)
    m = cp_model.CpModel()
    v = VarIndex()
    _add_writer_bounds(m, d, v)
    _add_failover_ready(m, problem, d, v)
    _add_extra_reader_floor(m, d, v)
    _add_reader_limit(m, problem, d, v)
    _add_az_spread(m, problem, d, v)
    _add_capacity(m, d, v)
    _add_churn(m, problem, d, v)
    _add_objective(m, d, v)
    return m, v
