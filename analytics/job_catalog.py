"""The batch jobs Vigie runs: what each reads and writes, and when it is due.

sessions  events -> sessions, every few minutes over the last hours (lookback),
          so a visit is visible minutes after its events and late events
          re-open the visits they belong to.
rollups   sessions, events -> rollup_visits, rollup_pages, rollup_site_search,
          rollup_vitals, rollup_journeys, rollup_days, for whole local days
          that are over and already sessionized, re-covering the last days
          (lookback) so late sessions reach them; and days rolled up in an
          older layout, oldest first, a month per run.
"""
import datetime
from zoneinfo import ZoneInfo

from vigie.analytics import rollups
from vigie.analytics.jobs import Job, JobError, UTC, watermark
from vigie.analytics.journeys import roll_up_journeys
from vigie.analytics.rollups import ReportRollup
from vigie.analytics.site_search_rollup import roll_up_site_search
from vigie.analytics.vitals_rollup import ROLLUP_TABLES as VITALS_TABLES, roll_up_vitals
from vigie.analytics.sessionize import rebuild_sessions

DAY = datetime.timedelta(days=1)
# Each sessions window re-reads the timeout before it and the six-hour tail
# after it, and pays its tombstone and count statements: three-day chunks
# cost a backfill about a fifth less CPU than one-day chunks (10M-event
# bench, docs/analytics-jobs.md), six-day ones no less than three-day ones.
SESSIONS_CHUNK = 3 * DAY
# Days of an older rollup layout rebuilt per scheduled run: after an upgrade
# the rollups catch up a month at a time instead of holding one run for the
# whole history (those days are read raw meanwhile, with the same numbers).
OUTDATED_DAYS_PER_RUN = 31
# The rollup tables of single reports, written with each day's rollup (analytics.rollups).
REPORT_ROLLUPS = (
    ReportRollup(("rollup_site_search",), roll_up_site_search),
    ReportRollup(VITALS_TABLES, roll_up_vitals),
    ReportRollup(("rollup_journeys",), roll_up_journeys),
)


def _first_event(store, site):
    """The time of the site's first event, or None without events."""
    rows = store.query("SELECT min(ts), count() FROM events WHERE site = %(site)s", {"site": site.domain})
    return rows[0][0] if rows and rows[0][1] else None


def _day_start(moment):
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _run_sessions(store, site, since, until, context, version):
    return rebuild_sessions(store, site.domain, since, until, context.timeout_minutes,
                            context.engaged_seconds, version)


def _sessions_window(store, site, now, context):
    """From the watermark minus the lookback (or the first event's day) to now."""
    mark = watermark(store, "sessions", site.domain)
    if mark is None:
        first = _first_event(store, site)
        return None if first is None else (_day_start(first), now)
    return min(mark - context.sessions_lookback, now - context.sessions_lookback), now


def _local_midnight(moment, timezone):
    local = moment.astimezone(ZoneInfo(timezone))
    return rollups.local_day_bounds(local.date(), timezone)[0]


def _run_rollups(store, site, since, until, context, version):
    """Rebuild every local day that starts in [since, until)."""
    tz = ZoneInfo(site.timezone)
    day = since.astimezone(tz).date()
    if rollups.local_day_bounds(day, site.timezone)[0] < since:
        day += DAY
    rows = 0
    while rollups.local_day_bounds(day, site.timezone)[0] < until:
        rows += rollups.rebuild_day(store, site, day, version, context.timeout_minutes, REPORT_ROLLUPS)
        day += DAY
    return rows


def _rollups_window(store, site, now, context):
    """Finished local days up to what the sessions job has covered; first the days
    rolled up in an older layout, if any (at most OUTDATED_DAYS_PER_RUN of them)."""
    sessions_mark = watermark(store, "sessions", site.domain)
    if sessions_mark is None:
        return None
    until = _local_midnight(min(now, sessions_mark), site.timezone)
    mark = watermark(store, "rollups", site.domain)
    if mark is None:
        first = _first_event(store, site)
        if first is None:
            return None
        since = _local_midnight(first, site.timezone)
    else:
        since = _local_midnight(min(mark, until) - context.rollups_lookback, site.timezone)
    outdated = rollups.first_outdated_day(store, site)
    if outdated is not None:
        start = rollups.local_day_bounds(outdated, site.timezone)[0]
        if start < since:
            since = start
            until = min(until, rollups.local_day_bounds(
                outdated + OUTDATED_DAYS_PER_RUN * DAY, site.timezone)[0])
    return (since, until) if since < until else None


JOBS = {
    "sessions": Job(
        "sessions", "group events into visits (table sessions)",
        reads=("events", "goals"), writes=("sessions",), chunk=SESSIONS_CHUNK,
        run=_run_sessions, scheduled_window=_sessions_window),
    "rollups": Job(
        "rollups", "daily per-dimension totals of finished days (rollup_visits, rollup_pages)",
        reads=("sessions", "events", "web_vitals", "goals"),
        writes=("rollup_visits", "rollup_pages", "rollup_site_search", *VITALS_TABLES, "rollup_journeys",
                "rollup_days"),
        chunk=DAY, run=_run_rollups, scheduled_window=_rollups_window),
}


def get_job(name):
    try:
        return JOBS[name]
    except KeyError:
        raise JobError(f"unknown job {name!r}: known jobs are {', '.join(JOBS)}") from None
