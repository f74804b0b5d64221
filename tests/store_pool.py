"""One migrated database per backend and test worker, emptied between tests.

Creating, migrating and dropping a database for every test cost 1-5 s of
setup and teardown on chdb (more with every database dropped in the process)
and about 1 s on the server, against a test body of 0.3 s. A test now gets a
database that was migrated once in this worker and emptied before the test:

- tables that hold rows are truncated, after any pending mutation of the
  previous test has finished (a truncate would race it);
- the schema is compared with the one recorded right after migrating (tables,
  their full CREATE statement, the applied migration count). A test that
  dropped, renamed or altered a table leaves a different schema, and the
  database is then dropped and migrated again, so the next test never sees
  what an earlier one did to the schema.

Tests about migrating itself use a fresh, empty database instead
(`fresh_store_url` in tests/conftest.py).
"""
import time

from warehouse import open_store
from warehouse.migrations import migrate

# Long enough for any ALTER ... DELETE/UPDATE a test leaves behind; past it
# the database is rebuilt rather than truncated under a running mutation.
MUTATION_WAIT_SECONDS = 30.0


def drop_database(store, database):
    """Drop a database; on chdb synchronously, since each lazily dropped
    database makes every later create and drop in the process slower."""
    sync = " SYNC" if store.backend == "chdb" else ""
    # A server connection names its database, which must exist to connect.
    store.create_database()
    store.execute(f"DROP DATABASE IF EXISTS `{database}`{sync}")


class StorePool:
    """The pooled database of one backend in this worker process."""

    def __init__(self, url, database):
        self.url = url
        self.database = database
        self._schema = None

    def _fingerprint(self, store):
        tables = store.query(
            "SELECT name, create_table_query FROM system.tables WHERE database = %(db)s ORDER BY name",
            {"db": self.database})
        migrations = (store.query_value("SELECT count() FROM schema_migrations")
                      if any(name == "schema_migrations" for name, _ in tables) else None)
        return tuple(tables), migrations

    def _rebuild(self, store):
        drop_database(store, self.database)
        store.create_database()
        migrate(store)
        self._schema = self._fingerprint(store)

    def _wait_for_mutations(self, store):
        deadline = time.monotonic() + MUTATION_WAIT_SECONDS
        while time.monotonic() < deadline:
            if not store.query_value(
                    "SELECT count() FROM system.mutations WHERE database = %(db)s AND is_done = 0",
                    {"db": self.database}):
                return True
            time.sleep(0.02)
        return False

    def checkout(self):
        """The URL of the pooled database, migrated and holding no rows."""
        store = open_store(self.url)
        try:
            store.create_database()
            if self._schema is None or self._fingerprint(store) != self._schema:
                self._rebuild(store)
                return self.url
            if not self._wait_for_mutations(store):
                self._rebuild(store)
                return self.url
            with_rows = store.query(
                "SELECT DISTINCT table FROM system.parts WHERE database = %(db)s AND active "
                "AND table != 'schema_migrations'", {"db": self.database})
            for (table,) in with_rows:
                store.execute(f"TRUNCATE TABLE `{table}`")
        finally:
            store.close()
        return self.url
