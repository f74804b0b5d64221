"""Customer cohorts and new vs returning visitors from hand-built events, on both backends."""
import datetime

import pytest

from vigie.analytics.period import Period
from vigie.analytics.retention import (bucket_coverage, cohort_cell_complete, cohorts, new_vs_returning,
                                      returning_by_interval, returning_report)
from tests.factories import event, insert_events
from vigie.warehouse.sites import add_site

S = "shop.test"
D = datetime.date


@pytest.fixture
def site(store):
    return add_site(store, S, "UTC")


def seen(customer, day, visitor=1, name="pageview"):
    return event(S, f"{day} 10:00:00", name, visitor=visitor, customer_id=customer)


@pytest.fixture
def customers(store, site):
    insert_events(store, [
        seen("a", "2026-03-02"), seen("a", "2026-03-10"), seen("a", "2026-03-20"),
        seen("b", "2026-03-03"), seen("b", "2026-03-04"), seen("b", "2026-03-17"),
        seen("c", "2026-03-04"),
        seen("d", "2026-03-11"), seen("d", "2026-03-19"),
        seen("e", "2026-02-20"), seen("e", "2026-03-05"),
        seen("f", "2026-03-23"),
        seen("g", "2026-03-02", name="engagement"),
        event(S, "2026-03-02 10:00:00", visitor=9),  # anonymous: in no cohort
    ])


def test_weekly_cohorts(store, site, customers):
    rows = cohorts(store, site, Period(D(2026, 3, 2), D(2026, 3, 22), "day"), "week")
    # Week of 2 March: a, b, c; seen again in week +1: a; in week +2: a, b.
    # Week of 9 March: d, seen again the week after. e was first seen in
    # February, f after the period, g only sent an engagement event.
    assert rows == [
        {"cohort": D(2026, 3, 2), "customers": 3, "returning": [3, 1, 2], "retention": [100.0, 33.3, 66.7]},
        {"cohort": D(2026, 3, 9), "customers": 1, "returning": [1, 1], "retention": [100.0, 100.0]},
    ]


def test_monthly_cohorts(store, site, customers):
    rows = cohorts(store, site, Period(D(2026, 2, 1), D(2026, 3, 31), "day"), "month")
    assert rows == [
        {"cohort": D(2026, 2, 1), "customers": 1, "returning": [1, 1], "retention": [100.0, 100.0]},
        {"cohort": D(2026, 3, 1), "customers": 5, "returning": [5], "retention": [100.0]},
    ]


def test_bad_interval(store, site):
    with pytest.raises(ValueError, match="unknown cohort interval 'day'"):
        cohorts(store, site, Period(D(2026, 3, 2), D(2026, 3, 2), "hour"), "day")


def test_new_vs_returning(store, site):
    insert_events(store, [
        # v1: a visit, then another 50 minutes later: new, then returning
        event(S, "2026-03-10 09:00:00", visitor=1), event(S, "2026-03-10 09:10:00", visitor=1),
        event(S, "2026-03-10 10:00:00", visitor=1),
        # customer a, first seen on 5 March: returning
        event(S, "2026-03-05 09:00:00", visitor=20, customer_id="a"),
        event(S, "2026-03-10 09:00:00", visitor=2, customer_id="a"),
        # customer b, first seen in v3's visit: new there, returning as v4 later
        event(S, "2026-03-10 09:00:00", visitor=3, customer_id="b"),
        event(S, "2026-03-10 15:00:00", visitor=4, customer_id="b"),
        # v5: its visit from before midnight is not in the day; the one at
        # 00:50 is its second visit: returning
        event(S, "2026-03-09 23:50:00", visitor=5), event(S, "2026-03-10 00:05:00", visitor=5),
        event(S, "2026-03-10 00:50:00", visitor=5),
        # v6: one visit, nothing known: new
        event(S, "2026-03-10 12:00:00", visitor=6),
    ])
    got = new_vs_returning(store, site, Period(D(2026, 3, 10), D(2026, 3, 10), "hour"))
    assert got == {"visits": 7, "new_visits": 3, "returning_visits": 4, "visitors": 6,
                   "new_visitors": 2, "returning_visitors": 4, "returning_visit_share": 57.1}


