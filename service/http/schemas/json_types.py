"""JSON types on the wire: numbers are JSON numbers, flags JSON booleans, times strings.

Pydantic's lax mode, which the library models (``policy.ClusterSpec``,
``placement.CapacityLimits``, ``placement.PreviousLayout``, ...) use, turns ``"64"``,
``"1e2"`` and ``true`` into numbers, ``"yes"`` and ``1`` into booleans and epoch numbers
into datetimes. Its strict mode is not the answer on the wire: it also refuses what JSON
cannot say otherwise once a before-validator has run (a list for a tuple, a string for an
enum), and it cannot reach into the library models' own, prebuilt validators.

So every request model (:class:`service.http.schemas.recommendations.RequestModel`) checks the JSON types of
its raw body once, before pydantic's validation, against its own core schema: wherever the
schema validates an ``int``, ``float`` or ``bool``, the value must be a JSON integer,
number or boolean (an integer is a number; ``null`` and ranges are pydantic's to judge),
and wherever it validates a ``datetime``, not a number or a boolean. A number must also be
finite: Python's JSON parser reads the literals ``NaN``, ``Infinity`` and ``-Infinity``,
which JSON does not have, as floats; wherever a number is validated they are refused
(``Input should be a finite number``), whatever the field's own ``allow_inf_nan``. Values
behind a ``before``, ``wrap`` or ``plain`` validator are that validator's business and are not
looked at, with one exception the library hides from its schema: ``ClusterSpec.placement``
(a plain validator), checked against :class:`placement.PlacementOptions`.

Owns :func:`json_type_errors`. Imports pydantic and ``placement`` / ``policy`` public names.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any, Final

from pydantic import BaseModel
from pydantic_core import CoreSchema, InitErrorDetails, PydanticCustomError

from placement import PlacementOptions
from policy import ClusterSpec

Loc = tuple[str | int, ...]
Check = Callable[[Any, Loc, list[InitErrorDetails]], None]
"""Checks one value at a location, appending an error per wrongly typed JSON value."""

_DATETIME_MESSAGE: Final[str] = "must be an ISO 8601 string with a UTC offset, e.g. 2024-05-06T12:00:00Z"
"""What a time that is not a string is told (the words of
:data:`service.http.schemas.recommendations.Timestamp`)."""

_OPAQUE_FIELDS: Final[dict[tuple[type[BaseModel], str], type[BaseModel]]] = {
    (ClusterSpec, "placement"): PlacementOptions,
}
"""Library fields validated by a plain validator (no schema to follow) -> the model they hold."""

_PASS_THROUGH: Final[frozenset[str]] = frozenset({"default", "nullable", "function-after"})
"""Core schema wrappers that hand the value on unchanged to their inner schema."""


def _has_wrong_type(kind: str, value: Any) -> bool:
    """Return True when ``value`` is a JSON scalar of another type than ``kind`` takes.

    ``null``, objects, arrays and Python objects are pydantic's to judge.
    """
    if kind == "bool":
        return isinstance(value, str | int | float) and not isinstance(value, bool)
    if kind == "datetime":
        return isinstance(value, int | float)  # numbers and booleans (a bool is an int)
    return isinstance(value, str | bool)  # int, float, decimal: any JSON number will do


def _not_finite(kind: str, value: Any) -> bool:
    """Return True when ``value`` is ``NaN`` or an infinity where ``kind`` is a number."""
    return kind in ("int", "float", "decimal") and isinstance(value, float) and not math.isfinite(value)


_ERRORS: Final[dict[str, str | PydanticCustomError]] = {
    "int": "int_type",
    "float": "float_type",
    "decimal": "float_type",
    "bool": "bool_type",
    "datetime": PydanticCustomError("datetime_type", _DATETIME_MESSAGE),
}
"""The error per kind: pydantic's strict-mode ones (``Input should be a valid number``, ...)."""

_NOT_FINITE: Final[str] = "finite_number"
"""The error of a ``NaN`` or an infinity: pydantic's ``Input should be a finite number``."""


def _leaf(kind: str) -> Check:
    error = _ERRORS[kind]

    def check(value: Any, loc: Loc, errors: list[InitErrorDetails]) -> None:
        if _has_wrong_type(kind, value):
            errors.append({"type": error, "loc": loc, "input": value})
        elif _not_finite(kind, value):
            errors.append({"type": _NOT_FINITE, "loc": loc, "input": value})

    return check


def _fields(fields: Mapping[str, Check]) -> Check:
    def check(value: Any, loc: Loc, errors: list[InitErrorDetails]) -> None:
        if isinstance(value, dict):
            for key, inner in fields.items():
                if key in value:
                    inner(value[key], (*loc, key), errors)

    return check


def _items(item_at: Callable[[int], Check | None]) -> Check:
    def check(value: Any, loc: Loc, errors: list[InitErrorDetails]) -> None:
        if isinstance(value, list | tuple):
            for i, item in enumerate(value):
                inner = item_at(i)
                if inner is not None:
                    inner(item, (*loc, i), errors)

    return check


def _values(inner: Check) -> Check:
    def check(value: Any, loc: Loc, errors: list[InitErrorDetails]) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                inner(item, (*loc, key), errors)

    return check


