"""The CP-SAT variables of a placement model and the assumption-literal enforcer.

Owns :class:`VarIndex` (every variable, keyed the way its name reads) and
:class:`Enforcer` (puts a hard family's constraints behind its assumption literal in
explain mode). Shared by :mod:`placement.model`, :mod:`placement.families` and
:mod:`placement.objective`. Imports nothing of ours outside ``placement``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from placement.data import RegionData
from placement.results import FAMILIES
from placement.types import MAX_ACU_LIMIT
from placement.units import HALF_ACU_PER_ACU

IntVar = cp_model.IntVar
LinearExpr = cp_model.LinearExpr | int

ABS_MAX_H = int(MAX_ACU_LIMIT * HALF_ACU_PER_ACU)
"""Largest capacity AWS allows at all (256 ACU), half-ACUs: the domain when limits are
behind a literal."""


class Enforcer:
    """Puts hard-family constraints behind assumption literals (explain mode) or not."""

    def __init__(self, m: cp_model.CpModel, with_literals: bool) -> None:
        self.m = m
        self.lits: dict[str, IntVar] = (
            {f: m.new_bool_var(f"family[{f}]") for f in FAMILIES if f != "capacity"} if with_literals else {}
        )

    def __call__(self, ct: cp_model.Constraint, family: str) -> cp_model.Constraint:
        """Enforce ``ct`` only when ``family``'s literal holds (explain mode)."""
        if family in self.lits:
            ct.only_enforce_if(self.lits[family])
        return ct

    def false(self, family: str) -> None:
        """Add a constraint that ``family`` cannot satisfy (its literal must be false)."""
        self(self.m.add_bool_or([]), family)

    @property
    def explaining(self) -> bool:
        """True when hard families sit behind literals."""
        return bool(self.lits)


@dataclass
class VarIndex:
    """The model's variables, keyed the way their names read (see the module docstring)."""

    writer: list[IntVar] = field(default_factory=list)
    writer_cap: list[IntVar] = field(default_factory=list)
    floor_short: list[IntVar] = field(default_factory=list)
    floor: dict[str, list[IntVar]] = field(default_factory=dict)
    active: dict[str, IntVar] = field(default_factory=dict)
    failover_az: dict[str, IntVar] = field(default_factory=dict)
    failover: list[IntVar] = field(default_factory=list)
    on: dict[tuple[str, str, int, int], IntVar] = field(default_factory=dict)
    cap: dict[tuple[str, str, int], IntVar] = field(default_factory=dict)
    route: dict[tuple[int, str, int], IntVar] = field(default_factory=dict)
    writer_reads: dict[tuple[int, int], IntVar] = field(default_factory=dict)
    read_short: dict[tuple[int, int], IntVar] = field(default_factory=dict)
    write_short: list[IntVar] = field(default_factory=list)
    up: dict[tuple[str, str, int], IntVar] = field(default_factory=dict)
    down: dict[tuple[str, str, int], IntVar] = field(default_factory=dict)
    dr: dict[str, IntVar] = field(default_factory=dict)
    objective_terms: list[tuple[LinearExpr, int]] = field(default_factory=list)
    cost_terms: list[tuple[LinearExpr, int]] = field(default_factory=list)
    _n: dict[tuple[str, str, int], LinearExpr] = field(default_factory=dict, repr=False)

    def n(self, region: RegionData, az: str, b: int) -> LinearExpr:
        """Number of tier 2-15 readers of ``region`` in ``az`` at block ``b`` (cached)."""
        key = (region.name, az, b)
        if key not in self._n:
            self._n[key] = cp_model.LinearExpr.sum(
                [self.on[region.name, az, k, b] for k in range(region.slots)]
            )
        return self._n[key]

    def writer_capacity(self, b: int) -> IntVar:
        """The writer's capacity at block ``b``: max(floor, scaler's hold) when modelled, else the floor."""
        return self.writer_cap[b] if self.writer_cap else self.writer[b]

    def floor_of(self, region: RegionData) -> list[IntVar]:
        """MinCapacity per block of ``region`` (the writer's capacity in the primary)."""
        return self.writer if region.is_primary else self.floor[region.name]

    def region_capacity(self, region: RegionData, b: int) -> LinearExpr:
        """Reader capacity of ``region`` at block ``b`` (tier 0-1 and tier 2-15)."""
        total: LinearExpr = sum(self.cap[region.name, a, b] for a in region.az_ids)
        if region.is_primary and self.failover:
            total += self.failover[b]
        return total
