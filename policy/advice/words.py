"""Words the advice's sentences share: a count and its noun, a MinCapacity, whose floors a timetable read."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # for the annotation only: schedule imports plural from here
    from policy.advice.schedule import FloorSchedule


def plural(count: float, noun: str, spec: str = "") -> str:
    """``count`` formatted with ``spec`` and ``noun``, plural unless the count reads ``1``.

    Args:
        count: how many (an int, or a float such as days).
        noun: the singular noun; an ``s`` is added unless the formatted count is ``1``.
        spec: the format spec of the count (``format(count, spec)``), e.g. ``","`` or ``"g"``.

    Returns:
        E.g. ``1 change``, ``3 changes``, ``1 day`` (``plural(1.0, "day", "g")``),
        ``2.996 days``, ``1,440 steps`` (``spec=","``).
    """
    text = format(count, spec)
    return f"{text} {noun}{'' if text == '1' else 's'}"


def floor_words(floor_acu: float) -> str:
    """A MinCapacity in words: ``0 (auto-pause on)`` or ``2.5 ACU``."""
    return "0 (auto-pause on)" if floor_acu == 0 else f"{floor_acu:g} ACU"


def read_words(schedule: FloorSchedule) -> str:
    """Whose floors a timetable was read off, in words."""
    return "acuplan's floors" if schedule.read_from == "acuplan" else "the bound's floors"
