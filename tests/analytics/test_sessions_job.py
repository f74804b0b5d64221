"""The sessions job (SQL sessionization) on hand-built events, on both backends."""
import datetime

import pytest

from vigie.analytics.sessionize import rebuild_sessions
from tests.factories import at, event, insert_events
from vigie.warehouse.sites import add_site

SITE = "shop.test"
DAY_START, DAY_END = at("2026-03-10 00:00:00"), at("2026-03-11 00:00:00")
_version = iter(range(1, 1000))


def build(store, since=DAY_START, until=DAY_END, timeout=30, engaged=10):
    return rebuild_sessions(store, SITE, since, until, timeout, engaged, next(_version))


def visits(store):
    return store.query_dicts(
        "SELECT visitor_id, start, `end`, duration, pageviews, events, engaged_ms, entry_page, "
        "exit_page, bounce, source, channel, utm_campaign, device, country, goals, revenue, "
        "pages, event_names, props "
        "FROM sessions FINAL WHERE site = %(site)s AND deleted = 0 ORDER BY start, visitor_id",
        {"site": SITE})


def load(store, *events):
    insert_events(store, list(events))


def test_worked_example_of_the_metrics_doc(store):
    # pageview 09:00:00; engagement 20 s; pageview 09:00:22; engagement 30 s -> ends 09:00:52
    load(store, event(SITE, "2026-03-10 09:00:00", pathname="/"),
         event(SITE, "2026-03-10 09:00:20", name="engagement", engaged_ms=20000, pathname="/"),
         event(SITE, "2026-03-10 09:00:22", pathname="/b"),
         event(SITE, "2026-03-10 09:00:52", name="engagement", engaged_ms=30000, pathname="/b"))
    assert build(store) == 1
    [v] = visits(store)
    assert (v["duration"], v["pageviews"], v["events"], v["engaged_ms"], v["bounce"]) == (52, 2, 2, 50000, 0)
    assert (v["entry_page"], v["exit_page"], v["pages"]) == ("/", "/b", ["/", "/b"])
    assert v["end"] == at("2026-03-10 09:00:52")


def test_bounce_versus_engaged(store):
    load(store,
         # 1: two pageviews -> engaged
         event(SITE, "2026-03-10 09:00:00", visitor=1), event(SITE, "2026-03-10 09:01:00", visitor=1),
         # 2: one page and an interactive event -> engaged
         event(SITE, "2026-03-10 09:00:00", visitor=2),
         event(SITE, "2026-03-10 09:00:03", name="signup", visitor=2),
         # 3: one page, 10 s foreground -> engaged (threshold reached)
         event(SITE, "2026-03-10 09:00:00", visitor=3),
         event(SITE, "2026-03-10 09:00:10", name="engagement", visitor=3, engaged_ms=10000),
         # 4: one page, 9.999 s -> bounce
         event(SITE, "2026-03-10 09:00:00", visitor=4),
         event(SITE, "2026-03-10 09:00:10", name="engagement", visitor=4, engaged_ms=9999),
         # 5: one page, nothing else -> bounce
         event(SITE, "2026-03-10 09:00:00", visitor=5))
    assert build(store) == 5
    assert [(v["visitor_id"], v["bounce"]) for v in visits(store)] == [(1, 0), (2, 0), (3, 0), (4, 1), (5, 1)]


def test_event_only_visit_and_engagement_never_starts_a_visit(store):
    load(store,
         # an outbound click with no pageview: a visit without entry page, engaged
         event(SITE, "2026-03-10 09:00:00", name="outbound", visitor=1, pathname="/x"),
         # engagement alone (its page was viewed yesterday, beyond the window): no visit
         event(SITE, "2026-03-10 12:00:00", name="engagement", visitor=2, engaged_ms=50000))
    assert build(store) == 1
    [v] = visits(store)
    assert (v["visitor_id"], v["pageviews"], v["events"], v["entry_page"], v["bounce"]) == (1, 0, 1, "", 0)
    assert v["event_names"] == ["outbound"]


