"""The jobs framework: recorded runs, watermarks, scheduled windows, failures kept apart."""
import dataclasses
import datetime

import pytest

from vigie.analytics.job_catalog import JOBS, get_job
from vigie.analytics.jobs import JobContext, JobError, chunks, job_status, run_scheduled, run_window, watermark
from tests.factories import at, event, insert_events
from vigie.warehouse.sites import add_site

CONTEXT = JobContext(timeout_minutes=30, engaged_seconds=10,
                     sessions_lookback=datetime.timedelta(hours=3),
                     rollups_lookback=datetime.timedelta(days=2))


def live_sessions(store, site):
    return store.query_value("SELECT count() FROM sessions FINAL WHERE site = %(s)s AND deleted = 0",
                             {"s": site})


def test_chunks_cut_at_utc_midnights():
    day = datetime.timedelta(days=1)
    assert list(chunks(at("2026-03-10 12:00:00"), at("2026-03-12 06:00:00"), day)) == [
        (at("2026-03-10 12:00:00"), at("2026-03-11 00:00:00")),
        (at("2026-03-11 00:00:00"), at("2026-03-12 00:00:00")),
        (at("2026-03-12 00:00:00"), at("2026-03-12 06:00:00"))]
    with pytest.raises(JobError, match="ends .* before it starts"):
        list(chunks(at("2026-03-12 00:00:00"), at("2026-03-11 00:00:00"), day))


def test_unknown_job_is_named():
    with pytest.raises(JobError, match="unknown job 'nope': known jobs are sessions, rollups"):
        get_job("nope")


def test_a_backfill_runs_in_three_day_chunks_with_progress_and_records_each_run(store):
    site = add_site(store, "shop.test", "UTC")
    insert_events(store, [event("shop.test", "2026-03-10 09:00:00", visitor=1),
                          event("shop.test", "2026-03-11 09:00:00", visitor=2),
                          event("shop.test", "2026-03-13 23:50:00", visitor=3),
                          event("shop.test", "2026-03-14 00:10:00", visitor=3),
                          event("shop.test", "2026-03-16 09:00:00", visitor=4)])
    lines = []
    rows = run_window(store, JOBS["sessions"], site, at("2026-03-10 00:00:00"),
                      at("2026-03-17 00:00:00"), CONTEXT, progress=lines.append)
    # chunks end at multiples of three days from the epoch: 11 and 14 March
    assert rows == 4 and lines == [
        "sessions shop.test 2026-03-10 00:00 -> 2026-03-11 00:00: 1 rows (1/3)",
        "sessions shop.test 2026-03-11 00:00 -> 2026-03-14 00:00: 2 rows (2/3)",
        "sessions shop.test 2026-03-14 00:00 -> 2026-03-17 00:00: 1 rows (3/3)"]
    runs = store.query("SELECT status, rows FROM job_runs FINAL WHERE job = 'sessions' ORDER BY since")
    assert runs == [("ok", 1), ("ok", 2), ("ok", 1)]
    assert live_sessions(store, "shop.test") == 4
    assert watermark(store, "sessions", "shop.test") == at("2026-03-17 00:00:00")
    [status] = job_status(store)
    assert (status["job"], status["status"], status["rows"], status["failures"]) == ("sessions", "ok", 1, 0)
    assert status["watermark"] == at("2026-03-17 00:00:00")


def test_scheduled_runs_start_at_the_first_event_then_re_cover_the_lookback(store):
    site = add_site(store, "shop.test", "UTC")
    insert_events(store, [event("shop.test", "2026-03-08 09:00:00", visitor=1)])
    job = JOBS["sessions"]
    assert job.scheduled_window(store, site, at("2026-03-10 12:00:00"), CONTEXT) == (
        at("2026-03-08 00:00:00"), at("2026-03-10 12:00:00"))
    run_scheduled(store, job, CONTEXT, now=at("2026-03-10 12:00:00"))
    assert job.scheduled_window(store, site, at("2026-03-10 12:05:00"), CONTEXT) == (
        at("2026-03-10 09:00:00"), at("2026-03-10 12:05:00"))
    # a replayed event from 11:00 (inside the lookback) reaches sessions at the next run
    insert_events(store, [event("shop.test", "2026-03-10 11:00:00", visitor=2)])
    assert run_scheduled(store, job, CONTEXT, now=at("2026-03-10 12:05:00")) == {"shop.test": 1}
    assert live_sessions(store, "shop.test") == 2


def test_a_site_without_events_has_nothing_due(store):
    site = add_site(store, "empty.test", "UTC")
    assert JOBS["sessions"].scheduled_window(store, site, at("2026-03-10 12:00:00"), CONTEXT) is None
    assert JOBS["rollups"].scheduled_window(store, site, at("2026-03-10 12:00:00"), CONTEXT) is None


