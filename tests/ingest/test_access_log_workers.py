"""Access-log import by several worker processes: the same result as one process."""
import contextlib
import io

import pytest

from vigie.collector import Collector
from vigie.collector.access_log import import_lines
from vigie.collector.import_workers import WorkerFailed, client_key, import_in_parallel, worker_for
from tests.ingest.test_access_log import COMBINED, EXPECTED_SKIPPED, line, stored


@pytest.fixture
def shop(store):
    from vigie.warehouse.sites import add_site
    add_site(store, "shop.test")
    return store


def test_every_line_of_a_client_goes_to_the_same_worker():
    a1 = line("203.0.113.1", "10/Mar/2024:09:00:00 +0000", "GET / HTTP/1.1", 200)
    a2 = line("203.0.113.1", "10/Mar/2024:09:00:01 +0000", "GET /b HTTP/1.1", 200)
    assert client_key(a1, "combined") == "203.0.113.1"
    assert client_key("www.shop.test:443 " + a1, "vhost_combined") == "203.0.113.1"
    assert client_key("", "combined") == ""
    for jobs in (1, 2, 3, 7):
        assert worker_for(a1, "combined", jobs) == worker_for(a2, "combined", jobs)
        assert worker_for(a1, "combined", jobs) == worker_for(
            "blog.shop.test:80 " + a2, "vhost_combined", jobs)
    # Many clients spread over the workers rather than all landing on one.
    spread = {worker_for(line(f"198.51.100.{i}", "10/Mar/2024:09:00:00 +0000", "GET / HTTP/1.1",
                              200), "combined", 4) for i in range(64)}
    assert spread == {0, 1, 2, 3}


def _collector_on(url, settings):
    @contextlib.contextmanager
    def open_collector(salt_lock):
        from vigie.warehouse import open_store
        store = open_store(url)
        try:
            collector = Collector(store, settings, salt_lock=salt_lock)
            collector.start(group_commit=False)
            yield collector
        finally:
            store.close()
    return open_collector


# Server only: chdb is written by one process, and the CLI refuses --jobs > 1 on it (tested below).
@pytest.mark.parametrize("backend", ["clickhouse"])
def test_workers_store_what_one_process_stores(shop, store_url, settings, backend):
    # Many clients and both sides of midnight, so that every worker gets lines.
    log = "".join(
        line(f"198.51.100.{i % 9}", f"10/Mar/2024:23:{50 + i % 10}:{i % 60:02d} +0000",
             f"GET /p{i % 5} HTTP/1.1", 200) + "\n" for i in range(40)) + COMBINED
    progress_calls = []
    summary, unwritten = import_in_parallel(
        _collector_on(store_url, settings), "shop.test", io.StringIO(log), "combined", 3,
        progress=lambda s: progress_calls.append(s.lines))
    assert unwritten == 0
    assert (summary.lines, summary.accepted, summary.skipped) == (55, 45, EXPECTED_SKIPPED)
    assert progress_calls and progress_calls[-1] == 55
    parallel = sorted(stored(shop))
    # The three workers met 10 March together: one salt was made for it, not one each.
    assert shop.query_value("SELECT count() FROM salts WHERE day = toDate('2024-03-10')") == 1
    shop.execute("TRUNCATE TABLE events")
    collector = Collector(shop, settings)
    one = import_lines(collector, "shop.test", io.StringIO(log), "combined")
    assert collector.close() == 0
    assert (one.lines, one.accepted, one.skipped) == (55, 45, EXPECTED_SKIPPED)
    # Same rows, same visitor ids: the workers read the same daily salts.
    assert sorted(stored(shop)) == parallel


def test_a_worker_that_cannot_start_stops_the_import_with_its_reason():
    @contextlib.contextmanager
    def broken(salt_lock):
        raise RuntimeError("store refused the connection")
        yield  # pragma: no cover

    log = io.StringIO(line("203.0.113.1", "10/Mar/2024:09:00:00 +0000", "GET / HTTP/1.1", 200))
    with pytest.raises(WorkerFailed, match=r"import worker [01] failed: RuntimeError: store refused"):
        import_in_parallel(broken, "shop.test", log, "combined", 2)


def test_the_cli_splits_the_work_on_a_server_and_refuses_jobs_on_chdb(run_cli, shop, tmp_path,
                                                                      backend):
    log_file = tmp_path / "access.log"
    log_file.write_text(COMBINED)
    code, out, err = run_cli("import", "access-log", str(log_file), "--site", "shop.test",
                             "--jobs", "2")
    if backend == "chdb":
        assert code == 2 and out == ""
        assert "--jobs: the embedded store (chdb) is written by one process only" in err
        assert shop.query_value("SELECT count() FROM events") == 0
    else:
        assert code == 0, err
        assert out.startswith("15 lines read: 5 pageviews imported into shop.test")
        assert shop.query_value("SELECT count() FROM events") == 5


@pytest.mark.parametrize("jobs", ["0", "x", "65"])
def test_bad_jobs_get_one_clear_line(run_cli, shop, tmp_path, jobs):
    code, _, err = run_cli("import", "access-log", str(tmp_path / "a.log"), "--site", "shop.test",
                           "--jobs", jobs)
    assert code == 2
    assert "is not a number of processes from 1 to 64" in err and "Traceback" not in err