@pytest.mark.parametrize("gap_minutes, expected", [(29, 1), (30, 1), (31, 2)])
def test_inactivity_gap(store, gap_minutes, expected):
    first = at("2026-03-10 09:00:00")
    load(store, event(SITE, first), event(SITE, first + datetime.timedelta(minutes=gap_minutes)))
    assert build(store) == expected


def test_engagement_late_after_the_timeout_joins_the_visit_in_progress(store):
    # the tab stays hidden 45 min: the engagement event arrives after the timeout
    # but belongs to the 09:00 visit, and does not prolong it for the 10:00 pageview
    load(store, event(SITE, "2026-03-10 09:00:00"),
         event(SITE, "2026-03-10 09:45:00", name="engagement", engaged_ms=15000),
         event(SITE, "2026-03-10 10:00:00", pathname="/again"))
    assert build(store) == 2
    first, second = visits(store)
    assert (first["engaged_ms"], first["duration"], first["bounce"]) == (15000, 15, 0)
    assert (second["engaged_ms"], second["bounce"], second["entry_page"]) == (0, 1, "/again")


def test_first_event_fixes_source_campaign_and_device(store):
    load(store,
         event(SITE, "2026-03-10 09:00:00", source="Google", channel="Organic Search",
               utm_campaign="spring", device="mobile", country="FR"),
         event(SITE, "2026-03-10 09:05:00", source="Facebook", channel="Organic Social",
               utm_campaign="other", device="desktop", country="DE", pathname="/buy"),
         event(SITE, "2026-03-10 09:06:00", name="purchase", revenue=49.5,
               prop_keys=["plan"], prop_values=["pro"]))
    build(store)
    [v] = visits(store)
    assert (v["source"], v["channel"], v["utm_campaign"], v["device"], v["country"]) == (
        "Google", "Organic Search", "spring", "mobile", "FR")
    assert (v["revenue"], v["props"], v["exit_page"]) == (49.5, ["plan=pro"], "/buy")


def test_goals_reached(store):
    store.insert("goals", ["site", "goal_id", "name", "kind", "pattern", "revenue_goal",
                           "created_at", "version", "deleted"],
                 [(SITE, "g-blog", "Read a post", "pageview", "/blog/*", 0, DAY_START, 1, 0),
                  (SITE, "g-buy", "Purchase", "event", "purchase", 1, DAY_START, 1, 0),
                  (SITE, "g-gone", "Deleted goal", "pageview", "/**", 0, DAY_START, 2, 1)])
    load(store, event(SITE, "2026-03-10 09:00:00", visitor=1, pathname="/blog/hello"),
         event(SITE, "2026-03-10 09:01:00", visitor=1, name="purchase"),
         event(SITE, "2026-03-10 09:00:00", visitor=2, pathname="/blog/a/b"))
    build(store)
    assert [v["goals"] for v in visits(store)] == [["g-blog", "g-buy"], []]


def test_a_visit_across_midnight_belongs_to_its_start_day_and_windows_continue_it(store):
    load(store, event(SITE, "2026-03-10 23:50:00", pathname="/a"),
         event(SITE, "2026-03-11 00:10:00", pathname="/b"),
         event(SITE, "2026-03-11 00:15:00", pathname="/c"))
    assert build(store, DAY_START, DAY_END) == 1
    # the next day's window sees 00:10 continue the visit and starts nothing
    assert build(store, DAY_END, DAY_END + datetime.timedelta(days=1)) == 0
    [v] = visits(store)
    assert (v["start"], v["pageviews"], v["duration"], v["exit_page"]) == (
        at("2026-03-10 23:50:00"), 3, 25 * 60, "/c")


def test_rerunning_a_window_replaces_without_duplicates(store):
    load(store, event(SITE, "2026-03-10 09:00:00", visitor=1),
         event(SITE, "2026-03-10 10:00:00", visitor=2))
    build(store)
    build(store)
    assert store.query_value("SELECT count() FROM sessions FINAL WHERE deleted = 0") == 2
    store.execute("OPTIMIZE TABLE sessions FINAL")
    assert store.query_value("SELECT count() FROM sessions WHERE deleted = 0") == 2


