"""The report query layer on hand-built events, sessionized by the job, on both backends."""
import datetime

import pytest

from vigie.analytics import query
from vigie.analytics.breakdowns import breakdown
from vigie.analytics.goals import add_goal
from vigie.analytics.job_catalog import JOBS
from vigie.analytics.jobs import JobContext, run_window
from vigie.analytics.period import Period
from tests.factories import at, event, insert_events, past_goal_change
from vigie.warehouse.sites import add_site

CONTEXT = JobContext(timeout_minutes=30, engaged_seconds=10)
DAY = datetime.date(2026, 3, 10)
ONE_DAY = Period(DAY, DAY, "hour")


@pytest.fixture
def shop(store):
    return add_site(store, "shop.test", "UTC")


def sessionize(store, site, first="2026-03-09", last="2026-03-13"):
    run_window(store, JOBS["sessions"], site, at(first + " 00:00:00"), at(last + " 00:00:00"), CONTEXT)


def worked_day(site="shop.test"):
    """The worked day of docs/metrics.md."""
    return [
        event(site, "2026-03-10 09:00:00", visitor=1, pathname="/", source="Google", channel="Organic Search"),
        event(site, "2026-03-10 09:02:00", visitor=1, pathname="/pricing"),
        event(site, "2026-03-10 09:03:00", visitor=1, name="signup", pathname="/pricing",
              prop_keys=["plan"], prop_values=["pro"]),
        event(site, "2026-03-10 10:00:00", visitor=2, pathname="/blog", referrer_host="news.example"),
        event(site, "2026-03-10 10:00:04", visitor=2, name="engagement", pathname="/blog", engaged_ms=4000),
        event(site, "2026-03-10 11:00:00", visitor=2, pathname="/blog", referrer_host="news.example"),
        event(site, "2026-03-10 12:00:00", visitor=3, pathname="/", utm_campaign="spring",
              utm_source="mail", channel="Email"),
        event(site, "2026-03-10 12:00:25", visitor=3, name="engagement", pathname="/", engaged_ms=25000),
        event(site, "2026-03-10 13:00:00", visitor=4, pathname="/pricing", utm_campaign="spring",
              channel="Email", country="FR"),
        event(site, "2026-03-10 13:10:00", visitor=4, pathname="/cart"),
        event(site, "2026-03-10 13:40:00", visitor=4, pathname="/thank-you"),
        event(site, "2026-03-10 13:40:05", visitor=4, name="purchase", pathname="/thank-you", revenue=120.0,
              prop_keys=["plan"], prop_values=["pro"]),
    ]


def test_aggregate_of_the_worked_day(store, shop):
    insert_events(store, worked_day())
    sessionize(store, shop)
    got = query.aggregate(store, shop, ONE_DAY)
    # durations 180 + 4 + 0 + 25 + 2405 = 2614 s over 5 visits -> 522.8 -> 523
    assert got == {"visitors": 4, "visits": 5, "pageviews": 8, "views_per_visit": 1.6,
                   "bounce_rate": 40.0, "visit_duration": 523, "time_on_page": 4,
                   "revenue": 120.0, "conversions": 0, "conversion_rate": 0.0}


def test_filters_combine_with_and_and_keep_whole_visits(store, shop):
    insert_events(store, worked_day())
    sessionize(store, shop)
    # visits that viewed /pricing: visitors 1 and 4, whose entry pages are / and /pricing
    assert query.aggregate(store, shop, ONE_DAY, {"page": "/pricing"})["visits"] == 2
    entries = breakdown(store, shop, ONE_DAY, "entry_page", {"page": "/cart"})
    assert [(r["value"], r["visits"]) for r in entries] == [("/pricing", 1)]
    assert query.aggregate(store, shop, ONE_DAY, {"entry_page": "/cart"})["visits"] == 0
    both = query.aggregate(store, shop, ONE_DAY, {"utm_campaign": "spring", "country": "FR"})
    assert (both["visits"], both["revenue"]) == (1, 120.0)
    assert query.aggregate(store, shop, ONE_DAY, {"goal": "nothing"})["visits"] == 0
    assert query.aggregate(store, shop, ONE_DAY, {"prop:plan": "pro"})["visitors"] == 2
    assert query.aggregate(store, shop, ONE_DAY, {"source": "news.example"})["visits"] == 2


@pytest.mark.parametrize("filters, message", [
    ({"colour": "red"}, "unknown filter 'colour'"),
    ({"prop:": "x"}, "unknown filter 'prop:'"),
    ({"country": 3}, "filter 'country' needs a text value"),
])
def test_bad_filters_are_named(store, shop, filters, message):
    with pytest.raises(ValueError, match=message):
        query.aggregate(store, shop, ONE_DAY, filters)


