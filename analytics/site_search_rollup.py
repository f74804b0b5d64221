"""Site search's daily rollup: one local day's searches, summed once for long periods.

The rollups job (analytics.rollups.rebuild_day) calls roll_up_site_search for
each day it rolls up, into rollup_site_search (migration 157): per term and
per page after a search, and for the whole day, the searches, their unique
visitors as uniqCombined(17) states, the visits with a search, the
refinements and the exits; and per term, event name and page, the events
that carry a term, from which the no-results figures are read with the
site's no-results settings at the time of the report.

Visits are cut at local midnight as well as at the timeout (the raw reports
cut them the same way, docs/site-search.md), so a day's visits, refinements
and exits are its own and days add up: a rolled-up period and a raw read of
the same events give the same numbers.
"""
from vigie.analytics.rollups import VISITORS_STATE
from vigie.analytics.time_ranges import day_bounds

# Report name -> the key a search row is grouped by. Each search row is counted once per
# report (ARRAY JOIN over these pairs): one pass of the searches serves the summary, the
# terms and the pages together, as GROUPING SETS would on a newer ClickHouse.
GROUPINGS = {"summary": "('summary', '')", "terms": "('terms', term)", "pages": "('pages', next_page)"}


def searches_sql(source, where, day=None):
    """One row per search of `source` rows matching `where`: visitor_id, day (local, in
    %(tz)s), term, visit (its number among the visitor's visits that day), next_page ('' when
    none) and refined (1 when the next page of the visit was another search).

    Per visitor and local day with a search, its pageviews in time order (arrays, no
    window functions in ClickHouse 18.16), a visit number that grows at each gap over
    %(timeout)s seconds, then one row per search pageview. `day`: None for rows of any
    days, or the SQL of the one local day all the rows fall on (the rollups job's day).
    """
    if day is None:
        # Over many days, finding the searching visitors first spares sorting the others'
        # pageviews, and the time zone is applied to the searchers' pageviews only.
        day, searchers, having = "toDate(ts, %(tz)s)", (
            f" AND visitor_id IN (SELECT visitor_id FROM {source} WHERE {where}"
            " AND name = 'pageview' AND site_search_term != '')"), ""
    else:
        # Within one day, one scan and a constant day cost a fifth of the above (chdb, 100,000
        # events a day: 0.06 s against 0.3 s), though every visitor's pageviews are sorted.
        searchers, having = "", " HAVING countIf(site_search_term != '') > 0"
    return (
        "SELECT visitor_id, day, t[i] AS term, v[i] AS visit,"
        " if(i < length(v) AND v[i + 1] = v[i] AND t[i + 1] = '', p[i + 1], '') AS next_page,"
        " toUInt8(i < length(v) AND v[i + 1] = v[i] AND t[i + 1] != '') AS refined FROM ("
        f"  SELECT visitor_id, {day} AS day,"
        "   arraySort(groupArray((toUInt32(ts), pathname, site_search_term))) AS s,"
        "   arrayMap(x -> x.1, s) AS m, arrayMap(x -> x.2, s) AS p, arrayMap(x -> x.3, s) AS t,"
        "   arrayCumSum(arrayMap(i -> toUInt32(i = 1 OR m[i] - m[i - 1] > %(timeout)s),"
        "    arrayEnumerate(m))) AS v"
        f"  FROM {source} WHERE {where} AND name = 'pageview'{searchers}"
        f"  GROUP BY visitor_id, day{having})"
        " ARRAY JOIN arrayFilter(n -> t[n] != '', arrayEnumerate(t)) AS i")


def grouped_searches_sql(source, where, reports, visitors_state, day=None):
    """Per (report, key) of `reports` (keys of GROUPINGS): n (searches), v (visitor state, by
    the expression `visitors_state`: analytics.rollups.VISITORS_STATE), visits, refinements,
    exits; no row for a search that led to no page in 'pages'. `day` as in searches_sql."""
    pairs = ", ".join(GROUPINGS[r] for r in reports)
    return ("SELECT tupleElement(g, 1) AS report, tupleElement(g, 2) AS key, count() AS n,"
            f" {visitors_state} AS v, uniqExact(visitor_id, day, visit) AS visits,"
            " sum(refined) AS refinements, countIf(next_page = '' AND refined = 0) AS exits"
            f" FROM ({searches_sql(source, where, day)}) ARRAY JOIN [{pairs}] AS g"
            " WHERE NOT (report = 'pages' AND key = '') GROUP BY report, key")


_COLUMNS = "site, day, version, report, value, name, pathname, searches, visitors, visits, refinements, exits"


def roll_up_site_search(store, site, day, version, params):
    """Write generation `version` of local `day`'s site search rows; `params` are
    analytics.rollups.rebuild_day's (site, day, version, lo, hi, the UTC day bounds and the
    visit timeout_minutes)."""
    timeout_minutes = int(params["timeout_minutes"])
    params = dict(params, tz=site.timezone, timeout=timeout_minutes * 60)
    where = (f"site = %(site)s AND ts >= toDateTime(%(lo)s) AND ts < toDateTime(%(hi)s) "
             f"AND {day_bounds('ts', 'utc')}")
    head = f"INSERT INTO rollup_site_search ({_COLUMNS}) SELECT %(site)s, toDate(%(day)s), %(version)s, "
    searches = grouped_searches_sql("events", where, list(GROUPINGS), VISITORS_STATE, "toDate(%(day)s)")
    store.execute(f"{head}report, key, '', '', n, v, visits, refinements, exits "
                  f"FROM ({searches})", params)
    store.execute(
        f"{head}'events', site_search_term, name, if(name = 'pageview', pathname, '') AS pn, "
        f"count(), {VISITORS_STATE}, 0, 0, 0 FROM events WHERE {where} "
        "AND site_search_term != '' GROUP BY site_search_term, name, pn", params)
