"""The test fixtures' pooled database: every test sees a migrated store with no
rows in it, whatever the test before it did (tests/store_pool.py)."""
import datetime

from warehouse import open_store
from warehouse.migrations import MIGRATIONS, migrate
from warehouse.sites import add_site, list_sites

UTC = datetime.timezone.utc


def _checkout(store_pools, backend):
    return open_store(store_pools(backend).checkout())


def test_rows_of_one_test_are_gone_for_the_next(store_pools, backend):
    store = _checkout(store_pools, backend)
    try:
        add_site(store, "shop.test", "UTC")
        store.insert("events", ["site", "ts", "name"], [("shop.test", datetime.datetime(2026, 3, 1, tzinfo=UTC),
                                                          "pageview")])
    finally:
        store.close()
    store = _checkout(store_pools, backend)
    try:
        assert list_sites(store) == []
        assert store.query_value("SELECT count() FROM events") == 0
        assert store.query_value("SELECT count() FROM schema_migrations") == len(MIGRATIONS)
    finally:
        store.close()


def test_a_test_that_changed_the_schema_leaves_the_real_one_behind(store_pools, backend):
    store = _checkout(store_pools, backend)
    try:
        columns = store.query("SELECT name, type FROM system.columns WHERE database = %(db)s "
                              "AND table = 'events' ORDER BY name", {"db": store.database})
        store.execute("DROP TABLE events")
        store.execute("ALTER TABLE sites ADD COLUMN scratch String")
    finally:
        store.close()
    store = _checkout(store_pools, backend)
    try:
        assert store.query("SELECT name, type FROM system.columns WHERE database = %(db)s "
                           "AND table = 'events' ORDER BY name", {"db": store.database}) == columns
        assert store.query_value("SELECT count() FROM system.columns WHERE database = %(db)s "
                                 "AND table = 'sites' AND name = 'scratch'", {"db": store.database}) == 0
    finally:
        store.close()


def test_a_fresh_database_has_no_schema_until_migrated(fresh_store_url, backend):
    store = open_store(fresh_store_url(backend))
    try:
        store.create_database()
        assert store.query_value("SELECT count() FROM system.tables WHERE database = %(db)s",
                                 {"db": store.database}) == 0
        assert migrate(store) == [number for number, _, _ in MIGRATIONS]
        assert migrate(store) == []
    finally:
        store.close()