def test_rollups_cover_finished_local_days_the_sessions_job_has_done(store):
    site = add_site(store, "paris.test", "Europe/Paris")
    insert_events(store, [event("paris.test", "2026-03-08 09:00:00")])
    now = at("2026-03-10 12:00:00")
    assert JOBS["rollups"].scheduled_window(store, site, now, CONTEXT) is None  # no sessions yet
    run_scheduled(store, JOBS["sessions"], CONTEXT, now=now)
    # from local midnight of the first event's day to local midnight today (UTC+1)
    assert JOBS["rollups"].scheduled_window(store, site, now, CONTEXT) == (
        at("2026-03-07 23:00:00"), at("2026-03-09 23:00:00"))
    run_scheduled(store, JOBS["rollups"], CONTEXT, now=now)
    days = store.query("SELECT day FROM rollup_days FINAL WHERE site = 'paris.test' ORDER BY day")
    assert days == [(datetime.date(2026, 3, 8),), (datetime.date(2026, 3, 9),)]


def test_a_failing_site_is_recorded_and_never_stops_the_others(store):
    add_site(store, "bad.test", "UTC")
    add_site(store, "good.test", "UTC")
    insert_events(store, [event("bad.test", "2026-03-10 09:00:00"), event("good.test", "2026-03-10 09:00:00")])
    sessions = JOBS["sessions"]

    def run(store, site, since, until, context, version):
        if site.domain == "bad.test":
            raise RuntimeError("disk full")
        return sessions.run(store, site, since, until, context, version)
    flaky = dataclasses.replace(sessions, run=run)
    outcome = run_scheduled(store, flaky, CONTEXT, now=at("2026-03-10 12:00:00"))
    assert outcome == {"bad.test": "RuntimeError: disk full", "good.test": 1}
    status = {row["site"]: row for row in job_status(store)}
    assert (status["bad.test"]["status"], status["bad.test"]["error"], status["bad.test"]["failures"]) == (
        "failed", "RuntimeError: disk full", 1)
    assert status["bad.test"]["watermark"] is None
    assert status["good.test"]["status"] == "ok"


def open_connections(store):
    return store.query_value("SELECT value FROM system.metrics WHERE metric = 'TCPConnection'")


def test_a_backfill_in_parallel_chunks_matches_one_chunk_at_a_time(store):
    """Same visits, rows, progress order and watermark with chunks in flight together
    (on a server; the embedded store runs them one at a time) as with one at a time."""
    for domain in ("one.test", "two.test"):
        add_site(store, domain, "UTC")
        insert_events(store, [event(domain, f"2026-03-{day:02d} 09:00:00", visitor=day)
                              for day in range(1, 13)] + [
                      event(domain, "2026-03-06 23:50:00", visitor=99),
                      event(domain, "2026-03-07 00:10:00", visitor=99)])
    outcomes = {}
    for domain, parallel in (("one.test", 1), ("two.test", 3)):
        lines = []
        context = dataclasses.replace(CONTEXT, parallel_chunks=parallel)
        connections = open_connections(store)
        rows = run_window(store, JOBS["sessions"], add_site(store, domain, "UTC"),
                          at("2026-03-01 00:00:00"), at("2026-03-13 00:00:00"), context,
                          progress=lines.append)
        assert open_connections(store) == connections  # worker threads closed theirs
        outcomes[domain] = (rows, [line.replace(domain, "SITE") for line in lines],
                            live_sessions(store, domain), watermark(store, "sessions", domain))
    assert outcomes["one.test"] == outcomes["two.test"]
    rows, lines, live, mark = outcomes["two.test"]
    # chunks end at multiples of three days from the epoch: 2, 5, 8 and 11 March
    assert (rows, live, mark) == (13, 13, at("2026-03-13 00:00:00"))
    assert lines == [
        "sessions SITE 2026-03-01 00:00 -> 2026-03-02 00:00: 1 rows (1/5)",
        "sessions SITE 2026-03-02 00:00 -> 2026-03-05 00:00: 3 rows (2/5)",
        "sessions SITE 2026-03-05 00:00 -> 2026-03-08 00:00: 4 rows (3/5)",
        "sessions SITE 2026-03-08 00:00 -> 2026-03-11 00:00: 3 rows (4/5)",
        "sessions SITE 2026-03-11 00:00 -> 2026-03-13 00:00: 2 rows (5/5)"]


def test_after_a_failed_chunk_no_later_chunk_starts_and_the_watermark_stays(store):
    """The first of four chunks fails while the second may be running: the second
    finishes and is recorded, the fourth never starts, the error is the first's."""
    site = add_site(store, "shop.test", "UTC")
    insert_events(store, [event("shop.test", f"2026-03-{day:02d} 09:00:00", visitor=day)
                          for day in range(2, 14)])
    sessions, started = JOBS["sessions"], []

    def run(store, site, since, until, context, version):
        started.append(since)
        if since == at("2026-03-02 00:00:00"):
            raise RuntimeError("disk full")
        return sessions.run(store, site, since, until, context, version)
    flaky = dataclasses.replace(sessions, run=run)
    with pytest.raises(RuntimeError, match="disk full"):
        run_window(store, flaky, site, at("2026-03-02 00:00:00"), at("2026-03-14 00:00:00"), CONTEXT)
    assert at("2026-03-11 00:00:00") not in started
    assert watermark(store, "sessions", "shop.test") is None
    runs = dict(store.query("SELECT since, status FROM job_runs FINAL WHERE job = 'sessions'"))
    assert runs[at("2026-03-02 00:00:00")] == "failed"
    assert set(runs.values()) <= {"failed", "ok"}  # chunks in flight were waited for
    assert set(runs) == set(started)
