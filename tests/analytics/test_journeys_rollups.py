"""Journeys read from the daily rollup: the numbers of the raw read, on both backends.

The hand-built days of journeys_day (2026-03-09 and 03-10); numbers worked by hand.
"""
import datetime
import time

import pytest

from vigie.analytics.job_catalog import JOBS, REPORT_ROLLUPS
from vigie.analytics.jobs import JobContext, run_window
from vigie.analytics.journeys import journeys
from vigie.analytics.period import Period
from vigie.analytics.rollups import goals_changed, rebuild_day, rolled_up_days
from vigie.analytics.sessionize import rebuild_sessions
from tests.analytics.journeys_day import DAY, ONE_DAY, S, load_journeys_day
from tests.analytics.test_journeys import link, node
from tests.factories import at, event, insert_events

BEFORE = DAY - datetime.timedelta(days=1)
TWO_DAYS = Period(BEFORE, DAY, "day")


@pytest.fixture
def day(store):
    return load_journeys_day(store)


def roll_up(store, site, first, last):
    """Roll up the local days first..last as the rollups job does, under a version after the
    goals were added (the job's clock may still be in the second they were) and after any
    earlier rollup."""
    version = 1 + max(goals_changed(store, site), time.time_ns() // 1000,
                      store.query_value("SELECT max(version) FROM rollup_days") or 0)
    for n in range((last - first).days + 1):
        rebuild_day(store, site, first + datetime.timedelta(days=n), version, 30, REPORT_ROLLUPS)
    assert set(rolled_up_days(store, site, first, last)) == {
        first + datetime.timedelta(days=n) for n in range((last - first).days + 1)}


# Both days from every entry page, 3 steps: visitor 9 (/ then /pricing, on 03-09) joins
# visitors 1, 2 and 3 on / at step 1 and visitors 1 and 2 on /pricing at step 2, and
# stops there like visitor 2.
FROM_EVERY_ENTRY = {
    "mode": "entry", "steps": 3,
    "nodes": [node(1, "/", 4, 1), node(1, "/blog", 1, 1), node(1, "/pricing", 1, 0),
              node(2, "/pricing", 3, 2), node(2, "/blog", 1, 0), node(2, "/signup", 1, 0),
              node(3, "/pricing", 2, 0), node(3, "/signup", 1, 1)],
    "links": [link(1, "/", 2, "/pricing", 3), link(1, "/", 2, "/blog", 1),
              link(1, "/pricing", 2, "/signup", 1), link(2, "/blog", 3, "/pricing", 1),
              link(2, "/pricing", 3, "/signup", 1), link(2, "/signup", 3, "/pricing", 1)],
}
# To the /signup goal, 3 steps (docs of test_journeys.test_to_a_page_goal): 03-09 adds none.
TO_SIGNUP = {
    "mode": "goal", "steps": 3,
    "nodes": [node(1, "/signup", 3, 0), node(2, "/pricing", 3, 1), node(3, "/", 1, 1), node(3, "/blog", 1, 0)],
    "links": [link(2, "/pricing", 1, "/signup", 3), link(3, "/", 2, "/pricing", 1),
              link(3, "/blog", 2, "/pricing", 1)],
}


def test_rolled_up_days_give_the_raw_numbers(store, day):
    site, signup, _ = day
    raw = journeys(store, site, TWO_DAYS, steps=3)
    raw_to_goal = journeys(store, site, TWO_DAYS, steps=3, goal_id=signup)
    roll_up(store, site, BEFORE, DAY)
    assert store.query_value("SELECT count() FROM rollup_journeys WHERE site = %(s)s", {"s": S}) > 0
    assert raw == journeys(store, site, TWO_DAYS, steps=3) == FROM_EVERY_ENTRY
    assert raw_to_goal == journeys(store, site, TWO_DAYS, steps=3, goal_id=signup) == TO_SIGNUP
    # The comparison period (03-09) is read from the rollup too.
    found = journeys(store, site, ONE_DAY, steps=2, compare="previous_period")
    by_node = {(n["step"], n["page"]): (n["visitors"], n["previous"], n["change"]) for n in found["nodes"]}
    assert by_node[(1, "/")] == (3, 1, 200.0) and by_node[(2, "/pricing")] == (2, 1, 100.0)


def test_a_period_mixing_a_rolled_up_day_and_a_raw_one(store, day):
    site, signup, _ = day
    roll_up(store, site, BEFORE, BEFORE)
    assert set(rolled_up_days(store, site, BEFORE, DAY)) == {BEFORE}
    assert journeys(store, site, TWO_DAYS, steps=3) == FROM_EVERY_ENTRY
    assert journeys(store, site, TWO_DAYS, steps=3, goal_id=signup) == TO_SIGNUP


