"""ReplayConfig.reactive_floor_acu is a MinCapacity Aurora accepts, within the replayed cluster's limits:
an off-grid floor used to be replayed as given (1.3) or raised (0.2 -> 0.5), one above MaxCapacity clamped."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest
from pydantic import ValidationError

from policy import ClusterSpec, InvalidRequestError, ReplayConfig, replay, replay_policy

START = datetime(2024, 3, 4, tzinfo=UTC)
DEMAND = np.array([2.0 + (i % 288) / 100 for i in range(2 * 288)])
CLUSTER = {"limits": {"min_acu": 0.5, "max_acu": 16}}


@pytest.mark.parametrize("floor", [1.3, 0.2, 0.25, 16.1])
def test_an_off_grid_floor_is_refused_by_the_model(floor: float) -> None:
    with pytest.raises(ValidationError) as err:
        ReplayConfig(reactive_floor_acu=floor)
    [entry] = err.value.errors(include_url=False)
    assert entry["loc"] == ("reactive_floor_acu",)
    assert entry["msg"] == (
        f"Value error, reactive_floor_acu={floor:g} is not a MinCapacity Aurora accepts: a multiple of "
        "0.5 ACU (Serverless v2 moves in 0.5-ACU steps), or 0 for auto-pause"
    )


@pytest.mark.parametrize("floor", [0.0, 0.5, 1.0, 16.0, 256.0])
def test_a_floor_on_the_grid_is_a_valid_config(floor: float) -> None:
    assert ReplayConfig(reactive_floor_acu=floor).reactive_floor_acu == floor


@pytest.mark.parametrize("floor", [17.0, 256.0])
def test_replay_refuses_a_floor_above_max_capacity(floor: float) -> None:
    config = {"warmup_s": 86_400, "reactive_floor_acu": floor}
    with pytest.raises(InvalidRequestError) as err:
        replay(DEMAND, start=START, step_s=300, cluster=CLUSTER, config=config, policies=["reactive"])
    assert err.value.field == "config.reactive_floor_acu"
    assert str(err.value) == (
        f"config.reactive_floor_acu={floor:g} is above the cluster's MaxCapacity "
        "(cluster.limits.max_acu=16): a MinCapacity cannot exceed it"
    )


def test_replay_policy_refuses_a_floor_above_max_capacity_too() -> None:
    config = ReplayConfig(warmup_s=86_400, reactive_floor_acu=17)
    with pytest.raises(InvalidRequestError) as err:
        replay_policy(
            "reactive",
            DEMAND,
            start=START,
            step_s=300,
            cluster=ClusterSpec.model_validate(CLUSTER),
            config=config,
        )
    assert err.value.field == "config.reactive_floor_acu"
    assert "is above the cluster's MaxCapacity (cluster.limits.max_acu=16)" in str(err.value)


def test_replay_refuses_a_floor_below_the_clusters_minimum() -> None:
    cluster = {"limits": {"min_acu": 2, "max_acu": 16}}
    config = {"warmup_s": 86_400, "reactive_floor_acu": 1}
    with pytest.raises(InvalidRequestError) as err:
        replay(DEMAND, start=START, step_s=300, cluster=cluster, config=config, policies=["reactive"])
    assert err.value.field == "config.reactive_floor_acu"
    assert str(err.value) == (
        "config.reactive_floor_acu=1 is below the cluster's cluster.limits.min_acu=2: give a MinCapacity in "
        "[2, 16], or 0 for auto-pause"
    )


def test_auto_pause_and_the_bounds_themselves_are_accepted() -> None:
    for floor in (0.0, 0.5, 16.0):
        config = {"warmup_s": 86_400, "reactive_floor_acu": floor}
        report = replay(
            DEMAND, start=START, step_s=300, cluster=CLUSTER, config=config, policies=["reactive"]
        )
        assert report.scores["reactive"].n_replans > 0


def test_replay_policy_keeps_a_floor_below_the_minimum_as_advise_replays_todays_setting() -> None:
    # advise() replays today's MinCapacity, which may sit below the cluster's limits.min_acu.
    cluster = ClusterSpec.model_validate({"limits": {"min_acu": 2, "max_acu": 16}})
    config = ReplayConfig(warmup_s=86_400, reactive_floor_acu=1)
    run = replay_policy("reactive", DEMAND, start=START, step_s=300, cluster=cluster, config=config)
    assert set(run.floor_acu.tolist()) == {1.0}
