"""`vigie jobs list | run NAME | status`: the analytics batch jobs by hand.

`run` without dates does what the scheduler does (from the watermark minus the
lookback); with --since/--until it rebuilds exactly those local days of each
site, which is how a backfill or an import of old events reaches reports.
"""
import datetime

from vigie.analytics.job_catalog import JOBS, get_job
from vigie.analytics.jobs import JobError, run_scheduled, run_window, job_status
from vigie.analytics.rollups import local_day_bounds
from vigie.background_jobs import job_context, job_intervals
from vigie.cli_common import CommandError, _command, _migrated_store, _settings
from vigie.warehouse.sites import get_site, list_sites


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date like 2026-03-01") from None


def cmd_jobs_list(args):
    intervals = job_intervals(_settings(args))
    for job in JOBS.values():
        print(f"{job.name}\tevery {intervals[job.name]} s\t{job.summary}\n"
              f"\treads {', '.join(job.reads)}; writes {', '.join(job.writes)}")


def _sites(store, domain):
    if domain is None:
        return list_sites(store)
    site = get_site(store, domain)
    if site is None:
        raise CommandError(f"unknown site {domain!r}: see `vigie sites list`")
    return [site]


def _run_days(store, job, sites, context, first, last):
    """Rebuild local days first..last (exclusive) of each site; returns the failures."""
    last = last or datetime.date.today() + datetime.timedelta(days=1)
    if last <= first:
        raise CommandError(f"--until {last} must be after --since {first}")
    failed = []
    for site in sites:
        since = local_day_bounds(first, site.timezone)[0]
        until = local_day_bounds(last, site.timezone)[0]
        try:
            rows = run_window(store, job, site, since, until, context, progress=print)
            print(f"{job.name} {site.domain}: {rows} rows")
        except Exception as exc:  # recorded in job_runs; go on with the other sites
            failed.append(f"{site.domain}: {exc}")
    return failed


def cmd_jobs_run(args):
    try:
        job = get_job(args.name)
    except JobError as exc:
        raise CommandError(str(exc)) from None
    if args.until and not args.since:
        raise CommandError("--until needs --since")
    settings = _settings(args)
    store = _migrated_store(settings)
    context = job_context(settings)
    try:
        sites = _sites(store, args.site)
        if not args.since:
            outcome = run_scheduled(store, job, context, sites=sites, progress=print)
            failed = [f"{domain}: {result}" for domain, result in outcome.items() if isinstance(result, str)]
            for domain, result in outcome.items():
                if not isinstance(result, str):
                    print(f"{job.name} {domain}: {result} rows")
        else:
            failed = _run_days(store, job, sites, context, _date(args.since),
                               _date(args.until) if args.until else None)
        if failed:
            raise CommandError(f"{job.name} failed for " + "; ".join(failed))
    finally:
        store.close()


def cmd_jobs_status(args):
    store = _migrated_store(_settings(args))
    try:
        rows = job_status(store)
        if not rows:
            print("no job has run yet: vigie jobs run sessions")
        for r in rows:
            mark = f"{r['watermark']:%Y-%m-%d %H:%M}" if r["watermark"] else "-"
            line = (f"{r['job']}\t{r['site']}\t{r['status']}\t"
                    f"{r['since']:%Y-%m-%d %H:%M} -> {r['until']:%Y-%m-%d %H:%M}\t"
                    f"{r['rows']} rows\tdone up to {mark}\t{r['failures']} failed run(s)")
            print(line + (f"\terror: {r['error']}" if r["error"] else ""))
    finally:
        store.close()


def register(commands):
    jobs = _command(commands, "jobs", "analytics batch jobs (sessions, rollups)").add_subparsers(
        dest="jobs_command", metavar="COMMAND", required=True)
    _command(jobs, "list", "list the jobs, their schedule, what they read and write").set_defaults(
        func=cmd_jobs_list)
    run = _command(jobs, "run", "run a job now, for its due window or for given days")
    run.add_argument("name", help=f"the job: {', '.join(JOBS)}")
    run.add_argument("--since", metavar="DATE",
                     help="first local day to rebuild, YYYY-MM-DD (default: from the last run)")
    run.add_argument("--until", metavar="DATE",
                     help="local day after the last one to rebuild (default: tomorrow)")
    run.add_argument("--site", metavar="DOMAIN", help="only this site (default: every site)")
    run.set_defaults(func=cmd_jobs_run)
    _command(jobs, "status", "last run, watermark and failures of each job and site").set_defaults(
        func=cmd_jobs_status)