def test_one_entry_page_a_filter_and_another_timeout_after_the_rollup(store, day):
    site, signup, _ = day
    roll_up(store, site, BEFORE, DAY)
    # From / (the rows of that entry page): visitor 5 entered on /pricing.
    assert journeys(store, site, TWO_DAYS, steps=3, entry_page="/")["nodes"] == [
        node(1, "/", 4, 1), node(2, "/pricing", 3, 2), node(2, "/blog", 1, 0),
        node(3, "/pricing", 1, 0), node(3, "/signup", 1, 1)]
    # A filter reads the visits: visitors 2 and 5 are the mobile ones.
    assert journeys(store, site, TWO_DAYS, steps=2, filters={"device": "mobile"})["nodes"] == [
        node(1, "/", 1, 0), node(1, "/pricing", 1, 0), node(2, "/pricing", 1, 1), node(2, "/signup", 1, 0)]
    # Paths to a goal cut with another timeout than the rollup's are read raw: with none,
    # every pageview is a visit of its own.
    assert journeys(store, site, TWO_DAYS, steps=2, goal_id=signup, timeout_minutes=0)["nodes"] == [
        node(1, "/signup", 3, 3)]


def test_a_day_rebuilt_after_a_late_event_counts_its_new_generation_only(store, day):
    site, _, _ = day
    roll_up(store, site, BEFORE, DAY)
    old_version = rolled_up_days(store, site, BEFORE, BEFORE)[BEFORE]
    # Visitor 9 went on to /blog: the event arrives after 03-09 was rolled up.
    insert_events(store, [event(S, "2026-03-09 09:02:00", visitor=9, pathname="/blog")])
    rebuild_sessions(store, S, at("2026-03-09 00:00:00"), at("2026-03-10 00:00:00"), 30, 10, 2)
    assert journeys(store, site, TWO_DAYS, steps=3) == FROM_EVERY_ENTRY  # the rollup, until rebuilt
    roll_up(store, site, BEFORE, BEFORE)
    # An old-generation row the background delete has not removed yet (visitor 99) never counts.
    store.execute(
        "INSERT INTO rollup_journeys (site, day, version, goal, entry, step, page, prev, visitors, ended) "
        "SELECT %(s)s, toDate('2026-03-09'), %(v)s, '', '', 2, '/pricing', '/', "
        "uniqCombinedState(17)(toUInt64(99)), uniqCombinedState(17)(toUInt64(99)) FROM system.one",
        {"s": S, "v": old_version})
    nodes = journeys(store, site, TWO_DAYS, steps=3)["nodes"]
    # Visitor 9 no longer stops on /pricing at step 2, but on /blog at step 3.
    assert nodes == [
        node(1, "/", 4, 1), node(1, "/blog", 1, 1), node(1, "/pricing", 1, 0),
        node(2, "/pricing", 3, 1), node(2, "/blog", 1, 0), node(2, "/signup", 1, 0),
        node(3, "/pricing", 2, 0), node(3, "/blog", 1, 1), node(3, "/signup", 1, 1)]


def test_a_path_to_a_goal_belongs_to_the_day_of_its_completion(store, day):
    site, signup, _ = day
    # Visitor 7 views /pricing before midnight and /signup after: the path is /signup alone.
    insert_events(store, [event(S, "2026-03-10 23:58:00", visitor=7, pathname="/pricing"),
                          event(S, "2026-03-11 00:01:00", visitor=7, pathname="/signup")])
    three_days = Period(BEFORE, DAY + datetime.timedelta(days=1), "day")
    expected = [node(1, "/signup", 4, 1), node(2, "/pricing", 3, 1), node(3, "/", 1, 1), node(3, "/blog", 1, 0)]
    assert journeys(store, site, three_days, steps=3, goal_id=signup)["nodes"] == expected
    roll_up(store, site, BEFORE, DAY + datetime.timedelta(days=1))
    assert journeys(store, site, three_days, steps=3, goal_id=signup)["nodes"] == expected


def test_the_rollups_job_cuts_paths_with_its_visit_timeout(store, day):
    site, _, _ = day
    run_window(store, JOBS["rollups"], site, at("2026-03-10 00:00:00"), at("2026-03-11 00:00:00"),
               JobContext(timeout_minutes=45))
    assert store.query("SELECT day, visit_timeout FROM rollup_days WHERE site = %(s)s", {"s": S}) == [
        (DAY, 45)]
