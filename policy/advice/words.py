"""Words the advice's sentences share: a count and its noun, a MinCapacity, whose floors a timetable read."""

from __future__ import annotations

from policy.advice.schedule import FloorSchedule


def plural(count: int, noun: str) -> str:
    """``count`` and ``noun``, plural unless one: ``1 change``, ``3 changes``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def floor_words(floor_acu: float) -> str:
    """A MinCapacity in words: ``0 (auto-pause on)`` or ``2.5 ACU``."""
    return "0 (auto-pause on)" if floor_acu == 0 else f"{floor_acu:g} ACU"


def read_words(schedule: FloorSchedule) -> str:
    """Whose floors a timetable was read off, in words."""
    return "acuplan's floors" if schedule.read_from == "acuplan" else "the bound's floors"
