"""Prometheus metrics, structured JSON logs and request ids of the HTTP service.

Owns :class:`ServiceMetrics` (one registry per app, so apps built in tests do not
collide), :data:`request_id_var`, :class:`JsonFormatter` and :func:`configure_logging`
(called by ``acuplan serve`` only; the library never configures logging).

Metrics (all prefixed ``acuplan_``):

========================================  =========  ====================================
name                                      type       labels
========================================  =========  ====================================
http_request_duration_seconds             histogram  method, route (template), status
solver_duration_seconds                   histogram  kind (recommendation, forecast)
solver_status_total                       counter    status (optimal, ..., fail_safe)
forecast_model_total                      counter    model (the model actually used)
pool_in_flight                            gauge      pool (solver, replay)
pool_rejected_total                       counter    pool
replay_jobs_total                         counter    status (final state)
advice_jobs_total                         counter    status (final state)
learning_jobs_total                       counter    status (final state)
advice_alert                              gauge      cluster_id, kind: 1 when the registered
                                                     cluster's last advice raises an alert
                                                     of that kind, else 0
advice_alert_lead_time_seconds            gauge      cluster_id, kind: seconds to the earliest
                                                     such alert (0: already in the history);
                                                     absent without one
========================================  =========  ====================================

Imports prometheus_client and the standard library only.
"""

from __future__ import annotations

import json
import logging
import sys
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any, Final

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

ADVICE_ALERT_KINDS: Final[tuple[str, ...]] = ("max_capacity", "budget", "connections")
"""The alert kinds of :class:`policy.advice.types.Alert` (repeated: this module imports no policy)."""

request_id_var: ContextVar[str] = ContextVar("acuplan_request_id", default="-")
"""The current request's id (``-`` outside a request); read by :class:`JsonFormatter`."""

_LATENCY_BUCKETS: Final[tuple[float, ...]] = (
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
)  # fmt: skip
"""HTTP and solver latency buckets, seconds: probes (ms) up to a 60-s solver limit."""


class ServiceMetrics:
    """The service's Prometheus collectors, in their own registry."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.http_latency = Histogram(
            "acuplan_http_request_duration_seconds",
            "HTTP request latency by route template and status.",
            ("method", "route", "status"),
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.solver_latency = Histogram(
            "acuplan_solver_duration_seconds",
            "Wall time of forecast + plan work per request.",
            ("kind",),
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.solver_status = Counter(
            "acuplan_solver_status", "Recommendations by solver status.", ("status",), registry=r
        )
        self.forecast_model = Counter(
            "acuplan_forecast_model", "Forecast model actually used, per recommendation or forecast.",
            ("model",), registry=r,
        )  # fmt: skip
        self.pool_in_flight = Gauge(
            "acuplan_pool_in_flight", "Tasks running or queued in a worker pool.", ("pool",), registry=r
        )
        self.pool_rejected = Counter(
            "acuplan_pool_rejected", "Tasks refused because a pool was full.", ("pool",), registry=r
        )
        self.replay_jobs = Counter(
            "acuplan_replay_jobs", "Replay jobs by final state.", ("status",), registry=r
        )
        self.advice_jobs = Counter(
            "acuplan_advice_jobs", "Advice jobs by final state.", ("status",), registry=r
        )
        self.learning_jobs = Counter(
            "acuplan_learning_jobs", "Risk-quantile learning jobs by final state.", ("status",), registry=r
        )
        self.advice_alert = Gauge(
            "acuplan_advice_alert",
            "1 when a registered cluster's last advice raises an alert of this kind, else 0.",
            ("cluster_id", "kind"),
            registry=r,
        )
        self.advice_alert_lead_time = Gauge(
            "acuplan_advice_alert_lead_time_seconds",
            "Seconds from the end of the advised history to the earliest alert of this kind "
            "(0: it already happened in the history).",
            ("cluster_id", "kind"),
            registry=r,
        )

    def set_advice_alerts(self, cluster_id: str, alerts: list[dict[str, Any]]) -> None:
        """Publish a registered cluster's last advice: one alert gauge per kind, and lead times.

        Args:
            cluster_id: the registered cluster.
            alerts: the advice document's ``alerts`` (``kind``, ``source``, ``lead_time_s``).
        """
        for kind in ADVICE_ALERT_KINDS:
            mine = [a for a in alerts if a.get("kind") == kind]
            self.advice_alert.labels(cluster_id=cluster_id, kind=kind).set(1.0 if mine else 0.0)
            if mine:
                lead = min(0.0 if a.get("lead_time_s") is None else float(a["lead_time_s"]) for a in mine)
                self.advice_alert_lead_time.labels(cluster_id=cluster_id, kind=kind).set(lead)
            else:
                self._remove(self.advice_alert_lead_time, cluster_id, kind)

    def clear_advice_alerts(self, cluster_id: str) -> None:
        """Drop a cluster's advice gauges (it was deleted)."""
        for kind in ADVICE_ALERT_KINDS:
            self._remove(self.advice_alert, cluster_id, kind)
            self._remove(self.advice_alert_lead_time, cluster_id, kind)

    @staticmethod
    def _remove(gauge: Gauge, cluster_id: str, kind: str) -> None:
        try:
            gauge.remove(cluster_id, kind)
        except KeyError:  # never set
            pass

    def render(self) -> bytes:
        """Return the registry in the Prometheus text exposition format."""
        return generate_latest(self.registry)


class JsonFormatter(logging.Formatter):
    """Format a log record as one JSON object per line.

    Keys: ``ts`` (ISO 8601 UTC), ``level``, ``logger``, ``message``, ``request_id``, any
    ``extra={...}`` fields given to the logging call, and ``exc_type`` / ``exc`` (the
    traceback) when an exception is attached. Tracebacks go to the log, never to a response.
    """

    _STANDARD: Final[frozenset[str]] = frozenset(
        set(vars(logging.LogRecord("", 0, "", 0, "", None, None)))
        | {"message", "asctime", "taskName", "color_message"}  # uvicorn's ANSI copy of the message
    )

    def format(self, record: logging.LogRecord) -> str:
        """Render ``record`` as a JSON line."""
        out: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": request_id_var.get(),
        }
        out |= {k: v for k, v in vars(record).items() if k not in self._STANDARD and not k.startswith("_")}
        if record.exc_info:
            out["exc_type"] = record.exc_info[0].__name__ if record.exc_info[0] else None
            out["exc"] = self.formatException(record.exc_info)
        return json.dumps(out, default=str)


def configure_logging(level: str, fmt: str) -> dict[str, Any]:
    """Send the root logger (and uvicorn's) to stderr in ``fmt``; return uvicorn's log config.

    Args:
        level: ``debug``, ``info``, ``warning`` or ``error``.
        fmt: ``json`` or ``text``.

    Returns:
        A ``logging.config`` dict for uvicorn that keeps our handler (uvicorn's access
        log is off: the service logs one line per request itself, with its id).
    """
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "loggers": {
            "uvicorn": {"level": level.upper(), "propagate": True},
            "uvicorn.error": {"level": level.upper(), "propagate": True},
            "uvicorn.access": {"level": "WARNING", "propagate": True},
        },
    }
