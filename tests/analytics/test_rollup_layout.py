"""Rollup layout 3: visitors as uniqCombined(17) states (migration 31), and days
rolled up in an older layout rebuilt by the scheduled rollups job, oldest first."""
import datetime

from vigie.analytics import job_catalog, query
from vigie.analytics.breakdowns import breakdown
from vigie.analytics.job_catalog import JOBS
from vigie.analytics.jobs import JobContext, run_scheduled
from vigie.analytics.period import Period
from vigie.analytics.rollups import ROLLUP_LAYOUT, first_outdated_day
from tests.factories import at, event, insert_events
from vigie.warehouse.migrations import MIGRATIONS
from vigie.warehouse.sites import add_site

COMBINED_STATES = dict((number, statements) for number, _, statements in MIGRATIONS)[31]
CONTEXT = JobContext(timeout_minutes=30, engaged_seconds=10,
                     sessions_lookback=datetime.timedelta(hours=3),
                     rollups_lookback=datetime.timedelta(days=2))
STATE_TYPE = "AggregateFunction(uniqCombined(17), UInt64)"


def visitor_column_types(store):
    return dict(store.query(
        "SELECT table, type FROM system.columns WHERE database = currentDatabase() "
        "AND table IN ('rollup_visits', 'rollup_pages') AND name = 'visitors'"))


def layouts(store, site):
    return dict(store.query(
        "SELECT day, argMax(layout, version) FROM rollup_days WHERE site = %(site)s GROUP BY day",
        {"site": site}))


def test_rollup_tables_hold_uniq_combined_states(store):
    assert ROLLUP_LAYOUT == 4
    assert visitor_column_types(store) == {"rollup_visits": STATE_TYPE, "rollup_pages": STATE_TYPE}


def test_the_migration_can_run_again_and_keeps_the_granules_and_columns(store):
    store.execute(
        "INSERT INTO rollup_visits (site, day, version, dimension, value, visitors, visits) "
        "SELECT 'shop.test', toDate('2026-03-10'), 1, 'country', 'FR', "
        "uniqCombinedState(17)(toUInt64(number)), 5 FROM numbers(5)")
    for _ in range(2):
        for sql in COMBINED_STATES:
            store.execute(sql)
    assert visitor_column_types(store) == {"rollup_visits": STATE_TYPE, "rollup_pages": STATE_TYPE}
    # The old states cannot be converted: the table starts empty, the days are rebuilt.
    assert store.query_value("SELECT count() FROM rollup_visits") == 0
    columns = [row[0] for row in store.query("DESCRIBE TABLE rollup_visits")]
    assert columns == ["site", "day", "version", "dimension", "value", "visitors", "visits",
                       "pageviews", "bounces", "duration", "engaged_ms", "revenue", "conversions"]
    assert "index_granularity = 16" in store.query_value(
        "SELECT create_table_query FROM system.tables WHERE database = currentDatabase() "
        "AND name = 'rollup_visits'")


def _mark_outdated(store, site, days):
    """Name a layout-2 generation as the current rollup of each day (what an upgrade leaves)."""
    for day in days:
        newest = store.query_value("SELECT max(version) FROM rollup_days WHERE site = %(site)s "
                                   "AND day = %(day)s", {"site": site, "day": day})
        store.insert("rollup_days", ["site", "day", "version", "timezone", "built_at", "layout"],
                     [(site, day, int(newest) + 1, "UTC",
                       datetime.datetime(2026, 3, 10, tzinfo=datetime.timezone.utc), 2)])


def test_outdated_days_are_rebuilt_oldest_first_a_few_days_per_run(store, monkeypatch):
    monkeypatch.setattr(job_catalog, "OUTDATED_DAYS_PER_RUN", 3)
    site = add_site(store, "shop.test", "UTC")
    insert_events(store, [event("shop.test", "2026-03-01 09:00:00", visitor=1),
                          event("shop.test", "2026-03-03 09:00:00", visitor=2, pathname="/pricing"),
                          event("shop.test", "2026-03-08 09:00:00", visitor=1)])
    now = at("2026-03-10 12:00:00")
    run_scheduled(store, JOBS["sessions"], CONTEXT, now=now)
    run_scheduled(store, JOBS["rollups"], CONTEXT, now=now)
    assert first_outdated_day(store, site) is None
    day = datetime.date
    period = Period(day(2026, 3, 1), day(2026, 3, 9), "day")
    expected = (query.aggregate(store, site, period), breakdown(store, site, period, "pages"))
    assert (expected[0]["visitors"], expected[0]["pageviews"]) == (2, 3)

    _mark_outdated(store, "shop.test", [day(2026, 3, 2), day(2026, 3, 3), day(2026, 3, 8)])
    assert first_outdated_day(store, site) == day(2026, 3, 2)
    # The outdated days are read raw meanwhile, with the same numbers.
    assert day(2026, 3, 3) not in query.Plan(store, site, period, None).rolled
    assert (query.aggregate(store, site, period), breakdown(store, site, period, "pages")) == expected

    # First run: from the oldest outdated day, three days; the usual window waits.
    assert JOBS["rollups"].scheduled_window(store, site, now, CONTEXT) == (
        at("2026-03-02 00:00:00"), at("2026-03-05 00:00:00"))
    run_scheduled(store, JOBS["rollups"], CONTEXT, now=now)
    assert first_outdated_day(store, site) == day(2026, 3, 8)
    assert layouts(store, "shop.test")[day(2026, 3, 3)] == ROLLUP_LAYOUT
    # The 8th lies within the usual lookback, so the second run is the usual window.
    assert JOBS["rollups"].scheduled_window(store, site, now, CONTEXT) == (
        at("2026-03-08 00:00:00"), at("2026-03-10 00:00:00"))
    run_scheduled(store, JOBS["rollups"], CONTEXT, now=now)
    assert first_outdated_day(store, site) is None
    assert set(layouts(store, "shop.test").values()) == {ROLLUP_LAYOUT}
    assert query.Plan(store, site, period, None).rolled == [day(2026, 3, d) for d in range(1, 10)]
    assert (query.aggregate(store, site, period), breakdown(store, site, period, "pages")) == expected
