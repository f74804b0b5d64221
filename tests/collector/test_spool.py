"""The spool: events written ahead before their 202, replayed once and only once."""
import os
import threading
import time

import pytest

from vigie.collector import ClientInfo, Collector
from vigie.collector.metrics import CollectorMetrics
from vigie.collector.spool import Spool, SpoolError, spool_directory
from vigie.collector.spooled_buffer import SpooledBuffer
from tests.collector.conftest import CHROME
from vigie.warehouse.already_stored import stored_event_ids
from vigie.warehouse.events import EVENT_COLUMNS, insert_events
from vigie.warehouse.sites import add_site
from vigie.warehouse.web_vitals import VITALS_COLUMNS

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
    columns, rows, bad = spool.read(collector.buffer._segment)
    assert columns == EVENT_COLUMNS and len(rows) == 1 and bad == 0
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
    _, rows, _ = spool.read(first.buffer._segment)
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
    [aside] = quarantined(second)  # kept aside for a person to look at, under its taker's name
    assert aside[:20] == os.path.basename(path)[:20]
    assert second.close() == 0


def quarantined(collector):
    folder = os.path.join(collector.buffer.spool.directory, "quarantine")
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def leftover(directory, name_ns, body):
    """A segment file as a process that is gone left it (no lock file: its owner is dead)."""
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, f"{name_ns:020d}-4242-0badf00d-00000001.seg")
    with open(path, "wb") as f:
        f.write(body)
    return os.path.basename(path)


def test_an_empty_leftover_segment_is_set_aside_and_delivery_goes_on(store, settings, caplog):
    """A full disk left 0-byte segments: they must not stop the worker's delivery for good."""
    add_site(store, "shop.test")
    directory = spool_directory(settings.spool_dir, settings.store_url)
    empty = leftover(directory, 1, b"")
    collector = Collector(store, settings.replace(buffer_max_seconds=3600))
    for _ in range(3):
        assert collector.ingest(dict(PAGE), VISITOR).accepted
    assert collector.flush() == 3 and count_events(store) == 3
    [aside] = quarantined(collector)
    assert aside[:20] == empty[:20] and segments(directory) == []
    assert collector.metrics_snapshot()["counters"]["spool_segments_quarantined"] == 1
    assert any(aside in r.getMessage() and "quarantine" in r.getMessage() for r in caplog.records)
    from vigie.collector.ops import metrics_text
    text = metrics_text(collector)
    assert "vigie_spool_segments_quarantined_total 1" in text
    assert "vigie_spool_quarantined_segments 1" in text
    assert collector.close() == 0


def test_a_damaged_segment_gives_its_readable_events_and_the_next_segment_its_own(store, settings):
    add_site(store, "shop.test", identify_customers=True)
    first = Collector(store, settings.replace(buffer_max_seconds=3600))
    for n in range(3):
        assert first.ingest(dict(PAGE, customer_id=f"c-{n}"), VISITOR).accepted
    path = first.buffer._segment.path
    first.buffer._segment.seal()
    with open(path, "rb") as f:
        header, one, two, three = f.read().splitlines()
    with open(path, "wb") as f:  # a damaged middle line, and the file cut inside its last one
        f.write(b"\n".join([header, one, b'["not an event', two, three[:25]]))
    crash(first)
    leftover(spool_directory(settings.spool_dir, settings.store_url), time.time_ns(),
             b"")  # replayed after the damaged one: must not wait behind it
    second = Collector(store, settings)
    assert len(second.buffer._backlog) == 2
    assert second.flush() == 2
    assert store.query("SELECT customer_id FROM events ORDER BY customer_id") == [("c-0",), ("c-1",)]
    assert len(quarantined(second)) == 2 and segments(second.buffer.spool.directory) == []
    assert second.close() == 0


def test_a_segment_whose_header_cannot_be_written_is_removed(tmp_path):
    """A write cut short (here by a file-size limit, as a full disk would) leaves no file."""
    import resource
    import signal
    spool = Spool(str(tmp_path / "spool"), EVENT_COLUMNS)
    limits = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (16, limits[1]))
    try:
        with pytest.raises(SpoolError, match="cannot append"):
            spool.open_segment()
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, limits)
        signal.signal(signal.SIGXFSZ, previous)
    assert segments(spool.directory) == []
    assert spool.open_segment().rows == 0  # with room again, segments open as before
    spool.close()


def test_healthz_is_degraded_while_an_old_event_waits_in_the_spool(store, settings):
    from vigie.app import create_app
    app = create_app(settings.replace(spool_degraded_seconds=60), store=store,
                     start_background=False)
    try:
        client = app.test_client()
        assert client.get("/healthz").get_json()["status"] == "ok"
        other = Spool(app.extensions["vigie"].collector.buffer.spool.directory, EVENT_COLUMNS)
        stale = other.open_segment()  # a live worker's segment, ten minutes old by its name
        os.rename(stale.path, stale.path.replace(stale.path.split(os.sep)[-1][:20],
                                                 f"{time.time_ns() - 600 * 10**9:020d}"))
        answer = client.get("/healthz")
        body = answer.get_json()
        assert answer.status_code == 200 and body["status"] == "degraded"
        assert body["oldest_spooled_seconds"] >= 600 and "spool_degraded_seconds" in body["reason"]
        other.close()
    finally:
        app.extensions["vigie"].close()


def test_healthz_and_metrics_count_the_vitals_spool(store, settings):
    from vigie.app import create_app
    from vigie.collector.ops import metrics_text
    app = create_app(settings.replace(spool_degraded_seconds=60), store=store,
                     start_background=False)
    try:
        client = app.test_client()
        collector = app.extensions["vigie"].collector
        assert client.get("/healthz").get_json()["status"] == "ok"
        other = Spool(collector.vitals_buffer.spool.directory, VITALS_COLUMNS)
        stale = other.open_segment()  # vitals reports waiting ten minutes, events flowing
        os.rename(stale.path, stale.path.replace(stale.path.split(os.sep)[-1][:20],
                                                 f"{time.time_ns() - 600 * 10**9:020d}"))
        body = client.get("/healthz").get_json()
        assert body["status"] == "degraded" and body["oldest_spooled_seconds"] >= 600
        age = next(line for line in metrics_text(collector).splitlines()
                   if line.startswith("vigie_spool_oldest"))
        assert float(age.split()[-1]) >= 600
        other.close()
    finally:
        app.extensions["vigie"].close()


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
