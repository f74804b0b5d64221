"""Shared fixtures: real ClickHouse on both backends, never mocks.

`store` is parametrized over the embedded engine (chdb) and a clickhouse-server
18.16 process started once per test session. Every test gets a migrated
database with no rows in it: one per backend and worker, migrated once and
emptied between tests (tests/store_pool.py). A test about migrating itself
asks for `fresh_store_url`: a new, empty database, dropped afterwards.
docs/testing.md explains which fixture to use when.
"""
import os
import uuid

import pytest

from tests.clickhouse_server import ClickHouseServer
from tests.store_pool import StorePool, drop_database
from warehouse import open_store
from warehouse.migrations import migrate

BACKENDS = ("chdb", "clickhouse")


@pytest.fixture(scope="session")
def clickhouse_server():
    with ClickHouseServer() as server:
        yield server


@pytest.fixture(scope="session")
def chdb_path(tmp_path_factory):
    return str(tmp_path_factory.mktemp("chdb"))


def store_url_for(backend, request, database):
    if backend == "chdb":
        return f"chdb://{request.getfixturevalue('chdb_path')}?database={database}"
    server = request.getfixturevalue("clickhouse_server")
    return f"clickhouse://default@127.0.0.1:{server.tcp_port}/{database}"


@pytest.fixture(params=BACKENDS)
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def store_pools(request):
    """backend -> this worker's pooled database on it, made on first use."""
    pools = {}
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")

    def pool(backend):
        if backend not in pools:
            database = f"pool_{worker}_{uuid.uuid4().hex[:6]}"
            pools[backend] = StorePool(store_url_for(backend, request, database), database)
        return pools[backend]
    return pool


@pytest.fixture
def store_url(backend, store_pools):
    """A URL naming a migrated database with no rows on the backend under test."""
    return store_pools(backend).checkout()


@pytest.fixture
def fresh_store_url(request):
    """fresh_store_url(backend) -> a URL naming a new, empty database, dropped afterwards.

    For tests about migrating and for commands that must find no schema.
    """
    made = []

    def make(backend, prefix="t"):
        database = f"{prefix}_{uuid.uuid4().hex[:12]}"
        made.append((store_url_for(backend, request, database), database))
        return made[-1][0]
    yield make
    for url, database in made:
        cleanup = open_store(url)
        try:
            drop_database(cleanup, database)
        finally:
            cleanup.close()


@pytest.fixture
def server_url(fresh_store_url):
    """A new, empty database on the session's ClickHouse server, dropped afterwards."""
    return fresh_store_url("clickhouse", "cli")


@pytest.fixture
def store(store_url):
    """A migrated store on the backend under test."""
    s = open_store(store_url)
    migrate(s)
    yield s
    s.close()


@pytest.fixture
def settings(store_url, tmp_path):
    from vigie.settings import load_settings
    return load_settings(environ={}, overrides={
        "store_url": store_url,
        "secret_key": "test-secret-key",
        "buffer_max_seconds": 0.2,
        "spool_dir": str(tmp_path / "spool"),
    })


@pytest.fixture
def app(settings, store):
    """The whole Vigie server (collector + dashboard) on the store under test."""
    from vigie.app import create_app
    application = create_app(settings, store=store)
    application.config["TESTING"] = True
    yield application
    application.extensions["vigie"].close()


@pytest.fixture
def client(app):
    return app.test_client()


def chromium_launch_args():
    """Flags for Debian's chromium under Playwright; never a downloaded browser."""
    return dict(
        executable_path=os.environ.get("VIGIE_TEST_CHROMIUM", "/usr/bin/chromium"),
        headless=True,
        args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync"],
    )


@pytest.fixture(scope="session")
def playwright():
    """Playwright for the whole worker: its sync API allows one instance per thread."""
    from playwright.sync_api import sync_playwright
    with sync_playwright() as instance:
        yield instance


def launch_chromium(playwright, options):
    if not os.path.exists(options["executable_path"]):
        pytest.fail(f"{options['executable_path']} is missing: install Debian's chromium "
                    "(tests never download a browser)")
    return playwright.chromium.launch(**options)


@pytest.fixture(scope="session")
def chromium(playwright):
    """One Chromium per worker: launching it costs 1.3-2 s, a new context a few ms."""
    browser = launch_chromium(playwright, chromium_launch_args())
    yield browser
    browser.close()


class BrowserForOneTest:
    """The worker's Chromium as one test sees it: what the test opens is closed after it.

    Pages from new_page() each get a context of their own, as from a
    freshly launched browser, so no cookie or storage passes between tests.
    """

    def __init__(self, browser):
        self._browser = browser
        self._contexts = []

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        self._contexts.append(context)
        return context

    def new_page(self, **options):
        return self.new_context(**options).new_page()

    def close_all(self):
        for context in self._contexts:
            context.close()
        self._contexts = []


@pytest.fixture
def browser(chromium):
    one_test = BrowserForOneTest(chromium)
    yield one_test
    one_test.close_all()
