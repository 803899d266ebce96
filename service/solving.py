"""Solver work on the bounded pool, and storing every recommendation with its inputs' hash.

Owns :func:`run_on_pool` (submit, wait until the request's deadline, time it),
:func:`recommend_and_store` (the one path from validated inputs to a stored
``policy.Recommendation``; HTTP handlers of both the stateless and the per-cluster
endpoint call it) and :func:`inputs_digest`.

The inputs' hash is the SHA-256 of their canonical JSON (sorted keys, no spaces, missing
history steps as ``null``), so two requests that give the library the same arguments
have the same hash whatever their wire form. The stored inputs keep everything but the
history samples, which are summarised by their count, missing count and SHA-256.
Imports ``policy`` public names and ``service`` modules.
"""

from __future__ import annotations

import hashlib
import json
import math
import time
from collections.abc import Callable
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any, ParamSpec, TypeVar

import policy
from policy import Recommendation
from service.runtime import Runtime
from service.schemas import RecommendInputs
from service.store import NewRecommendation, RecommendationRecord

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
        service.pool.PoolFullError: the pool is full (503 ``overloaded``).
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
    full = _canonical({**summary, "history_acu": history})
    summary["history"] = {
        "n_steps": len(history),
        "n_missing": sum(v is None for v in history),
        "sha256": hashlib.sha256(_canonical(history)).hexdigest(),
    }
    return hashlib.sha256(full).hexdigest(), summary


def explanation(rec: Recommendation) -> dict[str, Any]:
    """Return why the plan is what it is: status, model, reasons, warnings, cost."""
    return {
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
    )


def recommend_and_store(
    runtime: Runtime, inputs: RecommendInputs
) -> tuple[RecommendationRecord, Recommendation]:
    """Recommend on the solver pool, count it in the metrics and store it.

    Args:
        runtime: the app's runtime.
        inputs: validated arguments of ``policy.recommend``.

    Returns:
        The stored record (committed) and the recommendation.

    Raises:
        service.pool.PoolFullError: the solver pool is full.
        SolverTimeoutError: the solve outlived the request deadline.
        Exception: the library's input errors, unchanged.
    """
    rec = run_on_pool(runtime, "recommendation", _recommend, inputs)
    status = "fail_safe" if rec.is_fail_safe else rec.solver.status.value
    runtime.metrics.solver_status.labels(status=status).inc()
    runtime.metrics.forecast_model.labels(model=rec.forecast_model).inc()
    digest, summary = inputs_digest(inputs)
    record = runtime.store.add_recommendation(
        NewRecommendation(
            cluster_id=inputs.cluster.cluster_id,
            generated_at_s=int(inputs.now.timestamp()),
            inputs_hash=digest,
            inputs=summary,
            recommendation=rec.model_dump(mode="json"),
            explanation=explanation(rec),
        )
    )
    return record, rec
