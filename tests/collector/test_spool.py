"""The spool: events written ahead before their 202, replayed once and only once."""
import os
import threading

import pytest

from vigie.collector import ClientInfo, Collector
from vigie.collector.metrics import CollectorMetrics
from vigie.collector.spool import Spool, spool_directory
from vigie.collector.spooled_buffer import SpooledBuffer
from tests.collector.conftest import CHROME
from vigie.warehouse.already_stored import stored_event_ids
from vigie.warehouse.events import EVENT_COLUMNS, insert_events
from vigie.warehouse.sites import add_site

PAGE = {"name": "pageview", "domain": "shop.test", "url": "https://shop.test/"}
VISITOR = ClientInfo("203.0.113.9", CHROME)


def segments(directory):
    return sorted(name for name in os.listdir(directory) if name.endswith(".seg"))


def crash(collector):
    """What the kernel does for a killed process: its lock goes, its files stay."""
    spool = collector.buffer.spool
    os.close(spool._lock_fd)
    spool._lock_fd = None
    collector.buffer._stop.set()


def count_events(store):
    return store.query_value("SELECT count() FROM events")


def test_an_accepted_event_is_on_disk_before_any_flush(store, settings):
    add_site(store, "shop.test", identify_customers=True)  # the row keeps its customer id
    collector = Collector(store, settings.replace(buffer_max_seconds=3600))
    assert collector.ingest(dict(PAGE, customer_id="c-1", props={"plan": "pro", "seats": 3}),
                            VISITOR).accepted
    spool = collector.buffer.spool
    [name] = segments(spool.directory)
    columns, rows = spool.read(collector.buffer._segment)
    assert columns == EVENT_COLUMNS and len(rows) == 1
    row = dict(zip(columns, rows[0]))
    assert (row["site"], row["pathname"], row["customer_id"]) == ("shop.test", "/", "c-1")
    assert (row["prop_keys"], row["prop_values"]) == (["plan", "seats"], ["pro", "3"])
    assert collector.close() == 0
    assert segments(spool.directory) == [] and count_events(store) == 1
    stored = store.query("SELECT toString(event_id), ts FROM events")[0]
    assert stored == (str(row["event_id"]), row["ts"])  # the same event, not a copy with a new id


def test_a_crashed_process_is_replayed_by_the_next_one_exactly_once(store, settings):
    add_site(store, "shop.test", identify_customers=True)  # customer ids tell the events apart
    first = Collector(store, settings.replace(buffer_max_seconds=3600))
    for n in range(3):
        assert first.ingest(dict(PAGE, customer_id=f"c-{n}"), VISITOR).accepted
    spool = first.buffer.spool
    _, rows = spool.read(first.buffer._segment)
    insert_events(store, rows[:2])  # two of the three had landed when the process died
    crash(first)

    second = Collector(store, settings)
    assert second.buffered_count() == 3 and second.spooled_count() == 3
    assert second.flush() == 1
    assert second.metrics_snapshot()["counters"]["replay_duplicates_skipped"] == 2
    assert store.query("SELECT customer_id, count() FROM events GROUP BY customer_id "
                       "ORDER BY customer_id") == [("c-0", 1), ("c-1", 1), ("c-2", 1)]
    assert segments(spool.directory) == []
    assert second.close() == 0


def test_a_live_process_segments_are_not_taken(store, settings):
    add_site(store, "shop.test")
    first = Collector(store, settings.replace(buffer_max_seconds=3600))
    assert first.ingest(dict(PAGE), VISITOR).accepted
    second = Collector(store, settings)
    assert second.buffered_count() == 0 and second.flush() == 0
    assert first.close() == 0 and second.close() == 0
    assert count_events(store) == 1


def test_spools_of_different_stores_are_apart(tmp_path):
    one = spool_directory(str(tmp_path), "clickhouse://u:pw@db1:9000/vigie")
    assert one == spool_directory(str(tmp_path), "clickhouse://u:changed@db1:9000/vigie")
    assert one != spool_directory(str(tmp_path), "clickhouse://u:pw@db2:9000/vigie")
    assert one != spool_directory(str(tmp_path), "chdb:///srv/vigie-data")


