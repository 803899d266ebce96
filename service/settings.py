"""Service settings: read once from ``ACUPLAN_*`` environment variables, injected, never imported.

Owns :class:`Settings` (the policy and solver knobs every command uses),
:class:`ServerSettings` (what only ``acuplan serve`` uses), :func:`get_settings` and
:func:`get_server_settings` (the only places they are built, cached) and
:meth:`Settings.to_policy_config` (the only mapping from service settings to the library's
:class:`policy.PolicyConfig`). They are split so that a bad server variable (e.g.
``ACUPLAN_PORT=99999``) breaks ``acuplan serve`` only, not ``recommend`` or ``replay``.
The library itself never reads the environment. Imports ``policy`` and ``placement``
public names only.

Environment variables (all optional; empty values are ignored)::

    ACUPLAN_HOST                      bind address of ``acuplan serve`` (127.0.0.1)   [server]
    ACUPLAN_PORT                      bind port (8000)                                [server]
    ACUPLAN_LOG_LEVEL                 debug | info | warning | error (info)           [server]
    ACUPLAN_SOLVER_TIME_LIMIT_S       CP-SAT wall-time limit per solve, s (2.0)
    ACUPLAN_SOLVER_NUM_WORKERS        CP-SAT workers (1: reproducible)
    ACUPLAN_SOLVER_RANDOM_SEED        CP-SAT seed (0)
    ACUPLAN_HORIZON_S                 default plan horizon, s (library default when unset)
    ACUPLAN_RISK_QUANTILE             default risk quantile (library default when unset)
    ACUPLAN_TARGET_UTILISATION        default target utilisation (library default when unset)
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from placement import SolverParams
from policy import PolicyConfig

_ENV = SettingsConfigDict(env_prefix="ACUPLAN_", env_ignore_empty=True, extra="ignore", frozen=True)


class ServerSettings(BaseSettings):
    """How ``acuplan serve`` listens and logs, validated when built.

    Attributes:
        host: bind address.
        port: bind port.
        log_level: uvicorn / root log level.

    Raises:
        pydantic.ValidationError: a variable is malformed or out of range.
    """

    model_config = _ENV

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65_535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"


class Settings(BaseSettings):
    """Policy and solver configuration, validated when built (fail fast on a bad variable).

    Unset library knobs (``None``) keep :class:`policy.PolicyConfig`'s documented
    defaults, so each default lives in exactly one place. Server variables
    (``ACUPLAN_HOST``, ``ACUPLAN_PORT``, ``ACUPLAN_LOG_LEVEL``) are not read here; see
    :class:`ServerSettings`.

    Attributes:
        solver_time_limit_s: CP-SAT wall-time limit per solve, seconds. Bounds the time
            one HTTP request can hold a worker thread.
        solver_num_workers: CP-SAT workers; 1 keeps solves reproducible (FACTS.md E).
        solver_random_seed: CP-SAT seed.
        horizon_s: default plan horizon, seconds, or None for the library default.
        risk_quantile: default risk quantile in (0.5, 1), or None.
        target_utilisation: default target utilisation in (0, 1], or None.

    Raises:
        pydantic.ValidationError: a variable is malformed or out of range.
    """

    model_config = _ENV

    # 2 s = SolverParams' default; the cap keeps one request from pinning a thread for minutes.
    solver_time_limit_s: float = Field(default=2.0, gt=0.0, le=60.0)
    solver_num_workers: int = Field(default=1, ge=1, le=64)
    solver_random_seed: int = Field(default=0, ge=0)
    horizon_s: int | None = None
    risk_quantile: float | None = None
    target_utilisation: float | None = None

    @model_validator(mode="after")
    def _check_policy_config(self) -> Settings:
        self.to_policy_config()  # fail at start-up, not on the first request
        return self

    def to_policy_config(self) -> PolicyConfig:
        """Map these settings onto the library's policy configuration.

        Returns:
            A frozen :class:`policy.PolicyConfig`; fields left ``None`` here keep the
            library defaults.

        Raises:
            pydantic.ValidationError: a default is outside PolicyConfig's range (e.g.
                ``ACUPLAN_RISK_QUANTILE=0.4``).
        """
        overrides: dict[str, Any] = {
            name: value
            for name in ("horizon_s", "risk_quantile", "target_utilisation")
            if (value := getattr(self, name)) is not None
        }
        solver = SolverParams(
            time_limit_s=self.solver_time_limit_s,
            num_workers=self.solver_num_workers,
            random_seed=self.solver_random_seed,
        )
        return PolicyConfig(solver=solver, **overrides)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Build the settings from the environment once and cache them.

    Tests and embedders replace this with ``app.dependency_overrides`` or pass
    ``settings`` to :func:`service.app.create_app`.

    Returns:
        The process-wide :class:`Settings`.

    Raises:
        pydantic.ValidationError: an ``ACUPLAN_*`` variable is invalid.
    """
    return Settings()


@lru_cache(maxsize=1)
def get_server_settings() -> ServerSettings:
    """Build the server settings from the environment once and cache them.

    Returns:
        The process-wide :class:`ServerSettings`.

    Raises:
        pydantic.ValidationError: ``ACUPLAN_HOST``, ``ACUPLAN_PORT`` or
            ``ACUPLAN_LOG_LEVEL`` is invalid.
    """
    return ServerSettings()
