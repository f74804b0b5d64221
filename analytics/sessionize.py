"""Sessionization in ClickHouse SQL: events of a window -> rows of `sessions`.

The rules are those of docs/metrics.md: a gap over the
timeout between a visitor's non-engagement events starts a visit; engagement
events never start or prolong one and belong to the visit in progress.

Both backends must run it, so there are no window functions: per visitor, the
sorted timestamps of non-engagement events become an array of visit starts
(arrayFilter on the gap to the previous element), every event is joined to
that array and takes the latest start at or before it, and visits are then a
plain GROUP BY (visitor, start).

A window [since, until) owns the visits that *start* in it. Deciding whether
an event starts a visit needs only the timeout before it, so events are read
from `since - timeout`; visits run on past `until`, so events are read up to
`until + TAIL`. A visit is identified by (site, visitor, start): re-running a
window writes the same session_id with a higher version, which replaces the
open visit instead of duplicating it.
"""
import datetime
import re

from vigie.warehouse.path_patterns import pattern_to_regex
from vigie.analytics.time_ranges import bind_day_bounds, day_bounds

# How far past the window's end a visit that started inside it is followed.
TAIL = datetime.timedelta(hours=6)

# The pages of a visit's journey kept with it: the journeys report's 10 steps, and one more
# that tells whether the visit went on after the 10th (analytics.journeys).
JOURNEY_PAGES = 11

# Columns copied from a visit's first non-engagement event.
FIRST_EVENT_COLUMNS = (
    "hostname", "referrer", "referrer_host", "source", "search_term", "channel", "click_id",
    "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term", "device", "browser",
    "browser_version", "os", "os_version", "country", "region", "language", "screen_class",
)

SESSION_COLUMNS = (
    "site", "session_id", "visitor_id", "customer_id", "start", "end", "duration", "pageviews",
    "events", "engaged_ms", "entry_page", "exit_page", "bounce",
) + FIRST_EVENT_COLUMNS + ("goals", "revenue", "currency", "pages", "event_names", "props",
                            "journey", "version", "deleted")

# ANY LEFT JOIN: the right side has one row per visitor, and the left
# columns pass through as they are. A visitor with no visit start in the read
# range gets an empty array, hence visit_start 0, which the window filter
# drops. Only the narrow columns the per-visit aggregates need go through
# the join: the first-event columns are looked up once per visit (_FIRST).
_PER_EVENT = """
    SELECT visitor_id, toUInt32(ts) AS t, name = 'engagement' AS is_eng,
           name = 'pageview' AS is_pv, name, pathname, engaged_ms, revenue, currency,
           customer_id, prop_keys, prop_values,
           {goal_hits} AS goal_hits,
           starts[arrayCount(s -> s <= t, starts)] AS visit_start
    FROM events
    ANY LEFT JOIN (
        SELECT visitor_id,
               arrayFilter((x, i) -> i = 1 OR x - pts[i - 1] > %(timeout)s,
                           pts, arrayEnumerate(pts)) AS starts
        FROM (
            SELECT visitor_id, arraySort(groupArray(toUInt32(ts))) AS pts
            FROM events
            WHERE site = %(site)s AND ts >= %(lo)s AND ts < %(hi)s AND {read_days}
                  AND name != 'engagement'
            GROUP BY visitor_id
        )
    ) AS visit_starts USING visitor_id
    WHERE site = %(site)s AND ts >= %(lo)s AND ts < %(hi)s AND {read_days}
"""

# Lists (pages viewed, event names, properties, goals) are collected with
# groupArray and made distinct once per visit: cheaper than a hash set per
# visit (groupUniqArray), same sorted result.
_PER_VISIT = """
    SELECT visitor_id, visit_start,
           countIf(NOT is_eng) AS n_events,
           countIf(is_pv) AS n_pageviews,
           countIf(NOT is_eng AND NOT is_pv) AS n_interactive,
           sumIf(engaged_ms, is_eng) AS total_engaged_ms,
           maxIf(t, NOT is_eng) AS last_event,
           maxIf(t, is_pv) AS last_pv,
           groupArrayIf((t, engaged_ms), is_eng) AS engagement,
           argMinIf(pathname, t, is_pv) AS entry,
           argMaxIf(pathname, t, is_pv) AS exit,
           anyIf(customer_id, customer_id != '') AS customer,
           groupArrayArray(goal_hits) AS reached,
           sum(revenue) AS total_revenue,
           anyIf(currency, currency != '') AS any_currency,
           groupArrayIf((t, pathname), is_pv) AS viewed,
           groupArrayIf(name, NOT is_eng AND NOT is_pv) AS names,
           groupArrayArray(arrayMap((k, v) -> concat(k, '=', v), prop_keys, prop_values)) AS kv
    FROM ({per_event})
    WHERE visit_start >= %(since_t)s AND visit_start < %(until_t)s
    GROUP BY visitor_id, visit_start
"""

