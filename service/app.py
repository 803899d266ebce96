"""The FastAPI application: routers, error mapping and stable operation ids.

Owns :func:`create_app`. Handlers live in :mod:`service.routes`; the wire format in
:mod:`service.schemas`. Every error body has one shape, :class:`service.schemas.ErrorResponse`
``{"error": <code>, "detail": [{"field": <dotted path or null>, "message": <one line>}]}``.
Error mapping (one handler per error family, STYLE.md "Errors"):

=====================================  ======  ==============================================
raised                                 status  ``error`` / ``detail``
=====================================  ======  ==============================================
request validation (pydantic, ours),   422     ``invalid_request``; one entry per field, e.g.
body not JSON or not UTF-8                     ``history.3.ts``; ``body`` for the whole body
PolicyError / ForecastingError /       422     ``<code>``; one entry, ``field`` from the
PlacementError / TraceFormatError              error (:func:`service.errors.error_field`) or
that is also a ValueError (input)              null
HTTP errors (unknown path, method)     4xx     ``not_found`` ...; one entry, ``field`` null
anything else, incl. non-input         500     ``internal_error``; ``[]`` (no traceback; the
domain errors                                  server log has it)
=====================================  ======  ==============================================

``<code>`` is the error class name in snake case without ``Error``, e.g.
``InsufficientHistoryError`` -> ``insufficient_history`` (:mod:`service.errors` decides
which errors are input errors). FastAPI answers a body it cannot decode (invalid UTF-8)
with a 400 HTTP error; that is a malformed request like invalid JSON, so it is reported as
422 ``invalid_request`` at ``body`` too. Imports only ``service`` modules and FastAPI.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import DOMAIN_ERRORS, error_code, error_field, is_input_error, one_line
from service.routes import health_router, recommendations_router
from service.routes.health import package_version
from service.schemas import ErrorResponse, FieldError
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


def _json(status: int, body: ErrorResponse, headers: Mapping[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content=body.model_dump(mode="json"), headers=headers)


def _invalid_request(*errors: tuple[str | None, str]) -> JSONResponse:
    detail = [FieldError(field=field, message=one_line(message)) for field, message in errors]
    return _json(422, ErrorResponse(error="invalid_request", detail=detail))


def _message(error: Any) -> str:
    if error["type"] == "json_invalid":
        reason = error.get("ctx", {}).get("error", "")
        return f"the body is not valid JSON: {reason} at character {error['loc'][-1]}"
    return str(error["msg"]).removeprefix("Value error, ")


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return _invalid_request(
        *(
            ("body" if e["type"] == "json_invalid" else field_path(e["loc"]), _message(e))
            for e in exc.errors()
        )
    )


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    if is_input_error(exc):
        detail = [FieldError(field=error_field(exc), message=one_line(str(exc)))]
        return _json(422, ErrorResponse(error=error_code(exc), detail=detail))
    logger.error("unhandled domain error path=%s", request.url.path, exc_info=exc)
    return _json(500, ErrorResponse(error="internal_error"))


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == HTTPStatus.BAD_REQUEST:  # FastAPI could not decode the body
        return _invalid_request(("body", "the body is not valid UTF-8 JSON"))
    code = "_".join(HTTPStatus(exc.status_code).phrase.lower().split())
    body = ErrorResponse(error=code, detail=[FieldError(field=None, message=one_line(str(exc.detail)))])
    return _json(exc.status_code, body, headers=exc.headers)


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
