"""JSON request bodies read strictly, before FastAPI reads them.

Owns :func:`takes_json` and :func:`read_json_body`, which :class:`service.http.strict.StrictRoute`,
the route class of every router, calls first. FastAPI decodes a JSON body with ``json.loads``,
which keeps the last value of a repeated key (``{"step_s": 300, "step_s": 60}`` is ``step_s``
60) without a word. For every endpoint whose body is JSON, the body is read first with
:func:`traces.jsontext.load_json`, the one strict JSON reader, and hands FastAPI the
result (it is not decoded twice):

* a body sent with another ``Content-Type`` than ``application/json`` (or ``+json``), or
  without one, is a 422 ``invalid_request`` at ``body`` saying so (FastAPI would pass it on
  as bytes, and pydantic would say ``Input should be a valid dictionary or object to extract
  fields from``);
* a body that is not UTF-8 (a UTF-8 byte order mark is fine) is a 422 ``invalid_request``
  at ``body`` naming the byte, as the app docstring promises; ``json.loads`` on bytes would
  guess UTF-16 or UTF-32 from the first bytes and read them. So is a body holding a NUL
  byte, which JSON text never has (UTF-16 or UTF-32 without a byte order mark is valid
  UTF-8, with a NUL in every other byte);
* a repeated key is a 422 ``invalid_request`` at the key's path (``step_s``,
  ``cluster.limits.max_acu``), naming it;
* text ``load_json`` cannot read (not JSON, nested too deeply, a huge number) is left to
  FastAPI, whose errors the app maps to its 422s at ``body``
  (:mod:`service.http.app`).

Bodies that are not JSON (``/metrics/csv``, ``/metrics/upload``) pass through unread. Runs
after the API key check (:class:`service.http.authn.AuthMiddleware`), as the route itself
does. Imports ``service.http.schemas`` and ``traces.jsontext``.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.routing import APIRoute

from service.http.schemas.recommendations import request_error
from traces.jsontext import JsonTextError, load_json


def takes_json(route: APIRoute) -> bool:
    """Return True when the route's body is JSON (not a CSV, a file upload or a form)."""
    field = route.body_field
    return field is not None and getattr(field.field_info, "media_type", None) == "application/json"


async def read_json_body(request: Request) -> None:
    """Decode a JSON body strictly and leave it where FastAPI looks for it (``Request.json``).

    Raises:
        fastapi.exceptions.RequestValidationError: at ``body``: another content type, not
            UTF-8, or a NUL byte in it; at the path of a key an object repeats.
    """
    body = await request.body()
    if not body:
        return  # FastAPI: "Field required" at body
    ctype = request.headers.get("content-type")
    media = (ctype or "").split(";", 1)[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        got = f"got {ctype!r}" if ctype else "no Content-Type was sent"
        raise request_error(
            [((), f"the body must be a JSON object sent with Content-Type: application/json ({got})")]
        )
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        byte = f"byte 0x{body[exc.start]:02x} at offset {exc.start}"
        raise request_error([((), f"the body is not valid UTF-8: {exc.reason} ({byte})")]) from None
    if "\0" in text:
        raise request_error(
            [((), f"the body holds a NUL byte at offset {body.index(0)}: UTF-16 or UTF-32? send UTF-8 JSON")]
        )
    try:
        parsed = load_json(text)
    except JsonTextError as exc:
        if exc.path is not None:
            raise request_error([(exc.path, exc.reason)]) from None
        return  # not JSON: FastAPI's own error
    request._json = parsed  # what Request.json() returns from now on
