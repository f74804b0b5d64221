"""The web vitals rollup, on both backends: rolled-up days give the raw reports' exact figures."""
import datetime

import pytest

from tests.analytics.test_web_vitals import ONE_DAY, S, load, report
from tests.churn_factories import insert_visit
from vigie.analytics.period import Period
from vigie.analytics.query import Plan
from vigie.analytics.job_catalog import REPORT_ROLLUPS
from vigie.analytics.rollups import rebuild_day
from vigie.analytics.web_vitals import vitals_page, vitals_summary, vitals_table
from vigie.warehouse.sites import add_site
from vigie.warehouse.web_vitals import insert_vitals

D9, D10, D11 = datetime.date(2026, 3, 9), datetime.date(2026, 3, 10), datetime.date(2026, 3, 11)
THREE_DAYS = Period(D9, D11, "day")


@pytest.fixture
def site(store):
    return add_site(store, S, "UTC", web_vitals=True)


def three_days(store):
    """Seven page loads over three days; values shared by reports of one day and across days."""
    insert_vitals(store, [
        report("2026-03-09 08:00:00", 1, "/", "desktop", "FR", 1200, 0.05, 100, 500),
        report("2026-03-09 09:00:00", 2, "/pricing", "mobile", "FR", 1200, 0.05, -1, 500),
        report("2026-03-09 10:00:00", 3, "/", "mobile", "DE", 3000, 0.3, 300, 500),
        report("2026-03-10 08:00:00", 1, "/", "desktop", "FR", 1200, 0.05, -1, 500),
        report("2026-03-10 09:00:00", 4, "/", "desktop", "DE", 2600, 0.1, -1, 900),
        report("2026-03-10 10:00:00", 5, "/pricing", "mobile", "FR", 4100, 0.12, 700, 2000),
        # The 11th: read raw, as today is.
        report("2026-03-11 08:00:00", 6, "/", "desktop", "FR", 900, 0.0, 150, 300),
    ])


def roll_up(store, site, *days, version=1):
    for day in days:
        rebuild_day(store, site, day, version, 30, REPORT_ROLLUPS)


def test_a_period_of_rolled_up_days_and_a_raw_day_gives_the_raw_figures(store, site):
    three_days(store)
    raw = vitals_page(store, site, THREE_DAYS, compare="previous_period")
    roll_up(store, site, D9, D10)
    assert Plan(store, site, THREE_DAYS, None).rolled == [D9, D10]
    assert vitals_page(store, site, THREE_DAYS, compare="previous_period") == raw
    summary = raw["summary"]
    assert summary["page_loads"] == 7
    figures = {m: tuple(summary[m][f] for f in ("p75", "rating", "samples", "good", "needs_improvement", "poor"))
               for m in ("lcp", "cls", "inp", "ttfb")}
    assert figures == {
        # 900, 1200, 1200, 1200, 2600, 3000, 4100: position floor(0.75 * 7) = 5.
        "lcp": (3000, "needs_improvement", 7, 57.1, 28.6, 14.3),
        # 0, 0.05, 0.05, 0.05, 0.1, 0.12, 0.3: position 5; 0.1 is good.
        "cls": (0.12, "needs_improvement", 7, 71.4, 14.3, 14.3),
        # Measured on 4 page loads only: 100, 150, 300, 700: position floor(0.75 * 4) = 3.
        "inp": (700, "poor", 4, 50.0, 25.0, 25.0),
        # 300, 500, 500, 500, 500, 900, 2000: position 5.
        "ttfb": (900, "needs_improvement", 7, 71.4, 14.3, 14.3),
    }
    # /: 900, 1200, 1200, 2600, 3000 (position 3); /pricing: 1200, 4100 (position 1).
    assert [(r["value"], r["page_loads"], r["lcp"]["p75"], r["inp"]["samples"]) for r in raw["pages"]] == [
        ("/", 5, 2600, 3), ("/pricing", 2, 4100, 1)]
    assert [(r["value"], r["page_loads"], r["ttfb"]["p75"]) for r in raw["devices"]] == [
        ("desktop", 4, 900), ("mobile", 3, 2000)]
    assert [(r["value"], r["page_loads"], r["cls"]["p75"]) for r in raw["countries"]] == [
        ("FR", 5, 0.05), ("DE", 2, 0.3)]


def test_a_period_of_rolled_up_days_only_reads_no_raw_report(store, site):
    three_days(store)
    two_days = Period(D9, D10, "day")
    raw = [vitals_table(store, site, two_days, by, limit=1) for by in ("pages", "devices", "countries")]
    roll_up(store, site, D9, D10, D11)
    plan = Plan(store, site, two_days, None)
    assert plan.rolled == [D9, D10] and plan.ranges == []
    assert [vitals_table(store, site, two_days, by, limit=1) for by in ("pages", "devices", "countries")] == raw
    # / over the two days: LCP 1200, 1200, 2600, 3000 (position 3); one row per table (limit).
    assert [(r["value"], r["page_loads"], r["lcp"]["p75"]) for r in raw[0]] == [("/", 4, 3000)]


