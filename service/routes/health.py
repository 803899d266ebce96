"""``GET /healthz``: liveness probe (not versioned; load balancers poll it)."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter

from service.schemas import HealthResponse

router = APIRouter(tags=["health"])


@lru_cache(maxsize=1)
def package_version() -> str:
    """Return the installed ``acuplan`` version, or ``0+unknown`` when run from a source tree."""
    try:
        return version("acuplan")
    except PackageNotFoundError:
        return "0+unknown"


@router.get("/healthz", response_model=HealthResponse)
async def healthz() -> HealthResponse:
    """Report that the process is up and which version it runs.

    Does no solver or forecasting work, so it answers while recommendations are busy.
    """
    return HealthResponse(version=package_version())
