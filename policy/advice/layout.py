"""The reader layout the capacity advice is judged on: today's, with the failover reader offered apart.

Owns :func:`readers_words`, :func:`bound_floors` and :func:`failover_reader_option`.
"What to apply" changes MinCapacity (and MaxCapacity alerts), never the readers: every
candidate, today's settings, acuplan re-planning live (no reader beyond today's) and the
perfect-foresight bound are replayed on today's reader layout, so a cheaper or safer
MinCapacity is never a reader the user did not ask about in disguise. When today has no tier
0-1 reader, adding one is an availability choice with its own price: Aurora promotes a replica
"typically" in less than 120 seconds, and without one recreates the writer in "typically ...
less than 10 minutes" (Aurora User Guide, "High availability for Amazon Aurora",
https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html;
the scaler model's ``failover_with_replica_s`` and ``failover_without_replica_s``). Pure.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from policy.advice.types import CurrentSettings, FailoverReaderOption
from policy.floors import FloorCluster, cheapest_floors
from policy.scaler import ScalerModel
from policy.trace_replay.simulator import SimResult

FloatArray = npt.NDArray[np.float64]


def readers_words(current: CurrentSettings) -> str:
    """Today's readers in words: ``no reader``, ``a tier-1 reader`` or ``2 readers (tier 1, 15)``."""
    tiers = [r.promotion_tier for r in current.readers]
    if not tiers:
        return "no reader"
    if len(tiers) == 1:
        return f"a tier-{tiers[0]} reader"
    return f"{len(tiers)} readers (tier {', '.join(str(t) for t in sorted(tiers))})"


def bound_words(current: CurrentSettings) -> str:
    """The instances the bound's floor schedule lifts, for its settings line and reasons."""
    lifted = "the writer and its tier-1 reader" if current.has_failover else "the writer alone"
    extra = current.n_scaling_readers
    return f"today's layout: {lifted}" + ("; today's tier 2-15 readers left out" if extra else "")


def bound_floors(
    scored_acu: FloatArray,
    *,
    step_s: int,
    read_frac: float,
    min_acu: float,
    max_acu: float,
    has_failover: bool,
    model: ScalerModel,
) -> FloatArray:
    """The perfect-foresight bound's floors on today's layout (:func:`policy.floors.cheapest_floors`).

    The bench's bound keeps a tier-1 reader (the layout every peer shares); against a cluster
    without one it would price an instance today does not pay for, and sit above today's cost
    at no risk. Tier 2-15 readers are not in the bound (as in the bench): they scale on
    their own.

    Args:
        scored_acu: demand over the replayed window, shape (n,), ACU, NaN where missing.
        step_s: step length, seconds.
        read_frac: share of the load on the reader endpoint.
        min_acu: the lowest floor allowed, ACU (auto-pause is not considered: at least 0.5).
        max_acu: MaxCapacity, ACU.
        has_failover: today has a tier 0-1 reader.
        model: the simulated scaler.

    Returns:
        Floors per step, shape (n,), ACU.
    """
    cluster = FloorCluster(read_frac=read_frac, has_failover=has_failover, min_acu=min_acu, max_acu=max_acu)
    return cheapest_floors(scored_acu, scored_acu, step_s=step_s, cluster=cluster, model=model)


def failover_reader_option(
    current: CurrentSettings,
    without: SimResult,
    with_reader: SimResult,
    month: float,
    model: ScalerModel,
) -> FailoverReaderOption | None:
    """The tier-1 failover reader as an optional availability change, priced apart, or None.

    Args:
        current: today's settings (None is returned when they already hold a tier 0-1 reader).
        without: what to apply replayed on today's readers.
        with_reader: the same MinCapacity with a tier-1 reader added.
        month: 730-hour months per replayed window.
        model: the simulated scaler (its failover times, seconds).

    Returns:
        The option: its monthly cost on top of what to apply (USD), the failover times with
        and without it (seconds), and one sentence.
    """
    if current.has_failover:
        return None
    extra = round((with_reader.cost_usd - without.cost_usd) * month, 2)
    with_s, without_s = model.failover_with_replica_s, model.failover_without_replica_s
    return FailoverReaderOption(
        extra_usd_per_month=extra,
        monthly_cost_usd=round(with_reader.cost_usd * month, 2),
        slo_violation_min=round(with_reader.slo_violation_min, 2),
        failover_s_with=with_s,
        failover_s_without=without_s,
        message=(
            "availability, optional and apart from the capacity advice: today has no tier 0-1 reader; a "
            f"tier-1 failover reader in another AZ would cost ${extra:,.2f}/month more with what to apply's "
            f"MinCapacity (${with_reader.cost_usd * month:,.2f}/month in all; it follows the writer's "
            f"capacity) and cut a writer failure's outage from typically under {without_s / 60:g} min "
            f"(the writer recreated) to typically under {with_s:g} s (the reader promoted; Aurora User "
            'Guide, "High availability for Amazon Aurora")'
        ),
    )
