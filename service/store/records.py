"""Plain records the store returns: decoupled from the ORM rows and from the wire models.

Owns one frozen dataclass per stored entity. Times are epoch milliseconds (record times)
or epoch seconds (sample and plan times), as in :mod:`service.store.models`. No imports
of ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

LEARNING_JOB_KIND: Final[str] = "learning"
"""The ``kind`` of a risk-quantile learning job (``service.http.learning``); deleted with its cluster."""


@dataclass(frozen=True)
class ClusterRecord:
    """A registered cluster.

    Attributes:
        cluster_id: the cluster's name (the key).
        spec: ``policy.ClusterSpec`` as JSON.
        step_s: history step of its metrics, seconds.
        config: per-cluster policy overrides as JSON (may be empty).
        revision: 1 on registration, +1 per update.
        created_ms: registration time.
        updated_ms: last update time.
        source_flags: what the sources said of the latest file-like upload's data (empty:
            nothing; e.g. a CloudWatch query Id that answered ``PartialData``).
    """

    cluster_id: str
    spec: dict[str, Any]
    step_s: int
    config: dict[str, Any]
    revision: int
    created_ms: int
    updated_ms: int
    source_flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class NewRecommendation:
    """A recommendation to store.

    Attributes:
        cluster_id: the cluster it is for.
        generated_at_s: its ``now``, epoch seconds.
        inputs_hash: SHA-256 (hex) of its canonical inputs.
        inputs: the inputs without the history samples, plus a history digest.
        recommendation: ``policy.Recommendation`` as JSON.
        explanation: status, model, reasons and warnings, as JSON.
    """

    cluster_id: str
    generated_at_s: int
    inputs_hash: str
    inputs: dict[str, Any]
    recommendation: dict[str, Any]
    explanation: dict[str, Any]


@dataclass(frozen=True)
class RecommendationRecord:
    """A stored recommendation.

    Attributes:
        id: its id, increasing in storage order.
        created_ms: when it was stored.
        item: what was stored.
    """

    id: int
    created_ms: int
    item: NewRecommendation


@dataclass(frozen=True)
class JobRecord:
    """An asynchronous job (replay, advice or learning).

    Attributes:
        id: job id (32 hex digits).
        status: ``queued``, ``running``, ``succeeded``, ``failed`` or ``cancelled``.
        created_ms: submission time.
        started_ms: when a worker took it, or None.
        finished_ms: when it ended, or None.
        request: the validated request as JSON.
        result: the ``policy.ReplayReport`` (the advice document, the learnt quantile) as JSON once
            succeeded.
        error: ``{"error", "detail"}`` once failed.
        cancel_requested: a cancel was asked for.
        kind: ``replay``, ``advice`` or ``learning``.
        cluster_id: the registered cluster the job was asked for, or None.
    """

    id: str
    status: str
    created_ms: int
    started_ms: int | None
    finished_ms: int | None
    request: dict[str, Any]
    result: dict[str, Any] | None
    error: dict[str, Any] | None
    cancel_requested: bool
    kind: str = "replay"
    cluster_id: str | None = None


@dataclass(frozen=True)
class KeyRecord:
    """An API key without its secret.

    Attributes:
        id: public key id (the part before the secret).
        name: a label.
        secret_sha256: SHA-256 (hex) of the secret.
        scopes: granted scopes, sorted.
        created_ms: creation time.
        revoked_ms: revocation time, or None while active.
    """

    id: str
    name: str
    secret_sha256: str
    scopes: tuple[str, ...]
    created_ms: int
    revoked_ms: int | None
