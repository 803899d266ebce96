"""Rebuild the shipped example export, seeded (byte for byte): ``python -m traces.examples.make_examples``.

``orders-db-cloudwatch.json``: three days of one cluster as ``aws cloudwatch
get-metric-data`` returns them (two pages, newest first, 5-minute periods): query Ids
``cpu_max`` (CPUUtilization Maximum), ``cpu_avg`` (Average), ``mem_min`` (FreeableMemory
Minimum) and ``conns_max`` (DatabaseConnections Maximum). Business-hour load in
Europe/Berlin; MaxCapacity 16 ACU. Synthetic (made here), not a real cluster.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

HERE = Path(__file__).parent
START = datetime(2024, 5, 6, tzinfo=UTC)
STEPS = 3 * 288
GIB = 1024**3


def series() -> dict[str, list[float]]:
    """Per query Id, the values at every 5-minute step (oldest first)."""
    rng = np.random.default_rng(11)
    berlin = ZoneInfo("Europe/Berlin")
    hours = np.array([(START + timedelta(minutes=5 * i)).astimezone(berlin).hour for i in range(STEPS)])
    busy = ((hours >= 9) & (hours < 18)).astype(float)
    cpu_avg = 8 + 30 * busy + rng.normal(0, 2, STEPS)
    cpu_max = cpu_avg + 10 + rng.gamma(2.0, 3.0, STEPS)
    in_use_gib = 9 + 1.5 * busy + rng.normal(0, 0.2, STEPS)  # of 32 GiB at MaxCapacity 16
    conns = 300 + 1600 * busy + rng.normal(0, 40, STEPS)
    return {
        "cpu_max": np.clip(cpu_max, 0, 100).round(2).tolist(),
        "cpu_avg": np.clip(cpu_avg, 0, 100).round(2).tolist(),
        "mem_min": ((32 - in_use_gib) * GIB).round(0).tolist(),
        "conns_max": np.clip(conns, 0, None).round(0).tolist(),
    }


LABELS = {
    "cpu_max": "CPUUtilization",
    "cpu_avg": "CPUUtilization",
    "mem_min": "FreeableMemory",
    "conns_max": "DatabaseConnections",
}


def pages() -> list[dict[str, object]]:
    """Two GetMetricData pages, newest first; the first has a NextToken."""
    data = series()
    stamps = [(START + timedelta(minutes=5 * i)).isoformat() for i in range(STEPS)]
    half = STEPS // 2
    out = []
    for lo, hi, token in ((half, STEPS, "page-2"), (0, half, None)):
        results = [
            {
                "Id": qid,
                "Label": LABELS[qid],
                "Timestamps": stamps[lo:hi][::-1],
                "Values": values[lo:hi][::-1],
                "StatusCode": "PartialData" if token else "Complete",
            }
            for qid, values in data.items()
        ]
        page: dict[str, object] = {"MetricDataResults": results, "Messages": []}
        if token:
            page["NextToken"] = token
        out.append(page)
    return out


def main() -> None:
    """Write the example files next to this module."""
    text = json.dumps(pages(), separators=(",", ":")) + "\n"
    (HERE / "orders-db-cloudwatch.json").write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
