"""Kinds that are not demand (DatabaseConnections, VolumeBytesUsed): left out, then put on the grid."""

from __future__ import annotations

import numpy as np
import pytest

from traces.errors import DemandMappingError
from traces.signals import GIB, SignalInput, SignalRules, combine_signals, kind_on_grid

T0 = 1_714_953_600  # 2024-05-06T00:00:00Z


def _sig(
    name: str, unit: str, values: list[float], *, every: int = 300, statistic: str = "Maximum"
) -> SignalInput:
    ts = np.arange(len(values), dtype=np.int64) * every + T0
    return SignalInput(name, unit, statistic, ts, np.asarray(values, dtype=np.float64))


def test_volume_is_not_demand_and_side_kinds_go_on_the_grid_in_their_unit() -> None:
    cpu = _sig("CPUUtilization", "percent", [10, 50, 10, 10])
    volume = _sig("VolumeBytesUsed", "bytes", [100 * GIB, 101 * GIB], every=3600)  # hourly samples
    conns = _sig("DatabaseConnections", "count", [900, 1500, 300, 200])
    conns_avg = _sig("DatabaseConnections", "count", [800, 800, 800, 800], statistic="Average")
    signals = [cpu, volume, conns, conns_avg]
    out = combine_signals(signals, step_s=300, rules=SignalRules(max_acu=16, min_acu=1), end_s=T0 + 1200)

    assert out.signals == ("CPUUtilization",)
    assert out.demand_acu.tolist() == [1.6, 8.0, 1.6, 1.6]
    grid = {"step_s": 300, "start_s": T0, "n_steps": 25}
    # The Maximum statistic is used (as for demand); NaN where no sample.
    on_grid = kind_on_grid(signals, "connections", **grid)
    assert on_grid is not None
    assert on_grid[:4].tolist() == [900, 1500, 300, 200] and np.isnan(on_grid[4:]).all()
    # An hourly sample counts in each of the twelve 5-minute steps it covers.
    vol = kind_on_grid(signals, "volume", **grid)
    assert vol is not None
    assert vol[:24].tolist() == [100 * GIB] * 12 + [101 * GIB] * 12 and np.isnan(vol[24])
    assert kind_on_grid([cpu], "connections", **grid) is None
    with pytest.raises(DemandMappingError, match="alone do not give demand"):
        combine_signals([volume, conns], step_s=300, rules=SignalRules(max_acu=16))
