"""Retention cohorts of identified customers, and new versus returning visitors.

Visitor ids rotate every day (privacy), so an anonymous browser cannot be
followed from one day to the next. Cohorts therefore follow customers (the
site's own `customer_id`, sent for logged-in clients); new-vs-returning uses
the customer id when there is one and the visitor id within its day
otherwise. Exact definitions: docs/metrics.md, "Retention".

Report filters keep or drop whole visits (analytics.visit_scope). Who is
new, and when a customer was first seen, still come from all the events:
a filter chooses which visits are counted, not what a visitor's history is.
"""
import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from vigie.analytics.filters import check_filters
from vigie.analytics.visit_scope import kept_visits_sql, scoped_events

INTERVALS = ("week", "month")
# A visitor id lives one day (plus a visit over midnight): an earlier visit
# of the same id is at most this far back.
_ID_LIFETIME = datetime.timedelta(days=1)


def bucket_start(day, interval):
    """The Monday of `day`'s week, or the first of its month."""
    if interval == "week":
        return day - datetime.timedelta(days=day.weekday())
    return day.replace(day=1)


def buckets_between(first, later, interval):
    """How many whole weeks or months bucket `later` is after bucket `first`."""
    if interval == "week":
        return (later - first).days // 7
    return (later.year - first.year) * 12 + later.month - first.month


