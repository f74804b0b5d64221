"""The overview for 30 days through a real browser: how long until every number is on screen.

Seeds N events for one site over the last 30 days with bench/analytics.py's
generator, runs the sessions and rollups jobs, starts `vigie serve` (the
production gunicorn server) on that store, and drives Debian's Chromium:

  baseline  the login page (no query at all): what any page of the server costs
  cold      the first overview load after the server started
  warm      the following loads (median of --runs)

An overview load is timed from navigation until every KPI card carries its
value, the chart is drawn and all five panels show their table. Each figure
is wall seconds, with the CPU seconds the Vigie server spent (gunicorn and its
worker: with chdb, ClickHouse runs inside it; plus clickhouse-server with
--backend server), the CPU seconds of the browser side (Chromium, Playwright
and this process) and the 1-minute load average: on a shared machine the wall
time mostly measures the other tenants.

    .venv/bin/python bench/dashboard_browser.py --events 1000000 --backend chdb
"""
import argparse
import datetime
import multiprocessing
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.analytics import DAYS, SITE, generate  # noqa: E402
from tests.clickhouse_server import free_port  # noqa: E402

EMAIL, PASSWORD = "bench@vigie.test", "bench password 1"
OVERVIEW = f"/?site={SITE}&period=30d"
PANELS = ("pages", "sources", "channels", "countries", "devices")
KPIS = ("visitors", "visits", "pageviews", "views-per-visit", "bounce-rate", "visit-duration",
        "conversion-rate", "revenue")
# True once the page shows data everywhere (not the loading dots, not an error).
_CARDS = [f"!!document.querySelector('#kpi-{k}[data-value]')" for k in KPIS]
_CARDS_SHOWN = "() => " + " && ".join(_CARDS)
_ALL_SHOWN = "() => " + " && ".join(
    _CARDS + ["!!document.querySelector('#traffic-chart .main-svg')"]
    + [f"!!document.querySelector('#overview-{p}-table tbody tr')" for p in PANELS])
TIMEOUT_MS = 120_000


def seed(url, events):
    """Generate, sessionize and roll up; in a child process, since one process owns a chdb directory."""
    from vigie.analytics.job_catalog import JOBS
    from vigie.analytics.jobs import JobContext, run_window
    from vigie.warehouse import open_store
    from vigie.warehouse.migrations import migrate
    from vigie.warehouse.sites import add_site
    from vigie.warehouse.users import add_user

    store = open_store(url)
    migrate(store)
    site = add_site(store, SITE, "UTC")
    add_user(store, EMAIL, PASSWORD, is_admin=True)
    today = datetime.datetime.now(datetime.timezone.utc).date()
    start = datetime.datetime.combine(today - datetime.timedelta(days=DAYS), datetime.time(),
                                      datetime.timezone.utc)
    generate(store, events, start, lambda line: print(line, flush=True))
    # Up to now, so today's events (the 30d period includes today) are sessionized too.
    end = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    for job in ("sessions", "rollups"):
        run_window(store, JOBS[job], site, start, end, JobContext())
    store.close()


