import datetime

import pytest

from analytics.period import Period, period_from_key

TODAY = datetime.date(2026, 3, 10)


def test_keys():
    assert period_from_key("today", "UTC", today=TODAY) == Period(TODAY, TODAY, "hour")
    assert period_from_key("7d", "UTC", today=TODAY) == Period(datetime.date(2026, 3, 4), TODAY, "day")
    assert period_from_key("30d", "UTC", today=TODAY).start == datetime.date(2026, 2, 9)
    assert period_from_key("custom", "UTC", start="2026-01-01", end="2026-01-31") == Period(
        datetime.date(2026, 1, 1), datetime.date(2026, 1, 31), "day")
    assert period_from_key("custom", "UTC", start="2026-01-05", end="2026-01-05").interval == "hour"


def test_today_defaults_to_the_sites_calendar():
    assert period_from_key("today", "Pacific/Kiritimati").start == \
        datetime.datetime.now(datetime.timezone(datetime.timedelta(hours=14))).date()


@pytest.mark.parametrize("kwargs, message", [
    (dict(key="yesterday"), "unknown period 'yesterday'"),
    (dict(key="custom", start="2026-02-01", end="2026-01-01"), "ends (2026-01-01) before it starts"),
    (dict(key="custom", start="2026-02-30", end="2026-03-01"), "'from' date '2026-02-30' is not a date"),
    (dict(key="custom", start="2026-01-01"), "needs a 'to' date"),
    (dict(key="custom", start="2024-01-01", end="2026-01-01"), "at most 366 days"),
])
def test_errors_name_the_problem(kwargs, message):
    with pytest.raises(ValueError) as info:
        period_from_key(timezone="UTC", **kwargs)
    assert message in str(info.value)


def test_utc_bounds_follow_the_site_timezone():
    lo, hi = Period(TODAY, TODAY, "hour").utc_bounds("Europe/Paris")
    assert lo == datetime.datetime(2026, 3, 9, 23, 0, tzinfo=datetime.timezone.utc)
    assert hi == datetime.datetime(2026, 3, 10, 23, 0, tzinfo=datetime.timezone.utc)
