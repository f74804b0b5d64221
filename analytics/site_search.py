"""Site search: what visitors searched for on the site itself, and what came of it.

A search is a pageview whose URL carried one of the site's search parameters
(`q`, `s`, `search`, `query` unless the site names others): the collector
keeps that parameter's words in `events.site_search_term` and drops the rest
of the query string. From those pageviews:

- search terms: searches, unique visitors, visits with the term, searches per visit;
- "no results": searches that found nothing, told by the site's no-results
  page pattern (a pageview of a matching path that carries a term) or its
  no-results custom event (sent from the results page, so carrying the term);
- pages after searching: the next page viewed in the same visit after a
  search, when it is not another search (a refined search counts apart).

A visit here is what the sessions job calls one: a visitor's pageviews with
no gap longer than the visit timeout. The summary, the terms and the pages
after searching come from one pass over the period's pageviews of the
visitors who searched (the no-results figures from one plain scan); with
report filters, only the events of the kept visits count
(analytics.visit_scope). Definitions: docs/site-search.md.
"""
from vigie.analytics.period import comparison_period
from vigie.analytics.query import metric_change
from vigie.analytics.rollups import VISITORS_COUNT
from vigie.analytics.time_ranges import bind_day_bounds, day_bounds
from vigie.analytics.visit_scope import period_events
from vigie.warehouse.path_patterns import pattern_to_regex

MAX_LIMIT = 1000
REPORTS = ("terms", "no_results", "next_pages")
# The share of searches with no results changes in percentage points, the rest in percent.
POINT_METRICS = ("no_results_rate",)
_PERIOD_DAYS = day_bounds("ts", "period")


def _limit(limit):
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
    return limit


def _scope(site, period, filters):
    """(FROM source, params, WHERE of the period's events of the site)."""
    lo, hi = period.utc_bounds(site.timezone)
    source, params = period_events(filters, lo, hi)
    params = bind_day_bounds(dict(params, site=site.domain, lo=lo, hi=hi), "period", lo, hi)
    return source, params, f"site = %(site)s AND ts >= %(lo)s AND ts < %(hi)s AND {_PERIOD_DAYS}"


def _searches_sql(source, where):
    """One row per search of the period: visitor_id, term, visit (its number among the
    visitor's visits), next_page ('' when none) and refined (1 when the next page of the
    visit was another search).

    Per visitor who searched, its pageviews in time order (arrays, no window
    functions in ClickHouse 18.16), a visit number that grows at each gap over
    the timeout, then one row per search pageview.
    """
    return (
        "SELECT visitor_id, t[i] AS term, v[i] AS visit,"
        " if(i < length(v) AND v[i + 1] = v[i] AND t[i + 1] = '', p[i + 1], '') AS next_page,"
        " toUInt8(i < length(v) AND v[i + 1] = v[i] AND t[i + 1] != '') AS refined FROM ("
        "  SELECT visitor_id, arraySort(groupArray((toUInt32(ts), pathname, site_search_term))) AS s,"
        "   arrayMap(x -> x.1, s) AS m, arrayMap(x -> x.2, s) AS p, arrayMap(x -> x.3, s) AS t,"
        "   arrayCumSum(arrayMap(i -> toUInt32(i = 1 OR m[i] - m[i - 1] > %(timeout)s),"
        "    arrayEnumerate(m))) AS v"
        f"  FROM {source} WHERE {where} AND name = 'pageview'"
        f"   AND visitor_id IN (SELECT visitor_id FROM {source} WHERE {where}"
        "    AND name = 'pageview' AND site_search_term != '')"
        "  GROUP BY visitor_id)"
        " ARRAY JOIN arrayFilter(n -> t[n] != '', arrayEnumerate(t)) AS i")


def no_results_condition(site):
    """(SQL condition on an events row, params) for a search that found nothing; None when the
    site has set neither a no-results page nor a no-results event."""
    conditions, params = [], {}
    if site.search_no_results_page:
        conditions.append("(name = 'pageview' AND match(pathname, %(no_results_page)s))")
        params["no_results_page"] = pattern_to_regex(site.search_no_results_page)
    if site.search_no_results_event:
        conditions.append("name = %(no_results_event)s")
        params["no_results_event"] = site.search_no_results_event
    if not conditions:
        return None
    return f"({' OR '.join(conditions)}) AND site_search_term != ''", params


def _per_visit(searches, visits):
    return round(searches / visits, 2) if visits else None


# Report name -> the key a search row is grouped by. Each search row is counted once per
# report asked for (ARRAY JOIN over these pairs): one pass of the searches serves the
# summary, the terms and the pages together, as GROUPING SETS would on a newer ClickHouse.
_GROUPINGS = {"summary": "('summary', '')", "terms": "('terms', term)", "pages": "('pages', next_page)"}


