"""Realtime windows from hand-built events with a fixed clock, on both backends."""
import pytest

from vigie.analytics.realtime import realtime_report
from tests.factories import at, event, insert_events
from vigie.warehouse.sites import add_site

S = "shop.test"
NOW = at("2026-03-10 12:00:00")


@pytest.fixture
def site(store):
    site = add_site(store, S, "UTC")
    insert_events(store, [
        event(S, "2026-03-10 11:56:00", visitor=1, pathname="/a", source="Google"),
        event(S, "2026-03-10 11:58:00", visitor=1, pathname="/b"),
        # exactly 5 minutes ago: still a current visitor
        event(S, "2026-03-10 11:55:00", visitor=2, pathname="/a", referrer_host="news.example"),
        # 5 minutes and 1 second ago: not current, but in the last 30 minutes
        event(S, "2026-03-10 11:54:59", visitor=3, pathname="/c", country="FR", device="mobile"),
        # exactly 30 minutes ago: in the window
        event(S, "2026-03-10 11:30:00", visitor=4, pathname="/a"),
        event(S, "2026-03-10 11:59:00", "signup", visitor=4, pathname="/a"),
        # 30 minutes and 1 second ago, and after now: outside every window
        event(S, "2026-03-10 11:29:59", visitor=5, pathname="/old"),
        event(S, "2026-03-10 12:00:01", visitor=6, pathname="/future"),
        # an engagement event is activity (current) but not part of the stream
        event(S, "2026-03-10 11:59:30", "engagement", visitor=7, engaged_ms=3000),
        event("other.test", "2026-03-10 11:59:00", visitor=8),
    ])
    return site


def test_realtime_windows(store, site):
    report = realtime_report(store, site, now=NOW, limit=10)
    assert report["current_visitors"] == 4  # visitors 1, 2, 4 and 7
    assert [(e["time"].strftime("%H:%M:%S"), e["name"], e["page"]) for e in report["events"]] == [
        ("11:59:00", "signup", "/a"), ("11:58:00", "pageview", "/b"), ("11:56:00", "pageview", "/a"),
        ("11:55:00", "pageview", "/a"), ("11:54:59", "pageview", "/c"), ("11:30:00", "pageview", "/a")]
    assert report["events"][4] == {"time": report["events"][4]["time"], "name": "pageview", "page": "/c",
                                   "source": "Direct / None", "country": "FR", "device": "mobile"}
    assert report["pages"] == [{"page": "/a", "visitors": 3, "pageviews": 3},
                               {"page": "/b", "visitors": 1, "pageviews": 1},
                               {"page": "/c", "visitors": 1, "pageviews": 1}]
    # Each visitor's first event in the window names its source.
    assert report["sources"] == [{"source": "Direct / None", "visitors": 2},
                                 {"source": "Google", "visitors": 1},
                                 {"source": "news.example", "visitors": 1}]


def test_stream_pages(store, site):
    second = realtime_report(store, site, now=NOW, limit=4, offset=4)
    assert [e["page"] for e in second["events"]] == ["/c", "/a"]
    assert second["pages"] == [] and second["sources"] == []


def test_windows_that_cross_utc_midnight_keep_yesterdays_events(store):
    site = add_site(store, S, "UTC")
    insert_events(store, [
        event(S, "2026-03-09 23:40:00", visitor=1, pathname="/late"),
        event(S, "2026-03-09 23:58:30", visitor=2, pathname="/late"),
        event(S, "2026-03-10 00:01:00", visitor=2, pathname="/early"),
        event(S, "2026-03-09 23:31:59", visitor=3, pathname="/too-old"),
    ])
    report = realtime_report(store, site, now=at("2026-03-10 00:02:00"), limit=10)
    assert report["current_visitors"] == 1  # visitor 2, whose events straddle midnight
    assert [e["page"] for e in report["events"]] == ["/early", "/late", "/late"]
    assert {p["page"]: p["pageviews"] for p in report["pages"]} == {"/late": 2, "/early": 1}
