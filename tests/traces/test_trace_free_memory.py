"""FreeableMemory above the memory MaxCapacity has is refused: MaxCapacity is not the cluster's (QA 55 B)."""

from __future__ import annotations

import numpy as np
import pytest

from traces.errors import DemandMappingError
from traces.signals import GIB, SignalInput, SignalRules, check_free_memory_within_max, combine_signals

T0 = 1_714_953_600  # 2024-05-06T00:00:00Z


def _free(gib: list[float]) -> SignalInput:
    ts = np.arange(len(gib), dtype=np.int64) * 300 + T0
    return SignalInput("FreeableMemory", "bytes", "Minimum", ts, np.asarray(gib, dtype=np.float64) * GIB)


def test_free_memory_above_max_capacity_x_2_gib_is_a_demand_mapping_error_at_max_acu() -> None:
    # 4 ACU has 8 GiB; 20-28 GiB free means a MaxCapacity of at least 14 ACU (28 / 2).
    with pytest.raises(DemandMappingError) as info:
        combine_signals([_free([20.0, 28.0, 24.0])], step_s=300, rules=SignalRules(max_acu=4))
    assert info.value.field == "max_acu"
    assert info.value.reason == (
        "FreeableMemory reached 28.00 GiB at 2024-05-06 00:05Z (3 of 3 samples above 8 GiB), more than the "
        "8 GiB a MaxCapacity of 4 ACU has (2 GiB per ACU): FreeableMemory is the memory free at MaxCapacity, "
        "so the cluster's MaxCapacity is at least 14 ACU; give its real MaxCapacity"
    )


def test_the_least_max_capacity_is_rounded_up_to_the_half_acu_grid() -> None:
    # 26.5 GiB free needs 13.25 ACU of memory: MaxCapacity 13.5 at least; 27.1 GiB needs 14.
    with pytest.raises(DemandMappingError, match=r"\(1 of 2 samples above 26 GiB\).*at least 13.5 ACU;"):
        check_free_memory_within_max(_free([20.0, 26.5]), 13.0)
    with pytest.raises(DemandMappingError, match="at least 14 ACU;"):
        check_free_memory_within_max(_free([27.1]), 13.0)


def test_free_memory_up_to_max_capacity_x_2_gib_is_read_as_before() -> None:
    # Exactly the 8 GiB of 4 ACU free: nothing in use (no tolerance either way: AWS documents none).
    out = combine_signals([_free([8.0, 6.0])], step_s=300, rules=SignalRules(max_acu=4))
    assert out.demand_acu.tolist() == [0.0, 1.0] and out.working_set_acu.tolist() == [0.0, 1.0]
    with pytest.raises(DemandMappingError):
        check_free_memory_within_max(_free([8.0 + 1e-9]), 4.0)
