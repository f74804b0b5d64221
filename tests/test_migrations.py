"""Migrations on both backends: the squashed baseline, and claims surviving their merge into one table."""
import datetime

import pytest

from vigie.warehouse import open_store
from vigie.warehouse.migrations import MIGRATIONS, applied_versions, baseline, migrate
from vigie.warehouse.run_claims import claim_sites, claim_slot, last_runs

UTC = datetime.timezone.utc


@pytest.fixture
def fresh_store(backend, fresh_store_url):
    """fresh_store() -> a store on a new, empty database of the backend under test."""
    opened = []

    def make():
        opened.append(open_store(fresh_store_url(backend)))
        opened[-1].create_database()
        return opened[-1]
    yield make
    for store in opened:
        store.close()


def _replay(store, versions):
    for version, _, statements in MIGRATIONS:
        if version in versions:
            for sql in statements:
                store.execute(sql)


def _schema(store):
    """{table: (engine, engine_full, partition, sorting and primary key, DESCRIBE rows)}."""
    tables = store.query(
        "SELECT name, engine, engine_full, partition_key, sorting_key, primary_key FROM system.tables "
        "WHERE database = currentDatabase() AND name != 'schema_migrations' ORDER BY name")
    return {name: (*keys, store.query(f"DESCRIBE TABLE `{name}`")) for name, *keys in tables}


def test_the_baseline_builds_what_every_migration_in_order_builds(fresh_store):
    fresh, replayed = fresh_store(), fresh_store()
    assert migrate(fresh) == [version for version, _, _ in MIGRATIONS]
    assert applied_versions(fresh) == {version for version, _, _ in MIGRATIONS}
    assert migrate(fresh) == []
    _replay(replayed, {version for version, _, _ in MIGRATIONS})
    baseline_schema, replayed_schema = _schema(fresh), _schema(replayed)
    assert "events" in replayed_schema and "run_claims" in replayed_schema
    assert baseline_schema == replayed_schema


def test_the_baseline_covers_migrations_that_exist():
    assert baseline.VERSION in {version for version, _, _ in MIGRATIONS}


def _micros(text):
    return int(datetime.datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1_000_000)


def test_merging_the_claim_tables_keeps_every_claim(fresh_store):
    store = fresh_store()
    _replay(store, {version for version, _, _ in MIGRATIONS if version < 100})
    hour = 3600
    now = datetime.datetime(2026, 3, 10, 12, 0, 30, tzinfo=UTC)
    slot = int(now.timestamp() // hour)
    job_columns = ["job", "slot", "attempt", "claimant", "claimed_us", "lease_us", "finished_us"]
    started = _micros("2026-03-10 12:00:05")
    store.insert("job_run_claims", job_columns, [
        # sessions: this hour's run finished; rollups: a run holding a live lease.
        ("sessions", slot, 0, "w1", started, started + 600_000_000, 0),
        ("sessions", slot, 0, "w1", started, started + 600_000_000, started + 1_000_000),
        ("rollups", slot, 0, "w2", started, started + 600_000_000, 0),
    ])
    store.insert("alert_run_claims", ["site", "slot", "claimant", "claimed_us"], [
        ("shop.test", 7, "w1", _micros("2026-03-10 11:00:01")),
        ("shop.test", 7, "w2", _micros("2026-03-10 11:00:02")),
    ])
    _replay(store, {version for version, _, _ in MIGRATIONS if version >= 100})

    assert store.query("SELECT name FROM system.tables WHERE database = currentDatabase() "
                       "AND name IN ('job_run_claims', 'alert_run_claims')") == []
    assert claim_slot(store, "sessions", now, hour, 600, settle_seconds=0) is None  # finished
    assert claim_slot(store, "rollups", now, hour, 600, settle_seconds=0) is None   # leased
    assert claim_slot(store, "funnels", now, hour, 600, settle_seconds=0) is not None
    # Slot 7's alerts were claimed before the upgrade: nobody runs them again.
    assert claim_sites(store, "alerts", ["shop.test"], 7, settle_seconds=0) == set()
    assert claim_sites(store, "alerts", ["shop.test"], 8, settle_seconds=0) == {"shop.test"}
    runs = last_runs(store, "alerts")
    assert list(runs) == ["shop.test"] and runs["shop.test"] > datetime.datetime(2026, 3, 10, 11, 0, 2, tzinfo=UTC)