def _any_of(choices: list[Check]) -> Check:
    def check(value: Any, loc: Loc, errors: list[InitErrorDetails]) -> None:
        first: list[InitErrorDetails] | None = None
        for choice in choices:
            found: list[InitErrorDetails] = []
            choice(value, loc, found)
            if not found:
                return
            first = found if first is None else first
        errors.extend(first or [])

    return check


class _Compiler:
    """Turns a core schema into a :data:`Check` (None where nothing needs checking)."""

    def __init__(self, root: CoreSchema) -> None:
        self.defs: dict[str, Any] = {}
        self.compiled: dict[str, Check | None] = {}
        self._collect(root)

    def _collect(self, node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "definitions":
                self.defs.update({d["ref"]: d for d in node["definitions"]})
            for key, value in node.items():
                if key not in ("metadata", "serialization"):
                    self._collect(value)
        elif isinstance(node, list | tuple):
            for value in node:
                self._collect(value)

    def model_fields(self, model: Any) -> Check | None:
        """Compile a ``model`` node's fields, past its own model-level validators."""
        inner = model["schema"]
        while inner["type"] in ("function-before", "function-wrap", "function-after"):
            inner = inner["schema"]
        return self.compile(inner, owner=model.get("cls"))

    def compile(self, node: Any, owner: Any = None) -> Check | None:
        """Compile one node; ``owner`` is the model class whose fields ``node`` lists."""
        kind = node["type"]
        if kind in _ERRORS:
            return _leaf(kind)
        if kind in _PASS_THROUGH:
            return self.compile(node["schema"])
        if kind == "definitions":
            return self.compile(node["schema"])
        if kind == "definition-ref":
            return self._ref(node["schema_ref"])
        if kind == "model":
            if node.get("root_model"):
                return None
            if node["schema"]["type"] in ("function-before", "function-wrap"):
                return None  # a model-level validator reshapes the input first
            return self.model_fields(node)
        if kind == "model-fields":
            return self._model_fields(node, owner)
        if kind in ("list", "set", "frozenset"):
            items = node.get("items_schema")
            inner = self.compile(items) if items is not None else None
            return None if inner is None else _items(lambda _i: inner)
        if kind == "tuple":
            return self._tuple(node)
        if kind == "dict":
            values = node.get("values_schema")
            inner = self.compile(values) if values is not None else None
            return None if inner is None else _values(inner)
        if kind == "union":
            choices = [self.compile(c[0] if isinstance(c, tuple) else c) for c in node["choices"]]
            known = [c for c in choices if c is not None]
            return _any_of(known) if known and len(known) == len(choices) else None
        return None  # strings, literals, enums, before/wrap/plain validators, ...

    def _model_fields(self, node: Any, owner: Any) -> Check | None:
        fields: dict[str, Check] = {}
        for name, field in node["fields"].items():
            alias = field.get("validation_alias")
            key = alias if isinstance(alias, str) else name
            if alias is not None and not isinstance(alias, str):
                continue  # alias paths and choices: not worth following
            holds = _OPAQUE_FIELDS.get((owner, name)) if isinstance(owner, type) else None
            inner = _model_check(holds) if holds is not None else self.compile(field["schema"])
            if inner is not None:
                fields[key] = inner
        return _fields(fields) if fields else None

    def _tuple(self, node: Any) -> Check | None:
        items = [self.compile(s) for s in node.get("items_schema", [])]
        variadic = node.get("variadic_item_index")
        if not any(items) or (variadic is not None and variadic != len(items) - 1):
            return None  # nothing to check, or a fixed suffix after the variadic part
        if variadic is None:
            return _items(lambda i: items[i] if i < len(items) else None)
        return _items(lambda i: items[min(i, variadic)])

    def _ref(self, ref: str) -> Check | None:
        if ref in self.compiled:
            return self.compiled[ref]
        resolved: list[Check | None] = [None]

        def late(value: Any, loc: Loc, errors: list[InitErrorDetails]) -> None:
            check = resolved[0]
            if check is not None:
                check(value, loc, errors)

        self.compiled[ref] = late  # a recursive schema reaches this placeholder
        resolved[0] = self.compile(self.defs[ref])
        self.compiled[ref] = resolved[0]
        return resolved[0]


@cache
def _model_check(model: type[BaseModel]) -> Check | None:
    """Compile a model's JSON-type check once (None: nothing in it to check)."""
    schema = model.__pydantic_core_schema__
    compiler = _Compiler(schema)
    node: Any = schema
    while node["type"] == "definitions":
        node = node["schema"]
    return compiler.model_fields(node) if node["type"] == "model" else compiler.compile(node)


def json_type_errors(model: type[BaseModel], data: Any) -> list[InitErrorDetails]:
    """Return an error per value of ``data`` whose JSON type is wrong for ``model``.

    Args:
        model: a pydantic model.
        data: its raw input (the decoded JSON body).

    Returns:
        One ``InitErrorDetails`` per wrongly typed value, located from the model's root
        (e.g. ``("cluster", "limits", "max_acu")``), with the errors of pydantic's strict
        mode (``Input should be a valid number`` / ``integer`` / ``boolean``; a time is told
        to be an ISO 8601 string; ``NaN`` or an infinity where a number goes: ``Input should
        be a finite number``); empty when every value has its JSON type.
    """
    check = _model_check(model)
    errors: list[InitErrorDetails] = []
    if check is not None:
        check(data, (), errors)
    return errors
