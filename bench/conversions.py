"""How long goals, funnels, realtime and retention reports take on a busy site.

    .venv/bin/python bench/conversions.py [--visitors 20000] [--days 30] [--backends chdb,clickhouse]

Generates a month of synthetic traffic (visitors with one to three visits of
one to six pageviews, signups, purchases with revenue, a fifth of visitors
identified as customers who come back on later days under new visitor ids),
loads it into a throwaway store of each backend (chdb in a temporary
directory; a clickhouse-server started like the tests do), then times each
report once over the whole period and prints wall seconds, this process's
CPU seconds (chdb runs inside it; a clickhouse-server's own CPU is not
included) and events per second, then the load average. The reports run
again under report filters (page=/pricing, then device=desktop with
page=/pricing), after the sessions job has built the visits they keep; and
adding then removing a goal, which recounts the goals of every stored visit.
Nothing is asserted: these are figures to compare between changes.
"""
import argparse
import datetime
import os
import random
import sys
import tempfile
import time
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from vigie.analytics.funnels import add_funnel, funnel_report  # noqa: E402
from vigie.analytics.goals import add_goal, conversions, remove_goal  # noqa: E402
from vigie.analytics.job_catalog import JOBS  # noqa: E402
from vigie.analytics.jobs import JobContext, run_window  # noqa: E402
from vigie.analytics.period import Period  # noqa: E402
from vigie.analytics.realtime import realtime_report  # noqa: E402
from vigie.analytics.retention import cohorts, new_vs_returning  # noqa: E402
from tests.factories import event  # noqa: E402
from vigie.warehouse import open_store  # noqa: E402
from vigie.warehouse.events import EVENT_COLUMNS, insert_events  # noqa: E402
from vigie.warehouse.migrations import migrate  # noqa: E402
from vigie.warehouse.sites import add_site  # noqa: E402

SITE = "shop.bench.test"
PAGES = ["/", "/pricing", "/about", "/signup/form", "/checkout/cart", "/checkout/pay"] + \
        [f"/blog/post-{n}" for n in range(200)] + [f"/docs/guide/{n}" for n in range(100)]
BATCH = 50_000


def generate(visitors, days, end, seed=3):
    """Yield events rows (EVENT_COLUMNS order) of `visitors` over `days` ending at `end`."""
    rng = random.Random(seed)
    start = end - datetime.timedelta(days=days)
    for v in range(visitors):
        customer = f"cust-{v}" if rng.random() < 0.2 else ""
        returns = rng.randint(1, 4) if customer else 1
        for r in range(returns):
            day_start = start + datetime.timedelta(days=rng.randrange(days), seconds=rng.randrange(80_000))
            visitor_id = v * 10 + r
            for _ in range(rng.randint(1, 3)):
                ts = day_start
                for _ in range(rng.randint(1, 6)):
                    ts += datetime.timedelta(seconds=rng.randint(5, 300))
                    yield _row(ts, "pageview", visitor_id, customer, pathname=rng.choice(PAGES))
                if rng.random() < 0.1:
                    yield _row(ts + datetime.timedelta(seconds=30), "signup", visitor_id, customer)
                if rng.random() < 0.05:
                    yield _row(ts + datetime.timedelta(seconds=60), "purchase", visitor_id, customer,
                               revenue=round(rng.uniform(5, 200), 2), currency=rng.choice(["EUR", "USD"]))
                day_start = ts + datetime.timedelta(minutes=rng.randint(31, 240))


def _row(ts, name, visitor_id, customer, **columns):
    row = event(SITE, ts, name, visitor_id, customer_id=customer, **columns)
    return tuple(row[c] for c in EVENT_COLUMNS)


def load(store, rows):
    total, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            total += insert_events(store, batch) or len(batch)
            batch = []
            print(f"  loaded {total:,} events", flush=True)
    if batch:
        total += insert_events(store, batch) or len(batch)
    return total


