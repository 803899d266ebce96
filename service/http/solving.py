"""Solver work on the bounded pool, and storing every recommendation with its inputs' hash.

Owns :func:`run_on_pool` (submit, wait until the request's deadline, time it),
:func:`recommend_and_store` (the one path from validated inputs to a stored
``policy.Recommendation``; HTTP handlers of both the stateless and the per-cluster
endpoint call it) and :func:`inputs_digest`.

The inputs' hash is the SHA-256 of their canonical JSON (sorted keys, no spaces, missing
history steps as ``null``), so two requests that give the library the same arguments
have the same hash whatever their wire form. The stored inputs keep everything but the
history samples, which are summarised by their count, missing count and SHA-256.

Stateless recommendations are stored under :func:`stateless_key` (``_stateless:<id>``),
a namespace no registered cluster id can be in (those start with a letter or digit), so
a stateless call never lands in a registered cluster's recommendation history.
Imports ``policy`` public names and ``service`` modules.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import time
from collections.abc import Callable, Sequence
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, Final, ParamSpec, TypeVar

import policy
from policy import Recommendation
from policy.types import DemandContext
from service.http.learning import RiskQuantileChoice
from service.http.runtime import Runtime
from service.http.schemas.recommendations import RecommendInputs
from service.store import NewRecommendation, RecommendationRecord

STATELESS_PREFIX: Final[str] = "_stateless:"
"""Prefix of the history key of stateless recommendations (not a valid registered cluster id)."""

_PLAIN_ID: Final[re.Pattern[str]] = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*")
_KEY_MAX: Final[int] = 128


def stateless_key(cluster_id: str) -> str:
    """Return the history key a stateless recommendation for ``cluster_id`` is stored under.

    Args:
        cluster_id: the request's ``cluster.cluster_id``.

    Returns:
        ``_stateless:<cluster_id>``; when that would not be a valid URL path id (other
        characters, or longer than 128), ``_stateless:sha256-<first 32 hex digits>``.

    Examples:
        >>> stateless_key("orders-prod")
        '_stateless:orders-prod'
    """
    key = STATELESS_PREFIX + cluster_id
    if _PLAIN_ID.fullmatch(cluster_id) and len(key) <= _KEY_MAX:
        return key
    return f"{STATELESS_PREFIX}sha256-{hashlib.sha256(cluster_id.encode()).hexdigest()[:32]}"


P = ParamSpec("P")
T = TypeVar("T")


class SolverTimeoutError(Exception):
    """The work did not finish before the request's deadline (answered 503 ``timeout``)."""


def run_on_pool(runtime: Runtime, kind: str, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """Run ``fn`` on the solver pool and wait for it at most ``request_timeout_s``.

    Args:
        runtime: the app's runtime.
        kind: metrics label (``recommendation``, ``forecast``).
        fn: the work; its exceptions propagate.
        *args: its positional arguments.
        **kwargs: its keyword arguments.

    Returns:
        ``fn``'s result.

    Raises:
        service.http.pool.PoolFullError: the pool is full (503 ``overloaded``).
        SolverTimeoutError: no result before the deadline (503 ``timeout``); the work
            finishes in the background and keeps its pool slot until then.
    """
    start = time.perf_counter()
    future = runtime.solver_pool.submit(fn, *args, **kwargs)
    try:
        return future.result(timeout=runtime.settings.request_timeout_s)
    except FutureTimeout:
        raise SolverTimeoutError(
            f"the {kind} took longer than {runtime.settings.request_timeout_s:g} s"
        ) from None
    finally:
        runtime.metrics.solver_latency.labels(kind=kind).observe(time.perf_counter() - start)


def _canonical(data: Any) -> bytes:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), allow_nan=False).encode()


