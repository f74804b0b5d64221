"""Batch jobs over ClickHouse: declared inputs and outputs, idempotent windows, recorded runs.

A job rebuilds what it writes for one site and one window [since, until):
running a window again replaces its output, never adds to it, so late events
(backfills, spool replays) are picked up by running the windows they fall in
again. Scheduled runs do that by themselves: each one starts from the job's
watermark (the end of its last successful run) minus a lookback.

Long windows are cut into chunks (three days for sessions, one for rollups) so a backfill shows
progress and a failure loses one chunk, not the whole run. Every chunk is a
row of `job_runs` (running, then ok or failed with the error), and the
watermark moves only over chunks that succeeded, in order. On a ClickHouse
server, chunks run a few at a time (JobContext.parallel_chunks): one
statement of ClickHouse 18.16 keeps about one and a half cores busy, so a
second one in flight is what fills the other cores (docs/analytics-jobs.md).
"""
import concurrent.futures
import datetime
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Callable

from vigie.warehouse.sites import list_sites

log = logging.getLogger(__name__)
UTC = datetime.timezone.utc


class JobError(ValueError):
    """A job was asked for something it cannot do (unknown job, bad window)."""


@dataclass(frozen=True)
class JobContext:
    """What every job needs besides the store: the visit rules and the lookbacks."""
    timeout_minutes: int = 30
    engaged_seconds: int = 10
    sessions_lookback: datetime.timedelta = datetime.timedelta(hours=3)
    rollups_lookback: datetime.timedelta = datetime.timedelta(days=2)
    # Chunks of one window in flight at once, where the store runs statements
    # concurrently (a ClickHouse server; the embedded store runs one at a time).
    parallel_chunks: int = 2


@dataclass(frozen=True)
class Job:
    name: str
    summary: str
    reads: tuple
    writes: tuple
    chunk: datetime.timedelta
    # run(store, site, since, until, context, version) -> rows written
    run: Callable
    # scheduled_window(store, site, now, context) -> (since, until) or None when nothing is due
    scheduled_window: Callable


def _version():
    return time.time_ns() // 1000


def _now():
    return datetime.datetime.now(UTC).replace(microsecond=0)


