"""policy.types.quantile_label: one way to print a quantile (0.999 is p99.9, never p100)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from policy import recommend
from policy.types import quantile_label


@pytest.mark.parametrize(
    ("quantile", "label"),
    [
        (0.9, "p90"),
        (0.975, "p97.5"),
        (0.999, "p99.9"),
        (0.9999, "p99.99"),
        (0.5, "p50"),
        (0.1, "p10"),
        (round(1.0 - 0.9, 9), "p10"),  # PolicyConfig.low_quantile
        (0.07, "p7"),
        (0.57, "p57"),  # 0.57 * 100 is 56.99999999999999 in floating point
        (0.001, "p0.1"),
        (0.999999999, "p99.9999999"),
    ],
)
def test_a_quantile_is_its_percentage_without_rounding_to_a_neighbour(quantile: float, label: str) -> None:
    assert quantile_label(quantile) == label


def test_a_plan_at_p99_9_says_p99_9_in_its_reasons() -> None:
    history = [3.5 + (i % 12) * 0.1 for i in range(600)]
    rec = recommend(history, now=datetime(2024, 3, 6, tzinfo=UTC), config={"risk_quantile": 0.999})
    text = " ".join(rec.reasons)
    assert "p100" not in text and "p99.9" in text
