"""Shared fixtures: real ClickHouse on both backends, never mocks.

`store` is parametrized over the embedded engine (chdb) and a clickhouse-server
18.16 process started once per test session; every test gets a database of
its own with the schema applied, dropped afterwards.
"""
import os
import uuid

import pytest

from tests.clickhouse_server import ClickHouseServer
from vigie.warehouse import open_store
from vigie.warehouse.migrations import migrate

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


@pytest.fixture
def store_url(backend, request):
    """A URL naming a fresh, empty database on the backend under test."""
    database = "t_" + uuid.uuid4().hex[:12]
    url = store_url_for(backend, request, database)
    yield url
    cleanup = open_store(url)
    try:
        cleanup.execute(f"DROP DATABASE IF EXISTS `{database}`")
    finally:
        cleanup.close()


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
