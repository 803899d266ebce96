"""Unit conversion between the domain (ACU, USD) and CP-SAT integers.

This is the only module where floats become solver integers: capacity is counted in
half-ACUs (Serverless v2 moves in 0.5-ACU steps, FACTS.md A1) and money in integer
micro-USD. Imports nothing of ours.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

HALF_ACU_PER_ACU = 2
"""Serverless v2 capacity increment is 0.5 ACU (API_ServerlessV2ScalingConfiguration)."""

MICRO_USD_PER_USD = 1_000_000


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

    Example: $0.12/ACU-h (us-east-1 Standard, FACTS.md A6) and 300-s steps give
    0.12 × 0.5 × 300 / 3600 = $0.005 = 5,000 micro-USD.

    Args:
        price_usd_per_acu_hour: price of one ACU for one hour, USD.
        step_s: step length, seconds.

    Returns:
        Integer micro-USD per half-ACU per step (at least 1 when the price is positive).
    """
    cost = usd_to_micro_usd(price_usd_per_acu_hour / HALF_ACU_PER_ACU * step_s / 3600.0)
    return max(cost, 1) if price_usd_per_acu_hour > 0 else cost
