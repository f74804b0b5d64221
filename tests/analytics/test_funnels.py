"""Funnels from hand-built events on both backends: order, visit and N-day windows."""
import datetime
import time

import pytest

from vigie.analytics.funnels import (FunnelError, add_funnel, edit_funnel, funnel_report, get_funnel,
                                     list_funnels, remove_funnel)
from vigie.analytics.period import Period
from tests.factories import event, insert_events
from vigie.warehouse.sites import add_site

S = "shop.test"
STEPS = [("pageview", "/pricing"), ("pageview", "/signup/*"), ("event", "signup")]
DAY = datetime.date(2026, 3, 10)


@pytest.fixture
def site(store):
    return add_site(store, S, "UTC")


def load_day(store):
    insert_events(store, [
        # v1: all three steps in order -> 3
        event(S, "2026-03-10 09:00:00", visitor=1, pathname="/pricing"),
        event(S, "2026-03-10 09:05:00", visitor=1, pathname="/signup/form"),
        event(S, "2026-03-10 09:06:00", "signup", visitor=1),
        # v2: /signup/form before /pricing does not count; signup is not step 2 -> 1
        event(S, "2026-03-10 09:00:00", visitor=2, pathname="/signup/form"),
        event(S, "2026-03-10 09:01:00", visitor=2, pathname="/pricing"),
        event(S, "2026-03-10 09:02:00", "signup", visitor=2),
        # v3: step 2 after a 31-minute gap is another visit -> 1 (2 within days)
        event(S, "2026-03-10 10:00:00", visitor=3, pathname="/pricing"),
        event(S, "2026-03-10 10:31:00", visitor=3, pathname="/signup/form"),
        # v4: 70 minutes end to end, but no gap over 30 minutes: one visit -> 3
        event(S, "2026-03-10 11:00:00", visitor=4, pathname="/pricing"),
        event(S, "2026-03-10 11:20:00", visitor=4, pathname="/blog"),
        event(S, "2026-03-10 11:45:00", visitor=4, pathname="/signup/a"),
        event(S, "2026-03-10 11:55:00", "engagement", visitor=4, engaged_ms=9000),
        event(S, "2026-03-10 12:10:00", "signup", visitor=4),
        # v5: none of the steps -> 0
        event(S, "2026-03-10 12:00:00", visitor=5, pathname="/about"),
        # v6: steps 2 and 1 in the same second count in funnel order -> 2;
        # /signup/a/b is two segments, not step 2.
        event(S, "2026-03-10 13:00:00", visitor=6, pathname="/signup/x"),
        event(S, "2026-03-10 13:00:00", visitor=6, pathname="/pricing"),
        event(S, "2026-03-10 13:01:00", visitor=6, pathname="/signup/a/b"),
    ])


def numbers(report):
    return [(s["visitors"], s["dropoff"], s["conversion_from_previous"], s["conversion_from_first"])
            for s in report["steps"]]


def test_within_a_visit(store, site):
    funnel = add_funnel(store, S, "Signup", STEPS)
    load_day(store)
    report = funnel_report(store, site, funnel, Period(DAY, DAY, "hour"))
    # Furthest steps: v1 3, v2 1, v3 1, v4 3, v5 0, v6 2.
    assert numbers(report) == [(5, 0, 100.0, 100.0), (3, 2, 60.0, 60.0), (2, 1, 66.7, 40.0)]
    assert (report["window"], report["conversion_rate"]) == ("visit", 40.0)
    assert [s["label"] for s in report["steps"]] == ["Visit /pricing", "Visit /signup/*", "signup"]


def test_within_days_follows_customers_across_visitor_ids(store, site):
    funnel = add_funnel(store, S, "Signup week", STEPS, window_days=7)
    load_day(store)
    insert_events(store, [
        # Customer c7: a new visitor id each day. Step 3 comes 8 days after
        # step 1, outside the window -> 2.
        event(S, "2026-03-01 10:00:00", visitor=71, customer_id="c7", pathname="/pricing"),
        event(S, "2026-03-03 10:00:00", visitor=72, customer_id="c7", pathname="/signup/a"),
        event(S, "2026-03-09 10:00:01", "signup", visitor=73, customer_id="c7"),
        # Customer c8: step 2 exactly 7 days after step 1 is inside -> 3.
        event(S, "2026-03-01 10:00:00", visitor=81, customer_id="c8", pathname="/pricing"),
        event(S, "2026-03-08 10:00:00", visitor=82, customer_id="c8", pathname="/signup/a"),
        event(S, "2026-03-08 10:00:00", "signup", visitor=82, customer_id="c8"),
        # Before the period: not counted at all.
        event(S, "2026-02-28 10:00:00", visitor=91, pathname="/pricing"),
    ])
    report = funnel_report(store, site, funnel, Period(datetime.date(2026, 3, 1), DAY, "day"))
    # Furthest steps: v1 3, v2 1, v3 2, v4 3, v6 2, c7 2, c8 3 (v5 none).
    assert numbers(report) == [(7, 0, 100.0, 100.0), (6, 1, 85.7, 85.7), (3, 3, 50.0, 42.9)]
    assert (report["window"], report["conversion_rate"]) == ("7 days", 42.9)


