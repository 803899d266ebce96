"""A count and its noun: never "1 days" (QA 64 #2)."""

import numpy as np
import pytest

from policy import InvalidRequestError
from policy.advice.checks import check_history_length
from policy.advice.schedule import FloorSchedule, with_levels
from policy.advice.words import plural


@pytest.mark.parametrize(
    ("count", "noun", "spec", "words"),
    [
        (1, "change", "", "1 change"),
        (3, "change", "", "3 changes"),
        (0, "change", "", "0 changes"),
        (1.0, "day", "g", "1 day"),
        (2.996, "day", "g", "2.996 days"),
        (1440, "step", ",", "1,440 steps"),
        (1, "hourly re-plan", ",", "1 hourly re-plan"),
    ],
)
def test_plural_is_singular_only_when_the_count_reads_one(
    count: float, noun: str, spec: str, words: str
) -> None:
    assert plural(count, noun, spec) == words


def test_a_one_day_history_has_1_day_not_1_days() -> None:
    # QA 64 #2: `acuplan advise --input short_1d.csv` said "the history has 1 days".
    with pytest.raises(InvalidRequestError) as err:
        check_history_length(288, 300, 2 * 86_400)
    assert str(err.value) == (
        "the history has 1 day (288 steps of 300 s); advice needs at least 3 days (864 steps): the "
        "2-day warm-up plus one day to replay"
    )
    with pytest.raises(InvalidRequestError) as err:  # no warm-up: one day is what it needs
        check_history_length(1, 3600, 0)
    assert "advice needs at least 1 day (24 steps): the 0-day warm-up" in str(err.value)


def test_a_one_slot_timetable_says_1_slot() -> None:
    schedule = FloorSchedule.model_validate(
        {"kind": "daily", "slot_s": 86_400, "quantile": 0.5, "floors_acu": (2.0,), "entries": ()}
    )
    with pytest.raises(ValueError, match=r"the timetable 1 slot$"):
        with_levels(schedule, np.ones(2), 16.0)