def test_returning_by_week_and_month(store, site):
    insert_events(store, [
        # Week of 23 Feb (only Sunday 1 March is in the period): v1 new, then back 50 minutes later.
        event(S, "2026-03-01 10:00:00", visitor=1), event(S, "2026-03-01 10:50:00", visitor=1),
        # Customer a: new on 3 March (week of 2 March), returning on 9 March under another id.
        event(S, "2026-03-03 09:00:00", visitor=2, customer_id="a"),
        event(S, "2026-03-09 09:00:00", visitor=3, customer_id="a"),
        # v4 new on 10 March; v5 after the period.
        event(S, "2026-03-10 12:00:00", visitor=4), event(S, "2026-03-11 12:00:00", visitor=5),
    ])
    period = Period(D(2026, 3, 1), D(2026, 3, 10), "day")
    keys = ("start", "visits", "new_visits", "returning_visits", "visitors", "new_visitors",
            "returning_visitors", "returning_visit_share")
    weekly = [tuple(row[k] for k in keys) for row in returning_by_interval(store, site, period, "week")]
    assert weekly == [(D(2026, 2, 23), 2, 1, 1, 1, 0, 1, 50.0),
                      (D(2026, 3, 2), 1, 1, 0, 1, 1, 0, 0.0),
                      (D(2026, 3, 9), 2, 1, 1, 2, 1, 1, 50.0)]
    # The whole period agrees with new_vs_returning; an empty month reads as no share, not 0 %.
    monthly = returning_by_interval(store, site, Period(D(2026, 2, 20), D(2026, 3, 10), "day"), "month")
    assert [(row["start"], row["visits"], row["returning_visit_share"]) for row in monthly] == [
        (D(2026, 2, 1), 0, None), (D(2026, 3, 1), 5, 40.0)]
    total = new_vs_returning(store, site, period)
    assert {k: monthly[1][k] for k in total} == total
    both = returning_report(store, site, period, "week")
    assert both["total"] == total and [tuple(row[k] for k in keys) for row in both["by_interval"]] == weekly
    with pytest.raises(ValueError, match="unknown interval 'day'"):
        returning_by_interval(store, site, period, "day")


def test_new_vs_returning_edges(store, site):
    insert_events(store, [
        # v1: a customer id on the visit's second event, first seen the day before: returning
        event(S, "2026-03-09 08:00:00", visitor=10, customer_id="k"),
        event(S, "2026-03-10 09:00:00", visitor=1), event(S, "2026-03-10 09:05:00", visitor=1, customer_id="k"),
        # v2: a customer id first seen on the visit's second event: new
        event(S, "2026-03-10 09:00:00", visitor=2), event(S, "2026-03-10 09:05:00", visitor=2, customer_id="m"),
        # v3: only an engagement event before, with a customer id: neither starts a visit
        # nor makes the id seen -> new
        event(S, "2026-03-10 08:00:00", "engagement", visitor=3, customer_id="n", engaged_ms=5000),
        event(S, "2026-03-10 11:00:00", visitor=3, customer_id="n"),
        # v4: a visit 35 minutes after one of the day before, inside the id lifetime: returning
        event(S, "2026-03-09 23:40:00", visitor=4), event(S, "2026-03-10 00:15:00", visitor=4),
        # v5: an earlier visit two days before, past the id lifetime: new
        event(S, "2026-03-08 10:00:00", visitor=5), event(S, "2026-03-10 10:00:00", visitor=5),
        # v6: 30 minutes between pageviews is one visit; 31 is two (new, then returning)
        event(S, "2026-03-10 12:00:00", visitor=6), event(S, "2026-03-10 12:30:00", visitor=6),
        event(S, "2026-03-10 13:01:00", visitor=6),
        # v7: starts before the end of the day and goes on after it: counted; its
        # next-day visit is not
        event(S, "2026-03-10 23:50:00", visitor=7), event(S, "2026-03-11 00:10:00", visitor=7),
        event(S, "2026-03-11 09:00:00", visitor=7),
    ])
    got = new_vs_returning(store, site, Period(D(2026, 3, 10), D(2026, 3, 10), "hour"))
    # visits: v1 R, v2 N, v3 N, v4 R, v5 N, v6 N + R, v7 N
    assert got == {"visits": 8, "new_visits": 5, "returning_visits": 3, "visitors": 7,
                   "new_visitors": 4, "returning_visitors": 3, "returning_visit_share": 37.5}


def test_partial_weeks_and_months_of_a_period():
    """Last 7 days on Tuesday 10 March 2026: Wednesday to Sunday of one week, and Monday
    and today of the next; a month cut by the period; a whole week in the past."""
    d = datetime.date
    seven = Period(d(2026, 3, 4), d(2026, 3, 10), "day")
    today = d(2026, 3, 10)
    assert bucket_coverage(d(2026, 3, 2), seven, "week", today) == {"days": 5, "of": 7, "in_progress": False}
    assert bucket_coverage(d(2026, 3, 9), seven, "week", today) == {"days": 2, "of": 7, "in_progress": True}
    assert bucket_coverage(d(2026, 3, 1), seven, "month", today) == {"days": 7, "of": 31, "in_progress": True}
    past = Period(d(2026, 2, 2), d(2026, 2, 15), "day")
    assert bucket_coverage(d(2026, 2, 9), past, "week", today) == {"days": 7, "of": 7, "in_progress": False}
    assert bucket_coverage(d(2026, 2, 1), past, "month", today) == {"days": 14, "of": 28, "in_progress": False}
    # Cohort of the week of 2 March: week 1 holds today, so its share is not final; week 0 is.
    assert cohort_cell_complete(d(2026, 3, 2), 0, seven, "week", today)
    assert not cohort_cell_complete(d(2026, 3, 2), 1, seven, "week", today)
    # Week 1 of the week of 2 February is over and inside the period: final.
    assert cohort_cell_complete(d(2026, 2, 2), 1, past, "week", today)
    # A month past the period's end is not over for the report, whatever today is.
    assert not cohort_cell_complete(d(2026, 1, 1), 1, past, "month", today)
    assert cohort_cell_complete(d(2025, 12, 1), 1, Period(d(2025, 12, 1), d(2026, 1, 31), "month"), "month", today)
