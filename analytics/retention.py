"""Retention cohorts of identified customers, and new versus returning visitors.

Visitor ids rotate every day (privacy), so an anonymous browser cannot be
followed from one day to the next. Cohorts therefore follow customers (the
site's own `customer_id`, sent for logged-in clients); new-vs-returning uses
the customer id when there is one and the visitor id within its day
otherwise. Exact definitions: docs/metrics.md, "Retention".
"""
import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

from analytics.visit_split import timeout_of, visit_numbers

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


def cohorts(store, site, period, interval="week"):
    """Cohorts of customers first seen in `period`, by the week or month of that first day.

    One row per cohort: its start, its size, and for the cohort's own
    period and each following one up to the period's end, how many of its
    customers were seen and that share in percent (one decimal).
    """
    if interval not in INTERVALS:
        raise ValueError(f"unknown cohort interval {interval!r}: use week or month")
    _, hi = period.utc_bounds(site.timezone)
    days = defaultdict(set)
    for customer_id, day in store.query(
            "SELECT customer_id, toDate(ts, %(tz)s) AS day FROM events WHERE site = %(site)s "
            "AND customer_id != '' AND name != 'engagement' AND ts < %(hi)s "
            "GROUP BY customer_id, day", {"site": site.domain, "tz": site.timezone, "hi": hi}):
        days[customer_id].add(day)
    last = bucket_start(period.end, interval)
    members = defaultdict(list)
    for customer_id, seen in days.items():
        first = min(seen)
        if period.start <= first <= period.end:
            members[bucket_start(first, interval)].append(seen)
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


def _classified_visits(store, site, period, timeout_minutes):
    """{visitor id: [(visit start, 'new' | 'returning'), ...]} for the visits starting in `period`.

    A visit is returning when its visitor id had an earlier visit, or when a
    customer id it carries was seen before the visit started.
    """
    lo, hi = period.utc_bounds(site.timezone)
    params = {"site": site.domain, "lo": lo, "hi": hi, "back": lo - _ID_LIFETIME}
    first_seen = dict(store.query(
        "SELECT customer_id, toUInt32(min(ts)) FROM events WHERE site = %(site)s AND customer_id != '' "
        "AND name != 'engagement' AND ts < %(hi)s AND customer_id IN ("
        " SELECT customer_id FROM events WHERE site = %(site)s AND customer_id != ''"
        " AND ts >= %(lo)s AND ts < %(hi)s) GROUP BY customer_id", params))
    events = defaultdict(list)
    for visitor_id, ts, customer_id in store.query(
            "SELECT visitor_id, toUInt32(ts) AS t, customer_id FROM events WHERE site = %(site)s "
            "AND name != 'engagement' AND ts >= %(back)s AND ts < %(hi)s ORDER BY visitor_id, t",
            params):
        events[visitor_id].append((ts, customer_id))
    timeout = timeout_of(timeout_minutes)
    lo_s, hi_s = int(lo.timestamp()), int(hi.timestamp())
    classified = {}
    for visitor_id, visitor_events in events.items():
        visits = defaultdict(list)
        for number, ev in zip(visit_numbers([ts for ts, _ in visitor_events], timeout), visitor_events):
            visits[number].append(ev)
        kinds = [(visit[0][0], _visit_kind(number, visit, first_seen))
                 for number, visit in sorted(visits.items()) if lo_s <= visit[0][0] < hi_s]
        if kinds:
            classified[visitor_id] = kinds
    return classified


def _split(visits_by_visitor):
    """The counts of new_vs_returning for {visitor: [kind, ...]}."""
    counts = {"new_visits": 0, "returning_visits": 0, "new_visitors": 0, "returning_visitors": 0}
    for kinds in visits_by_visitor.values():
        counts["new_visits"] += kinds.count("new")
        counts["returning_visits"] += kinds.count("returning")
        counts["returning_visitors" if "returning" in kinds else "new_visitors"] += 1
    visits_total = counts["new_visits"] + counts["returning_visits"]
    return dict(counts, visitors=counts["new_visitors"] + counts["returning_visitors"],
                visits=visits_total,
                returning_visit_share=round(100.0 * counts["returning_visits"] / visits_total, 1)
                if visits_total else None)


def new_vs_returning(store, site, period, timeout_minutes=30):
    """Visits of the period split into new and returning, and visitors likewise.

    A visitor is returning when any of its visits in the period is.
    """
    classified = _classified_visits(store, site, period, timeout_minutes)
    return _split({v: [kind for _, kind in visits] for v, visits in classified.items()})


def returning_by_interval(store, site, period, interval="week", timeout_minutes=30):
    """new_vs_returning for each week or month of `period` (by the local day a visit started).

    One row per week (from Monday) or month of the period, empty ones
    included, each with `start` and the counts of new_vs_returning; the first
    and last rows cover only the part of their week or month inside the period.
    """
    return returning_report(store, site, period, interval, timeout_minutes)["by_interval"]


def returning_report(store, site, period, interval="week", timeout_minutes=30):
    """{"total": new_vs_returning, "by_interval": returning_by_interval} from one pass over the events."""
    if interval not in INTERVALS:
        raise ValueError(f"unknown interval {interval!r}: use week or month")
    zone = ZoneInfo(site.timezone)
    classified = _classified_visits(store, site, period, timeout_minutes)
    buckets = {start: defaultdict(list) for start in period.with_interval(interval).buckets()}
    for visitor_id, visits in classified.items():
        for started, kind in visits:
            day = datetime.datetime.fromtimestamp(started, zone).date()
            start = datetime.datetime.combine(bucket_start(day, interval), datetime.time())
            buckets[start][visitor_id].append(kind)
    return {"total": _split({v: [kind for _, kind in visits] for v, visits in classified.items()}),
            "by_interval": [dict(_split(by_visitor), start=start.date())
                            for start, by_visitor in buckets.items()]}


def _visit_kind(number, visit, first_seen):
    start = visit[0][0]
    if number > 0:
        return "returning"
    customers = {c for _, c in visit if c}
    return "returning" if any(first_seen.get(c, start) < start for c in customers) else "new"
