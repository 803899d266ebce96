"""The advice says when the history it read ended long before it was asked."""

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from policy import ClusterSpec, InvalidRequestError, advise
from policy.advice.reasons import STALE_HISTORY_S, stale_note
from policy.advice.types import CurrentSettings

END = datetime(2024, 5, 20, tzinfo=UTC)


def test_a_history_a_day_old_or_more_is_said_to_describe_the_past() -> None:
    assert stale_note(END, END + timedelta(seconds=STALE_HISTORY_S - 1)) == []
    assert stale_note(END, None) == []
    assert stale_note(END, END + timedelta(hours=30)) == [
        "the history ends 2024-05-20 00:00 UTC, 30 hours before now: this advice describes that window, "
        "not today's load; read recent metrics and advise again before applying it"
    ]
    (late,) = stale_note(END, datetime(2026, 12, 7, tzinfo=UTC))
    assert late.startswith("the history ends 2024-05-20 00:00 UTC, 931 days before now")


def test_advise_puts_the_stale_history_first_and_refuses_a_naive_now() -> None:
    hour = np.arange(4 * 288) % 288 / 12  # 4 days at 5 minutes from Monday 2024-03-04
    demand = np.where((hour >= 8) & (hour < 18), 4.0, 1.0)
    start = datetime(2024, 3, 4, tzinfo=UTC)
    kwargs = {"start": start, "step_s": 300, "cluster": ClusterSpec(), "current": CurrentSettings()}

    fresh = advise(demand, now=start + timedelta(days=4, minutes=5), **kwargs)  # type: ignore[arg-type]
    stale = advise(demand, now=start + timedelta(days=10), **kwargs)  # type: ignore[arg-type]

    assert not any(r.startswith("the history ends") for r in fresh.reasons)
    assert stale.reasons[0] == (
        "the history ends 2024-03-08 00:00 UTC, 6 days before now: this advice describes that window, "
        "not today's load; read recent metrics and advise again before applying it"
    )
    assert stale.reasons[1:] == fresh.reasons
    with pytest.raises(InvalidRequestError) as err:
        advise(demand, now=datetime(2024, 3, 18), **kwargs)  # type: ignore[arg-type]
    assert err.value.field == "now"
