"""Fixtures for the tracker tests: a local site that records beacons, and Chromium.

Everything listens on 127.0.0.1. The tracker ignores local hostnames, so
Chromium resolves a few fake `.test` names to loopback and pages are loaded as
http://shop.test:PORT/...; the tracker may be served from another name
(vigie.test) to make the beacons cross-origin, as in production.
"""
import http.server
import json
import os
import threading
import time

import pytest

from tests.conftest import chromium_launch_args

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
TRACKER = os.path.join(REPO, "collector", "static", "vigie.js")
VITALS = os.path.join(REPO, "collector", "static", "vitals.js")
SCRIPTS = {"/js/vigie.js": TRACKER, "/js/vitals.js": VITALS}
FAKE_HOSTS = ("shop.test", "vigie.test", "collect.test", "elsewhere.test")
STUB = "window.vigie=window.vigie||function(){(vigie.q=vigie.q||[]).push(arguments)}"
VIEWPORT = {"width": 1000, "height": 800}


def launch_options():
    """The project's Chromium flags (tests/conftest.py), plus what the tracker needs."""
    options = chromium_launch_args()
    rules = ", ".join(f"MAP {host} 127.0.0.1" for host in FAKE_HOSTS)
    options["args"] = options["args"] + [
        "--no-proxy-server",
        f"--host-resolver-rules={rules}",
        # With Playwright's default --enable-automation (and this Blink feature)
        # navigator.webdriver is true, which the tracker rightly treats as a bot.
        "--disable-blink-features=AutomationControlled",
    ]
    options["ignore_default_args"] = ["--enable-automation"]
    options["timeout"] = 30_000
    return options


class Recorder(http.server.BaseHTTPRequestHandler):
    site = None  # set on the per-server subclass

    def log_message(self, *args):
        pass

    def _send(self, status, body=b"", content_type="text/html; charset=utf-8", cors=False):
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        if cors:
            self.send_header("Access-Control-Allow-Origin", "*")
        self.end_headers()
        if status != 204:
            self.wfile.write(body)

    def do_GET(self):
        path = self.path.split("?")[0].split("#")[0]
        if path in SCRIPTS:
            with open(SCRIPTS[path], "rb") as f:
                return self._send(200, f.read(), "application/javascript", cors=True)
        page = self.site.pages.get(path)
        if page is not None:
            return self._send(200, page.encode())
        if path.startswith("/files/"):
            # A download: 204 leaves the page where it is, as a real download would.
            return self._send(204)
        return self._send(200, b"<!doctype html><title>other</title><p>other page</p>")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        record = {
            "host": self.headers.get("Host", "").split(":")[0],
            "path": self.path,
            "content_type": self.headers.get("Content-Type", ""),
            "cookie": self.headers.get("Cookie"),
            "raw": raw,
            "at": time.monotonic(),
        }
        try:
            record["body"] = json.loads(raw)
        except ValueError:
            record["body"] = None
        with self.site.lock:
            self.site.posts.append(record)
        self._send(202, b'{"accepted":1}', "application/json", cors=True)

    def do_OPTIONS(self):
        with self.site.lock:
            self.site.preflights.append(self.path)
        self._send(204, cors=True)


class Site:
    """A threaded HTTP server on 127.0.0.1 serving test pages and recording POSTs."""

    def __init__(self):
        self.pages = {}
        self.posts = []
        self.preflights = []
        self.lock = threading.Lock()
        handler = type("Handler", (Recorder,), {"site": self})
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def url(self, path="/", host="shop.test"):
        return f"http://{host}:{self.port}{path}"

    def add_page(self, path, body="", *, attrs='data-domain="shop.test"', script_host="shop.test",
                 stub=True, before="", head=""):
        """A page with the tracker tag. `before` is script run before the tracker loads."""
        src = f"http://{script_host}:{self.port}/js/vigie.js"
        early = f"<script>{STUB};{before}</script>" if stub or before else ""
        self.pages[path] = (
            f"<!doctype html><html><head><meta charset='utf-8'><title>{path}</title>{head}{early}"
            f"<script defer {attrs} src=\"{src}\"></script></head>"
            f"<body style='margin:0'>{body}</body></html>"
        )
        return self.url(path)

    def events(self, name=None):
        with self.lock:
            bodies = [p["body"] for p in self.posts]
        return [b for b in bodies if name is None or (b and b.get("name") == name)]

    def wait_events(self, count, name=None, page=None, timeout=5.0):
        """Wait (bounded) until at least `count` events (of `name`) arrived; return them all."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.events(name)
            if len(found) >= count or time.monotonic() > deadline:
                return found
            pause(page, 0.05)


def pause(page, seconds):
    """Sleep while letting Playwright deliver page events (console, pageerror)."""
    if page is not None and not page.is_closed():
        page.wait_for_timeout(seconds * 1000)
    else:
        time.sleep(seconds)


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


@pytest.fixture(scope="session")
def chromium(playwright):
    """The tracker tests' Chromium, with their own flags, one per worker; tests
    reach it through tests/conftest.py's `browser`, like every browser test."""
    from tests.conftest import launch_chromium
    browser = launch_chromium(playwright, launch_options())
    yield browser
    browser.close()


class Tab:
    """A page in a fresh context, with its page errors and console warnings collected."""

    def __init__(self, browser, init_script=None):
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.set_default_timeout(10_000)
        self.context.set_default_navigation_timeout(10_000)
        if init_script:
            self.context.add_init_script(init_script)
        self.errors = []
        self.warnings = []
        self.page = self.new_page()

    def new_page(self):
        page = self.context.new_page()
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", lambda msg: msg.type == "warning" and self.warnings.append(msg.text))
        return page

    def load(self, url, **kwargs):
        """Open url and wait until the tracker has run (window.vigie is the real one)."""
        self.page.goto(url, **kwargs)
        self.page.wait_for_function("window.vigie && window.vigie.vigie === 1", timeout=5_000)
        return self.page


@pytest.fixture
def open_tab(browser):
    """open_tab(init_script=None) -> Tab; every tab must end without page errors."""
    tabs = []

    def make(init_script=None):
        tab = Tab(browser, init_script)
        tabs.append(tab)
        return tab

    yield make
    for tab in tabs:
        tab.context.close()
    for tab in tabs:
        assert tab.errors == [], f"the host page saw errors: {tab.errors}"
