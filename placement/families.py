"""The hard constraint families ``latency``, ``availability``, ``dynamics`` and ``budget``.

Owns one ``add_<family>`` per family (``capacity`` and ``limits`` live in
:mod:`placement.model`). Each family's constraints go through the
:class:`~placement.model.Enforcer`, so in explain mode they sit behind that family's
assumption literal. Units as in :mod:`placement.units`. Imports nothing of ours
outside ``placement``.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from placement.data import ModelData
from placement.types import PlacementProblem
from placement.units import CAPACITY_SCALE, UTIL_SCALE, ratio_to_milli
from placement.variables import ABS_MAX_H, Enforcer, LinearExpr, VarIndex


def add_latency(
    m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, e: Enforcer
) -> None:
    """Family ``latency``: writes reach the primary and reads a serving region within SLO.

    * every write client reaches the primary within the write SLO (writes go there);
    * a read route whose round trip leaves no queueing budget carries nothing;
    * a client region with read load has, at every block, a serving region within its
      read SLO (the primary, or a secondary with a reader);
    * a DR secondary must meet the write SLO for every write client (after a regional
      failover it takes the writes; added with the DR variables in
      :func:`_region_dr`).
    The utilisation each route is sized at comes from the same SLO (:mod:`placement.queueing`)
    and enters family ``capacity``.
    """
    if not d.writes_reachable:
        e.false("latency")
    routes = d.route_by_key
    for (c, rn, _b), x in v.route.items():
        if not routes[c, rn].reachable:
            e(m.add(x == 0), "latency")
    for (c, _b), x in v.writer_reads.items():
        if not routes[c, d.primary.name].reachable:
            e(m.add(x == 0), "latency")
    for c in range(len(d.clients)):
        reach = [r for r in d.regions if routes[c, r.name].reachable]
        if any(r.is_primary for r in reach):
            continue
        for b in range(d.n_blocks):
            if d.read_load[c, b] <= 0:
                continue
            present = [v.on[r.name, a, 0, b] for r in reach for a in r.az_ids if r.slots > 0]
            if present:
                e(m.add(sum(present) >= 1), "latency")
            else:
                e.false("latency")


def _min_azs(m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, e: Enforcer) -> None:
    p, writer_az = d.primary, problem.topology.writer_az_id
    for b in range(d.n_blocks):
        used = []
        for a in p.az_ids:
            if a == writer_az:
                continue
            u = m.new_bool_var(f"az_used[{a},{b}]")
            presence: LinearExpr = v.n(p, a, b) + (v.failover_az[a] if a in v.failover_az else 0)
            m.add(u <= presence)
            used.append(u)
        e(m.add(1 + sum(used) >= problem.min_azs), "availability")


def _survive_az_loss(
    m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, e: Enforcer
) -> None:
    """Reader capacity outside any one AZ covers the served read load at 100% utilisation."""
    writer_az = problem.topology.writer_az_id
    for r in d.regions:
        for b in range(d.n_blocks):
            served = [x for (c, rn, bb), x in v.route.items() if rn == r.name and bb == b]
            if not served:
                continue
            for a in r.az_ids:
                outside: LinearExpr = sum(v.cap[r.name, o, b] for o in r.az_ids if o != a)
                if r.is_primary and v.failover:
                    if a == writer_az:  # the tier 0-1 reader is promoted and takes the writes
                        outside += v.failover[b] - v.writer_capacity(b)
                    elif a in v.failover_az:
                        kept = m.new_int_var(0, ABS_MAX_H, f"failover_kept[{a},{b}]")
                        m.add(kept <= v.failover[b])
                        m.add(kept <= ABS_MAX_H * (1 - v.failover_az[a]))
                        outside += kept
                    else:
                        outside += v.failover[b]
                e(m.add(CAPACITY_SCALE * outside >= UTIL_SCALE * sum(served)), "availability")
    if v.failover_az:
        e(m.add(sum(v.failover_az.values()) >= 1), "availability")
    else:
        e.false("availability")


def _region_dr(
    m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, e: Enforcer
) -> None:
    av = problem.availability
    frac = ratio_to_milli(av.dr_capacity_frac)
    for r in d.regions[1:]:
        dr = v.dr[r.name] = m.new_bool_var(f"dr[{r.name}]")
        m.add_implication(dr, v.active[r.name])
        if not r.dr_reachable:  # after a regional failover it takes the writes
            e(m.add(dr == 0), "latency")
        for b in range(d.n_blocks):
            if r.slots > 0:
                m.add(sum(v.on[r.name, a, 0, b] for a in r.az_ids) >= dr)
            else:
                m.add(dr == 0)
            if frac > 0:
                m.add(1000 * v.floor[r.name][b] >= frac * v.writer[b]).only_enforce_if(dr)
    if av.require_region_dr:
        if v.dr:
            e(m.add(sum(v.dr.values()) >= 1), "availability")
        else:
            e.false("availability")


def _min_availability(
    m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, e: Enforcer
) -> None:
    """Unavailability (ppb) of the layout <= 1 - min_availability (:mod:`placement.availability`)."""
    assert d.max_unavailability_ppb is not None
    base, c_e, c_r, c_d = d.unavailability
    p, writer_az = d.primary, problem.topology.writer_az_id
    ready: LinearExpr = sum(v.failover_az.values())
    spare = m.new_bool_var("spare_reader")
    for b in range(d.n_blocks):
        others = [v.n(p, a, b) for a in p.az_ids if a != writer_az]
        m.add(spare <= sum(others) + ready)
    has_dr = m.new_bool_var("has_dr")
    m.add(has_dr <= sum(v.dr.values()))
    e(m.add(base - c_e * spare - c_r * ready - c_d * has_dr <= d.max_unavailability_ppb), "availability")


def add_availability(
    m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, e: Enforcer
) -> None:
    """Family ``availability``: AZ spread, failover readiness, AZ-loss survival, DR, target.

    * instances in >= ``min_azs`` AZs of the primary at every block;
    * a tier 0-1 reader in another AZ when ``require_failover_reader``;
    * ``survive_az_loss``: see :func:`_survive_az_loss` (also needs the tier 0-1 reader);
    * ``require_region_dr``: a secondary with a reader at every block (MinCapacity >=
      ``dr_capacity_frac`` x the writer's);
    * ``min_availability``: the failure model's figure reaches the target.
    """
    av = problem.availability
    if problem.require_failover_reader:
        if v.failover_az:
            e(m.add(sum(v.failover_az.values()) >= 1), "availability")
        else:
            e.false("availability")
    if problem.min_azs > 1:
        _min_azs(m, problem, d, v, e)
    if av.survive_az_loss:
        _survive_az_loss(m, problem, d, v, e)
    if av.require_region_dr or av.min_availability is not None:
        _region_dr(m, problem, d, v, e)
    if av.min_availability is not None:
        _min_availability(m, problem, d, v, e)


def _lead_times(
    m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, e: Enforcer
) -> None:
    prev = problem.previous
    for r in d.regions:
        for b in range(d.n_blocks):
            for a in r.az_ids:
                if b < r.serve_from and r.slots > 0:
                    e(m.add(v.on[r.name, a, 0, b] == 0), "dynamics")
                elif b < d.reader_lead_blocks and r.prev_readers is not None:
                    e(m.add(v.n(r, a, b) <= r.prev_readers.get(a, 0)), "dynamics")
    if prev is not None and d.reader_lead_blocks > 0:
        for a, y in v.failover_az.items():
            if a != prev.failover_az_id:
                e(m.add(y == 0), "dynamics")


def _dwell(m: cp_model.CpModel, d: ModelData, v: VarIndex, e: Enforcer) -> None:
    assert d.dwell is not None
    for r in d.regions:
        for a in r.az_ids:
            for b in range(d.n_blocks):
                ups = [v.up[r.name, a, j] for j in d.dwell[b] if (r.name, a, j) in v.up]
                downs = [v.down[r.name, a, j] for j in d.dwell[b] if (r.name, a, j) in v.down]
                if len(d.dwell[b]) > 1 and ups:
                    e(m.add(v.n(r, a, b) >= sum(ups)), "dynamics")
                    e(m.add(v.n(r, a, b) + sum(downs) <= r.slots), "dynamics")


def add_dynamics(
    m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, e: Enforcer
) -> None:
    """Family ``dynamics``: reader lead times and dwell.

    * lead time: no reader beyond the deployed ones (and no new tier 0-1 AZ) before
      ``reader_lead_s``; a new secondary serves no reads before ``secondary_lead_s``;
    * dwell: a reader created (deleted) stays (stays away) for ``min_dwell_s``.

    How fast capacity moves is Aurora's own scaler, modelled by the caller
    (``PlacementProblem.floor_need_acu``), not here.
    """
    if problem.dynamics is None:
        return
    _lead_times(m, problem, d, v, e)
    if d.dwell is not None:
        _dwell(m, d, v, e)


def add_hold(m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, e: Enforcer) -> None:
    """Family ``dynamics``: with ``hold_previous``, nothing goes below the deployed layout.

    (The policy holds the floor itself exactly by its floor need; this family keeps the
    optimiser from dropping what is deployed.)

    The floor stays at or above the deployed floor, every AZ keeps at least its deployed
    tier 2-15 readers, and the deployed tier 0-1 reader keeps its AZ.
    """
    prev = problem.previous
    if not problem.hold_previous or prev is None:
        return
    p = d.primary
    for b in range(d.n_blocks):
        if p.prev_floor_h is not None:
            e(m.add(v.writer[b] >= p.prev_floor_h), "dynamics")
        for a in p.az_ids:
            k = prev.extra_readers_by_az.get(a, 0)
            if k:
                e(m.add(v.n(p, a, b) >= min(k, p.slots)), "dynamics")
    if prev.failover_az_id is not None:
        if prev.failover_az_id in v.failover_az:
            e(m.add(v.failover_az[prev.failover_az_id] == 1), "dynamics")
        else:
            e.false("dynamics")


def add_budget(m: cp_model.CpModel, d: ModelData, v: VarIndex, e: Enforcer) -> None:
    """Family ``budget``: the plan's cost over the horizon (no penalties) <= the cap."""
    if d.budget is None:
        return
    spend = sum(coef * x for x, coef in v.cost_terms) + d.constant_cost
    e(m.add(spend <= d.budget), "budget")
