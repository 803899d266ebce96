"""Placement: capacity needs + topology + prices -> ACU levels and reader layout (CP-SAT).

Public API: :func:`solve` a :class:`PlacementProblem` into a :class:`PlacementPlan`.
Imports nothing of ours (``policy`` imports this package, never the reverse).
"""

from placement.errors import InvalidProblemError, PlacementError
from placement.solve import solve
from placement.types import (
    MAX_ACU_LIMIT,
    MAX_READERS_PER_CLUSTER,
    AzReaders,
    CapacityLimits,
    PlacementPlan,
    PlacementProblem,
    PreviousLayout,
    SolverParams,
    SolveStatus,
    Topology,
)
from placement.units import acu_to_half_acu_ceil, half_acu_to_acu, is_on_half_acu_grid

__all__ = [
    "MAX_ACU_LIMIT",
    "MAX_READERS_PER_CLUSTER",
    "AzReaders",
    "CapacityLimits",
    "InvalidProblemError",
    "PlacementError",
    "PlacementPlan",
    "PlacementProblem",
    "PreviousLayout",
    "SolveStatus",
    "SolverParams",
    "Topology",
    "acu_to_half_acu_ceil",
    "half_acu_to_acu",
    "is_on_half_acu_grid",
    "solve",
]
