"""Opening the service's database for one CLI command, with one-line errors.

Owns :func:`opened_store` (open, yield, close; SQLAlchemy failures and, for the commands that
do not create one, a missing database become :class:`service.cli.inputs.CliInputError` naming
``ACUPLAN_DATABASE_URL`` and the reason),
:func:`check_serve_database` (what ``acuplan serve`` checks before it
binds). Imported by the commands that need a database only, so other commands do not load
SQLAlchemy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Final

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from service.cli.inputs import CliInputError
from service.errors import one_line
from service.http.security import is_loopback
from service.settings import Settings
from service.store import Store, StoreMissingError, StoreUnavailableError, failure_reason, open_engine

CREATED_BY: Final[str] = "`acuplan keys create --name NAME` or `acuplan serve` creates it"
"""What creates a database, for the commands that do not (:func:`opened_store` with ``create=False``)."""


def open_store(settings: Settings, *, create: bool = True) -> Store:
    """Open (and migrate, when ``auto_migrate``) the store the settings name.

    Args:
        settings: the service settings.
        create: create the database when it does not exist (else nothing is created).

    Returns:
        The store, connected.

    Raises:
        service.store.StoreMissingError: ``create`` is False and there is no database.
        service.store.StoreUnavailableError: the database cannot be opened
            (:func:`service.store.open_engine`).
    """
    url = settings.resolved_database_url
    return Store(open_engine(url, auto_migrate=settings.auto_migrate, create=create))


def database_error(settings: Settings, reason: str, *, opening: bool = True) -> CliInputError:
    """Build the one-line CLI error for a database that cannot be opened or used.

    Args:
        settings: names the database.
        reason: why, on one line (:func:`service.store.failure_reason`).
        opening: the database could not be opened (else: a call on it failed).

    Returns:
        E.g. ``cannot open the database ACUPLAN_DATABASE_URL=sqlite:////data/a.db: file is
        not a database``; the URL is shown without its password, and not at all when it
        does not parse; an unset variable is named with the default it falls back to.
    """
    url = settings.database_url
    if url is None:
        where = f"{settings.resolved_database_url} (the default; ACUPLAN_DATABASE_URL is not set)"
    else:
        try:
            where = f"ACUPLAN_DATABASE_URL={make_url(url).render_as_string(hide_password=True)}"
        except (SQLAlchemyError, ValueError):
            where = "ACUPLAN_DATABASE_URL"
    verb = "cannot open" if opening else "cannot use"
    return CliInputError(one_line(f"{verb} the database {where}: {reason}"))


@contextmanager
def opened_store(settings: Settings, *, create: bool = True) -> Iterator[Store]:
    """Open the store for one command and close it after.

    Args:
        settings: names the database.
        create: create the database when it does not exist; False for the commands that
            only read or change what is stored (``keys list``, ``keys revoke``): a missing
            database is then an error and no file, folder or table is created.

    Yields:
        The store.

    Raises:
        service.cli.inputs.CliInputError: the database cannot be opened, does not exist
            (``create=False``: ``... it does not exist; this command creates none (...)``),
            or a call on it fails (:func:`database_error`).
    """
    try:
        store = open_store(settings, create=create)
    except StoreMissingError as exc:
        raise database_error(settings, f"{exc.reason}; this command creates none ({CREATED_BY})") from None
    except StoreUnavailableError as exc:
        raise database_error(settings, exc.reason) from None
    try:
        yield store
    except SQLAlchemyError as exc:
        raise database_error(settings, failure_reason(exc), opening=False) from None
    finally:
        store.close()


def check_serve_database(host: str, settings: Settings) -> str | None:
    """Check the database and the bind address for ``acuplan serve``, opening the store once.

    The store is opened (and migrated when ``auto_migrate``) as the server will; a
    non-loopback bind address is refused while authentication is off (no API key was ever
    created: :meth:`service.store.Store.has_keys`). Once a key was created authentication
    stays on, also when every key is revoked: the server then answers every ``/v1``
    request 401, which the returned warning says.

    Args:
        host: the bind address.
        settings: names the database.

    Returns:
        A one-line warning when keys exist but none is active, else None.

    Raises:
        service.cli.inputs.CliInputError: the database cannot be opened (the message names
            ``ACUPLAN_DATABASE_URL`` and the reason), or ``host`` is not loopback and no key
            was ever created.
    """
    with opened_store(settings) as store:
        keys_on, any_active = store.has_keys(), store.has_active_keys()
    if not keys_on and not is_loopback(host):
        raise CliInputError(
            f"refusing to listen on {host}: it is not a loopback address and no API key exists; "
            "create one with `acuplan keys create --name NAME` or bind 127.0.0.1"
        )
    if keys_on and not any_active:
        return (
            "every API key is revoked: every /v1 request gets 401 until one is created "
            "(`acuplan keys create --name NAME`)"
        )
    return None
