"""Typed FastAPI dependencies: settings and the policy configuration they imply.

Owns :data:`SettingsDep` and :data:`PolicyConfigDep`. Handlers declare these aliases
instead of importing settings; tests replace :func:`service.settings.get_settings`
through ``app.dependency_overrides``. Imports ``policy`` public names only.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from policy import PolicyConfig
from service.settings import Settings, get_settings

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
