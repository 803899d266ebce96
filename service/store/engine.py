"""Database engines and migrations: SQLite (embedded, default) or PostgreSQL by URL.

Owns :func:`make_engine` (the only place connection options are chosen),
:func:`migrate` (runs the Alembic revisions in ``service/store/migrations`` up to head),
:func:`open_engine` (both, plus a first connection, with every failure turned into one
:class:`StoreUnavailableError`; with ``create=False`` a database that does not exist yet is
:class:`StoreMissingError` and nothing is created), :func:`is_in_memory_sqlite` (a URL the store
refuses: every pooled connection would see its own empty database) and :func:`failure_reason` (why a
database call failed, in one line, for the CLI and the logs).

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
from alembic.util import CommandError
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, SQLAlchemyError

MIGRATIONS_DIR: Final[Path] = Path(__file__).resolve().parent / "migrations"
"""Alembic script directory, shipped inside the package (read-only)."""

SQLITE_BUSY_TIMEOUT_S: Final[float] = 30.0
"""How long a SQLite writer waits for the write lock before failing (concurrent writers queue)."""

BACKENDS: Final[tuple[str, ...]] = ("sqlite", "postgresql")
"""The databases the store runs on (its migrations and upserts are written for these two)."""

URL_FORMS: Final[str] = "sqlite:///path.db or postgresql://user@host:port/db"
"""The database URLs the store accepts, as said in error messages."""


class StoreUnavailableError(Exception):
    """The database cannot be reached, created, read or migrated.

    Args:
        reason: why, on one line, without the password of the URL.

    Attributes:
        reason: the same.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class StoreMissingError(StoreUnavailableError):
    """The database does not exist yet and the caller asked not to create it.

    A SQLite file that is not there (its folder is not created either), or a PostgreSQL
    database without acuplan's tables (no ``alembic_version``).
    """


def failure_reason(exc: BaseException) -> str:
    """Say in one line why a database call failed, without a traceback or a password.

    Args:
        exc: an error of :func:`make_engine`, :func:`migrate` or a store call:
            ``sqlalchemy.exc.SQLAlchemyError``, ``alembic.util.CommandError`` or ``OSError``.

    Returns:
        The driver's own message for database errors (e.g. ``file is not a database``,
        ``connection failed: ... Connection refused``), Alembic's for an unknown schema
        revision, ``<strerror>: <path>`` for a file system error.
    """
    if isinstance(exc, DBAPIError) and exc.orig is not None:
        message = str(exc.orig)
    elif isinstance(exc, CommandError):
        message = f"its schema is not one this version of acuplan knows ({exc})"
    elif isinstance(exc, OSError):
        message = f"{exc.strerror or exc}: {exc.filename}" if exc.filename else str(exc)
    elif isinstance(exc, SQLAlchemyError) and exc.args:
        message = str(exc.args[0])
    else:
        message = str(exc) or type(exc).__name__
    return " ".join(message.split())


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


IN_MEMORY_REASON: Final[str] = (
    "it is an in-memory SQLite database: each connection would get its own empty database, so the "
    f"tables, keys and metrics acuplan stores would be lost; use {URL_FORMS}"
)
"""Why an in-memory SQLite URL is refused (:func:`is_in_memory_sqlite`)."""


