"""Seasons in the cluster's clock: business hours stay put across daylight-saving switches."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from pydantic import ValidationError

from policy import ClusterSpec, recommend
from policy.localtime import from_local, local_horizon, local_steps, to_local

NY = ZoneInfo("America/New_York")


def test_local_steps_skip_in_spring_and_repeat_in_autumn() -> None:
    # 2024-03-10 02:00 EST -> 03:00 EDT at 07:00 UTC; hourly steps from 05:00 UTC.
    idx = local_steps(datetime(2024, 3, 10, 5, tzinfo=UTC), 4, 3600, NY)
    assert np.diff(idx).tolist() == [1, 2, 1]  # local 00:00, 01:00, 03:00, 04:00
    idx = local_steps(datetime(2024, 11, 3, 4, tzinfo=UTC), 4, 3600, NY)
    assert np.diff(idx).tolist() == [1, 0, 1]  # local 00:00, 01:00 EDT, 01:00 EST, 02:00


def test_round_trip_and_merging_rules() -> None:
    end = datetime(2024, 11, 3, 8, tzinfo=UTC)  # 03:00 EST
    history = np.array([1.0, 2.0, 5.0, 3.0])  # local 00:00, 01:00 EDT, 01:00 EST, 02:00
    local, last = to_local(history, end_utc=end, step_s=3600, tz=NY)
    assert local.tolist() == [1.0, 5.0, 3.0]  # the doubled hour keeps its max
    spring = to_local(
        np.array([1.0, 2.0, 4.0]), end_utc=datetime(2024, 3, 10, 8, tzinfo=UTC), step_s=3600, tz=NY
    )[0]
    # 02:00 never happened: it is no gap, it takes the step before (no day earlier in 3 hours)
    assert spring.tolist() == [1.0, 2.0, 2.0, 4.0]
    h = local_horizon(last_local=last, end_utc=end, horizon=3, step_s=3600, tz=NY)
    fc = np.arange(h, dtype=float)[None, :]
    assert from_local(fc, last_local=last, end_utc=end, horizon=3, step_s=3600, tz=NY).tolist() == [
        [0.0, 1.0, 2.0]
    ]


def test_a_complete_history_across_spring_forward_is_not_missing_an_hour() -> None:
    # 3 days of 5-min steps from 2024-03-08 00:00 UTC, through the New York switch on the 10th.
    history = np.arange(864, dtype=float)
    end = datetime(2024, 3, 11, tzinfo=UTC)
    local, _ = to_local(history, end_utc=end, step_s=300, tz=NY)
    assert local.size == 876 and not np.isnan(local).any()
    skipped = np.flatnonzero(np.diff(local) < 0)[0] + 1  # local 02:00 on the 10th
    np.testing.assert_array_equal(local[skipped : skipped + 12], local[skipped - 288 : skipped - 276])
    rec = recommend(history % 7, now=end, cluster=ClusterSpec(timezone="America/New_York"))
    assert not [w for w in rec.warnings if "steps missing" in w]
    gappy = (history % 7).copy()
    gappy[100:103] = np.nan  # a real gap still says so
    rec = recommend(gappy, now=end, cluster=ClusterSpec(timezone="America/New_York"))
    assert [w for w in rec.warnings if w.startswith("the history had 3 of 876 steps missing")]


def _business_hours(start: datetime, days: int) -> np.ndarray:
    """16 ACU from 09:00 to 17:00 New York time on every day, 1 ACU otherwise (5-min steps)."""
    t = [start + timedelta(minutes=5 * i) for i in range(days * 288)]
    return np.array([16.0 if 9 <= x.astimezone(NY).hour < 17 else 1.0 for x in t])


def test_the_morning_peak_stays_at_nine_local_after_spring_forward() -> None:
    # Nine days ending on the morning of the switch (2024-03-10 02:00 EST -> 03:00 EDT):
    # now is Sunday 07:00 EDT, and every day before put 09:00 local at 14:00 UTC.
    start = datetime(2024, 3, 1, 5, tzinfo=UTC)  # 00:00 EST
    now = datetime(2024, 3, 10, 11, tzinfo=UTC)  # 07:00 EDT
    steps = int((now - start).total_seconds() // 300)
    history = _business_hours(start, 12)[:steps]
    assert len(history) == steps
    local = ClusterSpec(timezone="America/New_York")
    rec = recommend(history, now=now, cluster=local)
    plain = recommend(history, now=now)
    peak = {s.start: s.demand_p50_acu for s in rec.steps}
    utc_peak = {s.start: s.demand_p50_acu for s in plain.steps}
    nine = datetime(2024, 3, 10, 13, tzinfo=UTC)  # 09:00 EDT
    assert peak[nine] == pytest.approx(16.0, abs=0.5)  # the peak starts at 09:00 local
    assert peak[nine - timedelta(minutes=15)] < 2.0
    # Learnt in UTC, the season says the peak starts at 14:00 UTC: an hour late.
    assert utc_peak[nine] < 8.0


def test_unknown_time_zone_is_refused_naming_it() -> None:
    with pytest.raises(ValidationError, match="unknown IANA time zone 'Mars/Olympus'"):
        ClusterSpec(timezone="Mars/Olympus")


@pytest.mark.parametrize("name", ["localtime", "posixrules", "Factory", "posix/Europe/Berlin", "right/UTC"])
def test_tz_database_files_that_name_no_zone_are_refused_by_both_checks(name: str) -> None:
    # zoneinfo opens them (a Debian symlink to the machine's zone, POSIX rules, variants), but
    # EventBridge Scheduler knows no such zone: `--timezone localtime` reached the commands.
    from policy.types import known_zone
    from traces.formats import check_zone

    for check in (known_zone, check_zone):
        with pytest.raises(ValueError, match=f"unknown IANA time zone '{name}'"):
            check(name)
    assert known_zone("Europe/Berlin") == check_zone("Europe/Berlin") == "Europe/Berlin"
