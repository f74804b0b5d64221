"""Query time of the Pages and Audience dashboard pages, against the overview's in the same process.

Generates N events over 30 days with bench/analytics.py's generator (inside
ClickHouse, no row through Python), runs the sessions job, then times the
exact query sets the pages' callbacks run for the last 30 days:

  pages       top pages, entry pages, exit pages (with exit rates)
  geography   countries (all) and regions
  technology  devices, screens, browsers and versions, OS and versions, languages
  returning   new versus returning visitors (analytics.retention)
  search      the Site search page: its cards compared with the previous period, search
              terms, searches with no results, pages after searching (analytics.site_search)
  vitals      the Web vitals page: its cards compared with the previous period, the
              tables by page, device and country (analytics.web_vitals)
  journeys    the Journeys page as it opens: 5 steps from every entry page, compared with the
              previous period (analytics.journeys, from the visits' stored journeys)
  to-goal     journeys of 5 steps to the `signup` event goal (read from the events of the
              visitors who completed it)
  one-entry   journeys of 5 steps from the entry page /, compared with the previous period

each against the overview query set of bench/analytics.py measured in the
same process right before it, so a loaded machine shows in both. For the
search set, one pageview in twenty is followed five seconds later by a
search pageview of the same visitor (/search, or /search/empty for one in
eight: the no-results page), which adds about 3 % to N. For the vitals
set, every pageview sends a vitals report 30 seconds later (web_vitals, as
if every visitor's browser measured every page load). Best of --repeat
runs, raw sessions first, then after the rollups job; --sets times some
sets. Prints the figures (and the rollups job's time, with the shares of
site search's and web vitals' rows in it, and the web vitals rollup's row
counts); asserts nothing.

    .venv/bin/python bench/report_pages.py --events 1000000 --backend chdb
    .venv/bin/python bench/report_pages.py --events 10000000 --sets vitals
    .venv/bin/python bench/report_pages.py --sets journeys,to-goal --backend clickhouse
"""
import argparse
import datetime
import os
import shutil
import sys
import tempfile
import time
from dataclasses import replace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from vigie.analytics.breakdowns import breakdown  # noqa: E402
from vigie.analytics.goals import add_goal, list_goals  # noqa: E402
from vigie.analytics.job_catalog import JOBS  # noqa: E402
from vigie.analytics.journeys import journeys  # noqa: E402
from vigie.analytics.jobs import JobContext, run_window  # noqa: E402
from vigie.analytics.period import Period  # noqa: E402
from vigie.analytics.retention import new_vs_returning  # noqa: E402
from vigie.analytics import job_catalog  # noqa: E402
from vigie.analytics.site_search import no_results_terms, search_page  # noqa: E402
from vigie.analytics.web_vitals import vitals_page  # noqa: E402
from bench.analytics import DAYS, SITE, generate, overview_set  # noqa: E402
from vigie.warehouse import open_store  # noqa: E402
from vigie.warehouse.migrations import migrate  # noqa: E402
from vigie.warehouse.sites import add_site  # noqa: E402

TECHNOLOGY = ("device", "screen_class", "browser", "browser_version", "os", "os_version", "language")


def pages_set(store, site, period):
    for dimension in ("pages", "entry_page", "exit_page"):
        breakdown(store, site, period, dimension, limit=20)


def geography_set(store, site, period):
    breakdown(store, site, period, "country", limit=250)
    breakdown(store, site, period, "region", limit=15)


def technology_set(store, site, period):
    for dimension in TECHNOLOGY:
        breakdown(store, site, period, dimension, limit=15)


def returning_set(store, site, period):
    new_vs_returning(store, site, period, 30)


def search_set(store, site, period):
    search_page(store, site, period, 30, compare="previous_period", limit=20)
    no_results_terms(store, site, period, limit=20)


def vitals_set(store, site, period):
    vitals_page(store, site, period, compare="previous_period", limit=20)


def journeys_set(store, site, period):
    journeys(store, site, period, steps=5, compare="previous_period")


def to_goal_set(store, site, period):
    [goal] = list_goals(store, site.domain)
    journeys(store, site, period, steps=5, goal_id=goal.goal_id)


def one_entry_set(store, site, period):
    journeys(store, site, period, steps=5, entry_page="/", compare="previous_period")


SETS = (("pages", pages_set), ("geography", geography_set), ("technology", technology_set),
        ("returning", returning_set), ("search", search_set), ("vitals", vitals_set),
        ("journeys", journeys_set),
        ("to-goal", to_goal_set), ("one-entry", one_entry_set))

# Searches made by the visitors of the generated traffic, inside ClickHouse: a skewed pick
# of 40 terms, one search in eight on the no-results page.
_SEARCHES = """
INSERT INTO events (site, ts, name, visitor_id, hostname, pathname, site_search_term)
SELECT site, ts + 5, 'pageview', visitor_id, hostname,
       if(cityHash64(visitor_id, ts, 2) %% 8 = 0, '/search/empty', '/search'),
       concat('term ', toString(toUInt32(40 * pow((cityHash64(visitor_id, ts, 1) %% 1000) / 1000, 2))))
FROM events WHERE site = %(site)s AND name = 'pageview' AND cityHash64(visitor_id, ts) %% 20 = 0
"""

