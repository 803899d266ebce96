"""HTTP routers of the service: thin handlers that validate, call ``policy`` and respond."""

from fastapi import APIRouter

from service.http.routes.actions import router as actions_router
from service.http.routes.advice import router as advice_router
from service.http.routes.cluster_metrics import router as cluster_metrics_router
from service.http.routes.cluster_recommendations import router as cluster_recommendations_router
from service.http.routes.clusters import router as clusters_router
from service.http.routes.forecasts import router as forecasts_router
from service.http.routes.health import router as health_router
from service.http.routes.recommendations import router as recommendations_router
from service.http.routes.replays import router as replays_router

V1_ROUTERS: tuple[APIRouter, ...] = (
    recommendations_router,
    clusters_router,
    cluster_metrics_router,
    cluster_recommendations_router,
    actions_router,
    forecasts_router,
    replays_router,
    advice_router,
)
"""Routers mounted under ``/v1``, in OpenAPI order."""

__all__ = ["V1_ROUTERS", "health_router", "recommendations_router"]
