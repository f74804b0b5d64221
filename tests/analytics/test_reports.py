"""Every number of the overview computed from hand-built events, on both backends."""
import datetime

import pytest

from analytics import reports
from analytics.period import Period, period_from_key
from analytics.visits import VisitRules
from tests.factories import event, insert_events
from warehouse.sites import add_site

RULES = VisitRules(timeout_minutes=30, engaged_seconds=10)
DAY = datetime.date(2026, 3, 10)
ONE_DAY = Period(DAY, DAY, "hour")


@pytest.fixture
def site(store):
    return add_site(store, "shop.test", "UTC")


@pytest.fixture
def paris(store):
    return add_site(store, "paris.test", "Europe/Paris")


def load(store, *events):
    insert_events(store, list(events))


def test_single_page_visit_is_a_bounce(store, site):
    load(store, event("shop.test", "2026-03-10 09:00:00", visitor=1))
    assert reports.overview(store, site, ONE_DAY, RULES) == {
        "visitors": 1, "visits": 1, "pageviews": 1, "views_per_visit": 1.0,
        "bounce_rate": 100.0, "visit_duration": 0}


def test_two_page_visit_is_not_a_bounce(store, site):
    # pageview 09:00:00, pageview 09:01:30 -> one visit, 90 s, engaged by 2 pageviews
    load(store, event("shop.test", "2026-03-10 09:00:00", pathname="/"),
         event("shop.test", "2026-03-10 09:01:30", pathname="/pricing"))
    got = reports.overview(store, site, ONE_DAY, RULES)
    assert (got["visits"], got["pageviews"], got["bounce_rate"], got["visit_duration"]) == (1, 2, 0.0, 90)


def test_engaged_time_decides_a_one_page_visit(store, site):
    # visitor 1: one page + 12 s foreground -> engaged; visitor 2: 5 s -> bounce
    load(store,
         event("shop.test", "2026-03-10 09:00:00", visitor=1),
         event("shop.test", "2026-03-10 09:00:12", name="engagement", visitor=1, engaged_ms=12000),
         event("shop.test", "2026-03-10 10:00:00", visitor=2),
         event("shop.test", "2026-03-10 10:00:05", name="engagement", visitor=2, engaged_ms=5000))
    got = reports.overview(store, site, ONE_DAY, RULES)
    # 1 of 2 visits bounced = 50.0 %; durations 12 s and 5 s -> mean 8.5 -> 8 (banker's) or 9
    assert (got["visits"], got["pageviews"], got["bounce_rate"]) == (2, 2, 50.0)
    assert got["visit_duration"] == round(8.5)


def test_a_custom_event_makes_a_visit_engaged(store, site):
    load(store, event("shop.test", "2026-03-10 09:00:00"),
         event("shop.test", "2026-03-10 09:00:04", name="signup"))
    got = reports.overview(store, site, ONE_DAY, RULES)
    assert (got["visits"], got["pageviews"], got["bounce_rate"], got["visit_duration"]) == (1, 1, 0.0, 4)


@pytest.mark.parametrize("gap_minutes, visits", [(29, 1), (30, 1), (31, 2)])
def test_inactivity_gap_splits_visits_only_beyond_the_timeout(store, site, gap_minutes, visits):
    first = datetime.datetime(2026, 3, 10, 9, 0, tzinfo=datetime.timezone.utc)
    load(store, event("shop.test", first),
         event("shop.test", first + datetime.timedelta(minutes=gap_minutes)))
    got = reports.overview(store, site, ONE_DAY, RULES)
    assert got["visits"] == visits and got["visitors"] == 1 and got["pageviews"] == 2
    # one visit of two pages is engaged; two single-page visits both bounce
    assert got["bounce_rate"] == (0.0 if visits == 1 else 100.0)


def test_a_visit_across_midnight_counts_once_on_its_start_day(store, site):
    # 23:50 and 00:10 (20 min gap): one visit that started on the 10th
    load(store, event("shop.test", "2026-03-10 23:50:00", pathname="/a"),
         event("shop.test", "2026-03-11 00:10:00", pathname="/b"))
    tenth = reports.overview(store, site, ONE_DAY, RULES)
    eleventh = reports.overview(store, site, Period(DAY + datetime.timedelta(1), DAY + datetime.timedelta(1), "hour"), RULES)
    assert (tenth["visits"], tenth["visitors"], tenth["pageviews"], tenth["visit_duration"]) == (1, 1, 1, 1200)
    # the 11th sees the pageview (by its own time) but no visit starting that day
    assert (eleventh["visits"], eleventh["visitors"], eleventh["pageviews"]) == (0, 0, 1)
    both = reports.overview(store, site, Period(DAY, DAY + datetime.timedelta(1), "day"), RULES)
    assert (both["visits"], both["pageviews"], both["bounce_rate"]) == (1, 2, 0.0)