def timed(label, events, action):
    began, cpu = time.perf_counter(), time.process_time()
    action()
    took, cpu = time.perf_counter() - began, time.process_time() - cpu
    print(f"  {label:<40} {took:7.2f} s wall {cpu:7.2f} s cpu   {events / took:12,.0f} events/s")


def run(store, backend, args):
    end = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    migrate(store)
    site = add_site(store, SITE, "UTC")
    print(f"{backend}: generating and loading {args.visitors:,} visitors over {args.days} days")
    events = load(store, generate(args.visitors, args.days, end))
    print(f"{backend}: {events:,} events")
    for kind, pattern, revenue in [("pageview", "/blog/*", False), ("pageview", "/docs/**", False),
                                   ("event", "signup", False), ("event", "purchase", True)]:
        add_goal(store, SITE, kind, pattern, revenue=revenue)
    # Step 1 matches every page, so every visitor enters the funnel: the worst case.
    steps = [("pageview", "/**"), ("pageview", "/blog/*"), ("event", "signup")]
    in_visit = add_funnel(store, SITE, "Signup", steps)
    in_week = add_funnel(store, SITE, "Signup week", steps, window_days=7)
    period = Period((end - datetime.timedelta(days=args.days - 1)).date(), end.date(), "day")
    timed("goals (4 goals)", events, lambda: conversions(store, site, period))
    timed("funnel within a visit", events, lambda: funnel_report(store, site, in_visit, period))
    timed("funnel within 7 days", events, lambda: funnel_report(store, site, in_week, period))
    timed("weekly cohorts", events, lambda: cohorts(store, site, period, "week"))
    timed("new vs returning", events, lambda: new_vs_returning(store, site, period))
    timed("realtime", events, lambda: realtime_report(store, site, now=end))
    timed("sessions job (for the filters)", events, lambda: run_window(
        store, JOBS["sessions"], site, end - datetime.timedelta(days=args.days + 1),
        end + datetime.timedelta(hours=1), JobContext(timeout_minutes=30, engaged_seconds=10)))
    # A goal added to a site with history recounts every stored visit (analytics.sessionize).
    added = []
    timed("add a goal: recount the visits", events,
          lambda: added.append(add_goal(store, SITE, "pageview", "/checkout/**")))
    timed("remove it: recount the visits", events, lambda: remove_goal(store, SITE, added[0].goal_id))
    for name, filters in (("page", {"page": "/pricing"}),
                          ("device+page", {"device": "desktop", "page": "/pricing"})):
        timed(f"goals, filter {name}", events, lambda: conversions(store, site, period, 30, filters))
        timed(f"funnel in a visit, filter {name}", events,
              lambda: funnel_report(store, site, in_visit, period, 30, filters))
        timed(f"funnel 7 days, filter {name}", events,
              lambda: funnel_report(store, site, in_week, period, 30, filters))
        timed(f"weekly cohorts, filter {name}", events,
              lambda: cohorts(store, site, period, "week", filters))
        timed(f"new vs returning, filter {name}", events,
              lambda: new_vs_returning(store, site, period, 30, filters))
    print(f"  load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--visitors", type=int, default=20_000, help="distinct visitors (default 20000)")
    parser.add_argument("--days", type=int, default=30, help="days of traffic (default 30)")
    parser.add_argument("--backends", default="chdb", help="comma-separated: chdb, clickhouse (default chdb)")
    args = parser.parse_args()
    if args.visitors <= 0 or not 1 <= args.days <= 366:
        parser.error("--visitors must be positive and --days between 1 and 366")
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory() as tmp:
            if backend == "chdb":
                with open_store(f"chdb://{tmp}/data?database=bench_{uuid.uuid4().hex[:8]}") as store:
                    run(store, backend, args)
            elif backend == "clickhouse":
                from tests.clickhouse_server import ClickHouseServer
                with ClickHouseServer() as server:
                    with open_store(f"clickhouse://default@127.0.0.1:{server.tcp_port}/bench") as store:
                        run(store, backend, args)
            else:
                parser.error(f"unknown backend {backend!r}: use chdb or clickhouse")


if __name__ == "__main__":
    main()
