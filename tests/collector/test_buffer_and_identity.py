"""The write buffer never loses events; visitor ids follow the daily salt."""
import datetime
import threading

from vigie.collector import ClientInfo, Collector
from vigie.collector.identity import SaltKeeper, visitor_id
from vigie.collector.metrics import CollectorMetrics
from vigie.collector.pipeline import STEPS
from vigie.collector.spool import Spool
from vigie.collector.spooled_buffer import SpooledBuffer
from tests.collector.conftest import CHROME
from tests.factories import event
from vigie.warehouse import open_store
from vigie.warehouse.events import EVENT_COLUMNS
from vigie.warehouse.migrations import migrate
from vigie.warehouse.salts import salt_for_day

UTC = datetime.timezone.utc
PAGE = {"name": "pageview", "domain": "shop.test", "url": "https://shop.test/"}
VISITOR = EVENT_COLUMNS.index("visitor_id")


def count_events(store):
    return store.query_value("SELECT count() FROM events")


def test_pipeline_steps_are_named_and_ordered():
    assert [name for name, _ in STEPS] == ["parse", "validate", "enrich", "identify", "buffer"]


def spooled_buffer(tmp_path, write, **limits):
    """The collector's buffer over a spool in tmp_path, writing to `write(rows)`."""
    spool = Spool(str(tmp_path / "spool"), EVENT_COLUMNS)
    limits = dict(dict(max_rows=1000, max_seconds=60), **limits)
    return SpooledBuffer(spool, lambda columns, rows: write(rows), lambda events: set(),
                         CollectorMetrics(), **limits)


def rows(count):
    """`count` events rows; visitor ids 0..count-1 tell them apart."""
    return [tuple(event("shop.test", "2026-03-10 10:00:00", visitor=n)[c] for c in EVENT_COLUMNS)
            for n in range(count)]


def visitors(batch):
    return [row[VISITOR] for row in batch]


def test_buffer_flushes_by_size(tmp_path):
    written = []
    buf = spooled_buffer(tmp_path, written.append, max_rows=3)
    for row in rows(7):
        buf.add(row)
    assert [visitors(batch) for batch in written] == [[0, 1, 2], [3, 4, 5]] and len(buf) == 1
    assert buf.close() == 0
    assert visitors(written[-1]) == [6] and len(buf) == 0


def test_buffer_flushes_by_time(tmp_path):
    written = threading.Event()
    buf = spooled_buffer(tmp_path, lambda batch: written.set(), max_seconds=0.1)
    buf.start()
    buf.add(rows(1)[0])
    assert written.wait(5)  # the timer wrote it: nobody called flush
    assert buf.close() == 0


def test_a_failed_insert_keeps_the_batch_in_order(tmp_path):
    attempts = []

    def flaky(batch):
        attempts.append(visitors(batch))
        if len(attempts) == 1:
            raise ConnectionError("store down")
    buf = spooled_buffer(tmp_path, flaky)
    first, second, third = rows(3)
    buf.add(first)
    buf.add(second)
    assert buf.flush() == 0 and len(buf) == 2 and buf.spooled() == 2
    buf.add(third)
    assert buf.flush() == 3
    assert attempts == [[0, 1], [0, 1, 2]]


def test_after_a_failure_the_timer_waits_for_the_backoff_but_a_flush_tries(tmp_path):
    attempts = []

    def down(batch):
        attempts.append(len(batch))
        raise ConnectionError("store down")
    buf = spooled_buffer(tmp_path, down)
    for row in rows(2):
        buf.add(row)
    assert buf.flush() == 0 and attempts == [2]
    buf.add(rows(1)[0])
    assert buf.flush(force=False) == 0 and attempts == [2]  # the timer's flush: backing off
    assert len(buf) == 3                                      # sealed into the spool all the same
    assert buf.flush() == 0 and attempts == [2, 3]            # an explicit flush always tries


def test_rows_being_written_still_count_as_buffered(tmp_path):
    seen_during_write = []
    buf = spooled_buffer(tmp_path, lambda batch: seen_during_write.append((len(buf), buf.waiting())))
    for row in rows(2):
        buf.add(row)
    assert buf.flush() == 2
    assert seen_during_write == [(2, 0)] and len(buf) == 0


def test_events_survive_a_store_failure_on_both_backends(collector, store):
    client = ClientInfo("203.0.113.9", CHROME)
    store.execute("RENAME TABLE events TO events_away")
    assert collector.ingest(dict(PAGE), client).accepted
    assert collector.flush() == 0 and collector.buffered_count() == 1
    store.execute("RENAME TABLE events_away TO events")
    assert collector.ingest(dict(PAGE), client).accepted
    assert collector.flush() == 2
    assert count_events(store) == 2


