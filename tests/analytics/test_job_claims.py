"""Scheduled analytics jobs run once per slot across workers, and a crashed run's slot is retried."""
import datetime
import threading

import pytest

from tests.factories import at, event, insert_events
from vigie.background_jobs import schedule_jobs
from vigie.scheduler import Scheduler
from vigie.warehouse import open_store
from vigie.warehouse.run_claims import claim_slot, finish_slot
from vigie.warehouse.sites import add_site

HOUR = 3600
NOW = at("2026-03-10 12:00:10")


def later(seconds):
    return NOW + datetime.timedelta(seconds=seconds)


def test_a_slot_is_claimed_once_and_finished_once(store):
    first = claim_slot(store, "sessions", NOW, HOUR, 60, settle_seconds=0)
    assert (first.slot, first.attempt) == (NOW.timestamp() // HOUR, 0)
    # Its lease is live: nobody else starts the job.
    assert claim_slot(store, "sessions", later(30), HOUR, 60, settle_seconds=0) is None
    finish_slot(store, first, later(40))
    # Finished: the rest of the slot has nothing to do, even after the lease.
    assert claim_slot(store, "sessions", later(50), HOUR, 60, settle_seconds=0) is None
    assert claim_slot(store, "sessions", later(600), HOUR, 60, settle_seconds=0) is None
    # Another job has its own slots; the next hour is a new slot.
    assert claim_slot(store, "rollups", later(50), HOUR, 60, settle_seconds=0) is not None
    following = claim_slot(store, "sessions", later(HOUR), HOUR, 60, settle_seconds=0)
    assert (following.slot, following.attempt) == (first.slot + 1, 0)


def test_a_crashed_claim_is_retried_after_its_lease(store):
    crashed = claim_slot(store, "sessions", NOW, HOUR, 60, settle_seconds=0)
    assert claim_slot(store, "sessions", later(59), HOUR, 60, settle_seconds=0) is None
    retry = claim_slot(store, "sessions", later(61), HOUR, 60, settle_seconds=0)
    assert (retry.slot, retry.attempt) == (crashed.slot, 1)


def test_a_live_lease_holds_the_next_slot_back(store):
    # A run claimed late in one hour is still going when the next hour starts.
    running = claim_slot(store, "sessions", at("2026-03-10 12:59:50"), HOUR, 60, settle_seconds=0)
    assert claim_slot(store, "sessions", at("2026-03-10 13:00:20"), HOUR, 60, settle_seconds=0) is None
    finish_slot(store, running, at("2026-03-10 13:00:30"))
    assert claim_slot(store, "sessions", at("2026-03-10 13:00:40"), HOUR, 60, settle_seconds=0) is not None


def test_concurrent_claimants_agree_on_one_winner(store):
    results = []
    workers = [threading.Thread(target=lambda: results.append(
        claim_slot(store, "sessions", NOW, HOUR, 60, settle_seconds=0.5))) for _ in range(3)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(60)
    assert len(results) == 3 and sum(r is not None for r in results) == 1


@pytest.fixture
def second_store(backend, store, store_url):
    """Another worker's connection: a second client of the same server, or, for the
    embedded store that one process owns, the same store."""
    if backend == "chdb":
        yield store
        return
    other = open_store(store_url)
    yield other
    other.close()


@pytest.fixture
def workers(store, second_store, settings):
    """Two schedulers, as two `vigie serve` workers would have, on one clock the test moves."""
    add_site(store, "shop.test", "UTC")
    insert_events(store, [event("shop.test", "2026-03-10 11:00:00", visitor=1),
                          event("shop.test", "2026-03-10 11:10:00", visitor=2)])
    clock = [NOW]
    tuned = settings.replace(sessions_job_interval_seconds=300, job_claim_lease_seconds=120)
    schedulers = []
    for worker_store in (store, second_store):
        scheduler = Scheduler()
        schedule_jobs(scheduler, worker_store, tuned, clock=lambda: clock[0], settle_seconds=0.5)
        schedulers.append(scheduler)
    return schedulers, clock


def sessions_runs(store):
    return store.query_value("SELECT count() FROM job_runs FINAL WHERE job = 'sessions' AND status = 'ok'")


def poll_together(schedulers):
    threads = [threading.Thread(target=s.run_pending, kwargs={"now": float("inf")}) for s in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)


def test_two_workers_run_each_slot_once(store, workers):
    schedulers, clock = workers
    poll_together(schedulers)
    # One run of the day's window [00:00, 12:00:10): one chunk, two visits.
    assert sessions_runs(store) == 1
    assert store.query_value("SELECT count() FROM sessions FINAL WHERE deleted = 0") == 2
    finished = store.query("SELECT job, count() FROM run_claims WHERE finished_us > 0 "
                           "GROUP BY job ORDER BY job")
    assert finished == [("rollups", 1), ("sessions", 1)]
    # Polling again within the 5-minute slot does nothing.
    clock[0] = later(100)
    poll_together(schedulers)
    assert sessions_runs(store) == 1
    # The next slot runs again, once.
    clock[0] = later(300)
    poll_together(schedulers)
    assert sessions_runs(store) == 2


def test_a_slot_whose_worker_crashed_is_run_after_the_lease(store, workers):
    schedulers, clock = workers
    # A third worker claimed the slot, then died before finishing it.
    crashed = claim_slot(store, "sessions", NOW, 300, 120, settle_seconds=0)
    clock[0] = later(60)
    poll_together(schedulers)
    assert sessions_runs(store) == 0
    clock[0] = later(121)   # same 5-minute slot, lease over
    poll_together(schedulers)
    assert sessions_runs(store) == 1
    assert store.query("SELECT attempt FROM run_claims WHERE job = 'sessions' AND finished_us > 0") == [
        (crashed.attempt + 1,)]