def test_a_torn_last_line_is_skipped_and_the_rest_replayed(store, settings):
    add_site(store, "shop.test")
    first = Collector(store, settings.replace(buffer_max_seconds=3600))
    for _ in range(2):
        assert first.ingest(dict(PAGE), VISITOR).accepted
    path = first.buffer._segment.path
    with open(path, "ab") as f:
        f.write(b'["6f1c0b7e-')  # a machine crash in the middle of a write
    crash(first)
    second = Collector(store, settings)
    assert second.flush() == 2 and count_events(store) == 2
    assert second.close() == 0


def test_a_spool_that_cannot_be_written_refuses_the_event(store, settings):
    from tests.collector.conftest import post_event
    collector = Collector(store, settings)
    directory = collector.buffer.spool.directory
    for name in os.listdir(directory):
        os.unlink(os.path.join(directory, name))
    os.rmdir(directory)  # the disk went away under the spool
    add_site(store, "shop.test")
    assert collector.ingest(dict(PAGE), VISITOR).status == 503
    from flask import Flask
    from vigie.collector import create_collector_blueprint
    app = Flask("spool-failure")
    app.register_blueprint(create_collector_blueprint(collector, settings))
    response = post_event(app.test_client(), PAGE)
    assert response.status_code == 503
    assert response.get_json()["reason"] == "spool_unavailable"
    assert "not stored" in response.get_json()["error"]
    assert collector.buffered_count() == 0
    assert collector.drop_counts() == {"spool_unavailable": 2}


def test_a_slow_insert_times_out_and_its_retry_writes_nothing_twice(store, tmp_path):
    """The insert hangs past the timeout, then lands late: the retry finds its ids."""
    release = threading.Event()

    def slow_write(columns, rows):
        release.wait(10)
        store.insert("events", columns, rows)

    spool = Spool(str(tmp_path / "spool"), EVENT_COLUMNS)
    buffer = SpooledBuffer(spool, slow_write, lambda events: stored_event_ids(store, events),
                           CollectorMetrics(), max_rows=100, max_seconds=60, insert_timeout=0.3)
    from tests.factories import event
    rows = [tuple(event("shop.test", "2026-03-10 10:00:00", visitor=n)[c] for c in EVENT_COLUMNS)
            for n in range(4)]
    for row in rows:
        buffer.add(row)
    assert buffer.flush() == 0 and buffer.spooled() == 4  # timed out: kept in the spool
    assert buffer.flush() == 0  # the hung insert still runs: no second one starts
    release.set()
    deadline_ok = buffer._running.result(timeout=10)  # the late insert lands
    assert deadline_ok == (4, 0) and count_events(store) == 4
    assert buffer.flush() == 0  # the retry checks the ids: all four are there already
    assert buffer.spooled() == 0 and segments(spool.directory) == []
    assert count_events(store) == 4
    snapshot = buffer.metrics.snapshot({}, 0, 0)["counters"]
    assert snapshot["insert_failures"] == 2 and snapshot["replay_duplicates_skipped"] == 4
    assert buffer.close() == 0


@pytest.mark.parametrize("rows_written_first", [0, 3])
def test_stored_event_ids_finds_exactly_the_stored_ones(store, rows_written_first):
    from tests.factories import event
    events = [event("shop.test", f"2026-03-{10 + n} 23:59:59", visitor=n) for n in range(5)]
    rows = [tuple(e[c] for c in EVENT_COLUMNS) for e in events]
    insert_events(store, rows[:rows_written_first])
    keys = [(e["event_id"], e["site"], e["ts"]) for e in events]
    assert stored_event_ids(store, keys) == {str(e["event_id"]) for e in events[:rows_written_first]}


def test_a_dead_process_without_segments_leaves_no_files(store, settings):
    first = Collector(store, settings)
    first.write_metrics_snapshot()
    crash(first)  # nothing accepted: no segment, only its lock and metrics files
    directory = first.buffer.spool.directory
    assert len(os.listdir(directory)) == 2
    second = Collector(store, settings)
    assert sorted(os.listdir(directory)) == [f"{second.buffer.spool.owner}.lock"]
    assert second.close() == 0 and os.listdir(directory) == []