def inputs_digest(inputs: RecommendInputs) -> tuple[str, dict[str, Any]]:
    """Hash a recommendation's inputs and summarise them for storage.

    Args:
        inputs: the arguments of ``policy.recommend``.

    Returns:
        (hex SHA-256 of the canonical inputs, the stored summary).
    """
    history = [None if math.isnan(v) else float(v) for v in inputs.history_acu.tolist()]
    summary: dict[str, Any] = {
        "now": inputs.now.isoformat(),
        "step_s": inputs.step_s,
        "cluster": inputs.cluster.model_dump(mode="json"),
        "config": inputs.config.model_dump(mode="json"),
        "previous": None if inputs.previous is None else inputs.previous.model_dump(mode="json"),
    }
    if inputs.source_flags:  # only then, so the digests of unflagged inputs stay as they were
        summary["source_flags"] = list(inputs.source_flags)
    full = _canonical({**summary, "history_acu": history})
    summary["history"] = {
        "n_steps": len(history),
        "n_missing": sum(v is None for v in history),
        "sha256": hashlib.sha256(_canonical(history)).hexdigest(),
    }
    return hashlib.sha256(full).hexdigest(), summary


def explanation(rec: Recommendation, risk_quantile: RiskQuantileChoice | None = None) -> dict[str, Any]:
    """Return why the plan is what it is: status, model, reasons, warnings, cost, the quantile's source."""
    extra = {} if risk_quantile is None else {"risk_quantile": risk_quantile.model_dump(mode="json")}
    return extra | {
        "solver_status": rec.solver.status.value,
        "solve_time_s": rec.solver.solve_time_s,
        "is_fail_safe": rec.is_fail_safe,
        "forecast_model": rec.forecast_model,
        "expected_cost_usd": rec.expected_cost_usd,
        "reasons": list(rec.reasons),
        "warnings": list(rec.warnings),
    }


def _recommend(inputs: RecommendInputs) -> Recommendation:
    # policy.recommend is looked up at call time so tests can replace it.
    return policy.recommend(
        inputs.history_acu,
        now=inputs.now,
        step_s=inputs.step_s,
        cluster=inputs.cluster,
        config=inputs.config,
        previous=inputs.previous,
        context=DemandContext(source_flags=inputs.source_flags) if inputs.source_flags else None,
    )


def recommend_and_store(
    runtime: Runtime,
    inputs: RecommendInputs,
    *,
    history_key: str | None = None,
    risk_quantile: RiskQuantileChoice | None = None,
    before_store: Callable[[], object] | None = None,
    warnings: Sequence[str] = (),
) -> tuple[RecommendationRecord, Recommendation]:
    """Recommend on the solver pool, count it in the metrics and store it.

    Args:
        runtime: the app's runtime.
        inputs: validated arguments of ``policy.recommend``.
        history_key: the recommendation history to store it in; default: the cluster's
            id (stateless calls pass :func:`stateless_key`).
        risk_quantile: where ``inputs.config.risk_quantile`` came from, for the
            explanation (per-cluster recommendations), or None.
        before_store: called once the library has accepted the inputs and before the
            recommendation is stored (the per-cluster endpoint stores the request's new
            samples there, so a refused request stores none); its exceptions propagate
            and then nothing is stored.
        warnings: the service's own warnings about the inputs (e.g. samples off the step
            grid), appended to the recommendation's ``warnings`` before it is stored.

    Returns:
        The stored record (committed) and the recommendation.

    Raises:
        service.http.pool.PoolFullError: the solver pool is full.
        SolverTimeoutError: the solve outlived the request deadline.
        Exception: the library's input errors, unchanged.
    """
    rec = run_on_pool(runtime, "recommendation", _recommend, inputs)
    if warnings:
        rec = rec.model_copy(update={"warnings": (*rec.warnings, *warnings)})
    status = "fail_safe" if rec.is_fail_safe else rec.solver.status.value
    runtime.metrics.solver_status.labels(status=status).inc()
    runtime.metrics.forecast_model.labels(model=rec.forecast_model).inc()
    if before_store is not None:
        before_store()
    digest, summary = inputs_digest(inputs)
    record = runtime.store.add_recommendation(
        NewRecommendation(
            cluster_id=inputs.cluster.cluster_id if history_key is None else history_key,
            generated_at_s=int(inputs.now.timestamp()),
            inputs_hash=digest,
            inputs=summary,
            recommendation=rec.model_dump(mode="json"),
            explanation=explanation(rec, risk_quantile),
        )
    )
    return record, rec
