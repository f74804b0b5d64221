"""What is happening on a site right now, read straight from the events table.

Current visitors look 5 minutes back; the live stream and the top pages and
sources look 30 minutes back. `now` is a parameter so tests fix the clock.
Visitor ids never leave this module: the stream shows what happened, not who.
Definitions: docs/metrics.md, "Realtime".
"""
import datetime

from vigie.analytics.time_ranges import bind_day_bounds, day_bounds

CURRENT_WINDOW = datetime.timedelta(minutes=5)
RECENT_WINDOW = datetime.timedelta(minutes=30)
DIRECT = "Direct / None"
# The enrichment's named source when it has one, else the referrer's host.
_SOURCE = "if(source != '', source, referrer_host)"
# The window includes `now`; its UTC days let the 18.16 server skip older days.
_WINDOW = "ts >= %(lo)s AND ts <= %(now)s AND " + day_bounds("ts", "window")


def _now(now):
    return now or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _params(site, now, window, **more):
    now = _now(now)
    return bind_day_bounds(dict(site=site.domain, lo=now - window, now=now, **more), "window",
                           now - window, now + datetime.timedelta(seconds=1))


def current_visitors(store, site, now=None):
    """Distinct visitors with any event in the last 5 minutes (from now - 5 min to now, inclusive)."""
    return int(store.query_value(
        "SELECT uniqExact(visitor_id) FROM events WHERE site = %(site)s "
        "AND " + _WINDOW, _params(site, now, CURRENT_WINDOW)) or 0)


def live_events(store, site, now=None, limit=20, offset=0):
    """The latest pageviews and custom events of the last 30 minutes, newest first."""
    rows = store.query(
        f"SELECT ts, name, pathname, {_SOURCE} AS src, country, device FROM events "
        "WHERE site = %(site)s AND name != 'engagement' AND " + _WINDOW + " "
        "ORDER BY ts DESC, name, pathname, src LIMIT %(offset)s, %(limit)s",
        _params(site, now, RECENT_WINDOW, limit=int(limit), offset=int(offset)))
    return [{"time": ts, "name": name, "page": page, "source": src or DIRECT,
             "country": country, "device": device}
            for ts, name, page, src, country, device in rows]


def recent_pages(store, site, now=None, limit=10, offset=0):
    """Pages viewed in the last 30 minutes: unique visitors and pageviews, by pageviews."""
    rows = store.query(
        "SELECT pathname, uniqExact(visitor_id) AS visitors, count() AS pageviews FROM events "
        "WHERE site = %(site)s AND name = 'pageview' AND " + _WINDOW + " "
        "GROUP BY pathname ORDER BY pageviews DESC, pathname LIMIT %(offset)s, %(limit)s",
        _params(site, now, RECENT_WINDOW, limit=int(limit), offset=int(offset)))
    return [{"page": p, "visitors": int(v), "pageviews": int(c)} for p, v, c in rows]


def recent_sources(store, site, now=None, limit=10, offset=0):
    """Where the last 30 minutes' visitors came from: the source of each one's
    first event in the window, counted in unique visitors."""
    rows = store.query(
        "SELECT src, count() AS visitors FROM ("
        f" SELECT visitor_id, argMin({_SOURCE}, ts) AS src FROM events"
        " WHERE site = %(site)s AND name != 'engagement' AND " + _WINDOW +
        " GROUP BY visitor_id"
        ") GROUP BY src ORDER BY visitors DESC, src LIMIT %(offset)s, %(limit)s",
        _params(site, now, RECENT_WINDOW, limit=int(limit), offset=int(offset)))
    return [{"source": src or DIRECT, "visitors": int(v)} for src, v in rows]


def realtime_report(store, site, now=None, limit=10, offset=0):
    now = _now(now)
    return {
        "current_visitors": current_visitors(store, site, now),
        "events": live_events(store, site, now, limit, offset),
        "pages": recent_pages(store, site, now, limit, offset),
        "sources": recent_sources(store, site, now, limit, offset),
    }
