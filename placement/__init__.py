"""Placement: capacity needs + topology + prices -> ACU levels and reader layout (CP-SAT).

Public API: :func:`solve` a :class:`PlacementProblem` into a :class:`PlacementPlan`;
:func:`shift_plan` moves a plan forward to warm-start the next re-plan. Imports nothing
of ours (``policy`` imports this package, never the reverse). The names load on first use
(PEP 562); :func:`solve` lives in :mod:`placement.solver` (no submodule shares its name).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from placement.errors import AzRegionMismatchError, InvalidProblemError, PlacementError
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
    from placement.solver import solve
    from placement.specs import (
        MAX_SECONDARIES,
        STORED_CONTEXT,
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
        RegionProblem,
        SecondaryRegion,
        az_id_prefix,
        check_az_region,
        raise_problems,
        region_problems,
    )
    from placement.types import (
        MAX_ACU_LIMIT,
        MAX_HORIZON_STEPS,
        MAX_READERS_PER_CLUSTER,
        MAX_SECONDARY_READERS,
        CapacityLimits,
        PlacementProblem,
        PreviousLayout,
        SolverParams,
        Topology,
    )
    from placement.units import acu_to_half_acu_ceil, half_acu_to_acu, is_on_half_acu_grid

_EXPORTS: dict[str, str] = {
    "AzRegionMismatchError": "placement.errors",
    "InvalidProblemError": "placement.errors",
    "PlacementError": "placement.errors",
    "shift_plan": "placement.hints",
    "PRICES": "placement.pricing",
    "PRICES_AS_OF": "placement.pricing",
    "RegionPrice": "placement.pricing",
    "region_price": "placement.pricing",
    "max_utilisation": "placement.queueing",
    "FAMILIES": "placement.results",
    "AzReaders": "placement.results",
    "CostBreakdown": "placement.results",
    "PlacementPlan": "placement.results",
    "ReadRoute": "placement.results",
    "SecondaryPlan": "placement.results",
    "ShadowCost": "placement.results",
    "SolveStatus": "placement.results",
    "StorageAdvice": "placement.results",
    "solve": "placement.solver",
    "MAX_SECONDARIES": "placement.specs",
    "AvailabilitySpec": "placement.specs",
    "ClientRegion": "placement.specs",
    "Coarsening": "placement.specs",
    "CostModel": "placement.specs",
    "DynamicsSpec": "placement.specs",
    "FailureModel": "placement.specs",
    "IoProfile": "placement.specs",
    "LatencySlo": "placement.specs",
    "PlacementOptions": "placement.specs",
    "RegionPriceOverride": "placement.specs",
    "RegionProblem": "placement.specs",
    "SecondaryRegion": "placement.specs",
    "STORED_CONTEXT": "placement.specs",
    "az_id_prefix": "placement.specs",
    "check_az_region": "placement.specs",
    "raise_problems": "placement.specs",
    "region_problems": "placement.specs",
    "MAX_ACU_LIMIT": "placement.types",
    "MAX_HORIZON_STEPS": "placement.types",
    "MAX_READERS_PER_CLUSTER": "placement.types",
    "MAX_SECONDARY_READERS": "placement.types",
    "CapacityLimits": "placement.types",
    "PlacementProblem": "placement.types",
    "PreviousLayout": "placement.types",
    "SolverParams": "placement.types",
    "Topology": "placement.types",
    "acu_to_half_acu_ceil": "placement.units",
    "half_acu_to_acu": "placement.units",
    "is_on_half_acu_grid": "placement.units",
}
"""Public name -> the module that defines it; imported on first use, so importing the
package (or one of its light modules) does not load every dependency."""


def __getattr__(name: str) -> object:
    """Import a public name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_EXPORTS))


__all__ = [
    "FAMILIES",
    "MAX_ACU_LIMIT",
    "MAX_HORIZON_STEPS",
    "MAX_READERS_PER_CLUSTER",
    "MAX_SECONDARIES",
    "MAX_SECONDARY_READERS",
    "PRICES",
    "PRICES_AS_OF",
    "AvailabilitySpec",
    "AzReaders",
    "AzRegionMismatchError",
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
    "RegionProblem",
    "SecondaryPlan",
    "SecondaryRegion",
    "ShadowCost",
    "STORED_CONTEXT",
    "SolveStatus",
    "SolverParams",
    "StorageAdvice",
    "Topology",
    "acu_to_half_acu_ceil",
    "az_id_prefix",
    "check_az_region",
    "half_acu_to_acu",
    "is_on_half_acu_grid",
    "max_utilisation",
    "raise_problems",
    "region_price",
    "region_problems",
    "shift_plan",
    "solve",
]