def test_bad_breakdowns_are_named(store, shop):
    with pytest.raises(ValueError, match="unknown breakdown 'colour'"):
        breakdown(store, shop, ONE_DAY, "colour")
    with pytest.raises(ValueError, match="limit must be"):
        breakdown(store, shop, ONE_DAY, "source", limit=0)


def test_a_filter_value_is_bound_not_formatted(store, shop):
    insert_events(store, worked_day())
    sessionize(store, shop)
    assert query.aggregate(store, shop, ONE_DAY, {"country": "FR' OR 1=1 --"})["visits"] == 0


def test_breakdowns_of_the_worked_day(store, shop):
    insert_events(store, worked_day())
    sessionize(store, shop)
    sources = breakdown(store, shop, ONE_DAY, "source")
    assert [(r["value"], r["visits"], r["visitors"]) for r in sources] == [
        ("Direct / None", 2, 2), ("news.example", 2, 1), ("Google", 1, 1)]
    channels = breakdown(store, shop, ONE_DAY, "channel")
    assert [(r["value"], r["visits"]) for r in channels] == [("Direct", 2), ("Email", 2), ("Organic Search", 1)]
    campaigns = breakdown(store, shop, ONE_DAY, "utm_campaign")
    assert [(r["value"], r["visits"], r["revenue"]) for r in campaigns] == [("", 3, 0.0), ("spring", 2, 120.0)]
    exits = breakdown(store, shop, ONE_DAY, "exit_page")
    # /blog: 2 exits of 2 views; /pricing: 1 exit (visitor 1) of 2 views
    assert [(r["value"], r["exits"], r["exit_rate"]) for r in exits] == [
        ("/blog", 2, 100.0), ("/", 1, 50.0), ("/pricing", 1, 50.0), ("/thank-you", 1, 100.0)]


def test_pages_with_time_on_page_and_entry_bounce_rate(store, shop):
    insert_events(store, worked_day())
    sessionize(store, shop)
    rows = {r["value"]: r for r in breakdown(store, shop, ONE_DAY, "pages")}
    # /blog: 2 views by one visitor, 4 s of foreground over 2 views -> 2 s; 2 entries, both bounced
    assert (rows["/blog"]["pageviews"], rows["/blog"]["visitors"], rows["/blog"]["time_on_page"],
            rows["/blog"]["entries"], rows["/blog"]["bounce_rate"]) == (2, 1, 2, 2, 100.0)
    # /: 2 views, 25 s over 2 views -> 12.5 -> 12 (round half to even); 2 entries, 0 bounces
    assert (rows["/"]["pageviews"], rows["/"]["time_on_page"], rows["/"]["bounce_rate"]) == (2, 12, 0.0)
    assert (rows["/cart"]["entries"], rows["/cart"]["bounce_rate"]) == (0, None)


def test_custom_events_and_props(store, shop):
    insert_events(store, worked_day())
    sessionize(store, shop)
    events = breakdown(store, shop, ONE_DAY, "events")
    assert [(r["value"], r["events"], r["revenue"]) for r in events] == [("purchase", 1, 120.0), ("signup", 1, 0.0)]
    props = breakdown(store, shop, ONE_DAY, "props")
    assert [(r["key"], r["value"], r["events"]) for r in props] == [("plan", "pro", 2)]
    only = breakdown(store, shop, ONE_DAY, "props", event_name="signup")
    assert [(r["key"], r["events"], r["revenue"]) for r in only] == [("plan", 1, 0.0)]


def test_site_timezone_buckets_and_days(store):
    paris = add_site(store, "paris.test", "Europe/Paris")
    # 23:30 UTC on 9 March is 00:30 on 10 March in Paris
    insert_events(store, [event("paris.test", "2026-03-09 23:30:00", visitor=1),
                          event("paris.test", "2026-03-10 23:30:00", visitor=2)])
    sessionize(store, paris)
    assert query.aggregate(store, paris, ONE_DAY)["visits"] == 1
    series = query.timeseries(store, paris, ONE_DAY)
    assert [(r["bucket"].hour, r["visits"]) for r in series if r["visits"]] == [(0, 1)]
    days = query.timeseries(store, paris, Period(datetime.date(2026, 3, 9), datetime.date(2026, 3, 11), "day"))
    assert [r["visits"] for r in days] == [0, 1, 1]


