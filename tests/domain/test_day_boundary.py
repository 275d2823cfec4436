"""The event day: presence on a list ends at the night boundary (04:00 local by default), also on
the nights the clocks change."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

import pytest

from eventdesk.domain.clock import day_start, parse_day_boundary

BRUSSELS = ZoneInfo("Europe/Brussels")
FOUR = time(4, 0)


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (datetime(2024, 5, 8, 10, 15), datetime(2024, 5, 8, 4, 0)),
        (datetime(2024, 5, 8, 4, 0), datetime(2024, 5, 8, 4, 0)),
        (datetime(2024, 5, 8, 3, 59), datetime(2024, 5, 7, 4, 0)),  # a late party is still the day before
        (datetime(2024, 5, 7, 23, 30), datetime(2024, 5, 7, 4, 0)),
    ],
)
def test_the_day_begins_at_the_boundary_in_the_event_zone(local, expected):
    at = local.replace(tzinfo=BRUSSELS)
    assert day_start(at, BRUSSELS, FOUR) == expected.replace(tzinfo=BRUSSELS).astimezone(UTC)


def test_the_boundary_stays_at_its_local_hour_across_daylight_saving_changes():
    # 31 March 2024: Brussels moves from +01:00 to +02:00 at 02:00; 27 October back at 03:00.
    spring = day_start(datetime(2024, 3, 31, 12, 0, tzinfo=BRUSSELS), BRUSSELS, FOUR)
    autumn = day_start(datetime(2024, 10, 27, 12, 0, tzinfo=BRUSSELS), BRUSSELS, FOUR)
    assert spring == datetime(2024, 3, 31, 2, 0, tzinfo=UTC)  # 04:00 CEST
    assert autumn == datetime(2024, 10, 27, 3, 0, tzinfo=UTC)  # 04:00 CET
    before_spring = day_start(datetime(2024, 3, 31, 3, 30, tzinfo=BRUSSELS), BRUSSELS, FOUR)
    assert before_spring == datetime(2024, 3, 30, 3, 0, tzinfo=UTC)  # 04:00 CET the day before


def test_a_boundary_that_is_no_time_of_day_is_refused_with_an_example():
    assert parse_day_boundary(" 05:30 ") == time(5, 30)
    with pytest.raises(ValueError, match="such as 04:00"):
        parse_day_boundary("4 in the morning")
