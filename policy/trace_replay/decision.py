"""What a replay policy returns, and the protocol every policy implements.

Owns :class:`Decision` and :class:`Policy`, shared by :mod:`policy.trace_replay.policies` and
:mod:`policy.trace_replay.peers` (which must not import each other in a cycle). Imports only
``placement`` types.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

import numpy as np
import numpy.typing as npt

from placement import PreviousLayout

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Decision:
    """Settings for the next ``n`` trace steps.

    Attributes:
        floor_acu: MinCapacity per step, shape (n,), ACU (0 allows auto-pause).
        max_acu: MaxCapacity for the interval, ACU.
        n_extra_readers: tier 2-15 readers per step, shape (n,).
        has_failover: a tier-1 reader exists.
        layout: the deployed layout at the end of the interval (the next ``previous``).
        fail_safe: the optimiser gave no plan and a fail-safe plan was used.
        solve_s: CP-SAT wall time, seconds (0 for policies without a solver).
        n_extra_readers_writer_az: of ``n_extra_readers``, those in the writer's AZ,
            shape (n,); None means none (or unknown).
        risk_quantile: the forecast quantile an ``acuplan`` plan covered; None for others.
        aurora_alone: an ``acuplan`` decision that held Aurora alone's floor (its risk posture
            found the forecast bought nothing: :mod:`policy.trace_replay.posture`).
    """

    floor_acu: FloatArray
    max_acu: float
    n_extra_readers: IntArray
    has_failover: bool
    layout: PreviousLayout | None = None
    fail_safe: bool = False
    solve_s: float = 0.0
    n_extra_readers_writer_az: IntArray | None = None
    risk_quantile: float | None = None
    aurora_alone: bool = False


class Policy(Protocol):
    """A capacity policy the replay can run.

    ``decide`` sees only ``history_acu`` (the steps before ``now``) and returns the
    settings for the next ``n_steps`` trace steps. The replay calls it in time order,
    every ``ReplayConfig.replan_every_s``, or every ``decide_every_s`` seconds when the
    policy has that attribute (a reactive peer that acts on every metric sample).
    """

    name: str

    def decide(
        self, history_acu: FloatArray, *, now: datetime, n_steps: int, previous: PreviousLayout | None
    ) -> Decision:
        """Return the settings for steps [now, now + n_steps x step_s)."""
        ...
