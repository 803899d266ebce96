"""Placement: capacity needs + topology + prices -> ACU levels and reader layout (CP-SAT).

Public API: :func:`solve` a :class:`PlacementProblem` into a :class:`PlacementPlan`;
:func:`shift_plan` moves a plan forward to warm-start the next re-plan. Imports nothing
of ours (``policy`` imports this package, never the reverse).
"""

from placement.errors import InvalidProblemError, PlacementError
from placement.hints import shift_plan
from placement.pricing import PRICES, PRICES_AS_OF, RegionPrice, region_price
from placement.queueing import max_utilisation
from placement.results import (
    FAMILIES,
    AzReaders,
    CostBreakdown,
    PlacementPlan,
    ReadRoute,
    SecondaryPlan,
    ShadowCost,
    SolveStatus,
    StorageAdvice,
)
from placement.solve import solve
from placement.specs import (
    MAX_SECONDARIES,
    AvailabilitySpec,
    ClientRegion,
    Coarsening,
    CostModel,
    DynamicsSpec,
    FailureModel,
    IoProfile,
    LatencySlo,
    PlacementOptions,
    RegionPriceOverride,
    SecondaryRegion,
)
from placement.types import (
    MAX_ACU_LIMIT,
    MAX_READERS_PER_CLUSTER,
    MAX_SECONDARY_READERS,
    CapacityLimits,
    PlacementProblem,
    PreviousLayout,
    SolverParams,
    Topology,
)
from placement.units import acu_to_half_acu_ceil, half_acu_to_acu, is_on_half_acu_grid

__all__ = [
    "FAMILIES",
    "MAX_ACU_LIMIT",
    "MAX_READERS_PER_CLUSTER",
    "MAX_SECONDARIES",
    "MAX_SECONDARY_READERS",
    "PRICES",
    "PRICES_AS_OF",
    "AvailabilitySpec",
    "AzReaders",
    "CapacityLimits",
    "ClientRegion",
    "Coarsening",
    "CostBreakdown",
    "CostModel",
    "DynamicsSpec",
    "FailureModel",
    "InvalidProblemError",
    "IoProfile",
    "LatencySlo",
    "PlacementError",
    "PlacementOptions",
    "PlacementPlan",
    "PlacementProblem",
    "PreviousLayout",
    "ReadRoute",
    "RegionPrice",
    "RegionPriceOverride",
    "SecondaryPlan",
    "SecondaryRegion",
    "ShadowCost",
    "SolveStatus",
    "SolverParams",
    "StorageAdvice",
    "Topology",
    "acu_to_half_acu_ceil",
    "half_acu_to_acu",
    "is_on_half_acu_grid",
    "max_utilisation",
    "region_price",
    "shift_plan",
    "solve",
]
