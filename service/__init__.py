"""Service adapters: the HTTP API (FastAPI) and the ``acuplan`` command line (typer).

Adapters only: they validate input, call ``policy`` and format output. This is the only
package that reads the environment, the clock or files besides ``traces``' loaders, and
the only one that configures logging. May import the public names of ``policy``,
``traces``, ``placement`` and ``forecasting``; nothing imports ``service``.
"""

from service.app import create_app
from service.settings import ServerSettings, Settings, get_server_settings, get_settings

__all__ = ["ServerSettings", "Settings", "create_app", "get_server_settings", "get_settings"]
