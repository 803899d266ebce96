"""Unit conversion between the domain (ACU, USD, ms, probabilities) and CP-SAT integers.

This is the only module where floats become solver integers:

========================  ==========================  =====================================
quantity                  solver unit                 why
========================  ==========================  =====================================
capacity                  half-ACU (int)              Serverless v2 moves in 0.5 ACU (A1)
load (demand)             1/100 half-ACU (int)        0.005-ACU resolution for routed load
utilisation u             ``ceil(1000 / u)`` (int)    capacity x 100,000 >= load x k
money                     micro-USD (int)             exact enough, no float objective
unavailability            parts per billion (int)     one nine = a factor of 10
========================  ==========================  =====================================

A capacity constraint therefore reads ``cap_half_acu * CAPACITY_SCALE >= sum(k * load)``
with ``CAPACITY_SCALE = LOAD_PER_HALF_ACU * UTIL_SCALE``. :func:`check_objective_range`
guards against overflow: CP-SAT needs every linear sum inside int64, and its objective
is reported as a double, exact only below 2**53 micro-USD ($9.0e9). Imports nothing of
ours.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from placement.errors import ObjectiveRangeError

HALF_ACU_PER_ACU = 2
"""Serverless v2 capacity increment is 0.5 ACU (API_ServerlessV2ScalingConfiguration)."""

MICRO_USD_PER_USD = 1_000_000

LOAD_PER_HALF_ACU = 100
"""Load (demand) is counted in 1/100 half-ACU = 0.005 ACU, fine enough that routing load
between regions loses nothing visible; rounding is always up (capacity-safe)."""

UTIL_SCALE = 1000
"""Utilisation u enters the model as the integer ``ceil(UTIL_SCALE / u)`` (0.8 -> 1250)."""

CAPACITY_SCALE = LOAD_PER_HALF_ACU * UTIL_SCALE
"""Multiplier of a half-ACU capacity in a load-coverage constraint."""

PPB = 1_000_000_000
"""Unavailability is counted in parts per billion of a year (99.99% = 100,000 ppb)."""

SECONDS_PER_YEAR = 365.25 * 86_400

MAX_EXACT_OBJECTIVE = 2**53
"""Largest integer a double holds exactly; CP-SAT reports objectives as doubles."""


def acu_to_half_acu_ceil(acu: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Round ACU up to the 0.5-ACU grid and return half-ACU counts.

    Rounding up is the capacity-safe direction: a need of 3.1 ACU becomes 3.5 ACU (7).

    Args:
        acu: capacity or demand in ACU, any shape, finite and >= 0.

    Returns:
        Integer half-ACU counts, same shape as ``acu``.

    Raises:
        ValueError: if any value is negative or not finite.
    """
    arr = np.asarray(acu, dtype=np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("acu values must be finite and >= 0")
    # The small epsilon keeps 3.0000000001 (float noise) on 3.0 instead of 3.5.
    return np.ceil(arr * HALF_ACU_PER_ACU - 1e-9).astype(np.int64)


def half_acu_to_acu(half_acu: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Convert half-ACU counts back to ACU (exact: every value is on the 0.5 grid).

    Args:
        half_acu: integer half-ACU counts, any shape.

    Returns:
        ACU as float64, same shape.
    """
    return np.asarray(half_acu, dtype=np.float64) / HALF_ACU_PER_ACU


def is_on_half_acu_grid(acu: float) -> bool:
    """Tell whether ``acu`` is a multiple of 0.5 ACU (within 1e-9).

    Args:
        acu: a capacity in ACU.

    Returns:
        True when ``acu * 2`` is an integer.
    """
    return math.isfinite(acu) and abs(acu * HALF_ACU_PER_ACU - round(acu * HALF_ACU_PER_ACU)) < 1e-9


def half_acu_grid_problem(acu: float) -> str | None:
    """Why ``acu`` is no capacity Serverless v2 takes, or None when it is on the 0.5-ACU grid.

    The one wording of the rule (sources: aurora-capacity: capacity moves in 0.5-ACU steps)
    for every MinCapacity and MaxCapacity acuplan checks: ``placement`` limits and plans,
    ``policy.advice`` settings today, so ``acuplan advise`` and ``recommend`` say it alike.

    Args:
        acu: a capacity in ACU.

    Returns:
        E.g. ``0.7 is not a multiple of 0.5 ACU (Serverless v2 moves in 0.5-ACU steps)``.
    """
    if is_on_half_acu_grid(acu):
        return None
    return f"{acu:g} is not a multiple of 0.5 ACU (Serverless v2 moves in 0.5-ACU steps)"


def usd_to_micro_usd(usd: float) -> int:
    """Convert USD to integer micro-USD, rounding to the nearest micro-USD.

    Args:
        usd: an amount of money in USD, finite.

    Returns:
        The amount in micro-USD.

    Raises:
        ValueError: if ``usd`` is not finite.
    """
    if not math.isfinite(usd):
        raise ValueError(f"usd must be finite, got {usd!r}")
    return int(round(usd * MICRO_USD_PER_USD))


def micro_usd_to_usd(micro_usd: float) -> float:
    """Convert micro-USD (possibly a solver objective value) to USD.

    Args:
        micro_usd: an amount in micro-USD.

    Returns:
        The amount in USD.
    """
    return float(micro_usd) / MICRO_USD_PER_USD


def half_acu_step_cost_micro_usd(price_usd_per_acu_hour: float, step_s: int) -> int:
    """Return the cost in micro-USD of holding 0.5 ACU for one step.

    Example: $0.12/ACU-h (us-east-1 Standard, sources: aurora-pricing) and 300-s steps give
    0.12 × 0.5 × 300 / 3600 = $0.005 = 5,000 micro-USD.

    Args:
        price_usd_per_acu_hour: price of one ACU for one hour, USD.
        step_s: step length, seconds.

    Returns:
        Integer micro-USD per half-ACU per step (at least 1 when the price is positive).
    """
    cost = usd_to_micro_usd(price_usd_per_acu_hour / HALF_ACU_PER_ACU * step_s / 3600.0)
    return max(cost, 1) if price_usd_per_acu_hour > 0 else cost


def acu_to_load_ceil(acu: npt.ArrayLike) -> npt.NDArray[np.int64]:
    """Convert a load in ACU to integer load units (1/100 half-ACU), rounding up.

    Example: 3.1 ACU of demand -> 620 load units.

    Args:
        acu: load in ACU, any shape, finite and >= 0.

    Returns:
        Integer load units, same shape.

    Raises:
        ValueError: if any value is negative or not finite.
    """
    arr = np.asarray(acu, dtype=np.float64)
    if not np.all(np.isfinite(arr)) or np.any(arr < 0):
        raise ValueError("acu values must be finite and >= 0")
    return np.ceil(arr * HALF_ACU_PER_ACU * LOAD_PER_HALF_ACU - 1e-6).astype(np.int64)


def load_to_acu(load: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Convert integer load units back to ACU.

    Args:
        load: load units, any shape.

    Returns:
        ACU as float64, same shape.
    """
    return np.asarray(load, dtype=np.float64) / (HALF_ACU_PER_ACU * LOAD_PER_HALF_ACU)


def util_coefficient(utilisation: float) -> int:
    """Return the integer capacity-per-load coefficient ``ceil(UTIL_SCALE / u)``.

    Rounding up is the capacity-safe direction. Table: u=1 -> 1000, 0.8 -> 1250,
    0.7 -> 1429, 0.5 -> 2000.

    Args:
        utilisation: target utilisation, in (0, 1].

    Returns:
        The coefficient, >= UTIL_SCALE.

    Raises:
        ValueError: if ``utilisation`` is not in (0, 1].
    """
    if not (0.0 < utilisation <= 1.0):
        raise ValueError(f"utilisation must be in (0, 1], got {utilisation!r}")
    return int(math.ceil(UTIL_SCALE / utilisation - 1e-9))


def ratio_to_milli(ratio: float) -> int:
    """Round a growth/decay ratio down to thousandths (the permissive-safe direction).

    Args:
        ratio: a non-negative factor such as 2**(300/45).

    Returns:
        ``floor(1000 * ratio)``, capped at 10**9.
    """
    return int(min(math.floor(1000.0 * ratio + 1e-9), 10**9))


def probability_to_ppb(fraction: float) -> int:
    """Convert a fraction of time (e.g. an unavailability) to integer parts per billion.

    Args:
        fraction: a value in [0, 1].

    Returns:
        ``round(fraction * 1e9)``.
    """
    return int(round(min(max(fraction, 0.0), 1.0) * PPB))


def ppb_to_probability(ppb: float) -> float:
    """Convert parts per billion back to a fraction."""
    return float(ppb) / PPB


def usd_per_step(usd_per_hour: float, step_s: int) -> float:
    """Return the USD cost of ``usd_per_hour`` held for one step of ``step_s`` seconds."""
    return usd_per_hour * step_s / 3600.0


def check_objective_range(worst_case_micro_usd: float) -> None:
    """Raise if the worst-case objective would not be exact in CP-SAT's double.

    Example: 16 instances x 256 ACU x 30 days at $19/ACU-h of penalty (100x the dearest
    price in :mod:`placement.pricing`) is about $5.6e7 = 5.6e13 micro-USD, far below
    2**53 = 9.0e15.

    Args:
        worst_case_micro_usd: an upper bound on the objective, micro-USD.

    Raises:
        ObjectiveRangeError: if the bound exceeds :data:`MAX_EXACT_OBJECTIVE` (a
            ValueError and an OverflowError).
    """
    if worst_case_micro_usd >= MAX_EXACT_OBJECTIVE:
        raise ObjectiveRangeError(
            f"worst-case objective {worst_case_micro_usd:.3g} micro-USD exceeds 2**53: "
            "shorten the horizon or coarsen the steps"
        )