# A visit's first event is a non-engagement event of its visitor at its
# start (that is how starts are made), so its columns come from one lookup
# per visit on the window's events. Carrying the 21 strings through the
# join, the window filter and an argMin for every event cost more than half
# of the statement's CPU. They cross the join as one array of strings: the
# join's right side holds every non-engagement event of the window, and
# filling it with one array column instead of 21 string columns saves a fifth
# of the statement on ClickHouse 18.16 and chdb (docs/analytics-jobs.md).
_FIRST = """
    SELECT visitor_id, toUInt32(ts) AS visit_start, [{first_columns}] AS first_event
    FROM events
    WHERE site = %(site)s AND ts >= toDateTime(%(since_t)s) AND ts < toDateTime(%(until_t)s)
          AND {window_days} AND name != 'engagement'
"""

_SESSIONS = """
    SELECT %(site)s, cityHash64(%(site)s, visitor_id, visit_start), visitor_id, customer,
           toDateTime(visit_start, 'UTC'),
           toDateTime(intDiv(end_ms, 1000), 'UTC'),
           toUInt32(intDiv(end_ms - visit_start * 1000 + 500, 1000)),
           n_pageviews, n_events, total_engaged_ms, entry, exit,
           NOT (n_pageviews >= 2 OR n_interactive > 0 OR total_engaged_ms >= %(engaged_ms)s),
           {first_event_columns},
           arraySort(arrayDistinct(reached)), total_revenue, any_currency,
           arraySort(arrayDistinct(arrayMap(x -> x.2, viewed))), arraySort(arrayDistinct(names)),
           arraySort(arrayDistinct(kv)),
           arraySlice(arrayFilter((p, i) -> i = 1 OR p != in_order[i - 1], in_order,
                                  arrayEnumerate(in_order)), 1, %(journey_pages)s),
           %(version)s, 0
    FROM (
        SELECT *,
               arrayMap(x -> x.2, arraySort(viewed)) AS in_order,
               arraySum(arrayMap(x -> toUInt64(x.2), arrayFilter(x -> x.1 >= last_pv, engagement)))
                   AS last_page_ms,
               greatest(toUInt64(last_event) * 1000,
                        if(last_pv > 0, toUInt64(last_pv) * 1000 + last_page_ms, 0)) AS end_ms
        FROM ({per_visit})
    ) AS visits ANY LEFT JOIN ({first}) AS first_events USING (visitor_id, visit_start)
"""


def _goal_ids(goals, params, page_match, event_match):
    """SQL for the ids of the goals reached: page_match(param) and event_match(param, name)
    give a pageview goal's and an event goal's condition on a bound parameter (its
    regex, its event name). Patterns and ids are bound, never formatted."""
    if not goals:
        return "emptyArrayString()"
    parts = []
    for i, (goal_id, kind, pattern) in enumerate(goals):
        params[f"goal_id_{i}"] = goal_id
        if kind == "pageview":
            params[f"goal_re_{i}"] = pattern_to_regex(pattern)
            condition = page_match(f"goal_re_{i}")
        else:
            params[f"goal_name_{i}"] = pattern
            condition = event_match(f"goal_name_{i}", pattern)
        parts.append(f"if({condition}, %(goal_id_{i})s, '')")
    return f"arrayFilter(g -> g != '', [{', '.join(parts)}])"


def _goal_hits(goals, params):
    """SQL for the goal ids an event reaches."""
    return _goal_ids(goals, params, lambda p: f"is_pv AND match(pathname, %({p})s)",
                     lambda p, _: f"name = %({p})s")


def sessions_select(site, since, until, goals, timeout_minutes, engaged_seconds, version):
    """(sql, params): a SELECT of SESSION_COLUMNS for the visits of `site` starting in [since, until).

    goals: (goal_id, kind, pattern) tuples, kind 'pageview' (path pattern) or 'event' (name).
    """
    params = {
        "site": site, "since_t": int(since.timestamp()), "until_t": int(until.timestamp()),
        "lo": since - datetime.timedelta(minutes=timeout_minutes), "hi": until + TAIL,
        "timeout": int(timeout_minutes) * 60, "engaged_ms": int(engaged_seconds) * 1000,
        "version": int(version), "journey_pages": JOURNEY_PAGES,
    }
    bind_day_bounds(params, "read", params["lo"], params["hi"])
    bind_day_bounds(params, "window", since, until)
    per_event = _PER_EVENT.format(goal_hits=_goal_hits(goals, params),
                                  read_days=day_bounds("ts", "read"))
    first_columns = ", ".join(FIRST_EVENT_COLUMNS)
    first = _FIRST.format(first_columns=first_columns, window_days=day_bounds("ts", "window"))
    first_event_columns = ", ".join(f"first_event[{i}]" for i in range(1, len(FIRST_EVENT_COLUMNS) + 1))
    sql = _SESSIONS.format(per_visit=_PER_VISIT.format(per_event=per_event), first=first,
                           first_event_columns=first_event_columns)
    return re.sub(r"\s+", " ", sql).strip(), params