def test_a_visit_across_a_dst_change(store):
    paris = add_site(store, "paris.test", "Europe/Paris")
    # 29 March 2026: 02:00 local becomes 03:00. 01:50 local (00:50 UTC) to 03:10 local
    # (01:10 UTC) is a 20-minute gap: one visit of 1200 s, started in the 01:00 bucket
    insert_events(store, [event("paris.test", "2026-03-29 00:50:00", pathname="/a"),
                          event("paris.test", "2026-03-29 01:10:00", pathname="/b")])
    sessionize(store, paris, "2026-03-28", "2026-03-30")
    day = Period(datetime.date(2026, 3, 29), datetime.date(2026, 3, 29), "hour")
    got = query.aggregate(store, paris, day)
    assert (got["visits"], got["visit_duration"], got["bounce_rate"]) == (1, 1200, 0.0)
    assert [r["bucket"].hour for r in query.timeseries(store, paris, day) if r["visits"]] == [1]


def test_weekly_and_monthly_buckets(store, shop):
    insert_events(store, [event("shop.test", "2026-03-01 09:00:00", visitor=1),   # Sunday
                          event("shop.test", "2026-03-02 09:00:00", visitor=2),   # Monday
                          event("shop.test", "2026-04-01 09:00:00", visitor=3)])
    sessionize(store, shop, "2026-03-01", "2026-04-02")
    weeks = query.timeseries(store, shop, Period(datetime.date(2026, 3, 1), datetime.date(2026, 3, 8), "week"))
    assert [(r["bucket"].date().isoformat(), r["visits"]) for r in weeks] == [
        ("2026-02-23", 1), ("2026-03-02", 1)]
    months = query.timeseries(store, shop, Period(datetime.date(2026, 3, 1), datetime.date(2026, 4, 30), "month"))
    assert [(r["bucket"].month, r["visits"]) for r in months] == [(3, 2), (4, 1)]


def test_comparison_with_the_previous_period_and_year(store, shop):
    insert_events(store, [
        event("shop.test", "2026-03-09 09:00:00", visitor=1),                      # previous day
        event("shop.test", "2026-03-09 09:00:00", visitor=2),
        event("shop.test", "2026-03-09 09:01:00", visitor=2),
        event("shop.test", "2026-03-10 09:00:00", visitor=3),                      # the day
        event("shop.test", "2026-03-10 09:00:00", visitor=4),
        event("shop.test", "2026-03-10 09:00:00", visitor=5),
        event("shop.test", "2025-03-10 09:00:00", visitor=6)])                     # a year before
    sessionize(store, shop, "2025-03-10", "2025-03-11")
    sessionize(store, shop, "2026-03-09", "2026-03-11")
    got = query.aggregate(store, shop, ONE_DAY, compare="previous_period")
    # 3 visits vs 2 -> +50 %; bounce 100 % vs 50 % -> +50 points
    assert got["visits"] == {"value": 3, "previous": 2, "change": 50.0}
    assert got["bounce_rate"] == {"value": 100.0, "previous": 50.0, "change": 50.0}
    year = query.aggregate(store, shop, ONE_DAY, compare="previous_year")
    assert year["visitors"] == {"value": 3, "previous": 1, "change": 200.0}
    with pytest.raises(ValueError, match="unknown comparison 'last_decade'"):
        query.aggregate(store, shop, ONE_DAY, compare="last_decade")


def test_rollups_give_the_numbers_raw_sessions_give(store, shop):
    insert_events(store, worked_day() + [
        event("shop.test", "2026-03-11 08:00:00", visitor=1, source="Google"),
        event("shop.test", "2026-03-12 08:00:00", visitor=9, pathname="/blog")])
    sessionize(store, shop)
    period = Period(datetime.date(2026, 3, 10), datetime.date(2026, 3, 12), "day")
    raw = (query.aggregate(store, shop, period), query.timeseries(store, shop, period),
           breakdown(store, shop, period, "source"), breakdown(store, shop, period, "pages"))
    # roll up the 10th and 11th only: the 12th stays raw, as today would
    run_window(store, JOBS["rollups"], shop, at("2026-03-10 00:00:00"), at("2026-03-12 00:00:00"), CONTEXT)
    assert query.Plan(store, shop, period, None).rolled == [datetime.date(2026, 3, 10), datetime.date(2026, 3, 11)]
    mixed = (query.aggregate(store, shop, period), query.timeseries(store, shop, period),
             breakdown(store, shop, period, "source"), breakdown(store, shop, period, "pages"))
    assert mixed == raw
    # visitor 1 came on the 10th and the 11th: 5 distinct visitors over the three days, not 6
    assert mixed[0]["visitors"] == 5 and mixed[0]["visits"] == 7
    # rebuilding a day again gives the same numbers (a new generation replaces the old)
    run_window(store, JOBS["rollups"], shop, at("2026-03-10 00:00:00"), at("2026-03-11 00:00:00"), CONTEXT)
    assert query.aggregate(store, shop, period) == raw[0]


