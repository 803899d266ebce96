"""Probes and metrics (not versioned): ``/healthz``, ``/livez``, ``/readyz``, ``/metrics``."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST

from service.http.deps import ReadScope, RuntimeDep
from service.http.schemas.recommendations import HealthResponse, ReadinessResponse
from service.version import package_version

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get("/healthz", response_model=HealthResponse)
async def healthz() -> HealthResponse:
    """Report that the process is up and which version it runs.

    Does no solver or forecasting work, so it answers while recommendations are busy.
    """
    return HealthResponse(version=package_version())


@router.get("/livez", response_model=HealthResponse)
async def livez() -> HealthResponse:
    """Liveness probe: the event loop answers (restart the process when this fails)."""
    return HealthResponse(version=package_version())


@router.get("/readyz", response_model=ReadinessResponse, responses={503: {"model": ReadinessResponse}})
def readyz(runtime: RuntimeDep) -> Response:
    """Readiness probe: 200 when the database answers and the service is not shutting down.

    503 with ``status: unavailable`` and the failing ``checks`` otherwise, so a load
    balancer stops sending traffic during a graceful shutdown.
    """
    checks = {"database": "ok", "solver_pool": "ok"}
    try:
        runtime.store.ping()
    except Exception:  # noqa: BLE001 - any database failure means not ready
        logger.warning("readiness: database ping failed", exc_info=True)
        checks["database"] = "failing"
    if runtime.draining or runtime.solver_pool.closed:
        checks["solver_pool"] = "draining"
    ready = all(v == "ok" for v in checks.values())
    body = ReadinessResponse(status="ok" if ready else "unavailable", checks=checks)
    return JSONResponse(body.model_dump(), status_code=200 if ready else 503)


@router.get(
    "/metrics",
    response_class=Response,
    responses={200: {"content": {CONTENT_TYPE_LATEST: {}}, "description": "Prometheus text format"}},
)
def metrics(request: Request, _: ReadScope) -> Response:
    """Prometheus metrics: request latency, solver time and status, forecast models, pools.

    Needs the ``read`` scope while API keys are configured.
    """
    return Response(request.app.state.metrics.render(), media_type=CONTENT_TYPE_LATEST)
