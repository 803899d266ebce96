"""API keys: generation, hashing at rest, constant-time checks, per-key scopes, loopback rule.

Owns the key format, :func:`new_key`, :func:`verify_key`, :func:`authorize`,
:func:`authorize_request` and :func:`is_loopback`.

A key reads ``acu_<id>_<secret>``: ``id`` is 12 hex digits (public, the database key),
``secret`` 43 URL-safe characters (256 random bits). Only ``sha256(secret)`` is stored;
with 256-bit random secrets a fast hash is enough (no password stretching is needed), and
the stored digest is compared with :func:`hmac.compare_digest`. Scopes are ``read``
(GET endpoints, ``/metrics``) and ``write`` (everything that stores or starts work).

Authentication is on exactly when the store holds at least one key, active or revoked
(:meth:`service.store.Store.has_keys`): once a key was created it stays on, and a store
whose keys are all revoked answers every request 401 until a new key is created. While no
key was ever created, ``acuplan serve`` refuses to listen on a non-loopback address
(:func:`is_loopback`). Probes (``/healthz``, ``/livez``, ``/readyz``) never need a key.
Imports ``service.store`` only.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass
from typing import Final, Literal

from service.store import KeyRecord, Store

Scope = Literal["read", "write"]
"""What a key may do."""

SCOPES: Final[tuple[Scope, ...]] = ("read", "write")
"""Every scope, in order."""

_KEY_RE: Final[re.Pattern[str]] = re.compile(r"acu_([0-9a-f]{12})_([A-Za-z0-9_-]{20,128})")
_DUMMY_DIGEST: Final[str] = hashlib.sha256(b"acuplan-no-such-key").hexdigest()


@dataclass(frozen=True)
class NewKey:
    """A freshly generated key: show ``token`` once, store the rest.

    Attributes:
        token: the full key for the client (``acu_<id>_<secret>``).
        key_id: its public id.
        secret_sha256: what the store keeps.
    """

    token: str
    key_id: str
    secret_sha256: str


@dataclass(frozen=True)
class Principal:
    """Who is calling.

    Attributes:
        key_id: the key's id, or None when authentication is off.
        scopes: what the caller may do.
    """

    key_id: str | None
    scopes: tuple[str, ...]


class AuthError(Exception):
    """A request without a valid key (401) or without the needed scope (403).

    Attributes:
        status: 401 or 403.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def hash_secret(secret: str) -> str:
    """Return the hex SHA-256 of a key secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


def new_key() -> NewKey:
    """Generate a key from the OS's CSPRNG.

    Returns:
        The token and what to store.
    """
    key_id, secret = secrets.token_hex(6), secrets.token_urlsafe(32)
    return NewKey(token=f"acu_{key_id}_{secret}", key_id=key_id, secret_sha256=hash_secret(secret))


def verify_key(store: Store, token: str) -> KeyRecord | None:
    """Return the active key ``token`` belongs to, or None.

    The digest comparison is constant-time; an unknown id still costs one comparison.

    Args:
        store: where key digests are kept.
        token: the key as the client sent it.

    Returns:
        The key's record, or None for a malformed, unknown, revoked or wrong key.
    """
    match = _KEY_RE.fullmatch(token.strip())
    if match is None:
        return None
    key = store.active_key(match.group(1))
    digest = hash_secret(match.group(2))
    ok = hmac.compare_digest(digest, key.secret_sha256 if key is not None else _DUMMY_DIGEST)
    return key if ok and key is not None else None


def authorize(store: Store, token: str | None, scope: Scope) -> Principal:
    """Check a request's key against the scope an endpoint needs.

    Args:
        store: the key store.
        token: from ``X-API-Key`` or ``Authorization: Bearer``, or None.
        scope: what the endpoint needs.

    Returns:
        The caller; anonymous with every scope while no key was ever created.

    Raises:
        AuthError: 401 without a valid (active) key once any key was created, also when
            every key is revoked; 403 without the scope.
    """
    if not store.has_keys():
        return Principal(key_id=None, scopes=SCOPES)
    if not token:
        raise AuthError(401, "an API key is required: send X-API-Key or Authorization: Bearer <key>")
    key = verify_key(store, token)
    if key is None:
        raise AuthError(401, "the API key is not valid")
    if scope not in key.scopes:
        raise AuthError(403, f"the API key lacks the {scope!r} scope")
    return Principal(key_id=key.id, scopes=key.scopes)


def authorize_request(store: Store, api_key: str | None, bearer: str | None, scope: Scope) -> Principal:
    """Check a request's credentials, as sent in its headers, against the scope it needs.

    The one rule for the dependencies (:mod:`service.http.deps`) and the middleware that checks
    keys before a body is read (:mod:`service.http.authn`).

    Args:
        store: the key store.
        api_key: the ``X-API-Key`` header, or None.
        bearer: the token of ``Authorization: Bearer <token>``, or None.
        scope: what the endpoint needs.

    Returns:
        The caller (:func:`authorize`).

    Raises:
        AuthError: 401 when both headers carry different keys (once keys exist: trust
            neither) or without a valid key; 403 without the scope (:func:`authorize`).
    """
    if api_key and bearer and bearer != api_key and store.has_keys():
        raise AuthError(401, "X-API-Key and Authorization: Bearer carry different keys: send one")
    return authorize(store, api_key or bearer, scope)


def is_loopback(host: str) -> bool:
    """Return True when ``host`` only accepts connections from this machine.

    Args:
        host: a bind address or host name.

    Returns:
        True for ``localhost`` and 127.0.0.0/8 or ``::1`` addresses; False for
        ``0.0.0.0``, ``::``, other addresses and other names.
    """
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
