"""Command classes whose help shows no value type on a flag (``--help``, not ``--help <bool>``).

Owns :class:`FlagCommand` and :class:`FlagGroup`, the ``cls`` of every ``acuplan`` command
and command group. typer 0.29's rich help panel (``typer.rich_utils._print_options_panel``)
writes every option's type, flags included, so ``--help`` read ``--help <bool>`` as if it
took a value; click's plain help (``TyperOption.get_help_record``) leaves a flag's type out.
These classes give each flag an empty metavar, which the panel prints instead (a flag's
metavar is used nowhere else: errors name a flag by its option strings). Imports ``typer``.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperCommand, TyperGroup, TyperOption


def _flags_without_type(params: list[Any]) -> list[Any]:
    """Give each flag among ``params`` (typer options that take no value) an empty metavar."""
    for param in params:
        if isinstance(param, TyperOption) and param.is_flag and param.metavar is None:
            param.metavar = ""
    return params


class FlagCommand(TyperCommand):
    """A typer command whose help shows no type after a flag."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The command's parameters and its help option, flags without a value type."""
        return _flags_without_type(super().get_params(ctx))


class FlagGroup(TyperGroup):
    """A typer command group whose help shows no type after a flag."""

    def get_params(self, ctx: Any) -> list[Any]:
        """The group's parameters and its help option, flags without a value type."""
        return _flags_without_type(super().get_params(ctx))
