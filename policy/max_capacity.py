"""Demand that MaxCapacity cannot serve within the SLO: one rule for the bound, the planner and the replay.

Owns :func:`over_max_capacity` and the :class:`OverMaxCapacity` it returns. An instance
carrying a share ``s`` of a cluster load ``L`` needs ``L x s / slo_utilisation`` ACU to
run at or below the SLO utilisation (:meth:`policy.scaler.ScalerModel.need_acu`); where
that need is above MaxCapacity no floor and no scaler can meet it, so
:func:`policy.floors.cheapest_floors` caps the need at MaxCapacity there (its ``_Run``)
and the perfect-foresight bound keeps those SLO minutes and that shortfall. This module
states the same rule as a count, so a report can say how much of a window is out of any
schedule's reach. (``policy.advice.alerts``' ``max_capacity`` alert calls it for the writer
alone; with ``read_frac <= 0.5`` the writer is the busiest instance.)
Pure; imports only :mod:`policy.scaler`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from policy.scaler import ScalerModel

NEED_EPS_ACU = 1e-9
"""Float slack, ACU: a need within it of MaxCapacity is met (``policy.floors``' ``meets`` uses the same)."""


@dataclass(frozen=True)
class OverMaxCapacity:
    """How much of a demand series needs more than MaxCapacity on some instance.

    Attributes:
        n_over: steps whose busiest instance needs more than MaxCapacity.
        n_steps: steps with demand (missing steps are not counted).
        peak_need_acu: the largest need of any instance at any step, ACU (0 without demand).
        first_over: index of the first step over MaxCapacity, or None.
        max_acu: MaxCapacity, ACU.
    """

    n_over: int
    n_steps: int
    peak_need_acu: float
    first_over: int | None
    max_acu: float

    @property
    def share(self) -> float:
        """``n_over / n_steps`` (0 without demand)."""
        return self.n_over / self.n_steps if self.n_steps else 0.0


def over_max_capacity(
    demand_acu: npt.ArrayLike, *, shares: Sequence[float], max_acu: float, model: ScalerModel
) -> OverMaxCapacity:
    """Count the steps whose demand needs more than MaxCapacity on some instance.

    Args:
        demand_acu: cluster load per step, shape (n,), ACU; NaN marks a missing step.
        shares: each instance's share of the load, e.g. ``FloorCluster.shares()``:
            (writer,) or (writer, tier 0-1 reader).
        max_acu: MaxCapacity, ACU.
        model: the scaler model (its ``slo_utilisation``).

    Returns:
        The count, the peak need and the first step over.

    Examples:
        >>> o = over_max_capacity([1.0, 4.0, float("nan")], shares=(0.5, 0.5), max_acu=2.0,
        ...                       model=ScalerModel(slo_utilisation=0.8))
        >>> (o.n_over, o.n_steps, o.peak_need_acu, o.first_over)
        (1, 2, 2.5, 1)
    """
    demand = np.asarray(demand_acu, dtype=np.float64)
    known = np.isfinite(demand)
    load = np.where(known, demand, 0.0)
    need = np.max([model.need_acu(1.0) * load * s for s in shares], axis=0) if len(shares) else load * 0.0
    over = np.flatnonzero(need > max_acu + NEED_EPS_ACU)
    return OverMaxCapacity(
        n_over=int(over.size),
        n_steps=int(known.sum()),
        peak_need_acu=float(need.max()) if need.size else 0.0,
        first_over=int(over[0]) if over.size else None,
        max_acu=float(max_acu),
    )
