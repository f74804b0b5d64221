"""rollup_visits is stored in granules of 16 rows (migration 29), on both backends.

A breakdown reads one dimension; small granules keep it from deserialising
the uniq states of the other dimensions stored next to it.
"""
from vigie.warehouse.migrations import MIGRATIONS

SMALL_GRANULES = dict((number, statements) for number, _, statements in MIGRATIONS)[29]


def add_country_rows(store, count):
    store.execute(
        "INSERT INTO rollup_visits (site, day, version, dimension, value, visitors, visits, "
        "pageviews, bounces, duration, engaged_ms, revenue) "
        "SELECT 'shop.test', toDate('2026-03-10'), 1, 'country', toString(number), "
        "uniqCombinedState(17)(toUInt64(number)), 1, 2, 0, 30, 0, 0 FROM numbers(%(count)s) GROUP BY number",
        {"count": count})


def marks(store):
    return store.query_value(
        "SELECT sum(marks) FROM system.parts WHERE database = currentDatabase() "
        "AND table = 'rollup_visits' AND active")


def test_forty_rows_take_three_granules(store):
    add_country_rows(store, 40)
    # 1024-row granules would hold the 40 rows in one (plus a final mark at most)
    assert marks(store) >= 3


def test_the_migration_keeps_every_row_and_state_and_can_run_again(store):
    add_country_rows(store, 40)
    for _ in range(2):
        for sql in SMALL_GRANULES:
            store.execute(sql)
        assert store.query("SELECT count(), uniqCombinedMerge(17)(visitors), sum(pageviews) FROM rollup_visits") == [
            (40, 40, 80)]
        assert marks(store) >= 3