def cpu_seconds(pid):
    """User + system seconds of a process and its reaped children, from /proc."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def process_tree(pid):
    """pid and its descendants (gunicorn's worker is a child of its arbiter)."""
    found, todo = [], [pid]
    while todo and len(found) < 64:
        current = todo.pop()
        found.append(current)
        try:
            with open(f"/proc/{current}/task/{current}/children") as children:
                todo += [int(c) for c in children.read().split()]
        except FileNotFoundError:
            pass
    return found


class Meter:
    """Wall seconds, server and browser CPU seconds and the load average around one browser action."""

    def __init__(self, server_pids):
        self.server_pids = server_pids

    def cpu(self):
        """(server, browser) CPU seconds so far; the browser is this process's other descendants."""
        server = {pid for root in self.server_pids for pid in process_tree(root)}
        browser = set(process_tree(os.getpid())) - server
        return _cpu_of(server), _cpu_of(browser)

    def __call__(self, action):
        (server, browser), wall = self.cpu(), time.perf_counter()
        action()
        wall = time.perf_counter() - wall
        server_after, browser_after = self.cpu()
        return wall, server_after - server, browser_after - browser, os.getloadavg()[0]


def _cpu_of(pids):
    total = 0.0
    for pid in pids:
        try:
            total += cpu_seconds(pid)
        except (FileNotFoundError, ProcessLookupError):
            pass  # ended between listing and reading
    return total


def start_server(url, data_dir):
    port = free_port()
    env = dict(os.environ, VIGIE_STORE_URL=url, VIGIE_HOST="127.0.0.1", VIGIE_PORT=str(port),
               VIGIE_SECRET_KEY="bench-secret-key", VIGIE_WORKERS="1", VIGIE_LOG_LEVEL="WARNING",
               VIGIE_SPOOL_DIR=os.path.join(data_dir, "spool"),
               VIGIE_CHURN_MODEL_DIR=os.path.join(data_dir, "models"))
    process = subprocess.Popen([sys.executable, "-m", "vigie.cli", "serve"], cwd=ROOT, env=env,
                               start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"vigie serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return process, base
        except OSError:
            time.sleep(0.3)
    stop_server(process)
    raise RuntimeError("vigie serve did not answer /healthz within 120 s")


def stop_server(process):
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def shown(figure):
    wall, server, browser, load = figure
    return f"{wall:.2f} s (cpu: server {server:.2f} s, browser {browser:.2f} s; load {load:.1f})"


def median(figures):
    return tuple(statistics.median(f[i] for f in figures) for i in range(4))


def tabs(browser, base):
    """(page, login_page): a tab to sign in with, and the baseline load in a signed-out tab."""
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.set_default_timeout(TIMEOUT_MS)
    # The baseline tab stays signed out: a signed-in browser asking for /login is redirected.
    signed_out = browser.new_page(viewport={"width": 1280, "height": 1000})
    signed_out.set_default_timeout(TIMEOUT_MS)

    def login_page():
        signed_out.goto(base + "/login")
        signed_out.wait_for_selector("#login-submit")
    return page, login_page


def sign_in(page, base, login_page):
    login_page()  # the browser's own start-up is not the server's cost
    page.goto(base + "/login")
    page.fill("#email", EMAIL)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_url(base + "/")


def measure(base, meter, runs, report):
    from playwright.sync_api import sync_playwright

    from tests.conftest import chromium_launch_args

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(**chromium_launch_args())
        try:
            page, login_page = tabs(browser, base)

            callbacks = []  # seconds of each Dash callback request of the current load

            def finished(request):
                if "_dash-update-component" in request.url:
                    callbacks.append(request.timing["responseEnd"] / 1000)  # ms after it was sent
            page.on("requestfinished", finished)
            slowest = []  # per overview load: its slowest callback, request sent to answer read
            cards = []  # per overview load: seconds until the eight cards show their numbers

            def overview():
                callbacks.clear()
                started = time.perf_counter()
                page.goto(base + OVERVIEW)
                page.wait_for_function(_CARDS_SHOWN, timeout=TIMEOUT_MS, polling=20)
                cards.append(time.perf_counter() - started)
                page.wait_for_function(_ALL_SHOWN, timeout=TIMEOUT_MS)
                slowest.append(max(callbacks, default=0.0))

            sign_in(page, base, login_page)
            cold = meter(overview)
            report(f"  cold overview  {shown(cold)}; cards shown after {cards[0]:.2f} s, "
                   f"slowest callback {slowest[0]:.2f} s")
            warm = [meter(overview) for _ in range(runs)]
            report(f"  warm overview, medians: cards shown after {statistics.median(cards[1:]):.2f} s, "
                   f"slowest callback {statistics.median(slowest[1:]):.2f} s")
            baseline = [meter(login_page) for _ in range(runs)]
            return cold, median(warm), median(baseline)
        finally:
            browser.close()


def bench_served(backend, seed_function, seed_args, measure_function, runs, report, prefix):
    """Seed a store in a child process, serve it with `vigie serve`, and measure it in Chromium.

    backend: chdb (a temporary directory) or server/clickhouse (a clickhouse-server
    started for the run). measure_function(base_url, meter, runs, report) gives the result.
    """
    tmp = tempfile.mkdtemp(prefix=prefix)
    clickhouse = server = None
    try:
        if backend == "chdb":
            url = f"chdb://{tmp}/data?database=bench"
        else:
            from tests.clickhouse_server import ClickHouseServer
            clickhouse = ClickHouseServer().start()
            url = f"clickhouse://default@127.0.0.1:{clickhouse.tcp_port}/bench"
        started, load = time.perf_counter(), os.getloadavg()[0]
        child = multiprocessing.get_context("spawn").Process(target=seed_function,
                                                             args=(url, *seed_args))
        child.start()
        child.join()
        if child.exitcode != 0:
            raise RuntimeError(f"seeding failed (exit {child.exitcode})")
        seeded_cpu = os.times().children_user + os.times().children_system
        report(f"  seeded in {time.perf_counter() - started:.1f} s "
               f"(seed process cpu {seeded_cpu:.1f} s, load {load:.1f} -> {os.getloadavg()[0]:.1f})")
        server, base = start_server(url, tmp)
        pids = [server.pid] + ([clickhouse.process.pid] if clickhouse else [])
        return measure_function(base, Meter(pids), runs, report)
    finally:
        if server is not None:
            stop_server(server)
        if clickhouse is not None:
            clickhouse.stop()
        shutil.rmtree(tmp, ignore_errors=True)


def bench(backend, events, runs, report):
    return bench_served(backend, seed, (events,), measure, runs, report, "vigie-bench-browser-")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=1_000_000, help="events to generate (default 1,000,000)")
    parser.add_argument("--backend", choices=("chdb", "server"), default="chdb",
                        help="embedded chdb, or a clickhouse-server started for the run (default chdb)")
    parser.add_argument("--runs", type=int, default=5, help="warm and baseline loads, median kept (default 5)")
    args = parser.parse_args(argv)
    if args.events < 1000:
        parser.error("--events must be at least 1000")
    if not 1 <= args.runs <= 50:
        parser.error("--runs must be between 1 and 50")

    def report(line):
        print(line, flush=True)

    report(f"{args.backend}: {args.events:,} events over {DAYS} days, overview for 30 days, "
           f"{args.runs} warm runs")
    cold, warm, baseline = bench(args.backend, args.events, args.runs, report)
    report(f"{args.backend} {args.events:,}: cold {shown(cold)}; warm median {shown(warm)}; "
           f"login page median {shown(baseline)}; warm/login {warm[0] / baseline[0]:.1f}x, "
           f"cold/login {cold[0] / baseline[0]:.1f}x")


if __name__ == "__main__":
    main()
