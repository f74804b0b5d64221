"""The report query layer: (site, period, filters) -> aggregate, timeseries, breakdowns.

Numbers come from the `sessions` table (visits, by the local time they
started) and, for pages and custom events, from `events`. Whole days that the
rollups job has summed are read from rollup_visits / rollup_pages instead,
but only when the question has no filter and no hourly buckets (what rollups
can answer, see analytics/rollups.py); the other days of the period, today
at least, are read raw. Both parts are merged in one SQL statement (the raw
part builds the same visitor states the rollups hold, analytics.rollups), so
a period mixing them gives the numbers a fully raw read gives. Definitions: docs/metrics.md.
"""
import datetime

from vigie.analytics.filters import check_filters, filter_sql
from vigie.analytics.period import comparison_period
from vigie.analytics.rollups import (PAGE_VISITORS_STATE, VISITORS_MERGE, VISITORS_STATE,
                                     local_day_bounds, rolled_up_days)
from vigie.analytics.time_ranges import bind_day_bounds, day_bounds

# The rolled-up generations a Plan chose, pinned: a day the rollups job names while the
# query runs stays in the plan's raw ranges only, never counted twice.
_PLANNED_ROLLUP = "(toYYYYMMDD(day), version) IN %(generations)s"
_VISIT_SUMS = ("count() AS visits, sum(pageviews) AS pageviews, sum(bounce) AS bounces, "
               "sum(duration) AS duration, sum(engaged_ms) AS engaged_ms, sum(revenue) AS revenue, "
               "sum(notEmpty(goals)) AS conversions")
_ROLLUP_SUMS = "visits, pageviews, bounces, duration, engaged_ms, revenue, conversions"
_MERGED_SUMS = ("sum(visits) AS visits, sum(pageviews) AS pageviews, "
                "sum(bounces) AS bounces, sum(duration) AS duration, sum(engaged_ms) AS engaged_ms, "
                "sum(revenue) AS revenue, sum(conversions) AS conversions")


class Plan:
    """Where one period's numbers come from: rolled-up days and raw UTC ranges."""

    def __init__(self, store, site, period, filters, hourly=False, rolled=None):
        """`rolled`: the {day: version} to read rolled up, for a report whose own rollup holds
        fewer days than rolled_up_days names (default: those days)."""
        self.site, self.period = site, period
        self.filters = check_filters(filters)
        if self.filters or hourly:
            rolled = {}
        elif rolled is None:
            rolled = rolled_up_days(store, site, period.start, period.end)
        self.rolled = sorted(rolled)
        self.ranges = []
        day = period.start
        while day <= period.end:
            if day not in rolled:
                lo, hi = local_day_bounds(day, site.timezone)
                if self.ranges and self.ranges[-1][1] == lo:
                    self.ranges[-1] = (self.ranges[-1][0], hi)
                else:
                    self.ranges.append((lo, hi))
            day += datetime.timedelta(days=1)
        self.params = {"site": site.domain, "tz": site.timezone, "first": period.start,
                       "last": period.end,
                       "generations": tuple((int(day.strftime("%Y%m%d")), int(version))
                                            for day, version in sorted(rolled.items())) or ((0, 0),)}
        conditions = []
        for i, (lo, hi) in enumerate(self.ranges):
            self.params[f"lo{i}"], self.params[f"hi{i}"] = int(lo.timestamp()), int(hi.timestamp())
            conditions.append(f"({{col}} >= toDateTime(%(lo{i})s) AND {{col}} < toDateTime(%(hi{i})s))")
        self.raw_time = ""
        if conditions:
            # The days spanned by all the ranges: what lets 18.16 skip the rolled-up ones.
            bind_day_bounds(self.params, "raw", self.ranges[0][0], self.ranges[-1][1])
            self.raw_time = f"({' OR '.join(conditions)}) AND {day_bounds('{col}', 'raw')}"
        self.filter_sql, filter_params = filter_sql(self.filters)
        self.params.update(filter_params)

    def raw_condition(self, column):
        return self.raw_time.replace("{col}", column)

    def current_rollup(self):
        """SQL condition on a rollup table's (day, version): the generations of the days this
        plan reads rolled up (those rolled_up_days named when it was made)."""
        return _PLANNED_ROLLUP

    def matching_visitors(self):
        """SQL condition on events.visitor_id: visitors with a visit matching the filters."""
        if not self.filters:
            return ""
        return (" AND visitor_id IN (SELECT visitor_id FROM sessions FINAL WHERE site = %(site)s "
                f"AND deleted = 0 AND {self.raw_condition('start')}{self.filter_sql})")

    def _keys(self, keys, column):
        """SQL condition keeping only rows whose `column` is one of `keys` (None: all rows)."""
        if keys is None:
            return ""
        self.params["keys"] = tuple(keys)
        return f" AND {column} IN %(keys)s"

    def visits_sql(self, raw_key, rollup_dimension="", rollup_key="value", visitors=True, keys=None):
        """Per key: visitors, visits, pageviews, bounces, duration, engaged_ms, revenue,
        conversions. Merging visitor states is nearly all the cost of a rolled-up read, so
        visitors=False leaves them unread (visitors 0), and `keys` limits the rows to those
        values (a breakdown's top rows), never to an empty list."""
        parts = []
        state = (", visitors AS v", f", {VISITORS_STATE} AS v") if visitors else ("", "")
        if self.rolled:
            # PREWHERE: the visitor states of other dimensions are never read.
            parts.append(f"SELECT {rollup_key} AS k{state[0]}, {_ROLLUP_SUMS} FROM rollup_visits "
                         "PREWHERE site = %(site)s AND dimension = %(dimension)s"
                         f"{self._keys(keys, rollup_key)} WHERE {_PLANNED_ROLLUP}")
        if self.ranges:
            parts.append(f"SELECT {raw_key} AS k{state[1]}, {_VISIT_SUMS} "
                         "FROM sessions FINAL WHERE site = %(site)s AND deleted = 0 "
                         f"AND {self.raw_condition('start')}{self.filter_sql}"
                         f"{self._keys(keys, raw_key)} GROUP BY k")
        self.params["dimension"] = rollup_dimension
        merged = f"{VISITORS_MERGE}(v)" if visitors else "0"
        return (f"SELECT k, {merged} AS visitors, {_MERGED_SUMS} "
                f"FROM ({' UNION ALL '.join(parts)}) GROUP BY k")

    def pages_sql(self, visitors=True, keys=None):
        """Per pathname: visitors, pageviews and engaged_ms of pageview/engagement events
        (visitors and keys as in visits_sql)."""
        parts = []
        state = (", visitors AS v", f", {PAGE_VISITORS_STATE} AS v") if visitors else ("", "")
        if self.rolled:
            parts.append(f"SELECT pathname AS k{state[0]}, pageviews, engaged_ms FROM rollup_pages "
                         f"PREWHERE site = %(site)s{self._keys(keys, 'pathname')} WHERE {_PLANNED_ROLLUP}")
        if self.ranges:
            parts.append(
                f"SELECT pathname AS k{state[1]}, "
                "countIf(name = 'pageview') AS pageviews, sumIf(engaged_ms, name = 'engagement') "
                "AS engaged_ms FROM events WHERE site = %(site)s AND name IN ('pageview', 'engagement') "
                f"AND {self.raw_condition('ts')}{self.matching_visitors()}{self._keys(keys, 'pathname')} "
                "GROUP BY k")
        merged = f"{VISITORS_MERGE}(v)" if visitors else "0"
        return (f"SELECT k, {merged} AS visitors, sum(pageviews) AS pageviews, "
                f"sum(engaged_ms) AS engaged_ms FROM ({' UNION ALL '.join(parts)}) GROUP BY k")


