r"""Text written into generated Terraform (HCL): the one escaping rule for strings and comments.

Owns :func:`hcl_escape`, :func:`hcl_string` and :func:`hcl_json`, used by every renderer that
writes HCL (:mod:`service.advice.actions`, :mod:`service.advice.scheduler`). A value from a
request (a cluster id, an AZ ID, a note) never ends a string or a comment early and is never
interpolated: backslash and double quote are escaped, line breaks, other control and format
characters (Unicode categories Cc, Cf, Zl, Zp, e.g. NUL or a right-to-left override) become
``\uNNNN`` escapes, and the template sequences ``${`` and ``%{`` become ``$${`` and ``%%{``
(HCL native syntax, "Template Literals" and "String Literals"). Imports nothing of ours.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping
from typing import Final

_ESCAPES: Final[dict[str, str]] = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_HIDDEN: Final[frozenset[str]] = frozenset({"Cc", "Cf", "Zl", "Zp"})


def _char(c: str) -> str:
    if c in _ESCAPES:
        return _ESCAPES[c]
    if unicodedata.category(c) in _HIDDEN:
        return f"\\u{ord(c):04X}" if ord(c) <= 0xFFFF else f"\\U{ord(c):08X}"
    return c


def hcl_escape(text: str) -> str:
    r"""Escape text for the inside of an HCL quoted string, or for a one-line ``#`` comment.

    Args:
        text: any text.

    Returns:
        The text on one line, with ``\``, ``"``, control and format characters escaped and
        ``${`` / ``%{`` doubled to ``$${`` / ``%%{``; text without those is unchanged
        (``orders-prod`` stays ``orders-prod``).
    """
    out = "".join(_char(c) for c in text)
    return out.replace("${", "$${").replace("%{", "%%{")


def hcl_string(text: str) -> str:
    """Return ``text`` as an HCL quoted string literal, e.g. ``"orders-prod"`` (:func:`hcl_escape`)."""
    return f'"{hcl_escape(text)}"'


def hcl_json(value: object) -> str:
    r"""Return a JSON-shaped HCL expression for ``jsonencode(...)``, every string escaped for HCL.

    The output reads as compact JSON (``{"a":1,"b":true}``), which is also an HCL object
    expression; strings go through :func:`hcl_string` (``json.dumps`` would leave ``${``
    to Terraform's interpolation and writes ``\b``/``\f``, which HCL does not know).

    Args:
        value: a mapping with string keys, a list, a string, a bool, an int, a finite float
            or None.

    Returns:
        The expression on one line.

    Raises:
        TypeError: a value of another type.
    """
    if isinstance(value, str):
        return hcl_string(value)
    if value is None or isinstance(value, (bool, int, float)):
        return json.dumps(value, allow_nan=False)
    if isinstance(value, Mapping):
        return "{" + ",".join(f"{hcl_string(str(k))}:{hcl_json(v)}" for k, v in value.items()) + "}"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(hcl_json(v) for v in value) + "]"
    raise TypeError(f"cannot write a {type(value).__name__} as HCL")
