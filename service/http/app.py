"""The FastAPI application: routers, error mapping and stable operation ids.

Owns :func:`create_app`. Handlers live in :mod:`service.http.routes`; the wire format in
:mod:`service.http.schemas`. Every error body has one shape,
:class:`service.http.schemas.recommendations.ErrorResponse`
``{"error": <code>, "detail": [{"field": <dotted path or null>, "message": <one line>}]}``.
Error mapping (one handler per error family):

=====================================  ======  ==============================================
raised                                 status  ``error`` / ``detail``
=====================================  ======  ==============================================
request validation (pydantic, ours),   422     ``invalid_request``; one entry per field, e.g.
body not JSON or not UTF-8                     ``history.3.ts``; ``body`` for the whole body
PolicyError / ForecastingError /       422     ``<code>``; one entry, ``field`` from the
PlacementError / TraceFormatError              error (:func:`service.errors.error_field`) or
that is also a ValueError (input)              null
HTTP errors (unknown path, method)     4xx     ``not_found`` ...; one entry, ``field`` null
missing / invalid API key              401     ``unauthorized`` (``WWW-Authenticate`` header),
                                               before the body is read
                                               (:class:`service.http.authn.AuthMiddleware`)
key without the endpoint's scope       403     ``forbidden``
unknown cluster, recommendation, job   404     ``not_found``
replay result not ready                409     ``conflict``
body above ``max_body_bytes``          413     ``request_too_large`` at ``body``
solver pool full                       503     ``overloaded`` (``Retry-After: 1``)
solve or request past its deadline     503     ``timeout`` (``Retry-After: 1``)
anything else, incl. non-input         500     ``internal_error``; ``[]`` (no traceback; the
domain errors                                  log has it, with the request id:
                                               :class:`service.http.middleware.RequestMiddleware`)
=====================================  ======  ==============================================

A 422 message repeats at most the first 80 characters of a value (then ``...``:
:func:`service.errors.cap_echoes`). ``<code>`` is the error class's explicit ``code`` attribute, e.g.
``policy.InsufficientHistoryError.code == "insufficient_history"``, so renaming a class
never changes the API (:func:`service.errors.error_code`; :mod:`service.errors` also
decides which errors are input errors). FastAPI answers a body it cannot decode (invalid UTF-8)
with a 400 HTTP error; that is a malformed request like invalid JSON, so it is reported as
422 ``invalid_request`` at ``body`` too. A path with a trailing slash (``/v1/clusters/``)
is a 404 ``not_found`` like any unknown path, after the key check: no redirect (Starlette's
would be built from the ``Host`` header, and clients re-send the key to it).

The app's lifespan starts the :class:`service.http.runtime.Runtime` (store, migrations, pools,
replay runner) and stops it gracefully. ``/docs`` (Swagger UI) and ``/redoc`` load their
scripts, stylesheet and icon from the app itself (:data:`DOCS_ASSETS_URL`, the files of the
installed ``fastapi-offline`` package), never from a CDN, so they work without internet;
Swagger UI's online validator is off for the same reason. Imports only ``service``
modules, FastAPI and ``fastapi_offline``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.exceptions import HTTPException as StarletteHTTPException

from service.errors import DOMAIN_ERRORS, cap_echoes, error_code, error_field, is_input_error, one_line
from service.http.authn import AuthMiddleware
from service.http.middleware import RequestMiddleware
from service.http.observability import ServiceMetrics
from service.http.pool import PoolFullError
from service.http.routes import V1_ROUTERS, health_router
from service.http.runtime import start_runtime, stop_runtime
from service.http.schemas.recommendations import ErrorResponse, FieldError
from service.http.solving import SolverTimeoutError
from service.settings import Settings, get_settings
from service.version import package_version

logger = logging.getLogger(__name__)

_REQUEST_LOC_PREFIXES = frozenset({"body", "query", "path", "header", "cookie"})

DOCS_ASSETS_URL: Final[str] = "/docs/assets"
"""Where the Swagger UI and ReDoc bundles are served (``swagger-ui-bundle.js``,
``swagger-ui.css``, ``redoc.standalone.js``, ``favicon.png``); not part of the API schema."""


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
    detail = [FieldError(field=field, message=cap_echoes(one_line(message))) for field, message in errors]
    return _json(422, ErrorResponse(error="invalid_request", detail=detail))


def _message(error: Any) -> str:
    if error["type"] == "json_invalid":
        reason = error.get("ctx", {}).get("error", "")
        return f"the body is not valid JSON ({reason}: character {error['loc'][-1]})"  # json's own order
    return str(error["msg"]).removeprefix("Value error, ")


def _utf8_problem(body: bytes) -> str | None:
    """Return why a body is not UTF-8 text (naming the byte offset), or None."""
    try:
        body.decode("utf-8")
    except UnicodeDecodeError as exc:
        byte = f"byte 0x{body[exc.start]:02x} at offset {exc.start}"
        return f"the body is not valid UTF-8: {exc.reason} ({byte})"
    return None


async def _on_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    errors = exc.errors()
    if any(e["type"] == "json_invalid" or tuple(e["loc"]) == ("body",) for e in errors):
        # json.loads guesses UTF-16/32 for some non-UTF-8 bytes, and then reports a JSON
        # error; a text/csv body that is not UTF-8 fails as "not a valid string".
        problem = _utf8_problem(await request.body())
        if problem is not None:
            return _invalid_request(("body", problem))
    return _invalid_request(
        *(("body" if e["type"] == "json_invalid" else field_path(e["loc"]), _message(e)) for e in errors)
    )


async def _on_domain_error(request: Request, exc: Exception) -> JSONResponse:
    if is_input_error(exc):
        detail = [FieldError(field=error_field(exc), message=cap_echoes(one_line(str(exc))))]
        return _json(422, ErrorResponse(error=error_code(exc), detail=detail))
    logger.error("unhandled domain error path=%s", request.url.path, exc_info=exc)
    return _json(500, ErrorResponse(error="internal_error"))


UNPARSABLE_BODY = "the body could not be parsed as JSON (not UTF-8 JSON, too deeply nested, or a huge number)"
"""The 422 message when FastAPI could not decode a body (a 400 of its own)."""

_HTTP_CODES: dict[int, str] = {413: "request_too_large"}
"""Codes that do not follow the status phrase (whose wording changed across Python versions)."""


async def _on_http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    if exc.status_code == HTTPStatus.BAD_REQUEST:  # FastAPI could not decode the body
        problem = _utf8_problem(await request.body())
        return _invalid_request(("body", problem or UNPARSABLE_BODY))
    code = _HTTP_CODES.get(exc.status_code) or "_".join(HTTPStatus(exc.status_code).phrase.lower().split())
    field = "body" if exc.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE else None
    body = ErrorResponse(error=code, detail=[FieldError(field=field, message=one_line(str(exc.detail)))])
    return _json(exc.status_code, body, headers=exc.headers)


async def _on_unavailable(request: Request, exc: Exception) -> JSONResponse:
    code = "overloaded" if isinstance(exc, PoolFullError) else "timeout"
    body = ErrorResponse(error=code, detail=[FieldError(field=None, message=one_line(str(exc)))])
    return _json(503, body, headers={"Retry-After": "1"})


async def _on_unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # A backstop for errors outside RequestMiddleware, which answers (and logs, with the
    # request id) every error a route raises; Starlette re-raises after this response, so
    # the server logs the traceback.
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
        The app: the ``/v1`` API, probes and ``/metrics``, with the error mapping in this
        module's docstring. Its lifespan opens the store and the pools.
    """
    resolved = settings if settings is not None else get_settings()
    metrics = ServiceMetrics()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.runtime = start_runtime(resolved, metrics)
        try:
            yield
        finally:
            stop_runtime(app.state.runtime)

    app = FastAPIOffline(  # a FastAPI app whose /docs and /redoc assets are served locally
        title="acuplan",
        summary="Capacity policy engine for Aurora Serverless v2: ACU floors and reader layouts.",
        description=API_DESCRIPTION,
        version=package_version(),
        generate_unique_id_function=_operation_id,
        lifespan=lifespan,
        static_url=DOCS_ASSETS_URL,
        swagger_ui_parameters={"validatorUrl": None},  # no badge fetched from validator.swagger.io
        redirect_slashes=False,  # /v1/clusters/ is a 404, never a redirect to a Host-built URL
    )
    app.state.metrics = metrics
    app.dependency_overrides[get_settings] = lambda: resolved
    for router in V1_ROUTERS:
        app.include_router(router, prefix="/v1")
    app.include_router(health_router)
    app.exception_handler(RequestValidationError)(_on_validation_error)
    for error_class in DOMAIN_ERRORS:
        app.exception_handler(error_class)(_on_domain_error)
    app.exception_handler(StarletteHTTPException)(_on_http_error)
    app.exception_handler(PoolFullError)(_on_unavailable)
    app.exception_handler(SolverTimeoutError)(_on_unavailable)
    app.exception_handler(Exception)(_on_unexpected_error)
    app.add_middleware(AuthMiddleware)  # inside RequestMiddleware: its 401s are logged with the request id
    app.add_middleware(
        RequestMiddleware,
        max_body_bytes=resolved.max_body_bytes,
        timeout_s=resolved.request_timeout_s + 5.0,  # solver waits time out first, with a better message
        metrics=metrics,
    )
    return app