def _rate(part, whole, digits=1):
    return round(100.0 * part / whole, digits) if whole else None


def visit_metrics(row):
    """The metrics of one merged row (visitors, visits, sums) as reports show them."""
    visits = int(row["visits"] or 0)
    pageviews = int(row["pageviews"] or 0)
    return {
        "visitors": int(row["visitors"] or 0),
        "visits": visits,
        "pageviews": pageviews,
        "views_per_visit": round(pageviews / visits, 2) if visits else 0,
        "bounce_rate": _rate(int(row["bounces"] or 0), visits),
        "visit_duration": int(round(row["duration"] / visits)) if visits else None,
        "time_on_page": int(round(row["engaged_ms"] / 1000 / pageviews)) if pageviews else None,
        "revenue": round(float(row["revenue"] or 0), 2),
        # Visits that reached at least one goal (sessions.goals not empty).
        "conversions": int(row["conversions"] or 0),
        "conversion_rate": _rate(int(row["conversions"] or 0), visits),
    }


_EMPTY = {"visitors": 0, "visits": 0, "pageviews": 0, "bounces": 0, "duration": 0,
          "engaged_ms": 0, "revenue": 0.0, "conversions": 0}

# Rates change in percentage points (40 % -> 45 % is +5.0), other metrics in percent.
POINT_CHANGES = ("bounce_rate", "conversion_rate")


def _totals(store, site, period, filters):
    plan = Plan(store, site, period, filters)
    rows = store.query_dicts(plan.visits_sql("''"), plan.params)
    return visit_metrics(rows[0] if rows else _EMPTY)


def metric_change(metric, current, previous, in_points=POINT_CHANGES):
    """Percent change; for the rates named in `in_points`, the difference in points."""
    if current is None or previous is None:
        return None
    if metric in in_points:
        return round(current - previous, 1)
    return round(100.0 * (current - previous) / previous, 1) if previous else None


def aggregate(store, site, period, filters=None, compare=None):
    """{metric: value}, or with `compare` ('previous_period' / 'previous_year')
    {metric: {'value', 'previous', 'change'}}."""
    current = _totals(store, site, period, filters)
    if not compare:
        return current
    previous = _totals(store, site, comparison_period(period, compare), filters)
    return {m: {"value": v, "previous": previous[m], "change": metric_change(m, v, previous[m])}
            for m, v in current.items()}


def _bucket_sql(period, tz_param="%(tz)s"):
    """(raw key over sessions.start, rollup key over rollup day) for the period's interval."""
    local_day = f"toDate(start, {tz_param})"
    return {
        "hour": (f"toString(toStartOfHour(start, {tz_param}))", None),
        "day": (local_day, "day"),
        "week": (f"toMonday({local_day})", "toMonday(day)"),
        "month": (f"toStartOfMonth({local_day})", "toStartOfMonth(day)"),
    }[period.interval]


def timeseries(store, site, period, filters=None):
    """One row per bucket of the period's interval, zero-filled: visit metrics by start time."""
    raw_key, rollup_key = _bucket_sql(period)
    plan = Plan(store, site, period, filters, hourly=period.interval == "hour")
    found = {}
    for row in store.query_dicts(plan.visits_sql(raw_key, "", rollup_key or "day"), plan.params):
        key = row["k"]
        if isinstance(key, str):
            key = datetime.datetime.fromisoformat(key)
        elif not isinstance(key, datetime.datetime):
            key = datetime.datetime.combine(key, datetime.time())
        found[key] = row
    return [{"bucket": bucket, **visit_metrics(found.get(bucket, _EMPTY))} for bucket in period.buckets()]
