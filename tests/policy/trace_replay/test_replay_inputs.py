"""replay() refuses what it used to drop without a word: a failover event past the scored window,
a policy named twice."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from policy import InvalidRequestError, replay
from policy.trace_replay.run import scored_window

START = datetime(2024, 3, 4, tzinfo=UTC)
DEMAND = np.array([2.0 + (i % 288) / 100 for i in range(2 * 288)])  # 2 days: 1 of warm-up, 1 scored
CLUSTER = {"limits": {"max_acu": 16}}


@pytest.mark.parametrize("at_s", [86_400, 10 * 86_400])
def test_a_failover_event_at_or_past_the_end_of_the_scored_window_is_refused(at_s: int) -> None:
    config = {"warmup_s": 86_400, "failover_events": [{"at_s": 3600}, {"at_s": at_s, "kind": "az"}]}
    with pytest.raises(InvalidRequestError) as err:
        replay(DEMAND, start=START, step_s=300, cluster=CLUSTER, config=config, policies=["reactive"])
    assert err.value.field == "config.failover_events.1.at_s"
    assert str(err.value) == (
        f"config.failover_events[1].at_s={at_s} is at or past the end of the scored window, which is "
        "86400 s long (at_s counts from its start): the event would never happen"
    )


def test_an_event_in_the_last_scored_step_still_happens() -> None:
    quiet = replay(DEMAND, start=START, step_s=300, config={"warmup_s": 86_400}, policies=["reactive"])
    config = {"warmup_s": 86_400, "failover_events": [{"at_s": 86_400 - 1}]}
    failed = replay(DEMAND, start=START, step_s=300, config=config, policies=["reactive"])
    assert failed.scores["reactive"].unserved_min > quiet.scores["reactive"].unserved_min


def test_a_policy_named_twice_is_refused() -> None:
    with pytest.raises(InvalidRequestError) as err:
        replay(
            DEMAND,
            start=START,
            step_s=300,
            config={"warmup_s": 86_400},
            policies=["reactive", "bound", "reactive"],
        )
    assert err.value.field == "policies"
    assert str(err.value) == "policies[2]='reactive' repeats policies[0]: name each policy once"


def test_the_schedule_check_refuses_repeats_before_any_work() -> None:
    # scored_window is what the HTTP replay jobs call at submission.
    from policy import ReplayConfig

    with pytest.raises(InvalidRequestError) as err:
        scored_window(DEMAND, step_s=300, config=ReplayConfig(warmup_s=86_400), policies=["vpa", "vpa"])
    assert err.value.field == "policies"