def _grouped(store, site, period, timeout_minutes, filters, reports, limit):
    """{report: [(key, searches, visitors, visits, refinements, exits)]}, each biggest first
    (ties by key) and at most `limit` rows, for reports among _GROUPINGS."""
    source, params, where = _scope(site, period, filters)
    pairs = ", ".join(_GROUPINGS[r] for r in reports)
    rows = store.query(
        "SELECT tupleElement(g, 1) AS report, tupleElement(g, 2) AS key, count() AS n,"
        f" {VISITORS_COUNT}, uniqExact(visitor_id, visit), sum(refined),"
        " countIf(next_page = '' AND refined = 0)"
        f" FROM ({_searches_sql(source, where)}) ARRAY JOIN [{pairs}] AS g"
        " WHERE NOT (report = 'pages' AND key = '')"
        " GROUP BY report, key ORDER BY report, n DESC, key LIMIT %(limit)s BY report",
        dict(params, timeout=timeout_minutes * 60, limit=_limit(limit)))
    found = {r: [] for r in reports}
    for report, key, *numbers in rows:
        found[report].append((key, *(int(n) for n in numbers)))
    return found


def _summary(store, site, period, filters, row):
    """The summary figures from the summary grouping's row (None: no search at all)."""
    searches, visitors, visits, refinements, exits = row[1:] if row else (0, 0, 0, 0, 0)
    no_results = None
    found = no_results_condition(site)
    if found:
        condition, extra = found
        source, params, where = _scope(site, period, filters)
        no_results = int(store.query_value(
            f"SELECT count() FROM {source} WHERE {where} AND {condition}", dict(params, **extra)))
    return {"searches": searches, "visitors": visitors, "visits": visits,
            "searches_per_visit": _per_visit(searches, visits), "refinements": refinements,
            "exits": exits, "no_results": no_results,
            "no_results_rate": (round(100.0 * no_results / searches, 1)
                                if no_results is not None and searches else None)}


def _terms(rows):
    return [{"value": term, "searches": n, "visitors": u, "visits": v,
             "searches_per_visit": _per_visit(n, v)} for term, n, u, v, _, _ in rows]


def _pages(rows):
    return [{"value": page, "searches": n, "visitors": u} for page, n, u, _, _, _ in rows]


def search_summary(store, site, period, timeout_minutes=30, filters=None):
    """The period's searches, visitors and visits that searched, searches per visit,
    refinements (a search followed by another), exits (a search that ended its visit), and the
    searches with no results and their share (None when the site says no way to tell)."""
    [row] = _grouped(store, site, period, timeout_minutes, filters, ["summary"], 1)["summary"] or [None]
    return _summary(store, site, period, filters, row)


def _compared(current, previous):
    return {m: {"value": v, "previous": previous[m], "change": metric_change(m, v, previous[m], POINT_METRICS)}
            for m, v in current.items()}


def compared_search_summary(store, site, period, compare, timeout_minutes=30, filters=None):
    """search_summary with each metric as {'value', 'previous', 'change'} against the
    comparison period (`compare`: 'previous_period' or 'previous_year')."""
    current = search_summary(store, site, period, timeout_minutes, filters)
    previous = search_summary(store, site, comparison_period(period, compare), timeout_minutes, filters)
    return _compared(current, previous)


def search_page(store, site, period, timeout_minutes=30, filters=None, compare=None, limit=10):
    """What the Site search page shows, in one pass of the period's searches (and one of the
    comparison period's with `compare`): (summary, terms, pages after searching)."""
    found = _grouped(store, site, period, timeout_minutes, filters, ["summary", "terms", "pages"], limit)
    summary = _summary(store, site, period, filters, (found["summary"] or [None])[0])
    if compare:
        summary = _compared(summary, search_summary(store, site, comparison_period(period, compare),
                                                    timeout_minutes, filters))
    return summary, _terms(found["terms"]), _pages(found["pages"])


def search_terms(store, site, period, timeout_minutes=30, filters=None, limit=10):
    """Per search term, most searched first (ties by term): searches, unique visitors, visits
    with the term and searches per visit."""
    return _terms(_grouped(store, site, period, timeout_minutes, filters, ["terms"], limit)["terms"])


def no_results_terms(store, site, period, filters=None, limit=10):
    """Per search term, the searches that found nothing and their unique visitors; [] when the
    site has set neither a no-results page nor a no-results event."""
    found = no_results_condition(site)
    if not found:
        return []
    condition, extra = found
    source, params, where = _scope(site, period, filters)
    rows = store.query(
        f"SELECT site_search_term, count() AS n, {VISITORS_COUNT} FROM {source}"
        f" WHERE {where} AND {condition} GROUP BY site_search_term"
        " ORDER BY n DESC, site_search_term LIMIT %(limit)s",
        dict(params, limit=_limit(limit), **extra))
    return [{"value": term, "searches": int(n), "visitors": int(u)} for term, n, u in rows]


def pages_after_search(store, site, period, timeout_minutes=30, filters=None, limit=10):
    """Per page, how many searches led straight to it (the next pageview of the visit, not
    itself a search) and by how many unique visitors."""
    return _pages(_grouped(store, site, period, timeout_minutes, filters, ["pages"], limit)["pages"])
