"""Analytics jobs in the running server: their context from settings, their schedule.

The sessions job runs every few minutes and the rollups job hourly (see the
*_job_interval_seconds settings), each as its own scheduler entry so one
failing never stops the other; within a run, a failing site never stops the
other sites (analytics.jobs.run_scheduled). Failures are logged and recorded
in job_runs, where `vigie jobs status` shows them.
"""
import datetime
import logging

from analytics.job_catalog import JOBS
from analytics.jobs import JobContext, run_scheduled

log = logging.getLogger(__name__)


def job_context(settings):
    return JobContext(
        timeout_minutes=settings.visit_timeout_minutes,
        engaged_seconds=settings.engaged_seconds,
        sessions_lookback=datetime.timedelta(minutes=settings.sessions_lookback_minutes),
        rollups_lookback=datetime.timedelta(days=settings.rollups_lookback_days),
    )


def job_intervals(settings):
    """Seconds between scheduled runs, per job name."""
    return {"sessions": settings.sessions_job_interval_seconds,
            "rollups": settings.rollups_job_interval_seconds}


def schedule_jobs(scheduler, store, settings):
    context = job_context(settings)
    for name, seconds in job_intervals(settings).items():
        job = JOBS[name]

        def run(job=job):
            outcome = run_scheduled(store, job, context)
            failed = {site: result for site, result in outcome.items() if isinstance(result, str)}
            if failed:
                log.warning("job %s failed for %d site(s): %s", job.name, len(failed),
                            "; ".join(f"{site}: {error}" for site, error in failed.items()))
        scheduler.every(seconds, f"job:{name}", run)