def chunks(since, until, size):
    """[since, until) cut at multiples of `size` from the epoch (UTC midnights for whole days)."""
    if until <= since:
        raise JobError(f"the window ends ({until:%Y-%m-%d %H:%M}) before it starts ({since:%Y-%m-%d %H:%M})")
    epoch = datetime.datetime(1970, 1, 1, tzinfo=UTC)
    cursor = since
    while cursor < until:
        boundary = epoch + ((cursor - epoch) // size + 1) * size
        end = min(boundary, until)
        yield cursor, end
        cursor = end


def _record(store, run_id, job, site, since, until, started, finished, status, error, rows):
    store.insert("job_runs", ["run_id", "job", "site", "since", "until", "started", "finished",
                              "status", "error", "rows", "version"],
                 [(run_id, job, site, since, until, started, finished or started, status,
                   error, int(rows), _version())])


def watermark(store, job, site):
    """The `until` of the job's last successful run for the site, or None."""
    rows = store.query("SELECT until FROM job_watermarks FINAL WHERE job = %(job)s AND site = %(site)s",
                       {"job": job, "site": site})
    return rows[0][0] if rows else None


def _advance_watermark(store, job, site, until):
    current = watermark(store, job, site)
    if current is not None and current >= until:
        return
    store.insert("job_watermarks", ["job", "site", "until", "updated_at", "version"],
                 [(job, site, until, _now(), _version())])


def _run_chunk(store, job, site, lo, hi, context):
    """Run and record one chunk; returns its rows, raises its error once recorded."""
    run_id, started = uuid.uuid4().hex, _now()
    _record(store, run_id, job.name, site.domain, lo, hi, started, None, "running", "", 0)
    try:
        rows = job.run(store, site, lo, hi, context, _version())
    except Exception as exc:
        _record(store, run_id, job.name, site.domain, lo, hi, started, _now(), "failed",
                f"{type(exc).__name__}: {exc}"[:2000], 0)
        log.error("job %s failed for %s over [%s, %s): %s", job.name, site.domain, lo, hi, exc)
        raise
    _record(store, run_id, job.name, site.domain, lo, hi, started, _now(), "ok", "", rows)
    return rows


def _run_chunk_in_thread(store, job, site, lo, hi, context):
    try:
        return _run_chunk(store, job, site, lo, hi, context)
    finally:
        store.release_thread()


def _workers(store, context, chunk_count):
    if not store.concurrent_statements:
        return 1
    return max(1, min(context.parallel_chunks, chunk_count))


def run_window(store, job, site, since, until, context, progress=None):
    """Run `job` for one site over [since, until), chunk by chunk; returns the rows written.

    Chunks run up to context.parallel_chunks at a time (one at a time on the
    embedded store), and are accounted for in order: the watermark and the
    progress lines follow the window from its start, up to the first chunk
    that failed. After a failure no further chunk starts; those in flight
    finish and are recorded, and the first failure (in window order) is
    raised once they have.
    """
    parts = list(chunks(since, until, job.chunk))
    workers = _workers(store, context, len(parts))
    if workers == 1:
        outcomes = (_outcome(_run_chunk, store, job, site, lo, hi, context) for lo, hi in parts)
        return _account(store, job, site, parts, outcomes, progress)
    with concurrent.futures.ThreadPoolExecutor(workers, thread_name_prefix=f"job-{job.name}") as pool:
        return _account(store, job, site, parts, _parallel_outcomes(
            pool, workers, store, job, site, parts, context), progress)


def _outcome(fn, *args):
    """(rows, None) or (None, the exception) of fn(*args)."""
    try:
        return fn(*args), None
    except Exception as exc:
        return None, exc


def _parallel_outcomes(pool, workers, store, job, site, parts, context):
    """The outcomes of `parts` in window order, with at most `workers` chunks in
    flight and none started after a failure. Chunks still in flight when the
    caller stops are waited for by the pool's shutdown."""
    running, finished = {}, {}  # future -> chunk index; chunk index -> outcome
    started, failed = 0, False

    def fill():
        nonlocal started
        while not failed and started < len(parts) and len(running) < workers:
            lo, hi = parts[started]
            running[pool.submit(_outcome, _run_chunk_in_thread, store, job, site, lo, hi, context)] = started
            started += 1

    fill()
    for index in range(len(parts)):
        while index not in finished:
            if index >= started:  # never started: a chunk before it failed
                return
            done, _ = concurrent.futures.wait(running, return_when=concurrent.futures.FIRST_COMPLETED)
            for future in done:
                outcome = finished[running.pop(future)] = future.result()
                failed = failed or outcome[1] is not None
            fill()
        yield finished.pop(index)


def _account(store, job, site, parts, outcomes, progress):
    """Advance the watermark and report progress over the outcomes, in window order."""
    total = 0
    for index, ((lo, hi), (rows, error)) in enumerate(zip(parts, outcomes), 1):
        if error is not None:
            raise error
        _advance_watermark(store, job.name, site.domain, hi)
        total += rows
        if progress:
            progress(f"{job.name} {site.domain} {lo:%Y-%m-%d %H:%M} -> {hi:%Y-%m-%d %H:%M}: "
                     f"{rows} rows ({index}/{len(parts)})")
    return total


def run_scheduled(store, job, context, now=None, sites=None, progress=None):
    """One scheduled pass of `job` over every site; a failing site never stops the others.

    Returns {domain: rows written, or the error message}.
    """
    now = now or _now()
    outcome = {}
    for site in sites if sites is not None else list_sites(store):
        try:
            window = job.scheduled_window(store, site, now, context)
            outcome[site.domain] = 0 if window is None else run_window(
                store, job, site, *window, context, progress=progress)
        except Exception as exc:  # recorded in job_runs by run_window; keep going
            if not isinstance(exc, JobError):
                log.exception("scheduled job %s failed for %s", job.name, site.domain)
            outcome[site.domain] = f"{type(exc).__name__}: {exc}"
    return outcome


def job_status(store):
    """Per job and site: the watermark and the latest run (status, window, rows, error)."""
    marks = {(j, s): u for j, s, u in store.query("SELECT job, site, until FROM job_watermarks FINAL")}
    fields = ("since", "until", "started", "finished", "status", "error", "rows")
    # The latest run is the one started last; chunks running side by side
    # start in the same second, and then the later window is the latest.
    latest = ", ".join(f"argMax({f}, (started, since, version)) AS last_{f}" for f in fields)
    rows = store.query_dicts(
        f"SELECT job, site, {latest}, countIf(status = 'failed') AS failures "
        "FROM (SELECT * FROM job_runs FINAL) GROUP BY job, site ORDER BY job, site")
    rows = [{"job": r["job"], "site": r["site"], "failures": r["failures"],
             **{f: r[f"last_{f}"] for f in fields}} for r in rows]
    for row in rows:
        row["watermark"] = marks.get((row["job"], row["site"]))
    return rows