def test_conversions_in_the_aggregate_and_per_campaign_and_channel(store, shop):
    add_goal(store, "shop.test", "event", "signup")
    add_goal(store, "shop.test", "pageview", "/thank-you")
    insert_events(store, worked_day())
    sessionize(store, shop)
    got = query.aggregate(store, shop, ONE_DAY)
    # visitor 1 signed up, visitor 4 reached /thank-you: 2 of the 5 visits converted
    assert (got["conversions"], got["conversion_rate"], got["revenue"]) == (2, 40.0, 120.0)
    campaigns = breakdown(store, shop, ONE_DAY, "utm_campaign")
    # '' : visitor 1 (converted) and visitor 2's two visits; spring: visitors 3 and 4 (converted)
    assert [(r["value"], r["visits"], r["conversions"], r["conversion_rate"], r["revenue"])
            for r in campaigns] == [("", 3, 1, 33.3, 0.0), ("spring", 2, 1, 50.0, 120.0)]
    channels = breakdown(store, shop, ONE_DAY, "channel")
    assert [(r["value"], r["conversions"], r["conversion_rate"]) for r in channels] == [
        ("Direct", 0, 0.0), ("Email", 1, 50.0), ("Organic Search", 1, 100.0)]
    assert query.aggregate(store, shop, ONE_DAY, {"channel": "Email"})["conversion_rate"] == 50.0
    series = query.timeseries(store, shop, ONE_DAY)
    assert [(r["bucket"].hour, r["conversions"]) for r in series if r["conversions"]] == [(9, 1), (13, 1)]


def test_without_visits_the_conversion_rate_is_undefined(store, shop):
    got = query.aggregate(store, shop, ONE_DAY)
    assert (got["conversions"], got["conversion_rate"]) == (0, None)


def test_the_conversion_rate_changes_in_points(store, shop):
    add_goal(store, "shop.test", "event", "signup")
    insert_events(store, [
        # the previous day: 1 of 4 visits converted (25 %)
        event("shop.test", "2026-03-09 09:00:00", visitor=1),
        event("shop.test", "2026-03-09 09:01:00", visitor=1, name="signup"),
        event("shop.test", "2026-03-09 09:00:00", visitor=2),
        event("shop.test", "2026-03-09 09:00:00", visitor=3),
        event("shop.test", "2026-03-09 09:00:00", visitor=4),
        # the day: 1 of 2 visits converted (50 %)
        event("shop.test", "2026-03-10 09:00:00", visitor=5),
        event("shop.test", "2026-03-10 09:01:00", visitor=5, name="signup"),
        event("shop.test", "2026-03-10 09:00:00", visitor=6)])
    sessionize(store, shop)
    got = query.aggregate(store, shop, ONE_DAY, compare="previous_period")
    assert got["conversion_rate"] == {"value": 50.0, "previous": 25.0, "change": 25.0}
    assert got["conversions"] == {"value": 1, "previous": 1, "change": 0.0}


def test_rollups_carry_conversions_and_older_rollups_are_read_raw(store, shop):
    add_goal(store, "shop.test", "pageview", "/thank-you")
    insert_events(store, worked_day() + [
        event("shop.test", "2026-03-11 08:00:00", visitor=7, pathname="/thank-you")])
    sessionize(store, shop)
    period = Period(datetime.date(2026, 3, 10), datetime.date(2026, 3, 11), "day")
    raw = (query.aggregate(store, shop, period), breakdown(store, shop, period, "channel"))
    assert (raw[0]["conversions"], raw[0]["conversion_rate"]) == (2, 33.3)
    past_goal_change(store, shop)
    run_window(store, JOBS["rollups"], shop, at("2026-03-10 00:00:00"), at("2026-03-12 00:00:00"), CONTEXT)
    assert query.Plan(store, shop, period, None).rolled == [datetime.date(2026, 3, 10), datetime.date(2026, 3, 11)]
    assert (query.aggregate(store, shop, period), breakdown(store, shop, period, "channel")) == raw
    # A day rolled up before migration 28 (layout 1) has no conversions in its rows: it must
    # be read raw, not from rollups. Name such a generation as the 11th's current one.
    store.insert("rollup_days", ["site", "day", "version", "timezone", "built_at", "layout"],
                 [("shop.test", datetime.date(2026, 3, 11), 2 ** 62, "UTC",
                   datetime.datetime(2026, 3, 12, tzinfo=datetime.timezone.utc), 1)])
    assert query.Plan(store, shop, period, None).rolled == [datetime.date(2026, 3, 10)]
    assert (query.aggregate(store, shop, period), breakdown(store, shop, period, "channel")) == raw
