"""Analytics jobs in the running server: their context from settings, their schedule.

The sessions job runs every few minutes and the rollups job hourly (see the
*_job_interval_seconds settings), each as its own scheduler entry so one
failing never stops the other; within a run, a failing site never stops the
other sites (analytics.jobs.run_scheduled). Failures are logged and recorded
in job_runs, where `vigie jobs status` shows them.

Several workers (or hosts) each run a scheduler, so a job's interval is a
wall-clock slot that one of them claims (warehouse.run_claims). Each worker
polls more often than the interval, so a slot whose worker died is picked up
by another once the claim's lease has passed.
"""
import datetime
import logging

from vigie.analytics.job_catalog import JOBS
from vigie.analytics.jobs import JobContext, run_scheduled
from vigie.warehouse.run_claims import claim_slot, finish_slot

log = logging.getLogger(__name__)


def job_context(settings):
    return JobContext(
        timeout_minutes=settings.visit_timeout_minutes,
        engaged_seconds=settings.engaged_seconds,
        sessions_lookback=datetime.timedelta(minutes=settings.sessions_lookback_minutes),
        rollups_lookback=datetime.timedelta(days=settings.rollups_lookback_days),
        parallel_chunks=settings.job_parallel_chunks,
    )


def job_intervals(settings):
    """Seconds between scheduled runs, per job name."""
    return {"sessions": settings.sessions_job_interval_seconds,
            "rollups": settings.rollups_job_interval_seconds}


# How often a worker looks for a due slot (at most): this bounds how late a
# slot starts, and how soon after a lease passes a crashed run is retried.
MAX_POLL_SECONDS = 60


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def run_claimed(store, job, context, interval_seconds, lease_seconds, now, settle_seconds=1.0):
    """Run `job` over every site if this worker wins the slot `now` falls in.

    Returns run_scheduled's outcome, or None when the slot is not ours (done,
    running elsewhere, or claimed first by another worker). A run that raises
    is left unfinished, so the slot is retried after the lease, as after a crash.
    """
    claim = claim_slot(store, job.name, now, interval_seconds, lease_seconds, settle_seconds)
    if claim is None:
        return None
    outcome = run_scheduled(store, job, context, now=now)
    finish_slot(store, claim, _utcnow())
    failed = {site: result for site, result in outcome.items() if isinstance(result, str)}
    if failed:
        log.warning("job %s failed for %d site(s): %s", job.name, len(failed),
                    "; ".join(f"{site}: {error}" for site, error in failed.items()))
    return outcome


def schedule_jobs(scheduler, store, settings, clock=_utcnow, settle_seconds=1.0):
    """One scheduler entry per job, polling for its slot; `clock` gives the UTC now."""
    context = job_context(settings)
    for name, seconds in job_intervals(settings).items():
        job = JOBS[name]

        def run(job=job, seconds=seconds):
            run_claimed(store, job, context, seconds, settings.job_claim_lease_seconds, clock(),
                        settle_seconds)
        scheduler.every(min(seconds, MAX_POLL_SECONDS), f"job:{name}", run)
