"""Collector as the demo and the server use it: the Python entry, site cache,
salt refresh registration, backfill salts and the background flusher."""
import datetime
import time

import pytest

from vigie.collector import ClientInfo, Collector, Result
from vigie.collector.service import SiteCache
from tests.collector.conftest import CHROME
from vigie.scheduler import Scheduler
from vigie.warehouse.salts import salt_days, salt_for_day
from vigie.warehouse.sites import add_site, remove_site

UTC = datetime.timezone.utc
PAGE = {"name": "pageview", "domain": "shop.test", "url": "https://shop.test/"}
VISITOR = ClientInfo("203.0.113.5", CHROME, "en-GB")


def wait_until(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_ingest_says_what_became_of_each_event(collector):
    assert collector.ingest(dict(PAGE), VISITOR) == Result(True, 202, "accepted")
    bad = collector.ingest(dict(PAGE, screen_width="wide"), VISITOR)
    assert bad == Result(False, 400, "bad_request", "'screen_width' must be an integer, got str")
    bot = collector.ingest(dict(PAGE), ClientInfo("203.0.113.5", "Googlebot/2.1 (+http://www.google.com/bot.html)"))
    assert (bot.accepted, bot.status, bot.reason) == (False, 202, "bot_pattern")
    assert collector.counts() == {"accepted": 1, "bad_request": 1, "bot_pattern": 1}
    assert collector.drop_counts() == {"bad_request": 1, "bot_pattern": 1}
    assert collector.buffered_count() == 1


def test_ingest_refuses_a_naive_time(collector):
    with pytest.raises(ValueError, match="timezone-aware"):
        collector.ingest(dict(PAGE), VISITOR, received_at=datetime.datetime(2026, 1, 1, 12))


def test_received_at_in_another_zone_is_stored_as_utc(collector, store):
    paris = datetime.timezone(datetime.timedelta(hours=1))
    collector.ingest(dict(PAGE), VISITOR, received_at=datetime.datetime(2026, 1, 5, 0, 30, tzinfo=paris))
    collector.flush()
    assert store.query_value("SELECT ts FROM events") == datetime.datetime(2026, 1, 4, 23, 30, tzinfo=UTC)


def test_backfilled_days_get_their_own_salt_until_the_next_refresh(collector, store):
    today = datetime.datetime.now(UTC).date()
    old_day = today - datetime.timedelta(days=10)
    when = datetime.datetime.combine(old_day, datetime.time(9, 0), UTC)
    collector.ingest(dict(PAGE), VISITOR, received_at=when)
    collector.ingest(dict(PAGE), VISITOR, received_at=when + datetime.timedelta(minutes=3))
    collector.flush()
    assert old_day in salt_days(store)
    ids = {r[0] for r in store.query("SELECT visitor_id FROM events")}
    assert len(ids) == 1
    collector.salts.refresh()
    assert salt_days(store) == [today]  # the backfill's salt is destroyed
    assert store.query_value("SELECT count() FROM events") == 2  # its events stay


def test_start_registers_the_salt_refresh_once(store, settings):
    scheduler = Scheduler()
    collector = Collector(store, settings, scheduler=scheduler)
    collector.start()
    collector.start()
    try:
        assert scheduler.job_names == ["salt refresh", "metrics snapshot", "dropped events counts"]
        scheduler.run_pending()
        assert salt_days(store) == [datetime.datetime.now(UTC).date()]
    finally:
        collector.close()
        collector.close()  # idempotent


def test_racing_processes_settle_on_the_smallest_salt(store):
    day = datetime.date(2026, 3, 10)
    store.insert("salts", ["day", "salt", "created_at"],
                 [(day, "f" * 64, datetime.datetime.now(UTC)), (day, "1" * 64, datetime.datetime.now(UTC))])
    assert salt_for_day(store, day) == "1" * 64
    assert store.query_value("SELECT count() FROM salts WHERE day = %(d)s", {"d": day}) == 2


def test_site_cache_answers_from_memory_within_its_ttl(store):
    add_site(store, "shop.test")
    cache = SiteCache(store, ttl=60)
    assert cache.find("shop.test").domain == "shop.test"
    remove_site(store, "shop.test")
    assert cache.find("shop.test").domain == "shop.test"  # still cached
    assert SiteCache(store, ttl=60).find("shop.test") is None
    assert cache.find("unknown.test") is None


def test_site_cache_keeps_serving_a_known_site_when_the_store_fails(store):
    add_site(store, "shop.test")
    cache = SiteCache(store, ttl=0)
    assert cache.find("shop.test") is not None
    store.execute("RENAME TABLE sites TO sites_away")
    try:
        assert cache.find("shop.test").domain == "shop.test"
    finally:
        store.execute("RENAME TABLE sites_away TO sites")


def test_the_background_flusher_retries_until_the_store_is_back(store, settings):
    add_site(store, "shop.test")
    collector = Collector(store, settings.replace(buffer_max_seconds=0.1))
    collector.start()
    try:
        collector.find_site("shop.test")  # the site is cached before the outage
        store.execute("DROP TABLE events")
        for _ in range(3):
            assert collector.ingest(dict(PAGE), VISITOR).accepted
        assert wait_until(lambda: collector.buffer.failed_flushes >= 2)
        assert collector.buffered_count() == 3
        from vigie.warehouse.migrations import MIGRATIONS
        for _, _, statements in MIGRATIONS:
            for sql in statements:
                # The events table and every column added to it since.
                if sql.lstrip().startswith(("CREATE TABLE IF NOT EXISTS events ",
                                            "ALTER TABLE events ADD COLUMN")):
                    store.execute(sql)
        # The retry backoff (1 s, then 2 s) decides when the next attempt comes.
        assert wait_until(lambda: store.query_value("SELECT count() FROM events") == 3, 15)
        # The spool lets go of the batch once the insert has returned, just after the rows show.
        assert wait_until(lambda: collector.buffered_count() == 0, 5)
    finally:
        collector.close()


def test_close_reports_what_it_could_not_write(store, settings):
    add_site(store, "shop.test")
    collector = Collector(store, settings)
    collector.ingest(dict(PAGE), VISITOR)
    store.execute("RENAME TABLE events TO events_away")
    try:
        assert collector.close() == 1  # kept, not dropped, and said so
    finally:
        store.execute("RENAME TABLE events_away TO events")
    assert collector.close() == 0
    assert store.query_value("SELECT count() FROM events") == 1
