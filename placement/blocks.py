"""Time blocks: the horizon's steps grouped for the model (far-horizon coarsening).

Owns :func:`make_blocks` and :func:`block_max`. Pure; imports nothing of ours outside
``placement``.

Example: 288 five-minute steps (24 h) with the default
:class:`~placement.specs.Coarsening` become 12 blocks of 5 min (first hour), 20 of
15 min (to 6 h) and 18 of 1 h: 50 blocks. The policy's 12 steps of 900 s stay 12
blocks (nothing to merge).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from placement.specs import Coarsening

Block = tuple[int, int]
"""(first step, number of steps) of one block."""


def make_blocks(horizon: int, step_s: int, coarsening: Coarsening | None) -> tuple[Block, ...]:
    """Group ``horizon`` steps of ``step_s`` seconds into blocks.

    Args:
        horizon: number of steps, >= 1.
        step_s: step length, seconds.
        coarsening: the schedule; None keeps every step (full resolution).

    Returns:
        Blocks in order, covering steps 0..horizon-1 exactly once.
    """
    if coarsening is None:
        return tuple((t, 1) for t in range(horizon))
    blocks: list[Block] = []
    t = 0
    while t < horizon:
        start_s = t * step_s
        if start_s < coarsening.fine_s:
            span_s = step_s
        elif start_s < coarsening.mid_until_s:
            span_s = coarsening.mid_block_s
        else:
            span_s = coarsening.far_block_s
        n = max(1, span_s // step_s)
        n = min(n, horizon - t)
        blocks.append((t, n))
        t += n
    return tuple(blocks)


def block_max(values: npt.ArrayLike, blocks: tuple[Block, ...]) -> npt.NDArray[np.float64]:
    """Return the max of ``values`` over each block (the capacity-safe aggregate).

    Args:
        values: per-step values, shape (horizon,).
        blocks: from :func:`make_blocks`.

    Returns:
        Shape (n_blocks,).
    """
    arr = np.asarray(values, dtype=np.float64)
    return np.array([arr[t : t + n].max() for t, n in blocks], dtype=np.float64)


def expand(values: npt.ArrayLike, blocks: tuple[Block, ...]) -> npt.NDArray[np.float64]:
    """Repeat per-block values over their steps.

    Args:
        values: shape (n_blocks,).
        blocks: from :func:`make_blocks`.

    Returns:
        Shape (horizon,).
    """
    arr = np.asarray(values, dtype=np.float64)
    return np.repeat(arr, [n for _, n in blocks])
