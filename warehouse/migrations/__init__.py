"""Numbered schema migrations, recorded in `schema_migrations`.

Each migration is a module here, mNNN_what.py, with NAME and STATEMENTS: a
list of statements that both backends accept. A migration is applied once, in
order; the applied numbers live in the store, so `vigie db migrate` is safe to
run at every start. Never edit a migration that has shipped: add the next
number. A fresh database gets the squashed schema of baseline.py instead of
the migrations it covers, which are recorded as applied.

Numbers are grouped by area so parts can grow their schema independently:
1-19 ingestion (events, sites, users, salts, keys), 20-39 analytics (sessions,
goals, jobs, rollups), 40-59 churn (customers, transactions, models, scores),
60-79 alerts, 80-99 dashboard, 100 and up changes across areas (they run
after every area's tables exist). Within an area, numbers only go up.
"""
import datetime
import importlib
import logging
import pkgutil
import re

from vigie.warehouse.migrations import baseline

log = logging.getLogger(__name__)

_MODULE = re.compile(r"m(\d{3})_\w+$")


def _load():
    """(version, name, statements) of every mNNN_*.py module here, in order."""
    found = []
    for module in pkgutil.iter_modules(__path__):
        match = _MODULE.match(module.name)
        if match:
            loaded = importlib.import_module(f"{__name__}.{module.name}")
            found.append((int(match.group(1)), loaded.NAME, loaded.STATEMENTS))
    return sorted(found)


MIGRATIONS = _load()


def _ensure_migrations_table(store):
    store.execute("""
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version UInt32,
            name String,
            applied_at DateTime('UTC')
        ) ENGINE = MergeTree ORDER BY version
    """)


def applied_versions(store):
    _ensure_migrations_table(store)
    return {row[0] for row in store.query("SELECT version FROM schema_migrations")}


def pending(store):
    done = applied_versions(store)
    return sorted((m for m in MIGRATIONS if m[0] not in done), key=lambda m: m[0])


def _record(store, versions):
    now = datetime.datetime.now(datetime.timezone.utc)
    store.insert("schema_migrations", ["version", "name", "applied_at"],
                 [(version, name, now) for version, name in versions])


def _announce(version, name, report):
    log.info("applied migration %03d %s", version, name)
    if report:
        report(f"applied migration {version:03d} {name}")


def _create_from_baseline(store, report):
    """A fresh database: the squashed schema, and every migration it covers recorded."""
    for sql in baseline.STATEMENTS:
        store.execute(sql)
    covered = [(version, name) for version, name, _ in MIGRATIONS if version <= baseline.VERSION]
    _record(store, covered)
    for version, name in covered:
        _announce(version, name, report)
    return [version for version, _ in covered]


def migrate(store, report=None):
    """Apply every pending migration in order; returns the numbers applied.

    A database with no migration applied yet gets the baseline schema instead
    of the migrations it covers.
    """
    store.create_database()
    applied = [] if applied_versions(store) else _create_from_baseline(store, report)
    for version, name, statements in pending(store):
        for sql in statements:
            store.execute(sql)
        _record(store, [(version, name)])
        _announce(version, name, report)
        applied.append(version)
    return applied
