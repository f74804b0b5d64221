"""Batch jobs over ClickHouse: declared inputs and outputs, idempotent windows, recorded runs.

A job rebuilds what it writes for one site and one window [since, until):
running a window again replaces its output, never adds to it, so late events
(backfills, spool replays) are picked up by running the windows they fall in
again. Scheduled runs do that by themselves: each one starts from the job's
watermark (the end of its last successful run) minus a lookback.

Long windows are cut into chunks (three days for sessions, one for rollups) so a backfill shows
progress and a failure loses one chunk, not the whole run. Every chunk is a
row of `job_runs` (running, then ok or failed with the error), and the
watermark moves only over chunks that succeeded.
"""
import datetime
import logging
import time
import uuid
from dataclasses import dataclass
from typing import Callable

from warehouse.sites import list_sites

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


def run_window(store, job, site, since, until, context, progress=None):
    """Run `job` for one site over [since, until), chunk by chunk; returns the rows written.

    A failed chunk is recorded and logged, and the error raised after it:
    chunks before it stay done and the watermark covers them.
    """
    parts = list(chunks(since, until, job.chunk))
    total = 0
    for index, (lo, hi) in enumerate(parts, 1):
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
    latest = ", ".join(f"argMax({f}, version) AS last_{f}" for f in fields)
    rows = store.query_dicts(
        f"SELECT job, site, {latest}, countIf(status = 'failed') AS failures "
        "FROM (SELECT * FROM job_runs FINAL) GROUP BY job, site ORDER BY job, site")
    rows = [{"job": r["job"], "site": r["site"], "failures": r["failures"],
             **{f: r[f"last_{f}"] for f in fields}} for r in rows]
    for row in rows:
        row["watermark"] = marks.get((row["job"], row["site"]))
    return rows