def test_site_timezone_moves_events_to_the_local_day_and_hour(store, paris):
    # 23:30 UTC on 9 March is 00:30 on 10 March in Paris (UTC+1 in winter)
    load(store, event("paris.test", "2026-03-09 23:30:00"))
    assert reports.overview(store, paris, ONE_DAY, RULES)["visits"] == 1
    ninth = datetime.date(2026, 3, 9)
    assert reports.overview(store, paris, Period(ninth, ninth, "hour"), RULES)["visits"] == 0
    series = reports.timeseries(store, paris, ONE_DAY, RULES)
    assert len(series) == 24
    assert series[0]["bucket"] == datetime.datetime(2026, 3, 10, 0, 0)
    assert [(r["visits"], r["pageviews"]) for r in series if r["visits"]] == [(1, 1)]
    assert [r["bucket"].hour for r in series if r["visits"]] == [0]


def test_visit_duration_includes_the_last_pages_engaged_time(store, site):
    # pv 09:00:00, engagement (20 s on page 1) 09:00:20, pv 09:00:22, engagement 30 s at 09:00:52
    # duration = last pageview 09:00:22 + 30 s - 09:00:00 = 52 s
    load(store,
         event("shop.test", "2026-03-10 09:00:00"),
         event("shop.test", "2026-03-10 09:00:20", name="engagement", engaged_ms=20000),
         event("shop.test", "2026-03-10 09:00:22", pathname="/b"),
         event("shop.test", "2026-03-10 09:00:52", name="engagement", engaged_ms=30000))
    assert reports.overview(store, site, ONE_DAY, RULES)["visit_duration"] == 52


def test_engagement_alone_never_makes_a_visit(store, site):
    load(store, event("shop.test", "2026-03-10 09:00:00", name="engagement", engaged_ms=50000))
    got = reports.overview(store, site, ONE_DAY, RULES)
    assert (got["visits"], got["visitors"], got["bounce_rate"]) == (0, 0, None)


def test_timeseries_is_zero_filled_daily_for_seven_days(store, site):
    week = period_from_key("7d", "UTC", today=DAY)
    load(store,
         event("shop.test", "2026-03-04 12:00:00", visitor=1),   # first day of the 7
         event("shop.test", "2026-03-10 08:00:00", visitor=2),
         event("shop.test", "2026-03-10 08:05:00", visitor=2),
         event("shop.test", "2026-03-10 18:00:00", visitor=3),
         event("shop.test", "2026-03-03 12:00:00", visitor=4))   # the day before: outside
    series = reports.timeseries(store, site, week, RULES)
    assert [r["bucket"].date() for r in series] == [datetime.date(2026, 3, d) for d in range(4, 11)]
    assert [(r["visitors"], r["visits"], r["pageviews"]) for r in series] == (
        [(1, 1, 1)] + [(0, 0, 0)] * 5 + [(2, 2, 3)])


def test_top_pages_and_sources_order_and_direct(store, site):
    load(store,
         event("shop.test", "2026-03-10 09:00:00", visitor=1, pathname="/", referrer_host="google.com"),
         event("shop.test", "2026-03-10 09:01:00", visitor=1, pathname="/pricing"),
         event("shop.test", "2026-03-10 10:00:00", visitor=2, pathname="/pricing", referrer_host="google.com"),
         event("shop.test", "2026-03-10 11:00:00", visitor=3, pathname="/pricing"),
         event("shop.test", "2026-03-10 12:00:00", visitor=4, pathname="/blog", referrer_host="bing.com"))
    assert reports.top_pages(store, site, ONE_DAY) == [
        {"pathname": "/pricing", "visitors": 3, "pageviews": 3},
        {"pathname": "/", "visitors": 1, "pageviews": 1},
        {"pathname": "/blog", "visitors": 1, "pageviews": 1}]
    assert reports.top_sources(store, site, ONE_DAY, RULES) == [
        {"source": "google.com", "visitors": 2, "visits": 2},
        {"source": "Direct / None", "visitors": 1, "visits": 1},
        {"source": "bing.com", "visitors": 1, "visits": 1}]
    assert len(reports.top_pages(store, site, ONE_DAY, limit=1)) == 1


