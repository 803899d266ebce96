"""API keys checked before a request's body is read: 401/403 whatever the body holds.

Owns :class:`AuthMiddleware` and :func:`needs_key`. FastAPI parses a JSON body before it
solves an endpoint's dependencies, so with the keys checked only by
:data:`service.http.deps.ReadScope` / :data:`service.http.deps.WriteScope` a client without
a key got the parser's 422 (and the server decoded its body). This pure ASGI middleware
checks the key first, with the endpoints' rule (:func:`service.http.security.authorize_request`:
scope ``read`` for ``GET``/``HEAD``/``OPTIONS``, ``write`` for every other method), on every
``/v1`` path and ``/metrics``; probes and the API docs need no key. It answers in the one
error shape (``unauthorized`` with ``WWW-Authenticate``, ``forbidden``); the dependencies
still check each endpoint's own scope. Imports ``service.http.security`` and
``service.http.middleware``.
"""

from __future__ import annotations

from typing import Final

from fastapi.security.utils import get_authorization_scheme_param
from starlette.concurrency import run_in_threadpool

from service.http.middleware import ASGIApp, Receive, Scope, Send, error_bytes
from service.http.security import AuthError, authorize_request
from service.http.security import Scope as KeyScope

READ_METHODS: Final[frozenset[str]] = frozenset({"GET", "HEAD", "OPTIONS"})
"""Methods that need the ``read`` scope; every other method needs ``write``."""


def needs_key(path: str) -> bool:
    """Return True for the paths that need a key once keys exist: ``/v1`` and ``/metrics``."""
    return path == "/v1" or path.startswith("/v1/") or path == "/metrics"


def _credentials(scope: Scope) -> tuple[str | None, str | None]:
    """``X-API-Key`` and the ``Authorization: Bearer`` token of a request (None when absent)."""
    headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
    scheme, token = get_authorization_scheme_param(headers.get("authorization"))
    bearer = token if scheme.lower() == "bearer" and token else None
    return headers.get("x-api-key") or None, bearer


class AuthMiddleware:
    """The key check described in the module docstring.

    Args:
        app: the wrapped ASGI app (its ``state.runtime.store`` holds the keys, once started).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer 401/403 before the body is read, or pass the request on."""
        runtime = getattr(getattr(scope.get("app"), "state", None), "runtime", None)
        if scope["type"] != "http" or runtime is None or not needs_key(str(scope.get("path", ""))):
            await self.app(scope, receive, send)
            return
        method = str(scope.get("method", "GET")).upper()
        needed: KeyScope = "read" if method in READ_METHODS else "write"
        api_key, bearer = _credentials(scope)
        try:
            await run_in_threadpool(authorize_request, runtime.store, api_key, bearer, needed)
        except AuthError as exc:
            code = "unauthorized" if exc.status == 401 else "forbidden"
            body = error_bytes(code, str(exc))
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            if exc.status == 401:
                headers.append((b"www-authenticate", b'Bearer realm="acuplan"'))
            await send({"type": "http.response.start", "status": exc.status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)
