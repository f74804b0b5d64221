"""Reports for a site and a period: SQL to fetch, pure functions to count.

Visits are rebuilt from the events around the period (see docs/metrics.md).
Pageviews and top pages count pageview events by their own time; visits,
visitors, bounce rate and duration count visits by the time they started.
"""
import datetime

import pandas as pd

from analytics import visits as v

# A visit that started inside the period may run past its end, and one that
# started before it may still be going at its start: look this far around.
_MARGIN = datetime.timedelta(hours=3)
_EVENT_COLUMNS = ["visitor_id", "ts", "name", "pathname", "referrer_host", "engaged_ms"]


def _events_frame(store, site, lo, hi):
    rows = store.query(
        "SELECT visitor_id, ts, name, pathname, referrer_host, engaged_ms FROM events "
        "WHERE site = %(site)s AND ts >= %(lo)s AND ts < %(hi)s ORDER BY visitor_id, ts",
        {"site": site.domain, "lo": lo, "hi": hi})
    frame = pd.DataFrame(rows, columns=_EVENT_COLUMNS)
    frame["ts"] = pd.to_datetime(frame["ts"], utc=True)
    frame["engaged_ms"] = frame["engaged_ms"].astype("int64")
    frame["visitor_id"] = frame["visitor_id"].astype("uint64")
    return frame


def period_visits(store, site, period, rules):
    """(visits starting in the period, pageview timestamps inside it)."""
    lo, hi = period.utc_bounds(site.timezone)
    events = _events_frame(store, site, lo - _MARGIN, hi + _MARGIN)
    visits = v.visits_starting_between(v.sessionize(events, rules), pd.Timestamp(lo), pd.Timestamp(hi))
    pageview_ts = events.loc[(events["name"] == v.PAGEVIEW) & (events["ts"] >= pd.Timestamp(lo))
                             & (events["ts"] < pd.Timestamp(hi)), "ts"]
    return visits, pageview_ts


def overview(store, site, period, rules):
    return _overview_from(*period_visits(store, site, period, rules))


def _overview_from(visits, pageview_ts):
    pageviews = int(len(pageview_ts))
    return {
        "visitors": v.visitor_count(visits),
        "visits": v.visit_count(visits),
        "pageviews": pageviews,
        "views_per_visit": v.views_per_visit(pageviews, len(visits)),
        "bounce_rate": v.bounce_rate(visits),
        "visit_duration": v.visit_duration(visits),
    }


def _local_bucket(timestamps, timezone, interval):
    local = timestamps.dt.tz_convert(timezone).dt.tz_localize(None)
    return local.dt.floor("h") if interval == "hour" else local.dt.normalize()


def timeseries(store, site, period, rules):
    """One row per hour or day of the period, zero-filled, in the site's time zone."""
    return _timeseries_from(*period_visits(store, site, period, rules), site, period)


def _timeseries_from(visits, pageview_ts, site, period):
    buckets = period.buckets()
    frame = pd.DataFrame(index=pd.DatetimeIndex(buckets))
    start_bucket = _local_bucket(visits["start"].astype("datetime64[ns, UTC]"), site.timezone, period.interval)
    frame["visits"] = visits.groupby(start_bucket.values).size()
    frame["visitors"] = visits.groupby(start_bucket.values)["visitor_id"].nunique()
    frame["pageviews"] = pageview_ts.groupby(
        _local_bucket(pageview_ts, site.timezone, period.interval).values).size()
    frame = frame.fillna(0).astype("int64")
    return [{"bucket": bucket.to_pydatetime(), "visitors": int(row.visitors),
             "visits": int(row.visits), "pageviews": int(row.pageviews)}
            for bucket, row in zip(frame.index, frame.itertuples())]


def top_pages(store, site, period, limit=10):
    lo, hi = period.utc_bounds(site.timezone)
    rows = store.query(
        "SELECT pathname, uniqExact(visitor_id) AS visitors, count() AS pageviews FROM events "
        "WHERE site = %(site)s AND name = 'pageview' AND ts >= %(lo)s AND ts < %(hi)s "
        "GROUP BY pathname ORDER BY pageviews DESC, pathname LIMIT %(limit)s",
        {"site": site.domain, "lo": lo, "hi": hi, "limit": int(limit)})
    return [{"pathname": p, "visitors": int(u), "pageviews": int(c)} for p, u, c in rows]


def top_sources(store, site, period, rules, limit=10):
    """Where visits came from: the referrer host of each visit's first event."""
    visits, _ = period_visits(store, site, period, rules)
    return _sources_from(visits, limit)


def _sources_from(visits, limit):
    if visits.empty:
        return []
    grouped = (visits.groupby("source")
               .agg(visitors=("visitor_id", "nunique"), visits=("visitor_id", "size"))
               .reset_index()
               .sort_values(["visits", "source"], ascending=[False, True])
               .head(int(limit)))
    return [{"source": r.source, "visitors": int(r.visitors), "visits": int(r.visits)}
            for r in grouped.itertuples()]


def overview_report(store, site, period, rules, limit=10):
    """Everything the overview page shows, rebuilding the period's visits once:
    {'overview', 'timeseries', 'pages', 'sources'}, each as the functions above return."""
    visits, pageview_ts = period_visits(store, site, period, rules)
    return {
        "overview": _overview_from(visits, pageview_ts),
        "timeseries": _timeseries_from(visits, pageview_ts, site, period),
        "pages": top_pages(store, site, period, limit=limit),
        "sources": _sources_from(visits, limit),
    }
