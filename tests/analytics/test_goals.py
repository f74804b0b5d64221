"""Goals: validation, and every conversion number from hand-built events, on both backends."""
import datetime
import time

import pytest

from vigie.analytics.goals import GoalError, add_goal, conversions, edit_goal, list_goals, remove_goal
from vigie.analytics.period import Period
from tests.factories import event, insert_events
from vigie.warehouse.sites import add_site

DAY = datetime.date(2026, 3, 10)
ONE_DAY = Period(DAY, DAY, "hour")


@pytest.fixture
def site(store):
    return add_site(store, "shop.test", "UTC")


def by_pattern(rows):
    return {row["pattern"]: row for row in rows}


def test_goal_validation(store, site):
    with pytest.raises(GoalError, match="no site 'nowhere.test'"):
        add_goal(store, "nowhere.test", "pageview", "/x")
    with pytest.raises(GoalError, match="unknown goal kind 'click'"):
        add_goal(store, site.domain, "click", "/x")
    with pytest.raises(GoalError, match="pattern is empty"):
        add_goal(store, site.domain, "event", "   ")
    with pytest.raises(GoalError, match="must start with /"):
        add_goal(store, site.domain, "pageview", "thank-you")
    with pytest.raises(GoalError, match="only custom-event goals carry revenue"):
        add_goal(store, site.domain, "pageview", "/thanks", revenue=True)
    goal = add_goal(store, site.domain, "event", "signup")
    with pytest.raises(GoalError, match=f"already has this goal: {goal.goal_id}"):
        add_goal(store, site.domain, "event", " signup ")
    assert [g.name for g in list_goals(store, site.domain)] == ["signup"]


def test_remove_goal(store, site):
    keep = add_goal(store, site.domain, "pageview", "/thanks", name="Thanks")
    gone = add_goal(store, site.domain, "event", "signup")
    remove_goal(store, site.domain, gone.goal_id)
    assert [g.goal_id for g in list_goals(store, site.domain)] == [keep.goal_id]
    with pytest.raises(GoalError, match="has no goal 'nope'"):
        remove_goal(store, site.domain, "nope")
    # A removed goal can be added again.
    assert add_goal(store, site.domain, "event", "signup").goal_id != gone.goal_id


def load_day(store):
    s = "shop.test"
    insert_events(store, [
        event(s, "2026-03-10 09:00:00", visitor=1, pathname="/"),
        event(s, "2026-03-10 09:05:00", visitor=1, pathname="/blog/hello"),
        event(s, "2026-03-10 09:10:00", "signup", visitor=1),
        event(s, "2026-03-10 10:00:00", visitor=2, pathname="/blog/a/b"),
        event(s, "2026-03-10 10:01:00", visitor=2, pathname="/docs/a/b"),
        event(s, "2026-03-10 10:20:00", "purchase", visitor=2, revenue=30.0, currency="EUR"),
        event(s, "2026-03-10 11:00:00", visitor=3, pathname="/docs/intro"),
        event(s, "2026-03-10 11:00:30", "purchase", visitor=3, revenue=20.0, currency="EUR"),
        event(s, "2026-03-10 11:40:00", "purchase", visitor=3, revenue=5.0, currency="USD"),
        event(s, "2026-03-10 12:00:00", visitor=4, pathname="/about"),
        # An engagement event alone does not make a visitor.
        event(s, "2026-03-10 13:00:00", "engagement", visitor=5, engaged_ms=4000),
        # Outside the day, and another site: never counted.
        event(s, "2026-03-11 09:00:00", "signup", visitor=1),
        event("other.test", "2026-03-10 09:00:00", "signup", visitor=9),
    ])


def test_conversions_of_a_day(store, site):
    for kind, pattern, revenue in [("pageview", "/blog/*", False), ("pageview", "/docs/**", False),
                                   ("event", "signup", False), ("event", "purchase", True)]:
        add_goal(store, site.domain, kind, pattern, revenue=revenue)
    load_day(store)
    rows = by_pattern(conversions(store, site, ONE_DAY))
    # 4 visitors (1-4). /blog/* matches /blog/hello, not /blog/a/b.
    assert {p: (r["visitors"], r["conversion_rate"], r["completions"]) for p, r in rows.items()} == {
        "/blog/*": (1, 25.0, 1), "/docs/**": (2, 50.0, 2), "signup": (1, 25.0, 1),
        "purchase": (2, 50.0, 3)}
    assert rows["purchase"]["revenue"] == 55.0
    assert rows["purchase"]["revenue_by_currency"] == {"EUR": 50.0, "USD": 5.0}
    assert rows["signup"]["revenue"] is None and rows["signup"]["revenue_by_currency"] == {}
    # Time to convert from the visit's first event to the first conversion:
    # /blog/*: 09:00 -> 09:05 = 300 s; /docs/**: 60 s and 0 s -> 30 s;
    # signup: 600 s; purchase: 1200 s and 30 s -> 615 s.
    assert {p: r["median_seconds_to_convert"] for p, r in rows.items()} == {
        "/blog/*": 300, "/docs/**": 30, "signup": 600, "purchase": 615}