def test_empty_period(store, site):
    funnel = add_funnel(store, S, "Signup", STEPS)
    report = funnel_report(store, site, funnel, Period(DAY, DAY, "hour"))
    assert numbers(report) == [(0, 0, None, None)] * 3 and report["conversion_rate"] is None


def test_funnel_validation_and_removal(store, site):
    with pytest.raises(FunnelError, match="no site"):
        add_funnel(store, "nowhere.test", "F", STEPS)
    with pytest.raises(FunnelError, match="needs a name"):
        add_funnel(store, S, " ", STEPS)
    with pytest.raises(FunnelError, match="2 to 8 steps, not 9"):
        add_funnel(store, S, "F", [("event", "e")] * 9)
    with pytest.raises(FunnelError, match="must start with /"):
        add_funnel(store, S, "F", [("pageview", "pricing"), ("event", "signup")])
    with pytest.raises(FunnelError, match="window is 0"):
        add_funnel(store, S, "F", STEPS, window_days=91)
    kept = add_funnel(store, S, "A", STEPS)
    gone = add_funnel(store, S, "B", STEPS, window_days=3)
    assert [(f.name, f.steps, f.window_days) for f in list_funnels(store, S)] == [
        ("A", tuple(STEPS), 0), ("B", tuple(STEPS), 3)]
    remove_funnel(store, S, gone.funnel_id)
    assert [f.funnel_id for f in list_funnels(store, S)] == [kept.funnel_id]


def test_within_days_counts_steps_before_a_login(store, site):
    funnel = add_funnel(store, S, "Signup week", STEPS, window_days=7)
    insert_events(store, [
        # Visitor 100 views /pricing anonymously, then logs in as c9 (its
        # later event carries the customer id); c9 finishes on another day
        # under a new visitor id -> one person reaching step 3.
        event(S, "2026-03-01 09:00:00", visitor=100, pathname="/pricing"),
        event(S, "2026-03-01 09:10:00", visitor=100, customer_id="c9", pathname="/account"),
        event(S, "2026-03-04 10:00:00", visitor=101, customer_id="c9", pathname="/signup/a"),
        event(S, "2026-03-04 10:01:00", "signup", visitor=101, customer_id="c9"),
        # An anonymous visitor on another day is someone else: step 1 only.
        event(S, "2026-03-02 09:00:00", visitor=102, pathname="/pricing"),
        event(S, "2026-03-03 09:00:00", visitor=103, pathname="/signup/a"),
    ])
    report = funnel_report(store, site, funnel, Period(datetime.date(2026, 3, 1), DAY, "day"))
    assert numbers(report) == [(2, 0, 100.0, 100.0), (1, 1, 50.0, 50.0), (1, 0, 100.0, 50.0)]


def test_edit_funnel_replaces_steps_and_window_under_the_same_id(store, site):
    first = add_funnel(store, S, "Signup", STEPS)
    time.sleep(1.05)  # created_at has whole seconds: the list order is by it
    other = add_funnel(store, S, "Checkout", [("pageview", "/cart"), ("event", "purchase")])
    edited = edit_funnel(store, S, first.funnel_id, " Short signup ", STEPS[:2], window_days=2)
    assert (edited.funnel_id, edited.name, edited.steps, edited.window_days) == (
        first.funnel_id, "Short signup", tuple(STEPS[:2]), 2)
    assert [(f.funnel_id, f.name, len(f.steps)) for f in list_funnels(store, S)] == [
        (first.funnel_id, "Short signup", 2), (other.funnel_id, "Checkout", 2)]
    # Keeping its own name is fine; taking another funnel's is not.
    edit_funnel(store, S, first.funnel_id, "short SIGNUP", STEPS)
    with pytest.raises(FunnelError, match="already has a funnel named 'Checkout'"):
        edit_funnel(store, S, first.funnel_id, "Checkout", STEPS)
    with pytest.raises(FunnelError, match="2 to 8 steps, not 1"):
        edit_funnel(store, S, first.funnel_id, "Signup", STEPS[:1])
    with pytest.raises(FunnelError, match="has no funnel 'nope'"):
        edit_funnel(store, S, "nope", "Signup", STEPS)
    # The report follows the new steps at once.
    load_day(store)
    edit_funnel(store, S, first.funnel_id, "Signup", STEPS[:2])
    report = funnel_report(store, site, get_funnel(store, S, first.funnel_id), Period(DAY, DAY, "hour"))
    assert [step["visitors"] for step in report["steps"]] == [5, 3]
