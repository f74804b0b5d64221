"""Web vitals reports from hand-built rows, on both backends: exact p75s, ratings and shares."""
import datetime
import uuid

import pytest

from tests.churn_factories import insert_visit
from vigie.analytics.period import Period
from vigie.analytics.web_vitals import rating, vitals_page, vitals_summary, vitals_table
from vigie.warehouse.sites import add_site
from vigie.warehouse.web_vitals import insert_vitals

DAY = datetime.date(2026, 3, 10)
ONE_DAY = Period(DAY, DAY, "hour")
S = "shop.test"
UTC = datetime.timezone.utc


@pytest.fixture
def site(store):
    return add_site(store, S, "UTC", web_vitals=True)


def report(ts, visitor, path, device, country, lcp, cls, inp, ttfb, site=S):
    when = datetime.datetime.fromisoformat(ts).replace(tzinfo=UTC)
    return (uuid.uuid4(), site, when, visitor, site, path, device, country, "Chrome", "Linux",
            float(lcp), float(cls), float(inp), float(ttfb))


def load(store):
    insert_vitals(store, [
        report("2026-03-10 09:00:00", 1, "/", "desktop", "FR", 1000, 0.0, 100, 300),
        report("2026-03-10 09:10:00", 2, "/", "desktop", "FR", 2500, 0.1, 200, 800),
        report("2026-03-10 09:20:00", 3, "/", "mobile", "DE", 3000, 0.2, -1, 900),
        report("2026-03-10 09:30:00", 4, "/pricing", "mobile", "FR", 5000, 0.3, 600, 2000),
        report("2026-03-10 09:40:00", 5, "/pricing", "desktop", "DE", -1, 0.05, 250, 500),
        # The day before (the comparison period), and another site: not in the day's figures.
        report("2026-03-09 12:00:00", 1, "/", "desktop", "FR", 2000, 0.0, 100, 400),
        report("2026-03-10 09:00:00", 9, "/", "desktop", "FR", 9000, 0.9, 900, 9000,
               site="other.test"),
    ])


def test_p75_is_the_exact_value_at_floor_three_quarters_of_n(store, site):
    load(store)
    summary = vitals_summary(store, site, ONE_DAY)
    assert summary["page_loads"] == 5
    # LCP measured 4 times, sorted 1000, 2500, 3000, 5000: position floor(0.75 * 4) = 3.
    assert summary["lcp"] == {"p75": 5000, "rating": "poor", "samples": 4, "good": 50.0,
                              "needs_improvement": 25.0, "poor": 25.0}
    # CLS sorted 0, 0.05, 0.1, 0.2, 0.3: position floor(3.75) = 3; 0.1 itself is good.
    assert summary["cls"] == {"p75": 0.2, "rating": "needs_improvement", "samples": 5, "good": 60.0,
                              "needs_improvement": 20.0, "poor": 20.0}
    # INP not measured on one page load (no interaction): 100, 200, 250, 600.
    assert summary["inp"] == {"p75": 600, "rating": "poor", "samples": 4, "good": 50.0,
                              "needs_improvement": 25.0, "poor": 25.0}
    # TTFB 300, 500, 800, 900, 2000.
    assert summary["ttfb"] == {"p75": 900, "rating": "needs_improvement", "samples": 5,
                               "good": 60.0, "needs_improvement": 20.0, "poor": 20.0}


def test_tables_by_page_device_and_country(store, site):
    load(store)
    pages = vitals_table(store, site, ONE_DAY, "pages")
    assert [(r["value"], r["page_loads"], r["lcp"]["p75"], r["cls"]["p75"], r["inp"]["p75"],
             r["ttfb"]["p75"]) for r in pages] == [
        ("/", 3, 3000, 0.2, 200, 900),   # INP of 100, 200: position floor(1.5) = 1
        ("/pricing", 2, 5000, 0.3, 600, 2000),
    ]
    devices = vitals_table(store, site, ONE_DAY, "devices")
    assert [(r["value"], r["page_loads"], r["lcp"]["p75"]) for r in devices] == [
        ("desktop", 3, 2500), ("mobile", 2, 5000)]
    countries = vitals_table(store, site, ONE_DAY, "countries", limit=1)
    assert [(r["value"], r["page_loads"], r["lcp"]["good"]) for r in countries] == [("FR", 3, 66.7)]


def test_a_period_without_reports_has_no_p75(store, site):
    summary = vitals_summary(store, site, ONE_DAY)
    assert summary["page_loads"] == 0
    assert summary["lcp"] == {"p75": None, "rating": None, "samples": 0, "good": None,
                              "needs_improvement": None, "poor": None}


def test_filters_keep_the_reports_of_kept_visits(store, site):
    load(store)
    insert_visit(store, S, "", "2026-03-10 08:59:00", "2026-03-10 09:05:00", 1, country="FR")
    insert_visit(store, S, "", "2026-03-10 09:19:00", "2026-03-10 09:25:00", 3, country="DE")
    insert_visit(store, S, "", "2026-03-10 09:29:00", "2026-03-10 09:35:00", 4, country="FR")
    summary = vitals_summary(store, site, ONE_DAY, filters={"country": "FR"})
    # Visitors 1 and 4 (visitor 2 has no visit that the filter keeps).
    assert summary["page_loads"] == 2
    assert summary["lcp"]["p75"] == 5000  # 1000, 5000: position floor(1.5) = 1


def test_the_page_compares_each_p75_with_the_previous_period(store, site):
    load(store)
    page = vitals_page(store, site, ONE_DAY, compare="previous_period")
    assert page["previous"]["page_loads"] == 1
    assert page["previous"]["lcp"]["p75"] == 2000
    assert page["changes"]["lcp"] == 150.0  # 2000 -> 5000
    assert page["changes"]["ttfb"] == 125.0  # 400 -> 900
    assert page["changes"]["cls"] is None    # from 0: no percent change
    assert [r["value"] for r in page["pages"]] == ["/", "/pricing"]
    assert vitals_page(store, site, ONE_DAY)["previous"] is None


def test_ratings_follow_googles_thresholds():
    assert [rating("lcp", v) for v in (2500, 2501, 4000, 4001)] == [
        "good", "needs_improvement", "needs_improvement", "poor"]
    assert [rating("inp", v) for v in (200, 500, 501)] == ["good", "needs_improvement", "poor"]
    assert [rating("cls", v) for v in (0.1, 0.25, 0.26)] == ["good", "needs_improvement", "poor"]
    assert [rating("ttfb", v) for v in (800, 1800, 1801)] == ["good", "needs_improvement", "poor"]


def test_an_unknown_table_is_refused(store, site):
    with pytest.raises(ValueError, match="unknown web vitals table 'browsers'"):
        vitals_table(store, site, ONE_DAY, "browsers")
