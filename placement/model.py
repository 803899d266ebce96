"""Build the CP-SAT model of a placement problem.

Owns :func:`build_model`, :class:`VarIndex` and :class:`Enforcer`. It reads data ->
variables -> constraints -> objective, with one ``_add_<family>`` function per named
constraint family (``capacity`` and ``limits`` here; ``latency``, ``availability``,
``dynamics`` and ``budget`` in :mod:`placement.families`; the objective in
:mod:`placement.objective`). It never sets solver parameters (that is
:mod:`placement.solve`). Units are those of :mod:`placement.units`. Imports nothing of
ours outside ``placement``.

Per time block ``b`` (see :mod:`placement.blocks`), all capacities in half-ACUs:

* ``writer[b]``: the primary's MinCapacity, so every primary instance holds at least
  this much. With ``floor_need_acu`` (Aurora's scaler modelled by the caller),
  ``writer_cap[b] = max(writer[b], hold[b])`` is the writer's capacity, what is billed:
  the scaler serves the writer's load up to MaxCapacity, and the floor must reach the
  need the scaler cannot climb to in time (``writer[b] + floor_short[b] >= need[b]``).
  Without it, the floor is the writer's capacity and must cover its load itself.
* ``failover_az[a]``, ``failover[b]``: at most one tier 0-1 reader, in one AZ other
  than the writer's, fixed over the horizon; it follows the writer:
  ``failover[b] >= writer_cap[b]`` (Aurora User Guide: tier 0-1 readers are "kept at a
  minimum capacity at least as high as the writer"). Choosing it is the tier decision: it is
  what makes a failover fast (family ``availability``).
* ``on[r,a,k,b]``: the k-th tier 2-15 reader of region r in AZ a exists (unary count,
  ``on[k] -> on[k-1]``); ``cap[r,a,b]`` their total ACU with
  ``cap >= (k+1) * floor[r,b]`` when ``on[k]`` (every reader >= its cluster's
  MinCapacity) and ``cap <= n * max``.
* ``active[r]``, ``floor[r][b]``: a secondary region is used, and its MinCapacity.
* ``route[c,r,b]``: read load of client region c served in region r (load units);
  ``S * capacity(r) >= sum_c k[c,r] * route[c,r,b]`` with ``k = ceil(1000 / u)`` and
  ``S = 100,000`` (:mod:`placement.units`).

The hard families can be put behind assumption literals (``Enforcer``) so that an
infeasible problem names them (sources: cp-sat); ``capacity`` is soft (shortfall) and never
conflicts.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from placement.data import ModelData, model_data
from placement.families import add_availability, add_budget, add_dynamics, add_hold, add_latency
from placement.objective import add_objective, add_reader_moves
from placement.types import PlacementProblem
from placement.units import CAPACITY_SCALE, util_coefficient
from placement.variables import ABS_MAX_H, Enforcer, LinearExpr, VarIndex

__all__ = ["Enforcer", "VarIndex", "build_model"]


def _add_variables(
    m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, e: Enforcer
) -> None:
    """Create every decision variable with its structural domain."""
    lo, hi = (1, ABS_MAX_H) if e.explaining else (d.min_h, d.max_h)
    nb = range(d.n_blocks)
    v.writer = [m.new_int_var(lo, hi, f"writer[{b}]") for b in nb]
    if d.floor_need_h is not None:
        v.writer_cap = [m.new_int_var(0, hi, f"writer_cap[{b}]") for b in nb]
        v.floor_short = [m.new_int_var(0, int(d.floor_need_h[b]), f"floor_short[{b}]") for b in nb]
    for r in d.regions[1:]:
        v.active[r.name] = m.new_bool_var(f"active[{r.name}]")
        v.floor[r.name] = [m.new_int_var(0, hi, f"floor[{r.name},{b}]") for b in nb]
    writer_az = problem.topology.writer_az_id
    others = [a for a in d.primary.az_ids if a != writer_az]
    if others:  # the tier decision: a tier 0-1 reader is always an option
        v.failover_az = {a: m.new_bool_var(f"failover_az[{a}]") for a in others}
        v.failover = [m.new_int_var(0, hi, f"failover[{b}]") for b in nb]
    for r in d.regions:
        for a in r.az_ids:
            for b in nb:
                for k in range(r.slots):
                    v.on[r.name, a, k, b] = m.new_bool_var(f"on[{r.name},{a},{k},{b}]")
                v.cap[r.name, a, b] = m.new_int_var(0, hi * r.slots, f"cap[{r.name},{a},{b}]")
    for rt in d.routes:
        if rt.reachable or e.explaining:
            for b in nb:
                ub = int(d.read_load[rt.client, b])
                v.route[rt.client, rt.region, b] = m.new_int_var(0, ub, f"route[{rt.client},{rt.region},{b}]")
    for c in range(len(d.clients)):
        for b in nb:
            ub = int(d.read_load[c, b])
            v.read_short[c, b] = m.new_int_var(0, ub, f"read_short[{c},{b}]")
            if d.reads_on_writer:
                v.writer_reads[c, b] = m.new_int_var(0, ub, f"writer_reads[{c},{b}]")
    v.write_short = [m.new_int_var(0, int(d.write_load[b]), f"write_short[{b}]") for b in nb]


def _add_structure(m: cp_model.CpModel, d: ModelData, v: VarIndex, explaining: bool) -> None:
    """Aurora's rules that no family can waive (sources: aurora-capacity, aurora-ha).

    One tier 0-1 reader at most; it follows the writer. Every reader holds at least its
    cluster's MinCapacity and never less than 0.5 ACU; readers fill slots in order; an
    unused secondary has nothing.
    """
    if v.failover_az:
        # One literal for "a tier 0-1 reader exists" (= the sum of the AZ choices), so the
        # LP relaxation keeps failover >= writer whatever fractional AZ split it takes;
        # one row per AZ literal lost the tier-1 reader's cost from the bound.
        has = m.new_bool_var("has_failover")
        m.add(has == sum(v.failover_az.values()))
        for b, fo in enumerate(v.failover):
            m.add(fo <= ABS_MAX_H * has)
            m.add(fo >= v.writer_capacity(b)).only_enforce_if(has)
    for r in d.regions:
        floor = v.floor_of(r)
        for a in r.az_ids:
            for b in range(d.n_blocks):
                cap = v.cap[r.name, a, b]
                for k in range(r.slots):
                    on = v.on[r.name, a, k, b]
                    m.add(cap >= (k + 1) * floor[b]).only_enforce_if(on)
                    if k > 0:
                        m.add_implication(on, v.on[r.name, a, k - 1, b])
                    if not r.is_primary:
                        m.add_implication(on, v.active[r.name])
                if explaining:  # otherwise implied by the limits rows (floor >= min_acu)
                    m.add(cap <= ABS_MAX_H * v.n(r, a, b))
                    m.add(cap >= v.n(r, a, b))  # AWS's own minimum: 0.5 ACU per instance
        if not r.is_primary:
            for b in range(d.n_blocks):
                m.add(floor[b] <= ABS_MAX_H * v.active[r.name])
                if explaining:
                    m.add(floor[b] >= v.active[r.name])


def _k(d: ModelData, problem: PlacementProblem, c: int, region: str) -> int:
    """Capacity-per-load coefficient of a route (latency-derived or the target)."""
    rt = d.route_by_key.get((c, region))
    return rt.k if rt is not None else util_coefficient(problem.target_utilisation)


def _add_capacity(m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex) -> None:
    """Family ``capacity`` (soft): load at the risk quantile covered at the target utilisation.

    Writes go to the writer; reads are routed to serving regions, each covering what it
    serves at the route's utilisation. With ``floor_need_acu`` the writer is served by
    Aurora's scaler (up to MaxCapacity) and its floor must reach the need instead. What
    is not covered is shortfall, priced in the objective, so this family never makes a
    problem infeasible.
    """
    for b in range(d.n_blocks):
        writer_load: LinearExpr = d.writer_k * (int(d.write_load[b]) - v.write_short[b])
        for c in range(len(d.clients)):
            served = [v.route[c, r.name, b] for r in d.regions if (c, r.name, b) in v.route]
            extra: list[LinearExpr] = [v.read_short[c, b]]
            if (c, b) in v.writer_reads:
                extra.append(v.writer_reads[c, b])
                writer_load += _k(d, problem, c, d.primary.name) * v.writer_reads[c, b]
            m.add(sum(served) + sum(extra) == int(d.read_load[c, b]))
        if d.floor_need_h is None:
            m.add(CAPACITY_SCALE * v.writer[b] >= writer_load)
        else:  # Aurora's scaler serves the writer up to MaxCapacity; the floor lets it get there
            m.add(CAPACITY_SCALE * d.max_h >= writer_load)
            m.add(v.writer[b] + v.floor_short[b] >= int(d.floor_need_h[b]))
            m.add(v.writer_cap[b] >= v.writer[b])
            assert d.hold_h is not None
            m.add(v.writer_cap[b] >= int(d.hold_h[b]))
        for r in d.regions:
            load = [
                _k(d, problem, c, r.name) * v.route[c, r.name, b]
                for c in range(len(d.clients))
                if (c, r.name, b) in v.route
            ]
            if load:
                m.add(CAPACITY_SCALE * v.region_capacity(r, b) >= sum(load))


def _add_limits(
    m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, e: Enforcer
) -> None:
    """Family ``limits``: ACU bounds, <= 15 readers per cluster, <= max secondaries, per-AZ readers.

    Per AZ at most ``max_extra_readers_per_az`` tier 2-15 readers, or as many as are deployed there.
    """
    if e.explaining:
        for w in v.writer:
            e(m.add(w >= d.min_h), "limits")
            e(m.add(w <= d.max_h), "limits")
        for fo in v.failover:
            e(m.add(fo <= d.max_h), "limits")
    for r in d.regions[1:]:
        for f in v.floor[r.name]:
            e(m.add(f >= d.min_h * v.active[r.name]), "limits")
            if e.explaining:
                e(m.add(f <= d.max_h), "limits")
    for r in d.regions:
        for b in range(d.n_blocks):
            if e.explaining:
                for a in r.az_ids:
                    e(m.add(v.cap[r.name, a, b] <= d.max_h * v.n(r, a, b)), "limits")
            else:
                for a in r.az_ids:
                    m.add(v.cap[r.name, a, b] <= d.max_h * v.n(r, a, b))
            for a in r.az_ids:  # more than the per-AZ limit only where that many are deployed
                cap = max(problem.limits.max_extra_readers_per_az, (r.prev_readers or {}).get(a, 0))
                if cap < r.slots:
                    e(m.add(v.n(r, a, b) <= cap), "limits")
            count: LinearExpr = sum(v.n(r, a, b) for a in r.az_ids)
            if r.is_primary and v.failover_az:
                count += sum(v.failover_az.values())
            if r.slots * len(r.az_ids) + (1 if r.is_primary else 0) > r.max_readers:
                e(m.add(count <= r.max_readers), "limits")
    if len(v.active) > problem.max_secondaries:
        e(m.add(sum(v.active.values()) <= problem.max_secondaries), "limits")


def build_model(
    problem: PlacementProblem, *, explain: bool = False, data: ModelData | None = None
) -> tuple[cp_model.CpModel, VarIndex, ModelData, Enforcer]:
    """Build the CP-SAT model of ``problem``.

    Args:
        problem: a validated placement problem with horizon T.
        explain: put the hard families behind assumption literals and leave out the
            objective (a feasibility model for :mod:`placement.explain`).
        data: precomputed :func:`placement.data.model_data` of ``problem``.

    Returns:
        The model, its :class:`VarIndex`, the data and the :class:`Enforcer` (its
        ``lits`` are the assumption literals in explain mode). The model has
        O(n_blocks x regions x AZs x slots) variables.
    """
    d = data if data is not None else model_data(problem)
    m = cp_model.CpModel()
    v = VarIndex()
    e = Enforcer(m, explain)
    _add_variables(m, problem, d, v, e)
    _add_structure(m, d, v, e.explaining)
    add_reader_moves(m, d, v)
    _add_capacity(m, problem, d, v)
    add_latency(m, problem, d, v, e)
    add_availability(m, problem, d, v, e)
    add_dynamics(m, problem, d, v, e)
    add_hold(m, problem, d, v, e)
    _add_limits(m, problem, d, v, e)
    add_objective(m, problem, d, v, minimise=not explain)
    add_budget(m, d, v, e)
    return m, v, d, e