def test_other_sites_never_leak_in(store, site):
    add_site(store, "other.test")
    load(store, event("other.test", "2026-03-10 09:00:00", visitor=1),
         event("shop.test", "2026-03-10 09:00:00", visitor=2))
    assert reports.overview(store, site, ONE_DAY, RULES)["visits"] == 1
    assert [p["pageviews"] for p in reports.top_pages(store, site, ONE_DAY)] == [1]


def test_an_empty_period_is_zeros_and_none(store, site):
    assert reports.overview(store, site, ONE_DAY, RULES) == {
        "visitors": 0, "visits": 0, "pageviews": 0, "views_per_visit": 0,
        "bounce_rate": None, "visit_duration": None}
    assert reports.top_pages(store, site, ONE_DAY) == []
    assert reports.top_sources(store, site, ONE_DAY, RULES) == []
    series = reports.timeseries(store, site, ONE_DAY, RULES)
    assert len(series) == 24 and all(r["visits"] == r["pageviews"] == 0 for r in series)


def test_a_mixed_day_worked_by_hand(store, site):
    """Four visitors, five visits.
    v1: 09:00 /, 09:02 /pricing, signup 09:03          -> engaged, 180 s
    v2: 10:00 /blog + engagement 4 s                     -> bounce, 4 s
    v2: 11:00 /blog (60 min later: new visit)            -> bounce, 0 s
    v3: 12:00 / + engagement 25 s                        -> engaged, 25 s
    v4: 13:00 /pricing, 13:10 /cart, 13:40 /thank-you (30 min gap: same visit) -> engaged, 2400 s
    visits 5, visitors 4, pageviews 8, views/visit 1.6, bounce 2/5 = 40.0 %,
    duration mean (180 + 4 + 0 + 25 + 2400) / 5 = 521.8 -> 522
    """
    load(store,
         event("shop.test", "2026-03-10 09:00:00", visitor=1),
         event("shop.test", "2026-03-10 09:02:00", visitor=1, pathname="/pricing"),
         event("shop.test", "2026-03-10 09:03:00", visitor=1, name="signup", pathname="/pricing"),
         event("shop.test", "2026-03-10 10:00:00", visitor=2, pathname="/blog"),
         event("shop.test", "2026-03-10 10:00:04", visitor=2, name="engagement", engaged_ms=4000),
         event("shop.test", "2026-03-10 11:00:00", visitor=2, pathname="/blog"),
         event("shop.test", "2026-03-10 12:00:00", visitor=3),
         event("shop.test", "2026-03-10 12:00:25", visitor=3, name="engagement", engaged_ms=25000),
         event("shop.test", "2026-03-10 13:00:00", visitor=4, pathname="/pricing"),
         event("shop.test", "2026-03-10 13:10:00", visitor=4, pathname="/cart"),
         event("shop.test", "2026-03-10 13:40:00", visitor=4, pathname="/thank-you"))
    assert reports.overview(store, site, ONE_DAY, RULES) == {
        "visitors": 4, "visits": 5, "pageviews": 8, "views_per_visit": 1.6,
        "bounce_rate": 40.0, "visit_duration": 522}


def test_the_combined_report_equals_the_separate_queries(store, site):
    load(store,
         event("shop.test", "2026-03-10 09:00:00", visitor=1, referrer_host="google.com"),
         event("shop.test", "2026-03-10 09:02:00", visitor=1, pathname="/pricing"),
         event("shop.test", "2026-03-10 10:00:00", visitor=2, pathname="/blog"),
         event("shop.test", "2026-03-10 10:00:04", visitor=2, name="engagement", engaged_ms=4000))
    combined = reports.overview_report(store, site, ONE_DAY, RULES, limit=5)
    assert combined == {
        "overview": reports.overview(store, site, ONE_DAY, RULES),
        "timeseries": reports.timeseries(store, site, ONE_DAY, RULES),
        "pages": reports.top_pages(store, site, ONE_DAY, limit=5),
        "sources": reports.top_sources(store, site, ONE_DAY, RULES, limit=5),
    }
    assert combined["overview"]["visits"] == 2 and combined["overview"]["bounce_rate"] == 50.0
