"""Breakdowns: the top values of one dimension for a site, period and filters.

Visit dimensions (sources, channels, UTM tags, countries, devices, entry and
exit pages, ...) count the visits that started in the period, by the value of
their first event. Pages count pageview events by their own time. Custom
events and their properties count events, and so do the links the tracker
reports by itself: a click on a link to another host is an `outbound` event,
on a file a `download` event, each with the link in its `url` property
(js-snippet/src/vigie.js). Definitions: docs/metrics.md.
"""
from vigie.analytics.query import Plan, visit_metrics
from vigie.analytics.rollups import DIMENSIONS, VISITORS_COUNT

VISIT_DIMENSIONS = tuple(DIMENSIONS)
# Breakdown name -> the tracker's event whose clicked URLs it ranks.
LINK_EVENTS = {"outbound_links": "outbound", "file_downloads": "download"}
LINK_PROPERTY = "url"
BREAKDOWNS = VISIT_DIMENSIONS + ("pages", "events", "props") + tuple(LINK_EVENTS)
MAX_LIMIT = 1000


def _limit(limit):
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
    return limit


def breakdown(store, site, period, dimension, filters=None, limit=10, event_name=None):
    """Rows of the top `limit` values of `dimension`, biggest first (ties by value)."""
    limit = _limit(limit)
    if dimension == "pages":
        return pages(store, site, period, filters, limit)
    if dimension == "events":
        return custom_events(store, site, period, filters, limit)
    if dimension == "props":
        return custom_props(store, site, period, filters, limit, event_name)
    if dimension in LINK_EVENTS:
        return link_clicks(store, site, period, LINK_EVENTS[dimension], filters, limit)
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown breakdown {dimension!r}: use one of {', '.join(BREAKDOWNS)}")
    plan = Plan(store, site, period, filters)
    expr = DIMENSIONS[dimension]
    # Rows are ranked by visits, a plain sum: rank first, then merge the visitor
    # states (the costly part) of the top rows only.
    rows = store.query_dicts(plan.visits_sql(expr, dimension, visitors=False), plan.params)
    rows.sort(key=lambda r: (-int(r["visits"]), r["k"]))
    rows = rows[:limit]
    visitors = _visitors(store, plan.visits_sql, plan.params, rows, expr, dimension)
    out = [{"value": row["k"], **visit_metrics(dict(row, visitors=visitors.get(row["k"], 0)))}
           for row in rows]
    if dimension == "exit_page":
        _add_exit_rates(store, plan, out)
    return out


def _visitors(store, make_sql, params, rows, *args):
    """{key: unique visitors} for the keys of `rows`, from a visits_sql or pages_sql maker."""
    if not rows:
        return {}
    sql = make_sql(*args, keys=[row["k"] for row in rows])
    return {row["k"]: int(row["visitors"]) for row in store.query_dicts(sql, params)}


def _add_exit_rates(store, plan, rows):
    """Exit rate of a page: visits that left from it / its pageviews, in percent."""
    if not rows:
        return
    views = {r["k"]: int(r["pageviews"]) for r in store.query_dicts(
        plan.pages_sql(visitors=False, keys=[row["value"] for row in rows]), plan.params)}
    for row in rows:
        row["exits"] = row["visits"]
        seen = views.get(row["value"], 0)
        row["exit_rate"] = round(100.0 * row["visits"] / seen, 1) if seen else None


def pages(store, site, period, filters=None, limit=10):
    """Per page: pageviews, unique visitors, time on page (s), and as an entry page,
    the visits that started there and their bounce rate."""
    plan = Plan(store, site, period, filters)
    rows = [r for r in store.query_dicts(plan.pages_sql(visitors=False), plan.params) if r["pageviews"]]
    rows.sort(key=lambda r: (-int(r["pageviews"]), r["k"]))
    rows = rows[:_limit(limit)]
    visitors = _visitors(store, plan.pages_sql, plan.params, rows)
    entries = {}
    if rows:
        entries = {r["k"]: visit_metrics(r) for r in store.query_dicts(
            plan.visits_sql("entry_page", "entry_page", visitors=False, keys=[r["k"] for r in rows]),
            plan.params)}
    out = []
    for row in rows:
        entry = entries.get(row["k"])
        pageviews = int(row["pageviews"])
        out.append({"value": row["k"], "visitors": visitors.get(row["k"], 0), "pageviews": pageviews,
                    "time_on_page": int(round(int(row["engaged_ms"]) / 1000 / pageviews)),
                    "entries": entry["visits"] if entry else 0,
                    "bounce_rate": entry["bounce_rate"] if entry else None})
    return out


def _events_where(plan):
    return (f"site = %(site)s AND {plan.raw_condition('ts')}"
            f" AND name NOT IN ('pageview', 'engagement'){plan.matching_visitors()}")


def custom_events(store, site, period, filters=None, limit=10):
    """Per custom event name (outbound and download included): events, unique visitors, revenue."""
    plan = Plan(store, site, period, filters, hourly=True)
    rows = store.query(
        f"SELECT name, count() AS n, {VISITORS_COUNT}, sum(revenue) FROM events "
        f"WHERE {_events_where(plan)} GROUP BY name ORDER BY n DESC, name LIMIT %(limit)s",
        dict(plan.params, limit=_limit(limit)))
    return [{"value": name, "events": int(n), "visitors": int(u), "revenue": round(float(r), 2)}
            for name, n, u, r in rows]


def custom_props(store, site, period, filters=None, limit=10, event_name=None, key=None):
    """Per property key and value of custom events (of one event name, one key, if given)."""
    plan = Plan(store, site, period, filters, hourly=True)
    params = dict(plan.params, limit=_limit(limit), event_name=event_name or "", prop_key=key or "")
    only = (" AND name = %(event_name)s" if event_name else "") + (" AND key = %(prop_key)s" if key else "")
    rows = store.query(
        f"SELECT key, value, count() AS n, {VISITORS_COUNT}, sum(revenue) FROM events "
        "ARRAY JOIN prop_keys AS key, prop_values AS value "
        f"WHERE {_events_where(plan)}{only} GROUP BY key, value ORDER BY n DESC, key, value "
        "LIMIT %(limit)s", params)
    return [{"key": k, "value": v, "events": int(n), "visitors": int(u), "revenue": round(float(r), 2)}
            for k, v, n, u, r in rows]


def link_clicks(store, site, period, event_name, filters=None, limit=10):
    """Per URL clicked: the `event_name` events (outbound or download) and their unique visitors."""
    rows = custom_props(store, site, period, filters, limit, event_name, key=LINK_PROPERTY)
    return [{"value": row["value"], "events": row["events"], "visitors": row["visitors"]}
            for row in rows]
