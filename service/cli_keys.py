"""``acuplan keys``: create, list and revoke API keys in the service database.

Owns the ``keys`` typer group, :func:`open_store` and :func:`opened_store` (also used by
``acuplan serve`` to check its database and the loopback rule before it binds). A key is
shown once, at creation; only its SHA-256 is stored (:mod:`service.security`). The
database is ``ACUPLAN_DATABASE_URL`` (default: the SQLite file of
:func:`service.settings.default_database_url`). Exit codes as in :mod:`service.cli`: 2
with one ``error:`` line for bad input, including a database that cannot be opened or
used (a corrupt file, an unwritable data folder, a server that does not answer): the
line names ``ACUPLAN_DATABASE_URL`` and the reason, and nothing stored is changed.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, NoReturn

import typer
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from service.cli_inputs import CliInputError, load_settings
from service.errors import one_line
from service.security import SCOPES, is_loopback, new_key
from service.settings import Settings
from service.store import Store, StoreUnavailableError, failure_reason, open_engine

keys_app = typer.Typer(
    name="keys", help="Manage API keys (hashed at rest; shown once).", no_args_is_help=True
)


def open_store(settings: Settings) -> Store:
    """Open (and migrate, when ``auto_migrate``) the store the settings name.

    Args:
        settings: the service settings.

    Returns:
        The store, connected.

    Raises:
        service.store.StoreUnavailableError: the database cannot be opened
            (:func:`service.store.open_engine`).
    """
    return Store(open_engine(settings.resolved_database_url, auto_migrate=settings.auto_migrate))


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
def opened_store(settings: Settings) -> Iterator[Store]:
    """Open the store for one command and close it after.

    Args:
        settings: names the database.

    Yields:
        The store.

    Raises:
        service.cli_inputs.CliInputError: the database cannot be opened, or a call on it
            fails (:func:`database_error`).
    """
    try:
        store = open_store(settings)
    except StoreUnavailableError as exc:
        raise database_error(settings, exc.reason) from None
    try:
        yield store
    except SQLAlchemyError as exc:
        raise database_error(settings, failure_reason(exc), opening=False) from None
    finally:
        store.close()


def _fail(message: str) -> NoReturn:
    typer.echo(f"error: {one_line(message)}", err=True)
    raise typer.Exit(code=2)


@contextmanager
def _one_line_errors() -> Iterator[None]:
    """Turn the CLI's input errors (bad ``ACUPLAN_*``, database problems) into ``error:`` + exit 2."""
    try:
        yield
    except CliInputError as exc:
        _fail(str(exc))


@keys_app.command("create")
def create_key(
    name: Annotated[str, typer.Option("--name", help="A label, e.g. the scheduler that uses the key.")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="read or write; repeat for both (default: both).")
    ] = None,
) -> None:
    """Create a key and print it once; authentication is on from now on."""
    scopes = tuple(sorted(set(scope or SCOPES)))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown or not 1 <= len(name) <= 128:
        _fail(f"--scope must be read or write (got {unknown}); --name 1-128 characters")
    key = new_key()
    with _one_line_errors(), opened_store(load_settings()) as store:
        store.add_key(key.key_id, name=name, secret_sha256=key.secret_sha256, scopes=scopes)
    typer.echo(key.token)
    note = f"key {key.key_id} ({','.join(scopes)}) created; store it now, it is not shown again"
    typer.echo(note, err=True)


@keys_app.command("list")
def list_keys() -> None:
    """List keys: id, scopes, state, creation time and name (never the secret)."""
    with _one_line_errors(), opened_store(load_settings()) as store:
        keys = store.list_keys()
    for k in keys:
        state = "revoked" if k.revoked_ms is not None else "active"
        created = datetime.fromtimestamp(k.created_ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        typer.echo(f"{k.id}  {','.join(k.scopes):<10}  {state:<7}  {created}  {k.name}")


@keys_app.command("revoke")
def revoke_key(key_id: Annotated[str, typer.Argument(help="The key id (the part after acu_).")]) -> None:
    """Revoke a key; requests with it get 401 from then on."""
    with _one_line_errors(), opened_store(load_settings()) as store:
        revoked = store.revoke_key(key_id)
    if not revoked:
        _fail(f"no active key {key_id!r}")
    typer.echo(f"key {key_id} revoked")


def check_database(settings: Settings) -> None:
    """Open the store as ``acuplan serve`` will (migrating when ``auto_migrate``), then close it.

    Args:
        settings: names the database.

    Raises:
        service.cli_inputs.CliInputError: the database cannot be opened (the message
            names ``ACUPLAN_DATABASE_URL`` and the reason).
    """
    with opened_store(settings):
        pass


def check_exposure(host: str, settings: Settings) -> None:
    """Refuse a non-loopback bind address while no API key exists.

    Args:
        host: the bind address.
        settings: names the store holding the keys.

    Raises:
        service.cli_inputs.CliInputError: ``host`` is not loopback and no key is active, or
            the database cannot be opened.
    """
    if is_loopback(host):
        return
    with opened_store(settings) as store:
        has_keys = store.has_active_keys()
    if not has_keys:
        raise CliInputError(
            f"refusing to listen on {host}: it is not a loopback address and no API key exists; "
            "create one with `acuplan keys create --name NAME` or bind 127.0.0.1"
        )