def is_in_memory_sqlite(url: str) -> bool:
    """Whether ``url`` names an in-memory SQLite database.

    The store opens a pool of connections, and each connection to an in-memory SQLite
    database gets its own empty one: the migrations would create the tables on one
    connection and every later call would find none.

    Args:
        url: a parsed-ok SQLAlchemy database URL.

    Returns:
        True for ``sqlite://``, ``sqlite:///``, ``sqlite:///:memory:`` (any ``sqlite+driver``)
        and URI filenames that ask for memory (``file::memory:``, ``mode=memory``).

    Examples:
        >>> is_in_memory_sqlite("sqlite://"), is_in_memory_sqlite("sqlite:///a.db")
        (True, False)
    """
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    if database in ("", ":memory:"):
        return True
    if str(parsed.query.get("uri", "")).lower() in ("true", "1"):  # the query is the file URI's
        return ":memory:" in database or "mode=memory" in database or parsed.query.get("mode") == "memory"
    return False


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

    Raises:
        sqlalchemy.exc.ArgumentError: ``url`` is not a URL, names a database other than
            SQLite and PostgreSQL, or an in-memory SQLite database (:data:`IN_MEMORY_REASON`).
        OSError: a SQLite file's folder cannot be created.
    """
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() not in BACKENDS:
        raise ArgumentError(f"{parsed.get_backend_name()!r} is not a supported database: use {URL_FORMS}")
    if is_in_memory_sqlite(url):
        raise ArgumentError(IN_MEMORY_REASON)
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


def _sqlite_file(url: str) -> Path | None:
    """The file a SQLite URL names (None: not SQLite, or an in-memory database)."""
    parsed = make_url(normalise_url(url))
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database).expanduser()


def _has_schema(engine: Engine) -> bool:
    """Whether the database holds acuplan's tables (an ``alembic_version`` table); connects."""
    with engine.connect() as conn:
        return inspect(conn).has_table("alembic_version")


def open_engine(url: str, *, auto_migrate: bool, create: bool = True) -> Engine:
    """Create the engine, migrate it (when ``auto_migrate``) and connect once.

    Opening never rewrites a file that is not an acuplan database, nor a database whose
    schema is newer than this version's: both fail before any write. With ``create=False``
    (commands that only read or change what exists) a database that does not exist yet is
    not created: no SQLite file or folder, no tables on a PostgreSQL server.

    Args:
        url: the database URL (:func:`make_engine`).
        auto_migrate: run :func:`migrate` to head; else only connect.
        create: create the database (the SQLite file, the schema) when it does not exist.

    Returns:
        The engine, usable.

    Raises:
        StoreMissingError: ``create`` is False and the SQLite file does not exist, or the
            PostgreSQL database has no acuplan tables; nothing is created.
        StoreUnavailableError: ``url`` is not a supported URL (an in-memory SQLite database
            included: :data:`IN_MEMORY_REASON`; nothing is created), the SQLite file's folder
            cannot be created or written, the file is not a database, the server does not
            answer or refuses the login, or the schema cannot be migrated. The reason is
            :func:`failure_reason`'s, with a hint for SQLite files that cannot be opened.
    """
    try:
        make_url(normalise_url(url))
    except (ArgumentError, ValueError):  # ValueError: e.g. a port that is not a number
        raise StoreUnavailableError(f"not a database URL: use {URL_FORMS}") from None
    if is_in_memory_sqlite(url):  # before a missing database is reported: there is never one
        raise StoreUnavailableError(IN_MEMORY_REASON)
    file = _sqlite_file(url)
    if not create and file is not None and not file.is_file():
        raise StoreMissingError("it does not exist")
    try:
        engine = make_engine(url)
    except ArgumentError as exc:
        raise StoreUnavailableError(failure_reason(exc)) from None
    except ImportError as exc:  # a driver in the URL that is not installed, e.g. postgresql+asyncpg
        raise StoreUnavailableError(f"its driver is not installed ({exc})") from None
    except OSError as exc:
        raise StoreUnavailableError(f"cannot create its folder: {failure_reason(exc)}") from None
    try:
        if not create and file is None and not _has_schema(engine):
            engine.dispose()
            raise StoreMissingError("it has no acuplan tables")
        if auto_migrate:
            migrate(engine)
        else:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
    except (SQLAlchemyError, CommandError, OSError) as exc:
        engine.dispose()
        reason = failure_reason(exc)
        database = engine.url.database
        if engine.dialect.name == "sqlite" and database and "unable to open database file" in reason:
            reason += f" (check that {Path(database).expanduser().parent} is a writable folder)"
        raise StoreUnavailableError(reason) from None
    return engine