def test_an_open_visit_is_updated_as_events_arrive(store):
    load(store, event(SITE, "2026-03-10 09:00:00"))
    build(store)
    load(store, event(SITE, "2026-03-10 09:10:00", pathname="/more"))
    build(store)
    [v] = visits(store)
    assert (v["pageviews"], v["duration"], v["bounce"]) == (2, 600, 0)


def test_a_late_event_merges_two_visits(store):
    # 09:00 and 09:40 are two visits until a replayed 09:20 event bridges them
    load(store, event(SITE, "2026-03-10 09:00:00", pathname="/a"),
         event(SITE, "2026-03-10 09:40:00", pathname="/c"))
    assert build(store) == 2
    load(store, event(SITE, "2026-03-10 09:20:00", pathname="/b"))
    assert build(store) == 1
    [v] = visits(store)
    assert (v["start"], v["pageviews"], v["duration"], v["exit_page"]) == (
        at("2026-03-10 09:00:00"), 3, 40 * 60, "/c")
    # the superseded 09:40 visit is a tombstone, not a live row
    assert store.query_value("SELECT count() FROM sessions FINAL WHERE deleted = 1") == 1


def test_a_late_event_before_the_start_moves_the_visit(store):
    load(store, event(SITE, "2026-03-10 09:30:00", pathname="/b"))
    build(store)
    load(store, event(SITE, "2026-03-10 09:10:00", pathname="/a", source="Newsletter"))
    build(store)
    [v] = visits(store)
    assert (v["start"], v["entry_page"], v["source"], v["pageviews"]) == (
        at("2026-03-10 09:10:00"), "/a", "Newsletter", 2)


def test_windows_only_touch_their_own_visits(store):
    load(store, event(SITE, "2026-03-10 09:00:00", visitor=1),
         event(SITE, "2026-03-10 15:00:00", visitor=2))
    assert build(store, at("2026-03-10 00:00:00"), at("2026-03-10 12:00:00")) == 1
    assert build(store, at("2026-03-10 12:00:00"), at("2026-03-11 00:00:00")) == 1
    # re-running the morning leaves the afternoon visit alone
    assert build(store, at("2026-03-10 00:00:00"), at("2026-03-10 12:00:00")) == 1
    assert [v["visitor_id"] for v in visits(store)] == [1, 2]


def test_other_sites_are_untouched(store):
    add_site(store, "other.test", "UTC")
    load(store, event(SITE, "2026-03-10 09:00:00"), event("other.test", "2026-03-10 09:00:00"))
    assert build(store) == 1
    assert store.query_value("SELECT count() FROM sessions WHERE site = 'other.test'") == 0


def test_journey_keeps_the_first_pages_in_order_with_repeats_collapsed(store):
    pages = ["/", "/", "/a", "/b", "/a"] + [f"/p{i}" for i in range(10)]
    load(store, *[event(SITE, f"2026-03-10 09:{m:02d}:00", pathname=p) for m, p in enumerate(pages)],
         # Events other than pageviews are no step of the journey.
         event(SITE, "2026-03-10 09:01:30", name="Signup", pathname="/a"),
         event(SITE, "2026-03-10 09:01:40", name="engagement", engaged_ms=5000, pathname="/a"),
         event(SITE, "2026-03-10 12:00:00", pathname="/c", visitor=2))
    assert build(store) == 2
    journeys = store.query("SELECT visitor_id, journey FROM sessions FINAL WHERE site = %(site)s "
                           "AND deleted = 0 ORDER BY visitor_id", {"site": SITE})
    # The reload of / is one step; /a twice, apart, is two; 11 pages kept of 14 steps.
    assert journeys == [(1, ["/", "/a", "/b", "/a"] + [f"/p{i}" for i in range(7)]), (2, ["/c"])]