def site_goals(store, site):
    """The (goal_id, kind, pattern) of the site's live goals."""
    return [tuple(row) for row in store.query(
        "SELECT goal_id, kind, pattern FROM goals FINAL WHERE site = %(site)s AND deleted = 0 "
        "ORDER BY goal_id", {"site": site})]


def _quoted(columns):
    return ", ".join(f"`{c}`" for c in columns)


def _insert_settings(store):
    """chdb only: skip the ReplacingMergeTree pass over each inserted block.

    It finds duplicate keys within the block, and there are none: one row
    per (visitor, start), whose hash is the session_id. It cost a quarter of
    the statement's CPU on chdb. ClickHouse 18.16 has neither the pass nor
    the setting.
    """
    return " SETTINGS optimize_on_insert = 0" if store.backend == "chdb" else ""


def rebuild_sessions(store, site, since, until, timeout_minutes, engaged_seconds, version):
    """Rewrite the visits of `site` starting in [since, until); returns how many there are.

    Server-side INSERT ... SELECT statements. First the visits as the events
    say now, all with `version`. Then, if the window holds rows of an earlier
    run, a tombstone (deleted = 1, same version) for every visit still live in
    the window under an older version only: a visit this run did not produce,
    because late events merged it into another or moved its start. Running a
    window twice leaves the same live visits.
    """
    sql, params = sessions_select(site, since, until, site_goals(store, site),
                                  timeout_minutes, engaged_seconds, version)
    store.execute(f"INSERT INTO sessions ({_quoted(SESSION_COLUMNS)}) {sql}{_insert_settings(store)}",
                  params)
    # Epoch seconds: 18.16 cannot use a string constant against the key's
    # toDate(start) inside an IN subquery.
    window = ("site = %(site)s AND start >= toDateTime(%(since_t)s) "
              "AND start < toDateTime(%(until_t)s) AND " + day_bounds("start", "window"))
    bounds = bind_day_bounds(
        {"site": site, "since_t": int(since.timestamp()), "until_t": int(until.timestamp()),
         "version": int(version)}, "window", since, until)
    # One read of the window gives this run's visits (tombstones, written
    # after it, have deleted = 1 and leave that count alone) and whether an
    # earlier run left rows: a window sessionized for the first time (a
    # backfill) has nothing to retire, and the tombstone statement, which
    # groups every visit of the window, is about 7 % of a backfill.
    [(older, visits)] = store.query(
        f"SELECT countIf(version < %(version)s), countIf(version = %(version)s AND deleted = 0) "
        f"FROM sessions WHERE {window}", bounds)
    if older:
        _write_tombstones(store, window, bounds)
    return int(visits)


def _write_tombstones(store, window, bounds):
    kept = SESSION_COLUMNS[:-2]
    store.execute(
        f"INSERT INTO sessions ({_quoted(SESSION_COLUMNS)}) "
        f"SELECT {_quoted(kept)}, %(version)s, 1 FROM sessions "
        f"WHERE {window} AND deleted = 0 AND version < %(version)s AND session_id IN ("
        f"  SELECT session_id FROM sessions WHERE {window} GROUP BY session_id "
        f"  HAVING max(version) < %(version)s AND argMax(deleted, version) = 0)",
        bounds)


def _goals_from_visit(goals, params):
    """SQL for the goal ids a stored visit reached, from its `pages` and `event_names`:
    the same ids the sessions job finds from its events (_goal_hits), sorted as it stores them.
    An event goal named like the pageview event is reached by any pageview (event_names
    leaves pageviews out)."""
    return "arraySort({})".format(_goal_ids(
        goals, params, lambda p: f"arrayExists(page -> match(page, %({p})s), pages)",
        lambda p, name: "pageviews > 0" if name == "pageview" else f"has(event_names, %({p})s)"))


def recount_goals(store, site, version):
    """Give every stored visit of `site` the goals it reaches under the site's goals now.

    Called when a goal is added or removed, so past visits count it without a
    backfill: a visit keeps the pages it viewed and the events it sent, which
    is all a goal matches, so one pass over `sessions` (not over `events`)
    recomputes them. Only visits whose list changes are written, as a newer
    version of the same row. Returns how many were.
    """
    params = {"site": site, "version": int(version)}
    reached = _goals_from_visit(site_goals(store, site), params)
    kept = [c for c in SESSION_COLUMNS if c not in ("goals", "version", "deleted")]
    columns = ", ".join(f"`{c}`" if c != "goals" else "new_goals" for c in SESSION_COLUMNS[:-2])
    store.execute(
        f"INSERT INTO sessions ({_quoted(SESSION_COLUMNS)}) "
        f"SELECT {columns}, %(version)s, 0 FROM ("
        f" SELECT {_quoted(kept)}, goals, {reached} AS new_goals"
        " FROM sessions FINAL WHERE site = %(site)s AND deleted = 0)"
        f" WHERE new_goals != goals{_insert_settings(store)}", params)
    return int(store.query_value("SELECT count() FROM sessions WHERE site = %(site)s "
                                 "AND version = %(version)s", params))
