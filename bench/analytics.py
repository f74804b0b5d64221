"""Analytics speed: sessionization, rollups and the overview queries, on both backends.

Generates N events for one site over 30 days inside ClickHouse (INSERT ...
SELECT from numbers(), in batches of a million), so generation costs little
and no row goes through Python. Traffic shape: visits of one to four events
(pageviews, engagement, a few custom events), ~3 visits per visitor, pages
with a skewed popularity, sources, channels, countries and devices from
weighted lists, campaigns on a tenth of visits.

Prints, per backend: generation, the wait for its background merges, the
sessions job over the 30 days and the rollups job (on a ClickHouse server
their chunks run two at a time, as a backfill's do), the overview query set
(aggregate with comparison, daily timeseries, top pages, sources, channels,
countries, devices) read from raw sessions/events and then from rollups,
with the ratio, and new vs returning visitors over the 30 days. --only sessions stops after the sessions job
(generation and sessionization only). Bounded in time by --timeout (seconds per backend;
exits non-zero past it).

Each figure is wall time, with the CPU seconds ClickHouse spent (this
process for chdb, the server process for clickhouse-server) and the 1-minute
load average when it ended: on a shared machine the wall time mostly
measures the other tenants, the CPU time much less so.

    .venv/bin/python bench/analytics.py --events 2000000 --backend both
"""
import argparse
import datetime
import os
import shutil
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from vigie.analytics import query  # noqa: E402
from vigie.analytics.breakdowns import breakdown  # noqa: E402
from vigie.analytics.job_catalog import JOBS  # noqa: E402
from vigie.analytics.jobs import JobContext, run_window  # noqa: E402
from vigie.analytics.period import Period  # noqa: E402
from vigie.analytics.retention import new_vs_returning  # noqa: E402
from vigie.warehouse import open_store  # noqa: E402
from vigie.warehouse.migrations import migrate  # noqa: E402
from vigie.warehouse.sites import add_site  # noqa: E402

SITE = "bench.vigie.test"
DAYS = 30
BATCH = 1_000_000

# One SELECT producing events rows from numbers(); %(...)s values are bound.
_GENERATE = """
INSERT INTO events (site, ts, name, visitor_id, hostname, pathname, referrer_host,
    source, channel, utm_campaign, utm_source, utm_medium, browser, browser_version, os,
    os_version, device, country, language, screen_class, engaged_ms, revenue, currency)
SELECT %(site)s,
    toDateTime(%(start)s + start_offset + pos * step),
    multiIf(pos = 0, 'pageview', pos < pages, 'pageview', h %% 10 = 0, 'signup',
            h %% 10 = 1, 'purchase', 'engagement'),
    cityHash64(intDiv(visit, 3) %% %(visitors)s),
    %(site)s,
    ['/', '/pricing', '/blog', '/docs', '/about', '/signup', '/blog/launch', '/blog/tips',
     '/docs/install', '/docs/api', '/cart', '/checkout', '/contact', '/jobs', '/legal']
        [1 + toUInt32(15 * pow((cityHash64(visit, pos, 7) %% 1000) / 1000, 2.5))],
    ['', 'google.com', 'facebook.com', 'news.ycombinator.com', 'twitter.com', 'bing.com'][1 + src],
    ['', 'Google', 'Facebook', 'Hacker News', 'Twitter', 'Bing'][1 + src],
    ['Direct', 'Organic Search', 'Organic Social', 'Referral', 'Organic Social', 'Organic Search'][1 + src],
    if(h %% 10 = 3, ['spring', 'launch', 'retarget'][1 + h %% 3], ''),
    if(h %% 10 = 3, 'newsletter', ''), if(h %% 10 = 3, 'email', ''),
    ['Chrome', 'Safari', 'Firefox', 'Edge'][1 + vh %% 4], '124.0',
    ['Windows', 'macOS', 'iOS', 'Android', 'Linux'][1 + vh %% 5], '14',
    ['desktop', 'mobile', 'tablet'][1 + vh %% 3],
    ['US', 'FR', 'DE', 'GB', 'IN', 'BR', 'JP', 'CA'][1 + vh %% 8],
    'en-us', ['small', 'medium', 'large'][1 + vh %% 3],
    if(pos > 0 AND pos >= pages, toUInt32(1000 + h %% 60000), 0),
    if(pos > 0 AND pos >= pages AND h %% 10 = 1, 10 + h %% 190, 0), if(h %% 10 = 1, 'EUR', '')
FROM (
    SELECT number + %(offset)s AS n, intDiv(n, 4) AS visit, n %% 4 AS pos,
           cityHash64(visit) AS h, cityHash64(intDiv(visit, 3) %% %(visitors)s) AS vh,
           1 + h %% 3 AS pages, h %% %(span)s AS start_offset, 20 + h %% 140 AS step,
           toUInt32(pow((cityHash64(visit, 3) %% 1000) / 1000, 1.7) * 6) AS src
    FROM numbers(%(count)s)
)
"""


