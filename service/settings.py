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
    ACUPLAN_SOLVER_TIME_LIMIT_S       CP-SAT wall-clock backstop per solve, s (10.0)
    ACUPLAN_SOLVER_DETERMINISTIC_TIME_LIMIT  CP-SAT work limit per solve, deterministic units (1.0)
    ACUPLAN_SOLVER_NUM_WORKERS        CP-SAT workers (1: reproducible)
    ACUPLAN_SOLVER_RANDOM_SEED        CP-SAT seed (0)
    ACUPLAN_HORIZON_S                 default plan horizon, s (library default when unset)
    ACUPLAN_RISK_QUANTILE             default risk quantile (library default when unset)
    ACUPLAN_TARGET_UTILISATION        default target utilisation (library default when unset)
    ACUPLAN_LOG_FORMAT                json | text (json)                              [server]
    ACUPLAN_SHUTDOWN_GRACE_S          seconds in-flight requests get on SIGTERM (20)  [server]
    ACUPLAN_DATABASE_URL              sqlite:///path.db or postgresql://... (default:
                                      $XDG_DATA_HOME/acuplan/acuplan.db, else
                                      ~/.local/share/acuplan/acuplan.db; an in-memory
                                      SQLite URL is refused when the store is opened)
    ACUPLAN_AUTO_MIGRATE              apply database migrations at start-up (true)
    ACUPLAN_MAX_BODY_BYTES            largest request body, bytes (16 MiB)
    ACUPLAN_REQUEST_TIMEOUT_S         longest a request may take, s (30)
    ACUPLAN_SOLVER_POOL_WORKERS       threads that run recommendation solves (2)
    ACUPLAN_SOLVER_POOL_QUEUE         solves that may wait for a thread; beyond: 503 (8)
    ACUPLAN_REPLAY_WORKERS            threads that run replay jobs (1)
    ACUPLAN_LEARN_EVERY_S             re-learn a registered cluster's risk quantile after this
                                      much data time, s (86400; 0: never)
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
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
        log_format: ``json`` (one object per line, with request ids) or ``text``.
        shutdown_grace_s: on SIGTERM, how long in-flight requests may finish.

    Raises:
        pydantic.ValidationError: a variable is malformed or out of range.
    """

    model_config = _ENV

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65_535)
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["json", "text"] = "json"
    shutdown_grace_s: int = Field(default=20, ge=0, le=600)


def default_database_url() -> str:
    """Return the default SQLite URL: ``$XDG_DATA_HOME/acuplan/acuplan.db``.

    ``XDG_DATA_HOME`` defaults to ``~/.local/share``; never a path inside the package.

    Returns:
        E.g. ``sqlite:////home/me/.local/share/acuplan/acuplan.db``.
    """
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return f"sqlite:///{Path(base) / 'acuplan' / 'acuplan.db'}"


class Settings(BaseSettings):
    """Policy and solver configuration, validated when built (fail fast on a bad variable).

    Unset library knobs (``None``) keep :class:`policy.PolicyConfig`'s documented
    defaults, so each default lives in exactly one place. Server variables
    (``ACUPLAN_HOST``, ``ACUPLAN_PORT``, ``ACUPLAN_LOG_LEVEL``) are not read here; see
    :class:`ServerSettings`.

    Attributes:
        solver_time_limit_s: CP-SAT wall-clock backstop per solve, seconds. Bounds the
            time one HTTP request can hold a worker thread on an overloaded machine.
        solver_deterministic_time_limit: CP-SAT work limit per solve, deterministic-time
            units (``SolverParams.deterministic_time_limit``): the limit that normally
            stops a hard solve, the same on every rerun whatever the load.
        solver_num_workers: CP-SAT workers; 1 keeps solves reproducible (more workers race;
            ``interleave_search`` keeps them deterministic, sources: cp-sat).
        solver_random_seed: CP-SAT seed.
        horizon_s: default plan horizon, seconds, or None for the library default.
        risk_quantile: default risk quantile in (0.5, 1), or None.
        target_utilisation: default target utilisation in [0.1, 1]
            (``policy.config.MIN_TARGET_UTILISATION``), or None.
        database_url: SQLAlchemy URL of the store, or None for :func:`default_database_url`.
        auto_migrate: run the Alembic migrations to head at start-up.
        max_body_bytes: larger request bodies get a 413.
        request_timeout_s: a request still running after this gets a 503 ``timeout``.
        solver_pool_workers: threads for recommendation and forecast solves.
        solver_pool_queue: solves that may wait for a thread; more get a 503 ``overloaded``.
        replay_workers: threads for replay jobs (each replay is long; 1 keeps a core free).
        learn_every_s: a per-cluster recommendation queues a learning job for its cluster
            (``service.http.learning``) when this much data time has passed since the last
            one; 0 turns learning off (recommendations plan at the configured quantile).

    Raises:
        pydantic.ValidationError: a variable is malformed or out of range.
    """

    model_config = _ENV

    # SolverParams' defaults; the cap keeps one request from pinning a thread for minutes.
    solver_time_limit_s: float = Field(default=10.0, gt=0.0, le=60.0)
    solver_deterministic_time_limit: float = Field(default=1.0, gt=0.0, le=60.0)
    solver_num_workers: int = Field(default=1, ge=1, le=64)
    solver_random_seed: int = Field(default=0, ge=0)
    horizon_s: int | None = None
    risk_quantile: float | None = None
    target_utilisation: float | None = None
    database_url: str | None = None
    auto_migrate: bool = True
    # 16 MiB: a 40,320-point JSON history is ~2.5 MB; a 14-day CSV at 30 s a little more.
    max_body_bytes: int = Field(default=16 * 1024 * 1024, ge=1024, le=1024**3)
    request_timeout_s: float = Field(default=30.0, gt=0.0, le=3600.0)
    solver_pool_workers: int = Field(default=2, ge=1, le=64)  # 2 = the cores of our reference machine
    solver_pool_queue: int = Field(default=8, ge=0, le=10_000)
    replay_workers: int = Field(default=1, ge=1, le=16)
    # A day, as SchedulerConfig.learn_every_s: the posture's 7-day window moves little in a day.
    learn_every_s: int = Field(default=86_400, ge=0, le=28 * 86_400)

    @property
    def resolved_database_url(self) -> str:
        """The store URL: ``database_url`` or :func:`default_database_url`."""
        return self.database_url or default_database_url()

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
            deterministic_time_limit=self.solver_deterministic_time_limit,
            num_workers=self.solver_num_workers,
            random_seed=self.solver_random_seed,
        )
        return PolicyConfig(solver=solver, **overrides)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Build the settings from the environment once and cache them.

    Tests and embedders replace this with ``app.dependency_overrides`` or pass
    ``settings`` to :func:`service.http.app.create_app`.

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
