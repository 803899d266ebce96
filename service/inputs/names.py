"""Names a person gave (a stateless cluster id, an API key's label): shown on one line, never blank.

Owns :func:`name_problem`, the one rule for free-text names that the HTTP API (a stateless
``cluster.cluster_id``), ``acuplan advise`` / ``recommend --cluster-id`` and ``acuplan keys
create --name`` apply. Such a name is printed in answers, commands and ``keys list`` rows,
so it must not be empty or blank, start or end with whitespace, or hold a control or
format character (Unicode categories Cc, Cf, Zl, Zp: NUL, a line break, an ANSI escape, a
right-to-left override), which would forge or hide text where it is shown. Any other
character is allowed (``a/b``, ``orders db``, ``Bestellungen-Ü``). Imports nothing of ours.
"""

from __future__ import annotations

import unicodedata
from typing import Final

_HIDDEN: Final[frozenset[str]] = frozenset({"Cc", "Cf", "Zl", "Zp"})
_CALLED: Final[dict[str, str]] = {
    "\x00": "NUL",
    "\t": "a tab",
    "\n": "a line break",
    "\r": "a carriage return",
    "\x1b": "an escape, as in ANSI colour codes",
    "\x07": "a bell",
}


def name_problem(name: str) -> str | None:
    """Return why ``name`` cannot be a name, or None when it can.

    Args:
        name: the name as given.

    Returns:
        One clause without the field's name, e.g. ``is empty``, ``is blank``, ``starts or
        ends with whitespace``, ``holds U+000A (a line break) at character 2: no control or
        format characters``; None for a usable name.
    """
    if not name:
        return "is empty"
    if not name.strip():
        return "is blank"
    for i, c in enumerate(name):
        if unicodedata.category(c) in _HIDDEN:
            what = _CALLED.get(c) or unicodedata.name(c, "").lower() or "a control character"
            return f"holds U+{ord(c):04X} ({what}) at character {i + 1}: no control or format characters"
    if name != name.strip():
        return "starts or ends with whitespace"
    return None