def test_close_flushes_what_is_buffered(store, settings):
    from vigie.warehouse.sites import add_site
    add_site(store, "shop.test")
    c = Collector(store, settings.replace(buffer_max_seconds=60))
    c.start()
    for _ in range(5):
        assert c.ingest(dict(PAGE), ClientInfo("203.0.113.1", CHROME)).accepted
    c.close()
    assert count_events(store) == 5


def stored_visitors(store):
    return [r[0] for r in store.query("SELECT visitor_id FROM events ORDER BY ts, visitor_id")]


def test_same_ip_and_agent_is_one_visitor_per_day_and_site(collector, store):
    from vigie.warehouse.sites import add_site
    add_site(store, "other.test")
    noon = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
    a = ClientInfo("203.0.113.5", CHROME)
    b = ClientInfo("203.0.113.6", CHROME)
    collector.ingest(dict(PAGE), a, noon)
    collector.ingest(dict(PAGE), a, noon + datetime.timedelta(minutes=5))
    collector.ingest(dict(PAGE), b, noon + datetime.timedelta(minutes=6))
    collector.ingest({"name": "pageview", "domain": "other.test", "url": "https://other.test/"},
                     a, noon + datetime.timedelta(minutes=7))
    collector.flush()
    ids = stored_visitors(store)
    assert ids[0] == ids[1] and len(set(ids)) == 3


def test_a_visit_crossing_midnight_keeps_its_visitor_id(collector, store):
    before = datetime.datetime(2026, 3, 10, 23, 50, tzinfo=UTC)
    a = ClientInfo("203.0.113.5", CHROME)
    collector.ingest(dict(PAGE), a, before)
    collector.ingest(dict(PAGE), a, before + datetime.timedelta(minutes=20))  # 00:10 next day
    collector.ingest(dict(PAGE), a, before + datetime.timedelta(hours=3))     # new visit, new id
    collector.flush()
    ids = stored_visitors(store)
    assert ids[0] == ids[1] != ids[2]


def test_midnight_continuity_also_works_across_processes(store, settings):
    """A second collector (another process) finds yesterday's id in the store."""
    from vigie.warehouse.sites import add_site
    add_site(store, "shop.test")
    a = ClientInfo("203.0.113.5", CHROME)
    first, second = Collector(store, settings), Collector(store, settings)
    first.ingest(dict(PAGE), a, datetime.datetime(2026, 3, 10, 23, 55, tzinfo=UTC))
    first.flush()
    second.ingest(dict(PAGE), a, datetime.datetime(2026, 3, 11, 0, 5, tzinfo=UTC))
    second.flush()
    ids = stored_visitors(store)
    assert ids[0] == ids[1]


def test_salts_rotate_keep_yesterday_and_destroy_older(store):
    keeper = SaltKeeper(store)
    days = [datetime.date(2026, 3, d) for d in (8, 9, 10)]
    salts = [keeper.salt(d) for d in days]
    assert len(set(salts)) == 3 and all(len(s) == 64 for s in salts)
    keeper.refresh(today=datetime.date(2026, 3, 10))
    remaining = [r[0] for r in store.query("SELECT day FROM salts ORDER BY day")]
    assert remaining == [datetime.date(2026, 3, 9), datetime.date(2026, 3, 10)]
    assert keeper.salt(datetime.date(2026, 3, 10)) == salts[2]


def test_two_store_handles_agree_on_the_salt(store_url):
    one, two = open_store(store_url), open_store(store_url)
    try:
        migrate(one)
        day = datetime.date(2026, 3, 10)
        assert SaltKeeper(one).salt(day) == SaltKeeper(two).salt(day) == salt_for_day(two, day)
    finally:
        one.close()
        two.close()


def test_visitor_id_depends_on_every_input():
    salt = "ab" * 32
    base = visitor_id(salt, "shop.test", "203.0.113.5", CHROME)
    assert base == visitor_id(salt, "shop.test", "203.0.113.5", CHROME)
    assert 0 < base < 2**64
    assert len({base, visitor_id("cd" * 32, "shop.test", "203.0.113.5", CHROME),
                visitor_id(salt, "other.test", "203.0.113.5", CHROME),
                visitor_id(salt, "shop.test", "203.0.113.6", CHROME),
                visitor_id(salt, "shop.test", "203.0.113.5", CHROME + "x")}) == 5


def test_the_ip_is_never_stored(collector, store):
    collector.ingest(dict(PAGE), ClientInfo("198.51.100.77", CHROME))
    collector.flush()
    row = store.query("SELECT * FROM events")[0]
    assert not any("198.51.100.77" in str(value) for value in row)