API_DESCRIPTION = """\
Advice, never action: every recommendation is `ForecastOnly`.

* **Stateless**: `POST /v1/recommendations` with the cluster and its history.
* **Registered clusters**: `PUT /v1/clusters/{cluster_id}` once (topology, limits), then
  send only new metrics (`/metrics` as JSON, canonical CSV or CloudWatch `GetMetricData`
  JSON) and ask `POST /v1/clusters/{cluster_id}/recommendations`; every recommendation is
  stored with its inputs' SHA-256 and explanation (`GET .../recommendations`).
* **Forecasts** (`/v1/forecasts`), **replays** as asynchronous jobs (`/v1/replays`), and
  **actions**: the AWS CLI, boto3 and Terraform that would realise a recommendation.

**Authentication**: once any API key has been created (`acuplan keys create`), every `/v1`
call needs an active key as `X-API-Key: <key>` or `Authorization: Bearer <key>` with scope
`read` (GET) or `write` (everything else); `/metrics` needs `read`. Revoking every key does
not turn authentication off: every call then gets 401. Probes never need a key.

**Errors** always have one shape: `{"error": <code>, "detail": [{"field": <dotted path or
null>, "message": <one line>}]}`. Codes: `invalid_request` and policy codes (422),
`unauthorized` (401), `forbidden` (403), `not_found` (404), `conflict` (409),
`request_too_large` (413), `overloaded` and `timeout` (503, with `Retry-After`),
`internal_error` (500, empty `detail`, never a traceback).
"""
