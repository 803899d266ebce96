"""The FastAPI application: routers, error mapping and stable operation ids.

Owns :func:`create_app`. Handlers live in :mod:`service.routes`; the wire format in
:mod:`service.schemas`. Error mapping (one handler per error family, STYLE.md "Errors"):

=====================================  ======  ==============================================
raised                                 status  body
=====================================  ======  ==============================================
request validation (pydantic, ours)    422     ``{"error": "invalid_request", "detail":
                                               [{"field": "history.3.ts", "message": ...}]}``
PolicyError / ForecastingError /       422     ``{"error": <code>, "detail": <one line>}``
PlacementError / TraceFormatError
that is also a ValueError (input)
HTTP errors (unknown path, method)     4xx     ``{"error": "not_found", "detail": ...}``
anything else, incl. non-input         500     ``{"error": "internal_error"}`` (no traceback;
domain errors                                  the server log has it)
=====================================  ======  ==============================================

``<code>`` is the error class name in snake case without ``Error``, e.g.
``InsufficientHistoryError`` -> ``insufficient_history`` (:mod:`service.errors` decides
which errors are input errors). Imports only ``service`` modules and FastAPI.
"""

from __future__ import annotations

import logging
from http import HTTPStatus

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import DOMAIN_ERRORS, error_code, is_input_error, one_line
from service.routes import health_router, recommendations_router
from service.routes.health import package_version
from service.schemas import ErrorResponse, FieldError, ValidationErrorResponse
from service.settings import Settings, get_settings

logger = logging.getLogger(__name__)

_REQUEST_LOC_PREFIXES = frozenset({"body", "query", "path", "header", "cookie"})


def field_path(loc: tuple[str | int, ...] | list[str | int]) -> str:
    """Flatten a FastAPI error location into a dotted field path.

    Args:
        loc: e.g. ``("body", "history", 3, "ts")``.

    Returns:
        ``history.3.ts``; ``body`` when the location is the body itself.
    """
    parts = list(loc)
    if len(parts) > 1 and parts[0] in _REQUEST_LOC_PREFIXES:
        parts = parts[1:]
    return ".".join(str(p) for p in parts) or "body"


def _json(status: int, body: ErrorResponse | ValidationErrorResponse) -> JSONResponse:
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"))


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    detail = [
        FieldError(
            field="body" if e["type"] == "json_invalid" else field_path(e["loc"]),
            message=str(e["msg"]).removeprefix("Value error, "),
        )
        for e in exc.errors()
    ]
    return _json(422, ValidationErrorResponse(detail=detail))


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    if is_input_error(exc):
        return _json(422, ErrorResponse(error=error_code(exc), detail=one_line(str(exc))))
    logger.error("unhandled domain error path=%s", request.url.path, exc_info=exc)
    return _json(500, ErrorResponse(error="internal_error"))


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    code = "_".join(HTTPStatus(exc.status_code).phrase.lower().split())
    body = ErrorResponse(error=code, detail=str(exc.detail))
    return JSONResponse(
        status_code=exc.status_code, content=body.model_dump(mode="json"), headers=exc.headers
    )


async def _on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # Starlette re-raises after this response, so the server logs the traceback.
    return _json(500, ErrorResponse(error="internal_error"))


def _operation_id(route: APIRoute) -> str:
    """Stable operation id: ``<first tag>-<handler name>``, e.g. ``recommendations-create_recommendation``."""
    tag = str(route.tags[0]) if route.tags else "default"
    return f"{tag}-{route.name}"


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the acuplan HTTP application.

    Args:
        settings: settings to inject instead of :func:`service.settings.get_settings`
            (tests, embedding); None reads ``ACUPLAN_*`` from the environment on first use.

    Returns:
        The app: ``POST /v1/recommendations`` and ``GET /healthz``, with the error mapping
        in this module's docstring.
    """
    app = FastAPI(
        title="acuplan",
        summary="Capacity policy engine for Aurora Serverless v2: ACU floors and reader layouts.",
        version=package_version(),
        generate_unique_id_function=_operation_id,
    )
    if settings is not None:
        app.dependency_overrides[get_settings] = lambda: settings
    v1 = APIRouter(prefix="/v1")
    v1.include_router(recommendations_router)
    app.include_router(v1)
    app.include_router(health_router)
    app.exception_handler(RequestValidationError)(_on_validation_error)
    for error_class in DOMAIN_ERRORS:
        app.exception_handler(error_class)(_on_domain_error)
    app.exception_handler(StarletteHTTPException)(_on_http_error)
    app.exception_handler(Exception)(_on_unexpected_error)
    return app
