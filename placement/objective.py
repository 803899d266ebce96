"""The objective: cost + shortfall penalty + churn penalty, all in integer micro-USD.

Owns :func:`add_reader_moves` (reader creation/deletion variables, shared with the
``dynamics`` dwell rule) and :func:`add_objective`. Real money goes to
``VarIndex.cost_terms`` (the budget and the cost breakdown read it); penalties and
tie-breaks only to ``VarIndex.objective_terms``. Imports nothing of ours outside
``placement``.

Cost terms, per block b of ``len_b`` steps:

* compute: every capacity variable x ACU-hour price of its region (half-ACU per block);
  the writer's is ``writer_cap`` when Aurora's scaler is modelled (a floor costs only its
  part above what the scaler holds anyway);
* a used secondary: its storage, replicated write I/O and replication transfer over the
  horizon (:mod:`placement.pricing`);
* reads served from another region: response GB x transfer price;
* the primary's storage and I/O: a constant.

Penalties: shortfall (``shortfall_penalty_usd_per_acu_hour`` per ACU-hour of need, and
per ACU-hour of floor need the writer's MinCapacity misses), floor moves
(``churn_penalty_usd_per_acu``; for the primary only when its scaler is not modelled),
reader creation/deletion
(``reader_churn_penalty_usd``), adding/removing a secondary
(``secondary_churn_penalty_usd``), and 1 micro-USD per AZ rank as a deterministic
tie-break between equally good AZs.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from placement.data import ModelData
from placement.types import PlacementProblem
from placement.variables import ABS_MAX_H, LinearExpr, VarIndex


def add_reader_moves(m: cp_model.CpModel, d: ModelData, v: VarIndex) -> None:
    """Create ``up``/``down`` reader counts: ``n[b] - n[b-1] = up[b] - down[b]``.

    At b = 0 the deployed count is the reference when it is known; otherwise block 0
    has no move variables.
    """
    if d.reader_churn_cost <= 0 and d.dwell is None:
        return
    for r in d.regions:
        if r.slots == 0:
            continue
        for a in r.az_ids:
            for b in range(d.n_blocks):
                before: LinearExpr | None = v.n(r, a, b - 1) if b > 0 else None
                if b == 0 and r.prev_readers is not None:
                    before = int(r.prev_readers.get(a, 0))
                if before is None:
                    continue
                up = m.new_int_var(0, r.slots, f"up[{r.name},{a},{b}]")
                down = m.new_int_var(0, r.slots, f"down[{r.name},{a},{b}]")
                m.add(v.n(r, a, b) - before == up - down)
                v.up[r.name, a, b], v.down[r.name, a, b] = up, down


def _abs_change(m: cp_model.CpModel, now: LinearExpr, before: LinearExpr, name: str) -> cp_model.IntVar:
    delta = m.new_int_var(0, ABS_MAX_H, name)
    m.add(delta >= now - before)
    m.add(delta >= before - now)
    return delta


def _cost_terms(problem: PlacementProblem, d: ModelData, v: VarIndex) -> None:
    for r in d.regions:
        for b in range(d.n_blocks):
            coef = int(r.compute_h[b])
            caps: list[cp_model.IntVar] = [v.cap[r.name, a, b] for a in r.az_ids]
            if r.is_primary:
                caps.append(v.writer_capacity(b))
                if v.failover:
                    caps.append(v.failover[b])
            v.cost_terms.extend((x, coef) for x in caps)
        if not r.is_primary and r.fixed_cost > 0:
            v.cost_terms.append((v.active[r.name], r.fixed_cost))
    routes = d.route_by_key
    for (c, rn, b), x in v.route.items():
        coef = int(routes[c, rn].transfer[b])
        if coef > 0:
            v.cost_terms.append((x, coef))


def _churn_terms(m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex) -> None:
    terms = v.objective_terms
    if d.churn_cost > 0:
        # With Aurora's scaler modelled, the writer's floor follows the caller's floor rule
        # (which already keeps it steady); pricing its moves per ACU would pull it up into
        # the range the scaler holds anyway, where it is free but binds when demand falls.
        series = [] if v.writer_cap else [(v.writer, d.primary.prev_floor_h)]
        series += [(v.floor[r.name], r.prev_floor_h if r.prev_active else None) for r in d.regions[1:]]
        for floor, before0 in series:
            for b in range(d.n_blocks):
                before: LinearExpr | None = floor[b - 1] if b > 0 else before0
                if before is not None:
                    terms.append((_abs_change(m, floor[b], before, f"{floor[b].name}_move"), d.churn_cost))
    if d.reader_churn_cost > 0:
        terms.extend((x, d.reader_churn_cost) for x in (*v.up.values(), *v.down.values()))
    prev = problem.previous
    if prev is not None and prev.failover_az_id in v.failover_az:
        # Moving the failover reader means deleting one reader and creating another.
        terms.append((1 - v.failover_az[prev.failover_az_id], 2 * d.reader_churn_cost))
    for r in d.regions[1:]:
        flip = (1 - v.active[r.name]) if r.prev_active else v.active[r.name]
        terms.append((flip, d.secondary_churn_cost))


def _tie_breaks(d: ModelData, v: VarIndex) -> None:
    """1 micro-USD per AZ rank so equally good plans resolve the same way every time.

    A tier 0-1 reader ranks after every tier 2-15 slot: at equal cost the reader that
    can scale down on its own is preferred. When Aurora's scaler is modelled, a floor
    below the scaler's hold costs nothing in expectation, so 1 micro-USD per half-ACU of
    floor picks the lowest such floor (it binds if demand falls short of the forecast).
    """
    offset = 1 + max((len(r.az_ids) for r in d.regions), default=0)
    v.objective_terms.extend((x, offset + rank) for rank, x in enumerate(v.failover_az.values()))
    if v.writer_cap:
        v.objective_terms.extend((x, 1) for x in v.writer)
    for r in d.regions:
        for rank, a in enumerate(r.az_ids):
            for b in range(d.n_blocks):
                v.objective_terms.extend((v.on[r.name, a, k, b], rank) for k in range(r.slots))


def add_objective(
    m: cp_model.CpModel, problem: PlacementProblem, d: ModelData, v: VarIndex, *, minimise: bool = True
) -> None:
    """Collect cost terms and, when ``minimise``, minimise cost + penalties (micro-USD).

    Args:
        m: the model.
        problem: the problem.
        d: its data.
        v: its variables; ``cost_terms`` and ``objective_terms`` are filled.
        minimise: set the objective (False for a feasibility-only model).
    """
    _cost_terms(problem, d, v)
    if not minimise:
        return
    v.objective_terms.extend(v.cost_terms)
    v.objective_terms.extend((s, int(d.short_cost[b])) for (_, b), s in v.read_short.items())
    v.objective_terms.extend((s, int(d.short_cost[b])) for b, s in enumerate(v.write_short))
    v.objective_terms.extend((s, int(d.floor_short_cost[b])) for b, s in enumerate(v.floor_short))
    _churn_terms(m, problem, d, v)
    _tie_breaks(d, v)
    # One weighted sum (CP-SAT flattens it to the same sorted terms as a Python sum of products).
    terms = [(x, coef) for x, coef in v.objective_terms if coef]
    total = cp_model.LinearExpr.weighted_sum([x for x, _ in terms], [coef for _, coef in terms])
    m.minimize(total + d.constant_cost)
