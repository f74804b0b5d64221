"""The UTC-day bounds added to time ranges so the 18.16 server can use the sort key."""
import datetime

import pytest

from vigie.analytics.time_ranges import bind_day_bounds, day_bounds

UTC = datetime.timezone.utc
PARIS = datetime.timezone(datetime.timedelta(hours=1))


@pytest.mark.parametrize("lo, hi, first, last", [
    # An exclusive end at midnight does not reach into the next day.
    (datetime.datetime(2024, 3, 1, 10), datetime.datetime(2024, 3, 2), "2024-03-01", "2024-03-01"),
    (datetime.datetime(2024, 3, 1, 23, 50), datetime.datetime(2024, 3, 2, 0, 0, 1),
     "2024-03-01", "2024-03-02"),
    # Aware datetimes count by their UTC day: 00:30 in Paris is 23:30 UTC the day before.
    (datetime.datetime(2024, 3, 2, 0, 30, tzinfo=PARIS), datetime.datetime(2024, 3, 2, 12, tzinfo=PARIS),
     "2024-03-01", "2024-03-02"),
    # Epoch seconds, as the rollups and the query layer bind them.
    (1709251200, 1709337600, "2024-03-01", "2024-03-01"),
    # An empty range still names a valid day.
    (datetime.datetime(2024, 3, 1, tzinfo=UTC), datetime.datetime(2024, 3, 1, tzinfo=UTC),
     "2024-03-01", "2024-03-01"),
])
def test_the_bound_days_are_the_utc_days_the_range_touches(lo, hi, first, last):
    params = bind_day_bounds({"site": "a"}, "read", lo, hi)
    assert params == {"site": "a", "read_first_day": datetime.date.fromisoformat(first),
                      "read_last_day": datetime.date.fromisoformat(last)}


def test_the_condition_compares_the_sort_key_expression():
    assert day_bounds("ts", "read") == ("toDate(ts) >= toDate(%(read_first_day)s) "
                                        "AND toDate(ts) <= toDate(%(read_last_day)s)")
