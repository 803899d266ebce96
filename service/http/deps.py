"""Typed FastAPI dependencies: settings, policy configuration, runtime, store and API-key scopes.

Owns :data:`SettingsDep`, :data:`PolicyConfigDep`, :data:`RuntimeDep`, :data:`StoreDep`,
:data:`ReadScope` and :data:`WriteScope`. Handlers declare these aliases instead of
importing settings or globals; tests replace :func:`service.settings.get_settings`
through ``app.dependency_overrides``. Imports ``policy`` public names and ``service``
modules.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request, Security
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer

from policy import PolicyConfig
from service.http.runtime import Runtime
from service.http.security import AuthError, Principal, Scope, authorize_request
from service.settings import Settings, get_settings
from service.store import Store

SettingsDep = Annotated[Settings, Depends(get_settings)]
"""The service settings (cached; overridable in tests)."""


def get_policy_config(settings: SettingsDep) -> PolicyConfig:
    """Return the policy configuration the settings map to.

    Args:
        settings: the service settings.

    Returns:
        ``settings.to_policy_config()``.
    """
    return settings.to_policy_config()


PolicyConfigDep = Annotated[PolicyConfig, Depends(get_policy_config)]
"""The service's default policy configuration, before per-request overrides."""


def get_runtime(request: Request) -> Runtime:
    """Return the app's runtime, started by its lifespan.

    Raises:
        RuntimeError: the app was used without its lifespan (use ``with TestClient(app)``).
    """
    runtime = getattr(request.app.state, "runtime", None)
    if not isinstance(runtime, Runtime):
        raise RuntimeError("the app's lifespan has not started (use `with TestClient(app)`)")
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]
"""The running app's store, pools and metrics."""


def get_store(runtime: RuntimeDep) -> Store:
    """Return the runtime's store."""
    return runtime.store


StoreDep = Annotated[Store, Depends(get_store)]
"""The database."""

_api_key = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="An acuplan API key (`acuplan keys create`)."
)
_bearer = HTTPBearer(auto_error=False, description="The same API key as a bearer token.")


def _principal(
    scope: Scope,
    runtime: Runtime,
    api_key: str | None,
    bearer: HTTPAuthorizationCredentials | None,
) -> Principal:
    other = bearer.credentials if bearer is not None else None
    try:
        return authorize_request(runtime.store, api_key, other, scope)
    except AuthError as exc:
        headers = {"WWW-Authenticate": 'Bearer realm="acuplan"'} if exc.status == 401 else None
        raise HTTPException(status_code=exc.status, detail=str(exc), headers=headers) from None


def require_read(
    runtime: RuntimeDep,
    api_key: Annotated[str | None, Security(_api_key)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Principal:
    """Authorize a reading request (scope ``read``) once any API key was created."""
    return _principal("read", runtime, api_key, bearer)


def require_write(
    runtime: RuntimeDep,
    api_key: Annotated[str | None, Security(_api_key)],
    bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_bearer)],
) -> Principal:
    """Authorize a request that stores data or starts work (scope ``write``)."""
    return _principal("write", runtime, api_key, bearer)


ReadScope = Annotated[Principal, Depends(require_read)]
"""The caller, who holds the ``read`` scope (or authentication is off: no key was ever created)."""

WriteScope = Annotated[Principal, Depends(require_write)]
"""The caller, who holds the ``write`` scope (or authentication is off: no key was ever created)."""
