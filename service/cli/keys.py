"""``acuplan keys``: create, list and revoke API keys in the service database.

Owns the ``keys`` typer group; the database is opened by :mod:`service.cli.database`
(imported inside the commands, so ``acuplan --help`` does not load SQLAlchemy). A key is
shown once, at creation; only its SHA-256 is stored (:mod:`service.http.security`). The
database is ``ACUPLAN_DATABASE_URL`` (default: the SQLite file of
:func:`service.settings.default_database_url`). Exit codes as in :mod:`service.cli.main`: 2
with one ``error:`` line for bad input, including a database that cannot be opened or
used (a corrupt file, an unwritable data folder, a server that does not answer): the
line names ``ACUPLAN_DATABASE_URL`` and the reason, and nothing stored is changed. Only
``keys create`` creates a database that does not exist yet; ``keys list`` and ``keys
revoke`` say there is none (exit 2) and leave no file behind.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Annotated, NoReturn

import typer

from service.cli.flags import FlagCommand, FlagGroup
from service.cli.inputs import CliInputError, load_settings
from service.errors import one_line

keys_app = typer.Typer(
    cls=FlagGroup, name="keys", help="Manage API keys (hashed at rest; shown once).", no_args_is_help=True
)


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


@keys_app.command("create", cls=FlagCommand)
def create_key(
    name: Annotated[str, typer.Option("--name", help="A label, e.g. the scheduler that uses the key.")],
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="read or write; repeat for both (default: both).")
    ] = None,
) -> None:
    """Create a key and print it once; authentication is on from now on.

    ``--name`` is 1-128 characters, not blank, without surrounding whitespace and without
    control or format characters (:func:`service.inputs.names.name_problem`: a line break
    would forge a ``keys list`` row); else one ``error: --name: ...`` line and exit 2.
    """
    from service.cli.database import opened_store
    from service.http.security import SCOPES, new_key
    from service.inputs.names import name_problem

    scopes = tuple(sorted(set(scope or SCOPES)))
    unknown = [s for s in scopes if s not in SCOPES]
    if unknown:
        _fail(f"--scope must be read or write, got {', '.join(map(repr, unknown))}")
    if not 1 <= len(name) <= 128:
        _fail(f"--name must be 1-128 characters, got {len(name)}")
    problem = name_problem(name)  # a name is printed in `keys list` rows: one line, never blank
    if problem is not None:
        _fail(f"--name: {problem.removeprefix('is ')}; give a label, e.g. --name scheduler")
    key = new_key()
    with _one_line_errors(), opened_store(load_settings()) as store:
        store.add_key(key.key_id, name=name, secret_sha256=key.secret_sha256, scopes=scopes)
    typer.echo(key.token)
    note = f"key {key.key_id} ({','.join(scopes)}) created; store it now, it is not shown again"
    typer.echo(note, err=True)


@keys_app.command("list", cls=FlagCommand)
def list_keys() -> None:
    """List keys: id, scopes, state, creation time and name (never the secret)."""
    from service.cli.database import opened_store

    with _one_line_errors(), opened_store(load_settings(), create=False) as store:
        keys = store.list_keys()
    for k in keys:
        state = "revoked" if k.revoked_ms is not None else "active"
        created = datetime.fromtimestamp(k.created_ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        typer.echo(f"{k.id}  {','.join(k.scopes):<10}  {state:<7}  {created}  {k.name}")


@keys_app.command("revoke", cls=FlagCommand)
def revoke_key(key_id: Annotated[str, typer.Argument(help="The key id (the part after acu_).")]) -> None:
    """Revoke a key; requests with it get 401 from then on.

    Authentication stays on after the last active key is revoked: every request then gets
    401 until a new key is created, which a second line on stderr says.
    """
    from service.cli.database import opened_store

    with _one_line_errors(), opened_store(load_settings(), create=False) as store:
        revoked = store.revoke_key(key_id)
        any_active = store.has_active_keys()
    if not revoked:
        _fail(f"no active key {key_id!r}")
    typer.echo(f"key {key_id} revoked")
    if not any_active:
        note = "no active key is left: every /v1 request gets 401 until `acuplan keys create --name NAME`"
        typer.echo(note, err=True)
