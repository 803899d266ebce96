"""``acuplan bench``: a trace whose demand MaxCapacity cannot serve carries the replay's warning (QA 55 A)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from service.bench.run import folder_members, run_bench
from traces import format_ts

T0 = datetime(2024, 5, 6, tzinfo=UTC)


def test_bench_json_names_the_steps_max_capacity_cannot_serve(tmp_path: Path) -> None:
    # 2.5 days at 300 s (12 h scored): 1 ACU, with the last 3 scored hours at 8 ACU.
    values = np.full(720, 1.0)
    values[-36:] = 8.0
    start = int(T0.timestamp())
    rows = "".join(f"{format_ts(start + 300 * i)},hot,load,acu,{v:.3f}\n" for i, v in enumerate(values))
    (tmp_path / "hot.csv").write_text("ts,cluster_id,signal,unit,value\n" + rows, encoding="utf-8")
    members = folder_members(tmp_path, max_acu=2.0)
    result = run_bench(
        members=members, policies=["reactive", "bound"], workers=1, scheduler=None, fleet=None,
        profiles=["default"],
    )  # fmt: skip
    trace = result.doc["traces"]["hot"]
    assert trace["policies"]["bound"]["slo_violation_min"] == 180.0  # the 3 h nobody can serve
    [warning] = trace["warnings"]
    assert warning.startswith(
        "36 of the scored window's 144 steps (25.0%) need more than MaxCapacity 2 ACU can serve within "
        "the SLO (load x instance share / 0.95; the busiest instance needs up to 4.2 ACU; the first at "
        "2024-05-08 09:00 UTC)"
    )
