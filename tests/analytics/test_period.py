import datetime

import pytest

from vigie.analytics.period import Period, comparison_period, period_from_key

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
    (dict(key="fortnight"), "unknown period 'fortnight'"),
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


def test_report_periods_of_the_query_layer():
    assert period_from_key("yesterday", "UTC", today=TODAY) == Period(
        datetime.date(2026, 3, 9), datetime.date(2026, 3, 9), "hour")
    assert period_from_key("month", "UTC", today=TODAY) == Period(datetime.date(2026, 3, 1), TODAY, "day")
    assert period_from_key("last_month", "UTC", today=TODAY) == Period(
        datetime.date(2026, 2, 1), datetime.date(2026, 2, 28), "day")
    assert period_from_key("last_month", "UTC", today=datetime.date(2026, 1, 15)) == Period(
        datetime.date(2025, 12, 1), datetime.date(2025, 12, 31), "day")
    assert period_from_key("12mo", "UTC", today=TODAY) == Period(datetime.date(2025, 4, 1), TODAY, "month")


def test_week_and_month_buckets():
    # 1 March 2026 is a Sunday: its week starts on Monday 23 February
    weeks = Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 9), "week").buckets()
    assert [b.date() for b in weeks] == [datetime.date(2026, 2, 23), datetime.date(2026, 3, 2),
                                         datetime.date(2026, 3, 9)]
    months = Period(datetime.date(2026, 1, 31), datetime.date(2026, 3, 1), "month").buckets()
    assert [b.date() for b in months] == [datetime.date(2026, 1, 1), datetime.date(2026, 2, 1),
                                          datetime.date(2026, 3, 1)]
    with pytest.raises(ValueError, match="unknown interval 'minute'"):
        Period(TODAY, TODAY, "day").with_interval("minute")


def test_comparison_periods():
    week = Period(datetime.date(2026, 3, 4), TODAY, "day")
    assert comparison_period(week, "previous_period") == Period(
        datetime.date(2026, 2, 25), datetime.date(2026, 3, 3), "day")
    leap = Period(datetime.date(2024, 2, 29), datetime.date(2024, 2, 29), "hour")
    assert comparison_period(leap, "previous_year") == Period(
        datetime.date(2023, 2, 28), datetime.date(2023, 2, 28), "hour")
