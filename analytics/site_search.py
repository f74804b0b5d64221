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

A visit here is what the sessions job calls one, cut at local midnight too:
a visitor's pageviews of one day with no gap longer than the visit timeout.
The summary, the terms and the pages after searching come from one pass over
the pageviews of the visitors who searched (analytics.site_search_rollup),
the no-results figures from one plain scan; whole days the rollups job has
rolled up are read from rollup_site_search instead, and the two parts merge
into the numbers of a raw read. With report filters, everything is read raw
and only the events of the kept visits count (analytics.visit_scope).
Definitions: docs/site-search.md.
"""
from vigie.analytics.period import comparison_period
from vigie.analytics.query import Plan, metric_change
from vigie.analytics.rollups import VISITORS_MERGE, VISITORS_STATE, rolled_up_days
from vigie.analytics.site_search_rollup import grouped_searches_sql
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


class Sources:
    """Where one period's searches are read from: the rollup_site_search rows of its
    rolled-up days (`rollup`: the condition on them, or None) and raw events (`raw`: (FROM
    source, WHERE), or None). Any report filter reads the whole period raw."""

    def __init__(self, store, site, period, filters, timeout_minutes=None):
        self.site = site
        self.params = {"tz": site.timezone, "timeout": (timeout_minutes or 0) * 60}
        self.rollup = self.raw = None
        if filters:
            source, params, where = _scope(site, period, filters)
            self.params.update(params)
            self.raw = (source, where)
            return
        rolled = rolled_up_days(store, site, period.start, period.end, visit_timeout=timeout_minutes)
        plan = Plan(store, site, period, None, rolled=rolled)
        self.params.update(plan.params)
        if rolled:
            self.rollup = ("site = %(site)s AND day >= toDate(%(first)s) AND day <= toDate(%(last)s)",
                           plan.current_rollup())
        if plan.ranges:
            self.raw = ("events", f"site = %(site)s AND {plan.raw_condition('ts')}")

    def rollup_rows(self, columns, report):
        """SELECT of `columns` of the rolled-up days' rows of `report`."""
        prewhere, where = self.rollup
        return (f"SELECT {columns} FROM rollup_site_search PREWHERE {prewhere} "
                f"WHERE {where} AND report {report}")


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


def _grouped(store, sources, reports, limit):
    """{report: [(key, searches, visitors, visits, refinements, exits)]}, each biggest first
    (ties by key) and at most `limit` rows, for reports among GROUPINGS: rolled-up days' rows
    and raw searches summed, visitor states merged."""
    parts = []
    if sources.rollup:
        parts.append(sources.rollup_rows(
            "report, value AS key, searches AS n, visitors AS v, visits, refinements, exits",
            "IN %(reports)s"))
    if sources.raw:
        parts.append(grouped_searches_sql(*sources.raw, reports, VISITORS_STATE))
    rows = store.query(
        f"SELECT report, key, sum(n) AS searches, {VISITORS_MERGE}(v), sum(visits), sum(refinements),"
        f" sum(exits) FROM ({' UNION ALL '.join(parts)}) GROUP BY report, key"
        " ORDER BY report, searches DESC, key LIMIT %(limit)s BY report",
        dict(sources.params, reports=tuple(reports), limit=_limit(limit)))
    found = {r: [] for r in reports}
    for report, key, *numbers in rows:
        found[report].append((key, *(int(n) for n in numbers)))
    return found


def _no_results_sql(sources, condition):
    """Per term (k): searches with no results (n) and their visitor state (v), from the
    rolled-up days' events rows and raw events, not yet summed over the two."""
    parts = []
    if sources.rollup:
        parts.append(
            f"SELECT site_search_term AS k, searches AS n, visitors AS v FROM ("
            + sources.rollup_rows("value AS site_search_term, name, pathname, searches, visitors",
                                  "= 'events'") + f") WHERE {condition}")
    if sources.raw:
        source, where = sources.raw
        parts.append(f"SELECT site_search_term AS k, count() AS n, {VISITORS_STATE} AS v"
                     f" FROM {source} WHERE {where} AND {condition} GROUP BY k")
    return " UNION ALL ".join(parts)


def _summary(store, sources, row):
    """The summary figures from the summary grouping's row (None: no search at all)."""
    searches, visitors, visits, refinements, exits = row[1:] if row else (0, 0, 0, 0, 0)
    no_results = None
    found = no_results_condition(sources.site)
    if found:
        condition, extra = found
        no_results = int(store.query_value(f"SELECT sum(n) FROM ({_no_results_sql(sources, condition)})",
                                           dict(sources.params, **extra)) or 0)
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
    sources = Sources(store, site, period, filters, timeout_minutes)
    [row] = _grouped(store, sources, ["summary"], 1)["summary"] or [None]
    return _summary(store, sources, row)


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
    sources = Sources(store, site, period, filters, timeout_minutes)
    found = _grouped(store, sources, ["summary", "terms", "pages"], limit)
    summary = _summary(store, sources, (found["summary"] or [None])[0])
    if compare:
        summary = _compared(summary, search_summary(store, site, comparison_period(period, compare),
                                                    timeout_minutes, filters))
    return summary, _terms(found["terms"]), _pages(found["pages"])


def search_terms(store, site, period, timeout_minutes=30, filters=None, limit=10):
    """Per search term, most searched first (ties by term): searches, unique visitors, visits
    with the term and searches per visit."""
    sources = Sources(store, site, period, filters, timeout_minutes)
    return _terms(_grouped(store, sources, ["terms"], limit)["terms"])


def no_results_terms(store, site, period, filters=None, limit=10):
    """Per search term, the searches that found nothing and their unique visitors; [] when the
    site has set neither a no-results page nor a no-results event."""
    found = no_results_condition(site)
    if not found:
        return []
    condition, extra = found
    sources = Sources(store, site, period, filters)
    rows = store.query(
        f"SELECT k, sum(n) AS searches, {VISITORS_MERGE}(v) FROM ({_no_results_sql(sources, condition)})"
        " GROUP BY k ORDER BY searches DESC, k LIMIT %(limit)s",
        dict(sources.params, limit=_limit(limit), **extra))
    return [{"value": term, "searches": int(n), "visitors": int(u)} for term, n, u in rows]


def pages_after_search(store, site, period, timeout_minutes=30, filters=None, limit=10):
    """Per page, how many searches led straight to it (the next pageview of the visit, not
    itself a search) and by how many unique visitors."""
    sources = Sources(store, site, period, filters, timeout_minutes)
    return _pages(_grouped(store, sources, ["pages"], limit)["pages"])
