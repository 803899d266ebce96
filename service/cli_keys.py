"""``acuplan keys``: create, list and revoke API keys in the service database.

Owns the ``keys`` typer group and :func:`open_store` (also used by ``acuplan serve`` to
check the loopback rule). A key is shown once, at creation; only its SHA-256 is stored
(:mod:`service.security`). The database is ``ACUPLAN_DATABASE_URL`` (default: the
SQLite file of :func:`service.settings.default_database_url`). Exit codes as in
:mod:`service.cli`: 2 with one ``error:`` line for bad input.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

import typer

from service.security import SCOPES, is_loopback, new_key
from service.settings import Settings
from service.store import Store, make_engine, migrate

keys_app = typer.Typer(
    name="keys", help="Manage API keys (hashed at rest; shown once).", no_args_is_help=True
)


def open_store(settings: Settings) -> Store:
    """Open (and migrate, when ``auto_migrate``) the store the settings name.

    Args:
        settings: the service settings.

    Returns:
        The store.
    """
    engine = make_engine(settings.resolved_database_url)
    if settings.auto_migrate:
        migrate(engine)
    return Store(engine)


def _settings() -> Settings:
    from service.cli_inputs import load_settings

    return load_settings()


def _fail(message: str) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code=2)


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
    store = open_store(_settings())
    store.add_key(key.key_id, name=name, secret_sha256=key.secret_sha256, scopes=scopes)
    store.close()
    typer.echo(key.token)
    note = f"key {key.key_id} ({','.join(scopes)}) created; store it now, it is not shown again"
    typer.echo(note, err=True)


@keys_app.command("list")
def list_keys() -> None:
    """List keys: id, scopes, state, creation time and name (never the secret)."""
    store = open_store(_settings())
    for k in store.list_keys():
        state = "revoked" if k.revoked_ms is not None else "active"
        created = datetime.fromtimestamp(k.created_ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        typer.echo(f"{k.id}  {','.join(k.scopes):<10}  {state:<7}  {created}  {k.name}")
    store.close()


@keys_app.command("revoke")
def revoke_key(key_id: Annotated[str, typer.Argument(help="The key id (the part after acu_).")]) -> None:
    """Revoke a key; requests with it get 401 from then on."""
    store = open_store(_settings())
    revoked = store.revoke_key(key_id)
    store.close()
    if not revoked:
        _fail(f"no active key {key_id!r}")
    typer.echo(f"key {key_id} revoked")


def check_exposure(host: str, settings: Settings) -> None:
    """Refuse a non-loopback bind address while no API key exists.

    Args:
        host: the bind address.
        settings: names the store holding the keys.

    Raises:
        service.cli_inputs.CliInputError: ``host`` is not loopback and no key is active.
    """
    from service.cli_inputs import CliInputError

    if is_loopback(host):
        return
    store = open_store(settings)
    try:
        has_keys = store.has_active_keys()
    finally:
        store.close()
    if not has_keys:
        raise CliInputError(
            f"refusing to listen on {host}: it is not a loopback address and no API key exists; "
            "create one with `acuplan keys create --name NAME` or bind 127.0.0.1"
        )