def test_time_to_convert_starts_at_the_visit_of_the_conversion(store, site):
    add_goal(store, site.domain, "event", "signup")
    s = "shop.test"
    insert_events(store, [
        # Visitor 1: a visit at 08:00, then 31 minutes of silence: the
        # conversion visit starts at 08:31, so 4 minutes to convert.
        event(s, "2026-03-10 08:00:00", visitor=1),
        event(s, "2026-03-10 08:31:00", visitor=1),
        event(s, "2026-03-10 08:35:00", "signup", visitor=1),
        # Visitor 2: the visit began before midnight (23:50, previous day);
        # the conversion at 00:10 took 20 minutes. An engagement event at
        # 00:00 neither starts nor prolongs the visit.
        event(s, "2026-03-09 23:50:00", visitor=2),
        event(s, "2026-03-10 00:00:00", "engagement", visitor=2, engaged_ms=1000),
        event(s, "2026-03-10 00:10:00", "signup", visitor=2),
        # Visitor 3: exactly 30 minutes of silence keeps the visit: 35 minutes.
        event(s, "2026-03-10 14:00:00", visitor=3),
        event(s, "2026-03-10 14:30:00", visitor=3),
        event(s, "2026-03-10 14:35:00", "signup", visitor=3),
    ])
    [row] = conversions(store, site, ONE_DAY)
    # 240 s, 1200 s, 2100 s -> median 1200 s; visitors 1-3 all converted.
    assert (row["visitors"], row["conversion_rate"], row["median_seconds_to_convert"]) == (3, 100.0, 1200)


def test_no_visitors_no_rate(store, site):
    add_goal(store, site.domain, "pageview", "/thanks")
    [row] = conversions(store, site, ONE_DAY)
    assert (row["visitors"], row["conversion_rate"], row["completions"],
            row["median_seconds_to_convert"]) == (0, None, 0, None)


def test_the_period_follows_the_site_time_zone(store):
    paris = add_site(store, "paris.test", "Europe/Paris")
    add_goal(store, paris.domain, "event", "signup")
    insert_events(store, [
        # 23:30 UTC on 9 March is 00:30 on 10 March in Paris: inside the day.
        event("paris.test", "2026-03-09 23:30:00", "signup", visitor=1),
        # 23:30 UTC on 10 March is already 11 March in Paris: outside.
        event("paris.test", "2026-03-10 23:30:00", "signup", visitor=2),
        event("paris.test", "2026-03-10 12:00:00", visitor=3),
    ])
    [row] = conversions(store, paris, ONE_DAY)
    assert (row["visitors"], row["conversion_rate"]) == (1, 50.0)


def test_edit_goal_renames_and_switches_revenue_but_keeps_what_it_matches(store, site):
    thanks = add_goal(store, site.domain, "pageview", "/thanks", name="Thanks")
    time.sleep(1.05)  # created_at has whole seconds: the list order is by it
    buy = add_goal(store, site.domain, "event", "purchase")
    edited = edit_goal(store, site.domain, buy.goal_id, name="  Purchase  ", revenue=True)
    assert (edited.goal_id, edited.name, edited.pattern, edited.revenue_goal) == (
        buy.goal_id, "Purchase", "purchase", True)
    # An empty name falls back to the default one, as when adding.
    edit_goal(store, site.domain, thanks.goal_id, name="")
    # Edits keep the order in which the goals were added.
    assert [(g.goal_id, g.name, g.revenue_goal) for g in list_goals(store, site.domain)] == [
        (thanks.goal_id, "Visit /thanks", False), (buy.goal_id, "Purchase", True)]
    with pytest.raises(GoalError, match="only custom-event goals carry revenue"):
        edit_goal(store, site.domain, thanks.goal_id, revenue=True)
    with pytest.raises(GoalError, match="has no goal 'nope'"):
        edit_goal(store, site.domain, "nope", name="x")
    with pytest.raises(GoalError, match="no site 'nowhere.test'"):
        edit_goal(store, "nowhere.test", buy.goal_id, name="x")
