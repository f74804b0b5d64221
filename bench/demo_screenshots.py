"""Screenshots of every dashboard page, taken from the demo, and how long each page takes.

Loads the demo with `vigie demo --no-serve` into a temporary directory, serves it with
`vigie serve` (the production server) on a free loopback port, sends one live pageview so
Realtime has a visitor, signs in with Debian's Chromium and opens every page of
tests/dashboard/demo_pages.py: each is timed from navigation until the things that prove
its content are on screen (the same check as the browser test), then saved as a PNG.

    .venv/bin/python bench/demo_screenshots.py --out docs/screenshots

Prints the wall seconds of each page load (--runs loads, median) and the PNG sizes. On a
shared machine the times mostly measure the other tenants: compare them run against run.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.dashboard_browser import stop_server  # noqa: E402
from tests.clickhouse_server import free_port  # noqa: E402
from tests.dashboard.demo_pages import (DEMO_PAGES, DEMO_SITE, DemoPage,  # noqa: E402
                                        empty_states_shown, open_demo_page, sign_in)

VIEWPORT = {"width": 1280, "height": 900}
# Long pages (every client at risk, every alert) are cut here: the top of a page shows what it
# is, and docs/screenshots stays small.
MAX_HEIGHT = 2000
START_TIMEOUT_S = 60


def _positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default=os.path.join(ROOT, "docs", "screenshots"),
                        help="directory the PNGs go to (default docs/screenshots)")
    parser.add_argument("--days", type=_positive, default=7, help="days of demo traffic (default 7)")
    parser.add_argument("--visitors", type=_positive, default=600, help="demo visitors (default 600)")
    parser.add_argument("--runs", type=_positive, default=3, help="loads of each page to time (default 3)")
    return parser.parse_args(argv)


def load_demo(home, days, visitors):
    """Run `vigie demo --no-serve`; returns (its environment, the admin password, seconds)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env.update(VIGIE_STORE_URL="chdb:///" + os.path.join(home, "data").lstrip("/"),
               VIGIE_CHURN_MODEL_DIR=os.path.join(home, "models"), VIGIE_SECRET_KEY="screenshots",
               VIGIE_SPOOL_DIR=os.path.join(home, "spool"))
    started = time.monotonic()
    loaded = subprocess.run([sys.executable, "-m", "vigie", "demo", "--no-serve", "--days", str(days),
                             "--visitors", str(visitors)], cwd=home, env=env, capture_output=True,
                            text=True, timeout=600)
    if loaded.returncode != 0:
        sys.exit(f"vigie demo failed:\n{loaded.stderr[-3000:]}")
    return env, re.search(r"with password (\S+)", loaded.stdout).group(1), time.monotonic() - started


def serve(home, env, port):
    server = subprocess.Popen([sys.executable, "-m", "vigie", "serve", "--host", "127.0.0.1",
                               "--port", str(port)], cwd=home, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.3)
    stop_server(server)
    sys.exit("vigie serve did not answer /healthz in time")


def live_pageview(base):
    """One visitor on the home page now, through the tracker endpoint."""
    body = json.dumps({"name": "pageview", "domain": DEMO_SITE, "url": f"https://{DEMO_SITE}/",
                       "referrer": None, "screen_width": 1280}).encode()
    request = urllib.request.Request(f"{base}/api/event", data=body, headers={
        "Content-Type": "text/plain", "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 "
        "(KHTML, like Gecko) Chrome/124.0 Safari/537.36", "Accept-Language": "fr-FR"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        if answer.status != 202:
            sys.exit(f"the live pageview was refused: {answer.status}")


def _save(page, out, name):
    page.wait_for_timeout(500)  # charts finish their transitions
    height = min(page.evaluate("document.documentElement.scrollHeight"), MAX_HEIGHT)
    page.screenshot(path=os.path.join(out, f"{name}.png"), full_page=True,
                    clip={"x": 0, "y": 0, "width": VIEWPORT["width"], "height": height})


def shoot(base, password, out, runs):
    from playwright.sync_api import sync_playwright
    times, problems = {}, {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=os.environ.get("VIGIE_TEST_CHROMIUM",
                                                                         "/usr/bin/chromium"),
                                             args=["--no-sandbox", "--headless=new"])
        try:
            page = browser.new_page(viewport=VIEWPORT)
            sign_in(page, base, password)
            for demo_page in DEMO_PAGES:
                times[demo_page.name] = [open_demo_page(page, base, demo_page) for _ in range(runs)]
                shown = empty_states_shown(page)
                if shown:
                    problems[demo_page.name] = shown
                _save(page, out, demo_page.name)
            # One client's timeline: the first client of the alerts inbox, as a reader would click it.
            page.goto(DemoPage("alerts", "/alerts", ()).url(base))
            page.click("#alerts-table tbody tr a")
            page.wait_for_selector("#customer-facts")
            _save(page, out, "customer-timeline")
            times["customer-timeline"] = []
            # The Customers page's base movement section, below the fold of its full-page shot.
            open_demo_page(page, base, DemoPage("customers", "/customers", (
                "#movement-table tbody tr", "#movement-chart .main-svg", "#movement-revenue-chart .main-svg")))
            page.wait_for_timeout(500)
            page.locator("#movement-card").screenshot(path=os.path.join(out, "customers-movement.png"))
            times["customers-movement"] = []
        finally:
            browser.close()
    return times, problems


def main(argv=None):
    args = parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    home = tempfile.mkdtemp(prefix="vigie-screenshots-")
    server = None
    try:
        env, password, load_seconds = load_demo(home, args.days, args.visitors)
        print(f"demo loaded in {load_seconds:.1f} s ({args.days} days, {args.visitors} visitors)")
        port = free_port()
        server = serve(home, env, port)
        base = f"http://127.0.0.1:{port}"
        live_pageview(base)
        times, problems = shoot(base, password, args.out, args.runs)
    finally:
        if server is not None and server.poll() is None:
            stop_server(server)
        shutil.rmtree(home, ignore_errors=True)
    total = 0
    print(f"{'page':<17} {'median s':>9} {'all runs (s)':<24} {'PNG KiB':>8}")
    for name, runs in times.items():
        size = os.path.getsize(os.path.join(args.out, f"{name}.png"))
        total += size
        median = f"{statistics.median(runs):>9.2f}" if runs else f"{'-':>9}"
        print(f"{name:<17} {median} {' '.join(f'{t:.2f}' for t in runs):<24} {size / 1024:>8.0f}")
    print(f"{len(times)} screenshots, {total / 1024 / 1024:.2f} MiB in {args.out}")
    if problems:
        sys.exit(f"pages showing an empty state: {problems}")


if __name__ == "__main__":
    main()
