"""service.inputs.signals.choose_step: the default history step from the samples' own step."""

from __future__ import annotations

import numpy as np
import pytest

from service.inputs.signals import choose_step
from traces import SignalInput, SignalRules


def _every(step_s: int) -> SignalInput:
    ts = np.arange(0, 40 * step_s, step_s, dtype=np.int64)
    return SignalInput("ServerlessDatabaseCapacity", "acu", "Maximum", ts, np.full(ts.size, 2.0))


@pytest.mark.parametrize(
    ("sample_s", "step_s"), [(1, 30), (10, 30), (60, 60), (120, 150), (300, 300), (3600, 900)]
)
def test_the_default_step_is_the_samples_own_on_the_plan_grid_and_never_finer_than_30_s(
    sample_s: int, step_s: int
) -> None:
    # 1-s samples used to give step 1 s, which every surface now refuses (advise has no --step-s).
    assert choose_step([_every(sample_s)], 900, SignalRules()) == step_s
