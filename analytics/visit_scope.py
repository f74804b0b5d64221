"""Report filters on the reports computed from raw events: goals, funnels, retention.

The report filters (analytics.filters) are conditions on a visit, a row of
`sessions`, so they keep or drop whole visits. Reports that read `events`
directly apply them by reading only the events of kept visits: per visitor
the [start, end] of its kept visits, joined to its events, and an event is
kept when its time falls in one of them (visits of one visitor never
overlap). ANY LEFT JOIN, not ANY INNER JOIN: recent ClickHouse keeps one
left row per key in an ANY INNER JOIN; a visitor without a kept visit gets
empty arrays, and so no event. With no filter the source is `events`
itself, so unfiltered numbers do not depend on the sessions job having run.

Kept visits are those matching the filters that started in
[%(since_t)s, %(hi)s); every report bounds its events by %(hi)s as well.
Exact rules: docs/metrics.md, "Filters on goals, funnels and retention".
"""
import datetime

from vigie.analytics.filters import check_filters, filter_sql
from vigie.analytics.time_ranges import bind_day_bounds

# Visitor ids rotate daily (the previous day's salt is kept for visits over
# midnight), so a visit with events in a period started at most this long before it.
ID_LIFETIME = datetime.timedelta(days=1)
# The events columns these reports read.
_COLUMNS = ("site", "visitor_id", "ts", "name", "pathname", "customer_id", "revenue", "currency",
            "site_search_term")


def kept_visits_sql(filters, since=True):
    """(condition, params) selecting the sessions rows of kept visits of %(site)s.

    Times are epoch seconds bound as %(since_t)s / %(hi_t)s: 18.16 cannot
    compare a string constant with the key's toDate(start) inside IN.
    """
    condition, params = filter_sql(filters, prefix="vf")
    lower = "start >= toDateTime(%(since_t)s) AND " if since else ""
    return (f"site = %(site)s AND deleted = 0 AND {lower}start < toDateTime(%(hi_t)s){condition}",
            params)


def scoped_events(filters, since=None, hi=None, table="events", columns=_COLUMNS):
    """(FROM source, params): `events`, or with filters the events of kept visits.

    `since` (aware datetime or None for no lower bound) is the earliest start
    of a kept visit, `hi` the end of the report's time range; both are bound
    here. The source keeps the column names of `events`. Another table of rows
    with site, visitor_id and ts (web_vitals) is scoped the same way, with its
    `columns`.
    """
    filters = check_filters(filters)
    if not filters:
        return table, {}
    condition, params = kept_visits_sql(filters, since is not None)
    params["hi_t"] = int(hi.timestamp())
    # The UTC days as well, for 18.16's partition and key pruning (analytics.time_ranges).
    bind_day_bounds(params, "scope", since or hi, hi)
    condition += _days("start", since)
    lower = _days("ts", since)
    if since is not None:
        params["since_t"] = int(since.timestamp())
        lower += " AND ts >= toDateTime(%(since_t)s)"
    source = (
        f"(SELECT {', '.join(columns)} FROM {table} ANY LEFT JOIN ("
        " SELECT visitor_id, groupArray(toUInt32(start)) AS kept_starts,"
        "  groupArray(toUInt32(`end`)) AS kept_ends"
        f" FROM sessions FINAL WHERE {condition} GROUP BY visitor_id"
        f") AS kept_visits USING visitor_id WHERE site = %(site)s{lower} AND ts < toDateTime(%(hi_t)s)"
        " AND arrayExists((s, e) -> toUInt32(ts) >= s AND toUInt32(ts) <= e, kept_starts, kept_ends))")
    return source, params


def _days(column, since):
    upper = f" AND toDate({column}) <= toDate(%(scope_last_day)s)"
    if since is None:
        return upper
    return f" AND toDate({column}) >= toDate(%(scope_first_day)s){upper}"


def period_events(filters, lo, hi, table="events", columns=_COLUMNS):
    """scoped_events for reports of events in [lo, hi): a kept visit may have started up to
    ID_LIFETIME before lo, as unfiltered reports count its events in the period too, so a
    filter that every visit matches gives the unfiltered numbers."""
    return scoped_events(filters, lo - ID_LIFETIME, hi, table, columns)
