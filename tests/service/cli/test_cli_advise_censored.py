"""``acuplan advise``: demand censored at MaxCapacity only where the signal is one MaxCapacity caps (QA 64).

A ``demand`` series in ACU is the cluster's load and may pass MaxCapacity (which caps each
instance): it is never called censored; ``ServerlessDatabaseCapacity`` at MaxCapacity is.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from typer.testing import CliRunner

from service.cli.main import app
from traces import format_ts

runner = CliRunner()
T0 = datetime(2024, 5, 6, tzinfo=UTC)
STEP = 300


def _csv(tmp_path: Path, signal: str, unit: str, values: np.ndarray) -> Path:
    src = tmp_path / f"{signal}.csv"
    rows = ["ts,cluster_id,signal,unit,value"]
    for i, v in enumerate(values):
        rows.append(
            f"{format_ts(int((T0 + timedelta(seconds=STEP * i)).timestamp()))},db1,{signal},{unit},{v:.3f}"
        )
    src.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return src


def _advise(tmp_path: Path, src: Path, *args: str) -> dict[str, Any]:
    out = tmp_path / "advice.json"
    result = runner.invoke(app, ["advise", "--input", str(src), *args, "--json", str(out)])
    assert result.exit_code == 0, result.output
    doc: dict[str, Any] = json.loads(out.read_text())
    return doc


def _censored(doc: dict[str, Any]) -> list[str]:
    return [r for r in doc["reasons"] if "censored" in r] + [
        a["message"] for a in doc["alerts"] if "censored" in a["message"] or "was binding" in a["message"]
    ]


def test_a_demand_series_in_acu_passing_maxcapacity_in_total_is_not_censored(tmp_path: Path) -> None:
    # QA 64's linear_growth: 4 -> 20 ACU over 4 days, a writer and a tier-1 reader (read share 0.5)
    doc = _advise(
        tmp_path, _csv(tmp_path, "demand", "acu", np.linspace(4.0, 20.0, 4 * 288)), "--max-acu", "16"
    )
    assert _censored(doc) == []
    assert [a for a in doc["alerts"] if a["kind"] == "max_capacity" and a["source"] == "history"] == []


def test_a_demand_series_in_acu_near_256_is_not_censored_at_the_instance_limit(tmp_path: Path) -> None:
    # QA 64's big256: ~255 ACU in total an hour a day, ~128 on the writer, MaxCapacity 256
    hour = (np.arange(4 * 288) % 288) / 12
    demand = np.where((hour >= 16) & (hour < 17), 255.0, 100.0)
    doc = _advise(tmp_path, _csv(tmp_path, "demand", "acu", demand), "--max-acu", "256")
    assert _censored(doc) == []


def test_capacity_pinned_at_maxcapacity_is_still_censored(tmp_path: Path) -> None:
    hour = (np.arange(4 * 288) % 288) / 12
    capacity = np.where((hour >= 10) & (hour < 14), 16.0, 6.0)
    doc = _advise(tmp_path, _csv(tmp_path, "ServerlessDatabaseCapacity", "acu", capacity), "--max-acu", "16")
    (alert,) = [a for a in doc["alerts"] if a["kind"] == "max_capacity" and a["source"] == "history"]
    assert alert["message"].startswith("demand sat at 16 ACU for 16.0 h of the history")
    assert "raise it (e.g. to 32 ACU" in alert["message"]
    assert any(r.startswith("data quality: demand sat at MaxCapacity (16 ACU") for r in doc["reasons"])