def _next_bucket(start, interval, count=1):
    if interval == "week":
        return start + datetime.timedelta(days=7 * count)
    months = start.month - 1 + count
    return start.replace(year=start.year + months // 12, month=months % 12 + 1, day=1)


def bucket_coverage(start, period, interval, today):
    """How much of the week or month starting `start` the report has seen: {"days": days of it
    inside the period up to today (included), "of": its days, "in_progress": it holds today}.

    The first and last buckets of a period may be cut by its ends (a 7-day period
    spans two weeks), and the one holding today is not over: both are partial, and
    a page must not set them against whole weeks or months as if they were."""
    last = _next_bucket(start, interval) - datetime.timedelta(days=1)
    seen_from, seen_to = max(start, period.start), min(last, period.end, today)
    return {"days": max(0, (seen_to - seen_from).days + 1), "of": (last - start).days + 1,
            "in_progress": start <= today <= last and period.start <= today <= period.end}


def cohort_cell_complete(cohort, offset, period, interval, today):
    """True when the week or month `offset` after `cohort` is over and inside the period:
    its share is final. Otherwise customers may still come back in it (it holds today)
    or the period stops before its end, and a low share means "not yet", not "lost".
    Offset 0 is final from the start: the cohort is whoever was seen in it (100 %)."""
    if offset == 0:
        return True
    last = _next_bucket(cohort, interval, offset + 1) - datetime.timedelta(days=1)
    return last <= period.end and last < today


def _customer_days(store, site, hi, source="events", params=None):
    """{customer id: {local days it was seen}} from the events of `source` before `hi`."""
    days = defaultdict(set)
    for customer_id, day in store.query(
            f"SELECT customer_id, toDate(ts, %(tz)s) AS day FROM {source} WHERE site = %(site)s "
            "AND customer_id != '' AND name != 'engagement' AND ts < %(hi)s "
            "GROUP BY customer_id, day",
            dict(params or {}, site=site.domain, tz=site.timezone, hi=hi)):
        days[customer_id].add(day)
    return days


def cohorts(store, site, period, interval="week", filters=None):
    """Cohorts of customers first seen in `period`, by the week or month of that first day.

    One row per cohort: its start, its size, and for the cohort's own
    period and each following one up to the period's end, how many of its
    customers were seen and that share in percent (one decimal).

    With report filters, a customer's first day is still its first day in all
    the events; the cohort keeps the customers seen in a kept visit that day,
    and a later period counts a customer seen there in a kept visit.
    """
    if interval not in INTERVALS:
        raise ValueError(f"unknown cohort interval {interval!r}: use week or month")
    _, hi = period.utc_bounds(site.timezone)
    days = _customer_days(store, site, hi)
    kept = days
    if check_filters(filters):
        kept = _customer_days(store, site, hi, *scoped_events(filters, None, hi))
    last = bucket_start(period.end, interval)
    members = defaultdict(list)
    for customer_id, seen in days.items():
        first = min(seen)
        if period.start <= first <= period.end and first in kept.get(customer_id, ()):
            members[bucket_start(first, interval)].append(kept[customer_id])
    rows = []
    for start in sorted(members):
        size = len(members[start])
        width = buckets_between(start, last, interval) + 1
        returning = [0] * width
        for seen in members[start]:
            for k in {buckets_between(start, bucket_start(d, interval), interval) for d in seen}:
                returning[k] += 1
        rows.append({"cohort": start, "customers": size, "returning": returning,
                     "retention": [round(100.0 * n / size, 1) for n in returning]})
    return rows


# Visits of the period, new or returning, computed where the events are.
# Per visitor, its non-engagement events since `back` (the id lifetime
# before the period) are sorted into an array of (time, first time any
# customer id of the event was seen); a gap over the timeout starts a visit
# (arrayCumSum numbers them from 0); the events are then grouped back by
# (visitor, visit number). A visit is returning when its number is above 0
# (an earlier visit of the same id) or a customer id it carries was first
# seen before the visit started. Only visits starting in the period count.
_VISIT_KINDS = """
    SELECT visitor_id, min(t) AS start,
           vno > 0 OR (minIf(fs, fs > 0) > 0 AND minIf(fs, fs > 0) < min(t)) AS returning
    FROM (
        SELECT visitor_id, ev.1 AS t, ev.2 AS fs, vno
        FROM (
            SELECT visitor_id, evs,
                   arrayCumSum(arrayMap((e, i) -> i > 1 AND e.1 - evs[i - 1].1 > %(timeout)s,
                                        evs, arrayEnumerate(evs))) AS vnos
            FROM (
                SELECT visitor_id, arraySort(groupArray((t, fs))) AS evs
                FROM (
                    SELECT visitor_id, toUInt32(ts) AS t, customer_id
                    FROM events
                    WHERE site = %(site)s AND name != 'engagement' AND ts >= %(back)s AND ts < %(hi)s
                ) AS visitor_events ANY LEFT JOIN (
                    SELECT customer_id, toUInt32(min(ts)) AS fs
                    FROM events
                    WHERE site = %(site)s AND customer_id != '' AND name != 'engagement'
                      AND ts < %(hi)s AND customer_id IN (
                          SELECT customer_id FROM events WHERE site = %(site)s
                          AND customer_id != '' AND ts >= %(lo)s AND ts < %(hi)s)
                    GROUP BY customer_id
                ) AS first_seen USING customer_id
                GROUP BY visitor_id
            )
        )
        ARRAY JOIN evs AS ev, vnos AS vno
    )
    GROUP BY visitor_id, vno
"""


def _visit_params(site, period, timeout_minutes):
    lo, hi = period.utc_bounds(site.timezone)
    return {"site": site.domain, "lo": lo, "hi": hi, "back": lo - _ID_LIFETIME,
            "lo_t": int(lo.timestamp()), "hi_t": int(hi.timestamp()),
            "since_t": int(lo.timestamp()), "timeout": timeout_minutes * 60}


def _period_visits(filters, params):
    """SQL condition on (visitor_id, start) of _VISIT_KINDS rows: visits starting in the
    period, and with report filters only the kept ones (the same visit in `sessions`:
    one visitor id, the same first event)."""
    condition = "start >= %(lo_t)s AND start < %(hi_t)s"
    if not check_filters(filters):
        return condition
    kept, filter_params = kept_visits_sql(filters)
    params.update(filter_params)
    return (f"{condition} AND (visitor_id, start) IN ("
            f"SELECT visitor_id, toUInt32(start) FROM sessions FINAL WHERE {kept})")


def _classified_visits(store, site, period, timeout_minutes, filters=None):
    """{visitor id: [(visit start, 'new' | 'returning'), ...]} for the visits starting in `period`.

    A visit is returning when its visitor id had an earlier visit, or when a
    customer id it carries was seen before the visit started.
    """
    params = _visit_params(site, period, timeout_minutes)
    counted = _period_visits(filters, params)
    classified = defaultdict(list)
    # One row per visit, not per event: the visits are found in ClickHouse.
    for visitor_id, start, returning in store.query(
            f"SELECT visitor_id, start, returning FROM ({_VISIT_KINDS}) "
            f"WHERE {counted} ORDER BY visitor_id, start", params):
        classified[visitor_id].append((int(start), "returning" if returning else "new"))
    return classified


def _split(visits_by_visitor):
    """The counts of new_vs_returning for {visitor: [kind, ...]}."""
    counts = {"new_visits": 0, "returning_visits": 0, "new_visitors": 0, "returning_visitors": 0}
    for kinds in visits_by_visitor.values():
        counts["new_visits"] += kinds.count("new")
        counts["returning_visits"] += kinds.count("returning")
        counts["returning_visitors" if "returning" in kinds else "new_visitors"] += 1
    return _with_totals(counts)


def _with_totals(counts):
    visits_total = counts["new_visits"] + counts["returning_visits"]
    return dict(counts, visitors=counts["new_visitors"] + counts["returning_visitors"],
                visits=visits_total,
                returning_visit_share=round(100.0 * counts["returning_visits"] / visits_total, 1)
                if visits_total else None)


def new_vs_returning(store, site, period, timeout_minutes=30, filters=None):
    """Visits of the period split into new and returning, and visitors likewise.

    A visit is returning when its visitor id had an earlier visit, or when a
    customer id it carries was seen before the visit started. A visitor is
    returning when any of its visits in the period is. With report filters
    only kept visits are counted, each still classified by all earlier
    events. Counted in ClickHouse.
    """
    params = _visit_params(site, period, timeout_minutes)
    counted = _period_visits(filters, params)
    row = store.query(
        "SELECT sum(new), sum(ret), countIf(ret = 0), countIf(ret > 0) FROM ("
        " SELECT visitor_id, countIf(NOT returning) AS new, countIf(returning) AS ret"
        f" FROM ({_VISIT_KINDS}) WHERE {counted}"
        " GROUP BY visitor_id)", params)[0]
    return _with_totals(dict(zip(("new_visits", "returning_visits", "new_visitors", "returning_visitors"),
                                 (int(v or 0) for v in row))))


def returning_by_interval(store, site, period, interval="week", timeout_minutes=30, filters=None):
    """new_vs_returning for each week or month of `period` (by the local day a visit started).

    One row per week (from Monday) or month of the period, empty ones
    included, each with `start` and the counts of new_vs_returning; the first
    and last rows cover only the part of their week or month inside the period.
    """
    return returning_report(store, site, period, interval, timeout_minutes, filters)["by_interval"]


def returning_report(store, site, period, interval="week", timeout_minutes=30, filters=None):
    """{"total": new_vs_returning, "by_interval": returning_by_interval} from one pass over the events."""
    if interval not in INTERVALS:
        raise ValueError(f"unknown interval {interval!r}: use week or month")
    zone = ZoneInfo(site.timezone)
    classified = _classified_visits(store, site, period, timeout_minutes, filters)
    buckets = {start: defaultdict(list) for start in period.with_interval(interval).buckets()}
    for visitor_id, visits in classified.items():
        for started, kind in visits:
            day = datetime.datetime.fromtimestamp(started, zone).date()
            start = datetime.datetime.combine(bucket_start(day, interval), datetime.time())
            buckets[start][visitor_id].append(kind)
    return {"total": _split({v: [kind for _, kind in visits] for v, visits in classified.items()}),
            "by_interval": [dict(_split(by_visitor), start=start.date())
                            for start, by_visitor in buckets.items()]}

