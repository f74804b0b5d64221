"""Daily rollups: one site's local day of visits and pages, summed once for long periods.

What a rollup can answer: for whole local days of the site's time zone, with
no filter other than the one dimension a row is about, visits, unique
visitors (uniqCombined(17) states, merged over any set of days: the same
distinct count as one uniqCombined(17) pass over the raw rows), pageviews, bounces,
duration, revenue and conversions (visits that reached a goal) of the
visits that started that day, per value of one
dimension (source, channel, country, ...); and per page, pageviews, unique
visitors and engaged time of pageview/engagement events that day. What it
cannot answer: any combination of two dimensions, filters on pages, goals or
properties, or hours. The query layer (analytics/query.py) reads raw
sessions for those, and for days not rolled up yet (today).

A rebuild of a day writes a new generation (version) of all its rows and
names it in rollup_days; readers take only the named generation, so a value
that disappeared from a day (a late event moved a visit to another source)
disappears from the rollup too. Older generations are removed with a
background ALTER ... DELETE; readers never depend on it having finished.

Conversions depend on the site's goals. Adding or removing a goal recounts
the goals of the stored visits at once (analytics.sessionize.recount_goals),
and every day rolled up before that change counts as outdated: reports read
it from the recounted visits, and the rollups job rebuilds it like a day of
an older layout (docs/analytics-jobs.md).
"""
import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from vigie.analytics.time_ranges import bind_day_bounds, day_bounds

# Dimension name -> expression over a `sessions` row.
SOURCE_EXPR = ("if(source != '', source, if(referrer_host != '', referrer_host, 'Direct / None'))")
DIMENSIONS = {
    "source": SOURCE_EXPR,
    "referrer": "if(referrer_host != '', referrer_host, 'Direct / None')",
    "channel": "if(channel != '', channel, 'Direct')",
    "utm_medium": "utm_medium", "utm_source": "utm_source", "utm_campaign": "utm_campaign",
    "utm_term": "utm_term", "utm_content": "utm_content",
    "country": "country", "region": "region", "device": "device", "browser": "browser",
    "os": "os", "language": "language", "screen_class": "screen_class",
    "browser_version": "concat(browser, ' ', browser_version)",
    "os_version": "concat(os, ' ', os_version)",
    "search_term": "search_term",
    "entry_page": "entry_page", "exit_page": "exit_page",
}
TOTAL = ""  # the dimension of the one row per day that holds the site's totals
# What a day's rollup rows hold, recorded in rollup_days.layout: 1 before
# migration 28, 2 with conversions, 3 with visitors as uniqCombined(17) states
# (migration 31), 4 with site search (rollup_site_search, migration 157), web
# vitals (rollup_vitals, rollup_vitals_buckets, migration 146) and journeys
# (rollup_journeys, migration 141).
# Readers use only days of this layout; an older day is read from raw sessions
# until the rollups job rebuilds it (it rebuilds such days by itself, oldest
# first: analytics/job_catalog.py).
ROLLUP_LAYOUT = 4

# Unique visitors, everywhere a report counts them from states: the rollups
# store these states and the raw part of a query builds the same ones, so the
# two merge. uniqCombined with 2^17 cells is exact up to about 8,000 visitors
# and within about 0.3 % (standard error) above; its states merge 1.5-2.5
# times as fast as uniq's, which is most of a rolled-up report's cost.
# docs/metrics.md, "Visitors".
VISITORS_COUNT = "uniqCombined(17)(visitor_id)"  # the same count, straight from raw rows
VISITORS_STATE = "uniqCombinedState(17)(visitor_id)"
PAGE_VISITORS_STATE = "uniqCombinedStateIf(17)(visitor_id, name = 'pageview')"
VISITORS_MERGE = "uniqCombinedMerge(17)"


def local_day_bounds(day, timezone):
    """[local midnight of `day`, next local midnight) as aware UTC datetimes."""
    tz = ZoneInfo(timezone)
    lo = datetime.datetime.combine(day, datetime.time(), tz)
    hi = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(), tz)
    return lo.astimezone(datetime.timezone.utc), hi.astimezone(datetime.timezone.utc)


def _epoch(value):
    return int(value.timestamp())


@dataclass(frozen=True)
class ReportRollup:
    """One report's own daily rollup: the tables it writes, and `write(store, site, day,
    version, params)` writing one day of them (params: rebuild_day's)."""
    tables: tuple
    write: object


