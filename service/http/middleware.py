"""ASGI middleware around every request: id, size limit, time limit, access log, latency.

Owns :class:`RequestMiddleware` (pure ASGI, so streamed bodies are counted as they
arrive) and :func:`error_bytes`. For each HTTP request it:

* takes ``X-Request-ID`` when it is 1-64 safe characters, else makes one; sets
  :data:`service.http.observability.request_id_var` and echoes the header on the response;
* answers 413 ``request_too_large`` when ``Content-Length`` (or the streamed body)
  exceeds ``max_body_bytes``;
* answers 503 ``timeout`` when no response has started after ``timeout_s`` (solver
  waits have their own, earlier deadline in :mod:`service.http.solving`);
* answers 500 ``internal_error`` (empty ``detail``) for an exception no handler took, and
  logs it with its traceback here, while the request id is still set (Starlette's
  ``ServerErrorMiddleware`` and the server would log it outside the request, as
  ``request_id: "-"``);
* logs one ``acuplan.access`` line and observes the latency histogram by route template.

Imports ``service.http.observability`` only.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any, Final

from starlette.exceptions import HTTPException

from service.http.observability import ServiceMetrics, request_id_var

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

access_log = logging.getLogger("acuplan.access")
logger = logging.getLogger(__name__)

_REQUEST_ID_RE: Final[re.Pattern[str]] = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def error_bytes(code: str, message: str | None, field: str | None = None) -> bytes:
    """Encode the one error shape ``{"error", "detail": [{"field", "message"}]}``.

    Args:
        code: the ``error`` code.
        message: the one entry's message; None for an empty ``detail`` (``internal_error``).
        field: the entry's field.

    Returns:
        The JSON body.
    """
    detail = [] if message is None else [{"field": field, "message": message}]
    return json.dumps({"error": code, "detail": detail}).encode()


class _TooLarge(HTTPException):
    """The streamed body passed the limit (an HTTP error, so FastAPI re-raises it unchanged)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"the request body exceeds {limit} bytes")


def route_template(scope: Scope) -> str:
    """Return the matched route's path template, e.g. ``/v1/clusters/{cluster_id}``.

    Some FastAPI versions put the route of an included router in the scope with its path
    relative to the inclusion prefix; prefixes are static, so the missing leading
    segments are taken from the request path (path parameters never contain ``/``).

    Returns:
        The template, or ``unmatched`` (404s: unbounded paths must not become labels).
    """
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    if not isinstance(template, str) or not template:
        return "unmatched"
    path = str(scope.get("path", ""))
    extra = path.count("/") - template.count("/")
    return "/".join(path.split("/")[: extra + 1]) + template if extra > 0 else template


class RequestMiddleware:
    """The per-request envelope described in the module docstring.

    Args:
        app: the wrapped ASGI app.
        max_body_bytes: largest accepted body.
        timeout_s: longest time before a response must start.
        metrics: the app's collectors.
    """

    def __init__(
        self, app: ASGIApp, *, max_body_bytes: int, timeout_s: float, metrics: ServiceMetrics
    ) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.timeout_s = timeout_s
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection scope."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        given = headers.get("x-request-id", "")
        request_id = given if _REQUEST_ID_RE.fullmatch(given) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        state = {"status": 500, "started": False}
        start = time.perf_counter()
        try:
            await self._handle(scope, receive, send, headers, request_id, state)
        finally:
            self._observe(scope, int(state["status"]), time.perf_counter() - start, request_id)
            request_id_var.reset(token)

    async def _handle(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        headers: dict[str, str],
        rid: str,
        state: dict[str, Any],
    ) -> None:
        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                state["started"], state["status"] = True, message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", rid.encode())]
            await send(message)

        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > self.max_body_bytes:
            await self._error(send_with_id, 413, "request_too_large", self._too_large_message())
            return
        seen = 0

        async def counted_receive() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.max_body_bytes:
                raise _TooLarge(self.max_body_bytes)
            return message

        try:
            await asyncio.wait_for(self.app(scope, counted_receive, send_with_id), self.timeout_s)
        except _TooLarge:
            if not state["started"]:
                await self._error(send_with_id, 413, "request_too_large", self._too_large_message())
        except TimeoutError:
            if not state["started"]:
                message = f"the request took longer than {self.timeout_s:g} s"
                await self._error(send_with_id, 503, "timeout", message)
        except Exception:
            route = route_template(scope)
            logger.exception(
                "unhandled error in %s %s", scope.get("method", ""), route, extra={"route": route}
            )
            if state["started"]:
                raise  # the server aborts the half-sent response
            await self._error(send_with_id, 500, "internal_error", None)

    def _too_large_message(self) -> str:
        return f"the request body exceeds {self.max_body_bytes} bytes"

    @staticmethod
    async def _error(send: Send, status: int, code: str, message: str | None) -> None:
        body = error_bytes(code, message, "body" if status == 413 else None)
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
        if status == 503:
            headers.append((b"retry-after", b"1"))
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})

    def _observe(self, scope: Scope, status: int, seconds: float, request_id: str) -> None:
        route = route_template(scope)
        method = str(scope.get("method", ""))
        self.metrics.http_latency.labels(method=method, route=route, status=str(status)).observe(seconds)
        access_log.info(
            "%s %s %d",
            method,
            scope.get("path", ""),
            status,
            extra={
                "method": method,
                "route": route,
                "status": status,
                "duration_ms": round(seconds * 1000, 2),
            },
        )
