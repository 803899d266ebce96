"""The purchase options' caveats: a short history, and a need forecast to outgrow them."""

from datetime import UTC, datetime

from policy.advice.reasons import COMMITMENT_HISTORY_H, commitment_note


def test_a_long_history_without_growth_needs_no_caveat() -> None:
    assert commitment_note(COMMITMENT_HISTORY_H) == []


def test_a_forecast_past_max_capacity_says_a_commitment_would_be_outgrown() -> None:
    # QA 61: 2 x db.r6g.large for 3 years, sized to the history's peak, beside an alert that the
    # writer's need grows +0.41 ACU/day past MaxCapacity.
    short, grows = commitment_note(9 * 24.0, datetime(2026, 12, 31, tzinfo=UTC))
    assert short.startswith("the purchase options price 1- and 3-year commitments from 9.0 replayed days")
    assert grows == (
        "the purchase options are sized to the replayed history's peak, and the max_capacity alert forecasts "
        "the writer's need past MaxCapacity by 2026-12-31: a commitment sized to the past would be outgrown; "
        "commit only to the base load you expect to keep, or size it to the growth"
    )
