"""HTTP routers of the service: thin handlers that validate, call ``policy`` and respond."""

from service.routes.health import router as health_router
from service.routes.recommendations import router as recommendations_router

__all__ = ["health_router", "recommendations_router"]
