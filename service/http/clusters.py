"""Shared steps of the per-cluster endpoints: look a cluster up, store samples, merge config.

Owns :func:`load_cluster`, :func:`not_registered`, :func:`ingest`, :func:`pending_history`
(the samples as an ingest would leave them, read without writing) and :func:`cluster_config`.
Imports ``policy`` public names and ``service`` modules.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import HTTPException
from pydantic import ValidationError

from placement import AzRegionMismatchError, check_az_region
from policy import ClusterSpec, InvalidRequestError, PolicyConfig
from policy.steps import check_step_s
from policy.types import MIN_PRICE_USD_PER_ACU_HOUR
from service.http.schemas.clusters import IngestResult, MetricsSummary, record_spec, window_start
from service.http.schemas.recommendations import MAX_HISTORY_STEPS, PolicyOverrides, request_error
from service.inputs.formats import sample_problem
from service.store import ClusterNotFoundError, ClusterRecord, Store


def not_registered(cluster_id: str) -> HTTPException:
    """Return the 404 ``not_found`` for a cluster that is not (or no longer) registered."""
    return HTTPException(404, f"cluster {cluster_id!r} is not registered (PUT /v1/clusters/{cluster_id})")


def load_cluster(store: Store, cluster_id: str) -> ClusterRecord:
    """Return a registered cluster.

    Raises:
        fastapi.HTTPException: 404 ``not_found`` naming the cluster.
    """
    record = store.get_cluster(cluster_id)
    if record is None:
        raise not_registered(cluster_id)
    return record


def summary(store: Store, cluster_id: str) -> MetricsSummary:
    """Return what the store holds for a cluster's metrics."""
    first, last, count = store.point_range(cluster_id)
    return MetricsSummary(
        n_points=count,
        first_ts=None if first is None else datetime.fromtimestamp(first, tz=UTC),
        last_ts=None if last is None else datetime.fromtimestamp(last, tz=UTC),
    )


def ingest(
    store: Store,
    record: ClusterRecord,
    ts_s: list[int],
    demand_acu: list[float],
    *,
    status: str = "Complete",
    warnings: list[str] | None = None,
    report: dict[str, Any] | None = None,
    source_flags: list[str] | None = None,
) -> IngestResult:
    """Store samples and prune those older than the history window before the newest.

    Args:
        store: the database.
        record: the cluster.
        ts_s: sample times, epoch seconds, distinct, oldest first.
        demand_acu: demand per sample, ACU.
        status: ``Complete`` or ``PartialData``.
        warnings: notes for the caller.
        report: the ingest report of a file-like upload.
        source_flags: what the sources said of a file-like upload's data (stored on the
            cluster, replacing the last upload's, so recommendations from the stored
            metrics hold the deployed layout as this answer does); None: a JSON upload,
            which says nothing and leaves them.

    Returns:
        The upload's result: ``stored`` counts only the samples kept; a warning says how many
        new samples fell before the history window (not stored) and how many stored ones the
        window's move deleted.

    Raises:
        fastapi.exceptions.RequestValidationError: at ``body``, a sample dated before 1970
            or with demand outside 0-1e6 ACU (a backstop: every format checks first, with
            a precise location), so a bad value is never stored; or samples so far after
            the stored ones that the window's move would delete every stored sample (a
            mistyped year deleted a cluster's whole history): nothing is stored.
        fastapi.HTTPException: 404 ``not_found``: the cluster was deleted since ``record``
            was read (a concurrent ``DELETE``); nothing is stored.
    """
    _check_samples(ts_s, demand_acu)
    keep_s = MAX_HISTORY_STEPS * record.step_s
    notes = list(warnings or [])
    first, last, count = store.point_range(record.cluster_id)
    cutoff = max([*ts_s, *([] if last is None else [last])]) - keep_s if ts_s else None
    kept = [i for i, t in enumerate(ts_s) if cutoff is None or t >= cutoff]
    window = f"the history window ({MAX_HISTORY_STEPS:,} steps of {record.step_s} s before the newest sample)"
    if cutoff is not None and first is not None and last is not None and first < cutoff:
        pruned = count - store.point_range(record.cluster_id, since_s=cutoff)[2]
        if pruned == count:
            raise request_error(
                [
                    (
                        ("body",),
                        f"the newest new sample, {_iso(max(ts_s))}, is "
                        f"{(max(ts_s) - last) / 86_400:,.1f} days after the newest stored one, "
                        f"{_iso(last)}, more than {window} spans "
                        f"({keep_s / 86_400:g} days): storing it would delete all {count:,} stored samples "
                        "(a mistyped date?); nothing was stored. If the cluster really has no data in "
                        f"between, DELETE /v1/clusters/{record.cluster_id} and register it again",
                    )
                ]
            )
        if pruned:
            notes.append(
                f"{pruned:,} stored samples older than {_iso(cutoff)} were deleted: {window} moved to the "
                f"newest sample, {_iso(cutoff + keep_s)}"
            )
    if len(kept) < len(ts_s):
        assert cutoff is not None
        notes.append(
            f"{len(ts_s) - len(kept):,} of the {len(ts_s):,} new samples are older than {_iso(cutoff)}, "
            f"before {window}, and were not stored"
        )
    try:  # one transaction: the samples and the pruning of the window, or nothing
        stored = store.add_points(
            record.cluster_id,
            [ts_s[i] for i in kept],
            [demand_acu[i] for i in kept],
            keep_s=keep_s,
            source_flags=source_flags,
        )
    except ClusterNotFoundError:
        raise not_registered(record.cluster_id) from None
    return IngestResult(
        cluster_id=record.cluster_id,
        received=len(ts_s),
        stored=stored,
        status="PartialData" if status == "PartialData" else "Complete",
        warnings=notes,
        report=report,
        metrics=summary(store, record.cluster_id),
    )