# One vitals report per pageview, 30 seconds after it; INP missing on one in three (no
# click), the metrics spread over all three ratings.
_VITALS = """
INSERT INTO web_vitals (site, ts, visitor_id, hostname, pathname, device, country, browser, os,
                        lcp_ms, cls, inp_ms, ttfb_ms)
SELECT site, ts + 30, visitor_id, hostname, pathname, device, country, browser, os,
       500 + cityHash64(visitor_id, ts, 11) %% 5000, (cityHash64(visitor_id, ts, 12) %% 400) / 1000,
       if(cityHash64(visitor_id, ts, 13) %% 3 = 0, -1, 16 + cityHash64(visitor_id, ts, 14) %% 600),
       50 + cityHash64(visitor_id, ts, 15) %% 2000
FROM events WHERE site = %(site)s AND name = 'pageview'
"""


def best_of(repeat, fn, *args):
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - started)
    return min(times)


def measure(store, site, period, repeat, report, label, sets):
    overview_set(store, site, period)  # warm caches once, as a dashboard would be
    for name, fn in SETS:
        if name not in sets:
            continue
        fn(store, site, period)
        baseline = best_of(repeat, overview_set, store, site, period)
        took = best_of(repeat, fn, store, site, period)
        report(f"  {label} {name:<10} {took:7.3f} s   overview set {baseline:7.3f} s   "
               f"ratio {took / baseline:5.2f}x")


def _timed_report_rollups():
    """Time each report's rollup inside the rollups job: {first table: [seconds]}."""
    spent, timed = {}, []
    for rollup in job_catalog.REPORT_ROLLUPS:
        seconds = spent.setdefault(rollup.tables[0], [0.0])

        def write(*args, _write=rollup.write, _seconds=seconds):
            started = time.perf_counter()
            try:
                return _write(*args)
            finally:
                _seconds[0] += time.perf_counter() - started
        timed.append(replace(rollup, write=write))
    job_catalog.REPORT_ROLLUPS = tuple(timed)
    return spent


def bench(url, events, repeat, report, sets):
    store = open_store(url)
    migrate(store)
    site = add_site(store, SITE, "UTC", search_no_results_page="/search/empty")
    today = datetime.datetime.now(datetime.timezone.utc).date()
    first = today - datetime.timedelta(days=DAYS)
    start = datetime.datetime.combine(first, datetime.time(), datetime.timezone.utc)
    end = start + datetime.timedelta(days=DAYS)
    add_goal(store, SITE, "event", "signup")
    generate(store, events, start, report)
    store.execute(_SEARCHES, {"site": SITE})
    report(f"  added {store.query_value('SELECT count() FROM events WHERE site_search_term != %(s)s', {'s': ''}):,}"
           " search pageviews")
    store.execute(_VITALS, {"site": SITE})
    report(f"  added {store.query_value('SELECT count() FROM web_vitals'):,} vitals reports")
    run_window(store, JOBS["sessions"], site, start, end, JobContext())
    period = Period(first, today - datetime.timedelta(days=1), "day")
    measure(store, site, period, repeat, report, "raw    ", sets)
    spent = _timed_report_rollups()
    started = time.perf_counter()
    run_window(store, JOBS["rollups"], site, start, end, JobContext())
    report(f"  rollups job {time.perf_counter() - started:.1f} s, of which site search rows "
           f"{spent['rollup_site_search'][0]:.1f} s, web vitals rows {spent['rollup_vitals'][0]:.1f} s, "
           f"journeys rows {spent['rollup_journeys'][0]:.1f} s "
           f"({store.query_value('SELECT count() FROM rollup_vitals'):,} value rows, "
           f"{store.query_value('SELECT count() FROM rollup_vitals_buckets'):,} bucket rows; "
           f"{store.query_value('SELECT count() FROM rollup_journeys'):,} journeys rows)")
    measure(store, site, period, repeat, report, "rollups", sets)
    store.close()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="events to generate (default 1,000,000)")
    parser.add_argument("--backend", choices=("chdb", "clickhouse"), default="chdb",
                        help="which store to measure (default chdb)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per set, best kept (default 3)")
    names = [name for name, _ in SETS]
    parser.add_argument("--sets", default=",".join(names),
                        help=f"comma-separated sets to time (default all: {','.join(names)})")
    args = parser.parse_args(argv)
    sets = args.sets.split(",")
    if not set(sets) <= set(names):
        parser.error(f"--sets: unknown {', '.join(sorted(set(sets) - set(names)))}; "
                     f"use some of {', '.join(names)}")
    if args.events < 1000:
        parser.error("--events must be at least 1000")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")

    def report(line):
        print(line, flush=True)

    report(f"{args.backend}: {args.events:,} events over {DAYS} days, best of {args.repeat}")
    tmp = tempfile.mkdtemp(prefix="vigie-bench-")
    server = None
    try:
        if args.backend == "chdb":
            url = f"chdb://{tmp}/data?database=bench"
        else:
            from tests.clickhouse_server import ClickHouseServer
            server = ClickHouseServer().start()
            url = f"clickhouse://default@127.0.0.1:{server.tcp_port}/bench"
        bench(url, args.events, args.repeat, report, sets)
    finally:
        if server is not None:
            server.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