def generate(store, events, start, report):
    visitors = max(1, events // 12)
    done = 0
    while done < events:
        count = min(BATCH, events - done)
        store.execute(_GENERATE, {
            "site": SITE, "start": int(start.timestamp()), "offset": done, "count": count,
            "visitors": visitors, "span": DAYS * 86400})
        done += count
        report(f"  generated {done:,}/{events:,} events")


def settle(store, quiet=10.0, limit=300.0):
    """Wait until no background merge of this database has run for `quiet` s
    (at most `limit` s in all); returns the wait.

    Generation leaves fresh parts that ClickHouse may merge in the background
    after the last insert. The sessions job is timed once that is over, so its
    figure is its own work, not merges left from generation (which a site's
    history has long since had).
    """
    started = last_merge = time.monotonic()
    while time.monotonic() - started < limit and time.monotonic() - last_merge < quiet:
        if store.query_value("SELECT count() FROM system.merges WHERE database = currentDatabase()"):
            last_merge = time.monotonic()
        time.sleep(0.25)
    return time.monotonic() - started


def overview_set(store, site, period):
    """The queries of an overview page: aggregate vs previous period, series, five breakdowns."""
    query.aggregate(store, site, period, compare="previous_period")
    query.timeseries(store, site, period)
    for dimension in ("pages", "source", "channel", "country", "device"):
        breakdown(store, site, period, dimension)


class Clock:
    """Wall seconds, ClickHouse CPU seconds and the load average of timed calls."""

    def __init__(self, server_pid=None):
        self.server_pid = server_pid

    def cpu(self):
        if self.server_pid is None:
            usage = os.times()
            return usage.user + usage.system
        with open(f"/proc/{self.server_pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __call__(self, fn, *args):
        """(wall s, cpu s, load) of fn(*args)."""
        wall, cpu = time.perf_counter(), self.cpu()
        fn(*args)
        return time.perf_counter() - wall, self.cpu() - cpu, os.getloadavg()[0]


def fastest(clock, fn, *args, runs=3):
    return min((clock(fn, *args) for _ in range(runs)), key=lambda figure: figure[0])


def shown(figure):
    wall, cpu, load = figure
    return f"{wall:.2f} s (cpu {cpu:.2f} s, load {load:.1f})"


def bench(url, events, report, clock, only=None):
    store = open_store(url)
    migrate(store)
    site = add_site(store, SITE, "UTC")
    today = datetime.datetime.now(datetime.timezone.utc).date()
    first = today - datetime.timedelta(days=DAYS)
    start = datetime.datetime.combine(first, datetime.time(), datetime.timezone.utc)
    end = start + datetime.timedelta(days=DAYS)
    context = JobContext()
    figures = {"generate": clock(generate, store, events, start, report)}
    report(f"  {events:,} events in {shown(figures['generate'])}; "
           f"no background merge for 10 s after {settle(store):.1f} s; sessionizing {DAYS} days")
    figures["sessions"] = clock(run_window, store, JOBS["sessions"], site, start, end, context)
    visits = store.query_value("SELECT count() FROM sessions FINAL WHERE deleted = 0")
    report(f"  {visits:,} visits in {shown(figures['sessions'])}")
    if only == "sessions":
        store.close()
        return figures, visits
    period = Period(first, today - datetime.timedelta(days=1), "day")
    overview_set(store, site, period)  # warm caches once, as a dashboard would be
    figures["raw"] = fastest(clock, overview_set, store, site, period)
    figures["rollups_job"] = clock(run_window, store, JOBS["rollups"], site, start, end, context)
    figures["rolled"] = fastest(clock, overview_set, store, site, period)
    figures["returning"] = fastest(clock, new_vs_returning, store, site, period, runs=2)
    store.close()  # the store lives in a temporary directory or server, removed by main()
    return figures, visits


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=10_000_000, help="events to generate (default 10,000,000)")
    parser.add_argument("--backend", choices=("chdb", "clickhouse", "both"), default="both",
                        help="which store to measure (default both)")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds allowed per backend (default 1800)")
    parser.add_argument("--only", choices=("sessions",),
                        help="stop after this step: 'sessions' generates and sessionizes only")
    args = parser.parse_args(argv)
    if args.events < 1000:
        parser.error("--events must be at least 1000")

    def report(line):
        print(line, flush=True)

    backends = ("chdb", "clickhouse") if args.backend == "both" else (args.backend,)
    for backend in backends:
        report(f"{backend}: {args.events:,} events over {DAYS} days")
        tmp = tempfile.mkdtemp(prefix="vigie-bench-")
        server = None
        try:
            if backend == "chdb":
                url = f"chdb://{tmp}/data?database=bench"
            else:
                from tests.clickhouse_server import ClickHouseServer
                server = ClickHouseServer().start()
                url = f"clickhouse://default@127.0.0.1:{server.tcp_port}/bench"
            clock = Clock(server.process.pid if server else None)
            result = {}

            def work():
                try:
                    result["out"] = bench(url, args.events, report, clock, args.only)
                except Exception as exc:  # reported below with the backend it failed on
                    result["error"] = f"{type(exc).__name__}: {exc}"
            worker = threading.Thread(target=work, daemon=True)
            worker.start()
            worker.join(args.timeout)
            if worker.is_alive():
                report(f"{backend}: gave up after {args.timeout:.0f} s")
                sys.exit(1)
            if "error" in result:
                report(f"{backend}: failed: {result['error']}")
                sys.exit(1)
            figures, visits = result["out"]
            sessions = figures["sessions"]
            report(f"{backend}: sessions job {shown(sessions)} for {args.events:,} events "
                   f"({args.events / sessions[0]:,.0f} events/s wall, "
                   f"{args.events / max(sessions[1], 0.01):,.0f} per cpu s; {visits:,} visits); "
                   + ("" if args.only else f"rollups job {shown(figures['rollups_job'])}"))
            if args.only:
                continue
            raw, rolled = figures["raw"], figures["rolled"]
            report(f"{backend}: overview query set for {DAYS} days: raw {shown(raw)}, "
                   f"rollups {shown(rolled)}, ratio {raw[0] / rolled[0]:.1f}x wall, "
                   f"{raw[1] / max(rolled[1], 0.01):.1f}x cpu")
            report(f"{backend}: new vs returning for {DAYS} days: {shown(figures['returning'])}")
        finally:
            if server is not None:
                server.stop()
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