def rebuild_day(store, site, day, version, timeout_minutes, report_rollups):
    """Roll up one local day of `site`; returns the number of rollup_visits rows written.

    `report_rollups`: the ReportRollups of single reports (analytics.job_catalog.
    REPORT_ROLLUPS: those report modules read the rollups through this one, so it
    cannot import them), written before rollup_days names the version.
    `timeout_minutes` (params['timeout_minutes']): the visit timeout site search and
    paths to goals cut the day's visits with, recorded in rollup_days.
    """
    lo, hi = local_day_bounds(day, site.timezone)
    params = bind_day_bounds({"site": site.domain, "day": day, "version": int(version),
                              "lo": _epoch(lo), "hi": _epoch(hi),
                              "timeout_minutes": int(timeout_minutes)}, "utc", lo, hi)
    names = ", ".join(["''"] + [f"'{name}'" for name in DIMENSIONS])
    values = ", ".join(["''"] + list(DIMENSIONS.values()))
    store.execute(
        "INSERT INTO rollup_visits (site, day, version, dimension, value, visitors, visits, "
        "pageviews, bounces, duration, engaged_ms, revenue, conversions) "
        f"SELECT %(site)s, toDate(%(day)s), %(version)s, dim, val, {VISITORS_STATE}, count(), "
        "sum(pageviews), sum(bounce), sum(duration), sum(engaged_ms), sum(revenue), "
        "sum(notEmpty(goals)) "
        f"FROM (SELECT * FROM sessions FINAL WHERE site = %(site)s "
        "AND start >= toDateTime(%(lo)s) AND start < toDateTime(%(hi)s) "
        f"AND {day_bounds('start', 'utc')} AND deleted = 0) "
        f"ARRAY JOIN [{names}] AS dim, [{values}] AS val "
        "GROUP BY dim, val", params)
    store.execute(
        "INSERT INTO rollup_pages (site, day, version, pathname, visitors, pageviews, engaged_ms) "
        "SELECT %(site)s, toDate(%(day)s), %(version)s, pathname, "
        f"{PAGE_VISITORS_STATE}, countIf(name = 'pageview'), "
        "sumIf(engaged_ms, name = 'engagement') "
        "FROM events WHERE site = %(site)s AND ts >= toDateTime(%(lo)s) AND ts < toDateTime(%(hi)s) "
        f"AND {day_bounds('ts', 'utc')} AND name IN ('pageview', 'engagement') GROUP BY pathname", params)
    for rollup in report_rollups:
        rollup.write(store, site, day, version, params)
    rebuilt = store.query_value(
        "SELECT count() FROM rollup_days WHERE site = %(site)s AND day = toDate(%(day)s)", params)
    store.insert("rollup_days", ["site", "day", "version", "timezone", "built_at", "layout", "visit_timeout"],
                 [(site.domain, day, int(version), site.timezone,
                   datetime.datetime.now(datetime.timezone.utc), ROLLUP_LAYOUT, int(timeout_minutes))])
    # A mutation rewrites parts: only worth it when an older generation exists.
    tables = ("rollup_visits", "rollup_pages", *(t for rollup in report_rollups for t in rollup.tables))
    for table in tables if rebuilt else ():
        store.execute(f"ALTER TABLE {table} DELETE WHERE site = %(site)s AND day = toDate(%(day)s) "
                      "AND version < %(version)s", params)
    return int(store.query_value(
        "SELECT count() FROM rollup_visits WHERE site = %(site)s AND day = toDate(%(day)s) "
        "AND version = %(version)s", params))


def goals_changed(store, site):
    """When a goal of `site` was last added or removed, as a rollup version (microseconds
    since the epoch; 0 without goals): rollups built before it count conversions
    under other goals.

    A goal's created_at is set once its visits are recounted, and a removal's
    version too (analytics.goals), so a day rolled up after this moment read
    recounted visits. created_at has whole seconds: rounded up, so a day rolled
    up in that same second is rebuilt once more rather than trusted. Renaming a
    goal or switching its revenue flag changes no conversion and keeps created_at.
    """
    return int(store.query_value(
        "SELECT max(if(deleted = 1, version, (toUInt64(toUInt32(created_at)) + 1) * 1000000)) "
        "FROM goals WHERE site = %(site)s", {"site": site.domain}) or 0)


def rolled_up_days(store, site, first, last, visit_timeout=None):
    """{local day: version} of the current rollups of days first..last in the site's time zone,
    of the current layout and built after the last goal change (other days are left to raw reads);
    with `visit_timeout` (minutes), only those whose visits were cut with it."""
    rows = store.query(
        "SELECT day, argMax(version, version), argMax(timezone, version), argMax(layout, version), "
        "argMax(visit_timeout, version) "
        "FROM rollup_days WHERE site = %(site)s AND day >= toDate(%(first)s) "
        "AND day <= toDate(%(last)s) GROUP BY day",
        {"site": site.domain, "first": first, "last": last})
    changed = goals_changed(store, site)
    return {day: version for day, version, timezone, layout, timeout in rows
            if timezone == site.timezone and layout == ROLLUP_LAYOUT and version >= changed
            and visit_timeout in (None, timeout)}


def first_outdated_day(store, site):
    """The earliest local day whose current rollup has an older layout than
    ROLLUP_LAYOUT or predates the last goal change (reports read it raw until it
    is rebuilt), or None."""
    rows = store.query(
        "SELECT min(day), count() FROM (SELECT day, argMax(layout, version) AS day_layout, "
        "max(version) AS day_version FROM rollup_days WHERE site = %(site)s GROUP BY day) "
        "WHERE day_layout != %(layout)s OR day_version < %(changed)s",
        {"site": site.domain, "layout": ROLLUP_LAYOUT, "changed": goals_changed(store, site)})
    return rows[0][0] if rows and rows[0][1] else None
