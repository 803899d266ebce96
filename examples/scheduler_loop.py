"""A scheduler loop around ``policy.next_plan``: observe, plan, persist the state, repeat.

Scenario: a cluster with three days of 5-minute ``ServerlessDatabaseCapacity`` samples
(synthetic, seeded), then a scheduler that wakes every 5 minutes for ``--calls`` rounds.
Each round it loads its state from JSON (as it would from a file or a database row),
passes the samples seen since the last round, applies nothing (advice only) and saves
the new state. The plan is re-solved only when ``replan_every_s`` has passed or demand
surprised it; the other rounds reuse it (hysteresis), and each re-plan starts from the
layout the last plan prescribed (warm start, churn penalties).

Run::

    python examples/scheduler_loop.py --calls 12

Output: one line per round: time, re-planned or held, MinCapacity now, readers, reason.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from placement import CapacityLimits, Topology
from policy import ClusterSpec, Observation, SchedulerConfig, SchedulerState, new_state, next_plan
from traces import diurnal_demand

STEP_S = 300  # the scheduler's period and the metric's period, seconds
WARM_DAYS = 3  # history before the first round: Holt-Winters wants two daily seasons
START = datetime(2024, 5, 6, tzinfo=UTC)  # a Monday, on the 5-minute grid


def _demand(n_steps: int) -> list[Observation]:
    """Synthetic diurnal demand, seeded: one observation per step from START."""
    acu = diurnal_demand(n_steps, step_s=STEP_S, seed=42, base_acu=2.0, peak_acu=14.0)
    times = [START + timedelta(seconds=i * STEP_S) for i in range(n_steps)]
    return [Observation(ts=t, demand_acu=float(v)) for t, v in zip(times, acu, strict=True)]


def run(calls: int) -> list[str]:
    """Run ``calls`` scheduler rounds and return the printed lines.

    Args:
        calls: rounds after the warm history, >= 1.

    Returns:
        One line per round.
    """
    cluster = ClusterSpec(
        cluster_id="orders-prod",
        topology=Topology(
            region="us-east-1", az_ids=("use1-az1", "use1-az2", "use1-az4"), writer_az_id="use1-az1"
        ),
        limits=CapacityLimits(min_acu=0.5, max_acu=64.0),
    )
    config = SchedulerConfig(replan_every_s=900)
    warm = WARM_DAYS * 86_400 // STEP_S
    samples = _demand(warm + calls)
    saved = new_state(cluster, step_s=STEP_S).model_dump_json()  # what the scheduler persists
    pending = samples[:warm]
    lines = []
    for k in range(calls):
        now = START + timedelta(seconds=(warm + k) * STEP_S)
        state = SchedulerState.model_validate_json(saved)
        result = next_plan(state, pending, now=now, config=config)
        saved = result.state.model_dump_json()
        pending = [samples[warm + k]]  # the sample of the step that starts now arrives next round
        settings = result.plan.settings
        floor = next(c.min_capacity_acu for c in reversed(settings.capacity_changes) if c.at <= now)
        readers = ",".join(f"{r.az_id}/t{r.promotion_tier}" for r in settings.readers) or "-"
        verb = "re-planned" if result.replanned else "held"
        lines.append(
            f"{now:%Y-%m-%dT%H:%MZ} {verb:<10} MinCapacity={floor:g} readers={readers} ({result.reason})"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    """Parse ``--calls`` and run the loop, writing one line per round to stdout."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--calls", type=int, default=12, help="scheduler rounds after the warm history")
    args = parser.parse_args(argv)
    if args.calls < 1:
        parser.error("--calls must be >= 1")
    for line in run(args.calls):
        sys.stdout.write(line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