def _iso(ts_s: int) -> str:
    """Epoch seconds as ``2024-03-03T23:55:00Z``."""
    return datetime.fromtimestamp(ts_s, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _check_samples(ts_s: list[int], demand_acu: list[float]) -> None:
    """Refuse a sample outside the limits every format shares (at ``body``; see :func:`ingest`)."""
    for t, v in zip(ts_s, demand_acu, strict=True):
        problem = sample_problem(t, v)
        if problem is not None:
            raise request_error([(("body",), problem)])


def pending_history(
    store: Store, record: ClusterRecord, ts_s: list[int], demand_acu: list[float], *, now: datetime
) -> tuple[list[int], list[float], tuple[int | None, int | None, int]]:
    """Read the samples a recommendation at ``now`` would see once new samples are stored, writing nothing.

    The stored samples merged in memory as :func:`ingest` would leave them: a new sample
    replaces a stored one at the same time, and samples older than the history window
    before the newest (stored or new) are left out, as the ingest prunes them. So a request
    whose new samples a later check refuses stores nothing, and a request that succeeds
    stores them (:func:`ingest`) exactly as its plan saw them.

    Args:
        store: the database.
        record: the cluster.
        ts_s: new sample times, epoch seconds, distinct, oldest first (may be empty).
        demand_acu: their demand, ACU.
        now: the decision time (the window is the ``MAX_HISTORY_STEPS`` steps before it).

    Returns:
        The window's times (epoch seconds, oldest first) and demand (ACU), and (first ts,
        last ts, count) of the cluster's samples as they would be stored (count may
        overstate by the new samples that replace stored ones; it is 0 only when there is
        no sample).

    Raises:
        fastapi.exceptions.RequestValidationError: at ``body``, a new sample dated before
            1970 or with demand outside 0-1e6 ACU (as :func:`ingest`).
    """
    _check_samples(ts_s, demand_acu)
    first, last, count = store.point_range(record.cluster_id)
    keep_from: int | None = None
    if ts_s:
        newest = ts_s[-1] if last is None else max(last, ts_s[-1])
        keep_from = newest - MAX_HISTORY_STEPS * record.step_s
        if first is not None and first < keep_from:  # what the ingest's pruning keeps
            first, last, count = store.point_range(record.cluster_id, since_s=keep_from)
        kept = [t for t in ts_s if t >= keep_from]
        if kept:
            first = kept[0] if first is None else min(first, kept[0])
            last = kept[-1] if last is None else max(last, kept[-1])
            count += len(kept)
    since, until = window_start(now, last, record.step_s)
    if keep_from is not None:
        since = max(since, keep_from)
    ts_old, values_old = store.points(record.cluster_id, since_s=since, until_s=until)
    if not ts_s:
        return ts_old, values_old, (first, last, count)
    merged = dict(zip(ts_old, values_old, strict=True))
    merged.update((t, v) for t, v in zip(ts_s, demand_acu, strict=True) if since <= t < until)
    order = sorted(merged)
    return order, [merged[t] for t in order], (first, last, count)


def cluster_config(
    record: ClusterRecord, base: PolicyConfig, overrides: PolicyOverrides | None
) -> PolicyConfig:
    """Merge the service default, the cluster's overrides, then the request's.

    Raises:
        fastapi.exceptions.RequestValidationError: the merge breaks a PolicyConfig rule,
            the plan step is not a multiple of the cluster's step, or the request's horizon
            is not whole plan steps (at ``config.*``).
    """
    try:
        config = PolicyOverrides.model_validate(record.config).apply(base)
        if overrides is not None:
            config = overrides.apply(config)
    except ValidationError as exc:
        raise request_error([(("config", *e["loc"]), e["msg"]) for e in exc.errors()]) from None
    try:
        check_step_s(record.step_s, config.plan_step_s)
    except InvalidRequestError as exc:
        raise request_error([(("config", "plan_step_s"), f"the cluster's {exc}")]) from None
    if overrides is not None:
        overrides.check_horizon(config)
    return config


def cluster_spec(record: ClusterRecord) -> ClusterSpec:
    """Return the registered ClusterSpec, to plan on.

    Raises:
        fastapi.HTTPException: 409 ``conflict`` when the registration was stored before a
            rule it fails (AZ IDs of another region, ``placement.check_az_region``; a price
            under ``policy.types.MIN_PRICE_USD_PER_ACU_HOUR``): it is kept as it is; the
            message says to register the cluster again.
    """
    spec = record_spec(record)[0]
    secondaries = spec.placement.secondaries if spec.placement is not None else ()
    regions = [(spec.topology.region, spec.topology.az_ids)] + [(s.region, s.az_ids) for s in secondaries]
    try:
        for region, az_ids in regions:
            check_az_region(region, az_ids)
    except AzRegionMismatchError as exc:
        raise HTTPException(
            409,
            f"cluster {record.cluster_id} was registered before AZ IDs were checked against their "
            f"region and fails that check ({exc}); register it again (PUT /v1/clusters/{record.cluster_id})",
        ) from None
    if spec.price_usd_per_acu_hour < MIN_PRICE_USD_PER_ACU_HOUR:
        raise HTTPException(
            409,
            f"cluster {record.cluster_id} was registered at ${spec.price_usd_per_acu_hour:g} per ACU-hour, "
            f"below the {MIN_PRICE_USD_PER_ACU_HOUR:g} the optimiser resolves; register it again with its "
            f"price (PUT /v1/clusters/{record.cluster_id})",
        )
    return spec
