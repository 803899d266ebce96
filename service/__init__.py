"""Service adapters: the HTTP API (FastAPI) and the ``acuplan`` command line (typer).

Adapters only: they validate input, call ``policy`` and format output. This is the only
package that reads the environment, the clock or files besides ``traces``' loaders, and
the only one that configures logging. May import the public names of ``policy``,
``traces``, ``placement`` and ``forecasting``; nothing imports ``service``.

The names below load on first use (PEP 562), so ``acuplan --help`` does not pay for
FastAPI, statsmodels and SQLAlchemy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from service.http.app import create_app
    from service.settings import ServerSettings, Settings, get_server_settings, get_settings

_EXPORTS: dict[str, str] = {
    "create_app": "service.http.app",
    "ServerSettings": "service.settings",
    "Settings": "service.settings",
    "get_server_settings": "service.settings",
    "get_settings": "service.settings",
}

__all__ = ["ServerSettings", "Settings", "create_app", "get_server_settings", "get_settings"]


def __getattr__(name: str) -> Any:
    """Load an exported name from its module on first use (PEP 562)."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'service' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