def test_a_value_shared_by_several_reports_is_one_row_with_its_count(store, site):
    three_days(store)
    roll_up(store, site, D9)
    rows = store.query(
        "SELECT metric, value, page_loads FROM rollup_vitals WHERE site = %(site)s AND report = 'summary' "
        "ORDER BY metric, value", {"site": S})
    assert rows == [("cls", 0.05, 2), ("cls", 0.3, 1), ("inp", 100.0, 1), ("inp", 300.0, 1),
                    ("lcp", 1200.0, 2), ("lcp", 3000.0, 1), ("page_loads", 0.0, 3), ("ttfb", 500.0, 3)]


def test_the_p75_is_found_among_the_values_of_its_bucket(store, site):
    # All within one bucket (about 45 ms wide around 2 s): the bucket counts find the
    # bucket, the value counts the position within it.
    insert_vitals(store, [report(f"2026-03-{day} 10:00:00", i, "/", "desktop", "FR", lcp, 0.0, 50, 100)
                          for i, (day, lcp) in enumerate([("09", 2001), ("09", 2003), ("09", 2000),
                                                          ("09", 2001), ("10", 2004), ("10", 2002)])])
    two_days = Period(D9, D10, "day")
    raw = vitals_summary(store, site, two_days)
    roll_up(store, site, D9, D10)
    assert store.query_value("SELECT uniqExact(bucket) FROM rollup_vitals_buckets WHERE metric = 'lcp'") == 1
    assert vitals_summary(store, site, two_days) == raw
    # 2000, 2001, 2001, 2002, 2003, 2004: position floor(0.75 * 6) = 4.
    assert raw["lcp"]["p75"] == 2003


def test_the_worked_day_reads_the_same_from_its_rollup(store, site):
    load(store)
    raw = vitals_page(store, site, ONE_DAY, compare="previous_period")
    roll_up(store, site, D9, D10)
    assert Plan(store, site, ONE_DAY, None).rolled == [D10]
    assert vitals_page(store, site, ONE_DAY, compare="previous_period") == raw
    # tests/analytics/test_web_vitals.py works these out from the rows.
    assert raw["summary"]["lcp"]["p75"] == 5000 and raw["previous"]["lcp"]["p75"] == 2000


def test_a_filtered_report_reads_the_raw_reports(store, site):
    three_days(store)
    roll_up(store, site, D9, D10)
    insert_visit(store, S, "", "2026-03-09 09:59:00", "2026-03-09 10:05:00", 3, country="DE")
    insert_visit(store, S, "", "2026-03-10 07:59:00", "2026-03-10 08:05:00", 1, country="FR")
    insert_visit(store, S, "", "2026-03-10 08:59:00", "2026-03-10 09:05:00", 4, country="DE")
    assert Plan(store, site, THREE_DAYS, {"country": "DE"}).rolled == []
    summary = vitals_summary(store, site, THREE_DAYS, filters={"country": "DE"})
    # Visitors 3 and 4: LCP 2600, 3000 (position 1); TTFB 500, 900.
    assert summary["page_loads"] == 2
    assert (summary["lcp"]["p75"], summary["ttfb"]["p75"], summary["inp"]["samples"]) == (3000, 900, 1)


def test_a_day_rebuilt_after_a_late_report_counts_it_once(store, site):
    three_days(store)
    roll_up(store, site, D9, D10, version=1)
    insert_vitals(store, [report("2026-03-10 23:59:00", 7, "/", "mobile", "FR", 9000, 0.5, 900, 3000)])
    # Until the day is rebuilt, its rollup (without the late report) is what counts.
    assert vitals_summary(store, site, THREE_DAYS)["page_loads"] == 7
    roll_up(store, site, D10, version=2)
    summary = vitals_summary(store, site, THREE_DAYS)
    # 900, 1200 x 3, 2600, 3000, 4100, 9000: position 6; generation 1 of the 10th not counted.
    assert summary["page_loads"] == 8
    assert (summary["lcp"]["p75"], summary["lcp"]["samples"], summary["lcp"]["poor"]) == (4100, 8, 25.0)
    store.execute("TRUNCATE TABLE rollup_days")
    assert vitals_summary(store, site, THREE_DAYS) == summary


def test_a_day_rolled_up_while_a_page_reads_is_not_counted_twice(store, site):
    """The rollups job names the 11th between the plan and its query: the plan still reads
    the 11th raw, so the rollup's generations it reads are the ones it chose."""
    from vigie.analytics.web_vitals import _rolled_up_query
    three_days(store)
    roll_up(store, site, D9, D10)
    plan = Plan(store, site, THREE_DAYS, None)
    assert plan.rolled == [D9, D10] and len(plan.ranges) == 1
    roll_up(store, site, D11, version=2)
    sql, params = _rolled_up_query(plan, ["summary"])
    [(report_name, key, page_loads, *_)] = store.query(sql, params)
    assert (report_name, key, page_loads) == ("summary", "", 7)
