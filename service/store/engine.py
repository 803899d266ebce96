"""Database engines and migrations: SQLite (embedded, default) or PostgreSQL by URL.

Owns :func:`make_engine` (the only place connection options are chosen) and
:func:`migrate` (runs the Alembic revisions in ``service/store/migrations`` up to head).

SQLite is opened for safe concurrent writers: WAL journal (readers never block the one
writer), ``synchronous=FULL`` (a committed transaction survives a crash or power loss),
``busy_timeout`` 30 s, foreign keys on, and every transaction begins with ``BEGIN
IMMEDIATE`` so two writers queue for the write lock instead of failing on a lock upgrade.
PostgreSQL uses psycopg 3 (``postgresql+psycopg://``; a plain ``postgresql://`` URL is
mapped to it) with a pre-ping pool. Imports SQLAlchemy and Alembic only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Final

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url

MIGRATIONS_DIR: Final[Path] = Path(__file__).resolve().parent / "migrations"
"""Alembic script directory, shipped inside the package (read-only)."""

SQLITE_BUSY_TIMEOUT_S: Final[float] = 30.0
"""How long a SQLite writer waits for the write lock before failing (concurrent writers queue)."""


def normalise_url(url: str) -> str:
    """Map ``postgresql://`` and ``postgres://`` URLs to the psycopg 3 driver.

    Args:
        url: a SQLAlchemy database URL.

    Returns:
        The URL with an explicit driver for PostgreSQL; other URLs unchanged.
    """
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # SQLAlchemy's "begin" hook issues BEGIN itself
    cursor = dbapi_connection.cursor()
    for pragma in (
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=FULL",
        "PRAGMA foreign_keys=ON",
        f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}",
    ):
        cursor.execute(pragma)
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def make_engine(url: str) -> Engine:
    """Create the engine for ``url`` with the options described in the module docstring.

    A SQLite file's parent directory is created when missing.

    Args:
        url: ``sqlite:///path.db`` or ``postgresql://user@host:port/db``.

    Returns:
        A pooled SQLAlchemy engine (not yet connected).
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S})
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin)
    return engine


def alembic_config(engine: Engine) -> Config:
    """Return an Alembic configuration bound to ``engine`` (no ini file is read).

    Args:
        engine: the database to migrate.

    Returns:
        The config; ``env.py`` takes the connection from ``attributes["connection"]``.
    """
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def migrate(engine: Engine, revision: str = "head") -> None:
    """Upgrade the database schema to ``revision`` (idempotent).

    Args:
        engine: the database.
        revision: target revision; ``head`` is the latest.
    """
    command.upgrade(alembic_config(engine), revision)
