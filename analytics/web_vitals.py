"""Web vitals: how fast and steady the site's pages load, as measured in visitors' browsers.

The opt-in vitals script sends one report per page load (LCP, CLS, INP,
TTFB; a metric the page did not measure is stored as -1), kept in the
`web_vitals` table. Per metric, like Google's Core Web Vitals:

- p75: the 75th percentile of the page loads that measured it, exact
  (`quantileExact`: the value at 0-based position floor(0.75 × n) of the
  sorted values, the same on ClickHouse 18.16 and chdb);
- the page loads rated good, needs improvement and poor against Google's
  thresholds (THRESHOLDS: good up to the first, poor above the second),
  and the rating of the p75 itself.

The summary and the tables by page, device and country come from one query,
each report counted once per grouping asked for, then LIMIT n BY grouping,
as in analytics.site_search. Whole days the rollups job has summed are read
from their value counts (analytics.vitals_rollup), the other days from raw
reports, with the same figures a raw read gives. Report filters keep the
reports of kept visits (analytics.visit_scope), read raw. Definitions:
docs/web-vitals.md.
"""
from vigie.analytics.period import comparison_period
from vigie.analytics.query import Plan, metric_change
from vigie.analytics.time_ranges import bind_day_bounds, day_bounds
from vigie.analytics.visit_scope import period_events
from vigie.analytics.vitals_rollup import (GROUPINGS, PAGE_LOADS, THRESHOLDS, band_sql,
                                           value_counts_sql)
from vigie.warehouse.web_vitals import METRIC_COLUMNS, VITALS_COLUMNS

MAX_LIMIT = 1000
METRICS = tuple(THRESHOLDS)
RATINGS = ("good", "needs_improvement", "poor")
TABLES = ("pages", "devices", "countries")
_PERIOD_DAYS = day_bounds("ts", "period")


def _limit(limit):
    if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= MAX_LIMIT:
        raise ValueError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {limit!r}")
    return limit


def rating(metric, value):
    """'good', 'needs_improvement' or 'poor' for a value of the metric; None for None."""
    if value is None:
        return None
    good, poor = THRESHOLDS[metric]
    return "good" if value <= good else "needs_improvement" if value <= poor else "poor"


def _metric_sql(column, good, poor):
    measured = f"{column} >= 0"
    return (f"quantileExactIf(0.75)({column}, {measured}), countIf({measured}),"
            f" countIf({measured} AND {column} <= {good}),"
            f" countIf({column} > {good} AND {column} <= {poor}), countIf({column} > {poor})")


_SELECT = ", ".join(_metric_sql(METRIC_COLUMNS[m], *THRESHOLDS[m]) for m in METRICS)


def _metric(metric, p75, samples, good, needs_improvement, poor):
    samples = int(samples)
    if not samples:
        return {"p75": None, "rating": None, "samples": 0, "good": None,
                "needs_improvement": None, "poor": None}
    value = round(float(p75), 4) if metric == "cls" else round(float(p75))
    shares = [round(100.0 * int(n) / samples, 1) for n in (good, needs_improvement, poor)]
    return dict({"p75": value, "rating": rating(metric, value), "samples": samples},
                **dict(zip(RATINGS, shares)))


def _row(numbers):
    """{page_loads, lcp: {...}, inp: {...}, cls: {...}, ttfb: {...}} from one result row."""
    found = {"page_loads": int(numbers[0])}
    for i, metric in enumerate(METRICS):
        found[metric] = _metric(metric, *numbers[1 + 5 * i:6 + 5 * i])
    return found


def _raw_query(site, period, filters, reports):
    """(SQL, params): the figures of every report from the period's raw reports, one pass."""
    lo, hi = period.utc_bounds(site.timezone)
    source, params = period_events(filters, lo, hi, "web_vitals", VITALS_COLUMNS)
    params = bind_day_bounds(dict(params, site=site.domain, lo=lo, hi=hi), "period", lo, hi)
    pairs = ", ".join(f"('{r}', {GROUPINGS[r]})" for r in reports)
    return (f"SELECT tupleElement(g, 1) AS report, tupleElement(g, 2) AS key, count() AS n, {_SELECT}"
            f" FROM {source} ARRAY JOIN [{pairs}] AS g"
            f" WHERE site = %(site)s AND ts >= %(lo)s AND ts < %(hi)s AND {_PERIOD_DAYS}"
            " GROUP BY report, key", params)


# Per metric, the row of _raw_query from the figures of _rolled_up_query's rows.
_PIVOT = ", ".join(
    f"anyIf(p75, metric = '{m}'), sumIf(samples, metric = '{m}'), sumIf(good, metric = '{m}'),"
    f" sumIf(needs_improvement, metric = '{m}'), sumIf(poor, metric = '{m}')" for m in METRICS)


def _first_past(cumulative, position):
    """SQL: the 1-based index of the first cumulative count above `position`.

    The position goes into the lambda as an array of its own, not as a captured column:
    18.16 does not count a column used only inside a lambda as needed, and drops it from
    the subquery that would provide it."""
    return (f"arrayFirstIndex((c, p) -> c > p, {cumulative}, "
            f"arrayResize([{position}], length({cumulative}), {position}))")


def _p75_bucket_sql(bucket_rows):
    """SQL per report, key and metric: samples, the band counts, the bucket holding the p75
    (position floor(0.75 x samples) of the sorted values, quantileExact's pick) and `within`,
    the p75's 0-based position among that bucket's values; from (report, key, metric,
    bucket, page_loads) rows."""
    summed = ("SELECT report, key, metric, bucket, sum(page_loads) AS n "
              f"FROM ({bucket_rows}) GROUP BY report, key, metric, bucket")
    per_metric = (f"SELECT report, key, metric, sum(n) AS samples, sumIf(n, {band_sql('bucket')} = 0) AS good, "
                  f"sumIf(n, {band_sql('bucket')} = 1) AS needs_improvement, "
                  f"sumIf(n, {band_sql('bucket')} = 2) AS poor, arraySort(groupArray((bucket, n))) AS buckets "
                  f"FROM ({summed}) GROUP BY report, key, metric")
    through = "arrayCumSum(arrayMap(b -> tupleElement(b, 2), buckets))"
    at = "intDiv(samples * 3, 4)"
    i = _first_past(through, at)
    return (f"SELECT report, key, metric, samples, good, needs_improvement, poor, "
            f"tupleElement(buckets[{i}], 1) AS bucket, "
            f"{at} - ({through}[{i}] - tupleElement(buckets[{i}], 2)) AS within FROM ({per_metric})")


def _rolled_up_query(plan, reports):
    """(SQL, params): the figures of every report, in _raw_query's columns, from the plan's
    rolled-up days and its other days' raw reports: the bucket counts say which bucket holds
    each p75, and only the values of those buckets are summed (analytics.vitals_rollup)."""
    current = f"PREWHERE site = %(site)s AND report IN %(reports)s WHERE {plan.current_rollup()}"
    bucket_rows = [f"SELECT report, key, metric, bucket, page_loads FROM rollup_vitals_buckets {current}"]
    value_rows = []
    if plan.ranges:
        raw_time = plan.raw_condition("ts")
        bucket_rows.append(value_counts_sql(reports, raw_time, values=False))
        value_rows.append(value_counts_sql(reports, raw_time))
    located = _p75_bucket_sql(" UNION ALL ".join(bucket_rows))
    value_rows.append(
        "SELECT report, key, metric, bucket, value, page_loads FROM rollup_vitals "
        f"PREWHERE site = %(site)s AND bucket IN (SELECT bucket FROM ({located})) "
        f"WHERE report IN %(reports)s AND {plan.current_rollup()}")
    summed = ("SELECT report, key, metric, bucket, value, sum(page_loads) AS n "
              f"FROM ({' UNION ALL '.join(value_rows)}) GROUP BY report, key, metric, bucket, value")
    values = ("SELECT report, key, metric, bucket, arraySort(groupArray((value, n))) AS counts "
              f"FROM ({summed}) GROUP BY report, key, metric, bucket")
    through = "arrayCumSum(arrayMap(v -> tupleElement(v, 2), counts))"
    p75 = f"tupleElement(counts[{_first_past(through, 'within')}], 1) AS p75"
    joined = ("SELECT report, key, metric, samples, good, needs_improvement, poor, within, counts "
              f"FROM ({located}) AS located ANY LEFT JOIN ({values}) AS found USING (report, key, metric, bucket)")
    sql = (f"SELECT report, key, sumIf(samples, metric = '{PAGE_LOADS}') AS n, {_PIVOT} "
           f"FROM (SELECT report, key, metric, samples, good, needs_improvement, poor, {p75} "
           f"FROM ({joined})) "
           "GROUP BY report, key")
    return sql, dict(plan.params, reports=tuple(reports))


def _grouped(store, site, period, filters, reports, limit):
    """{report: [(key, row)]}, most page loads first (ties by key), at most `limit` each.

    Without filters, whole days the rollups job has summed are read from their value
    counts (analytics.vitals_rollup) and the other days from raw reports; with filters,
    or with no day rolled up, the whole period is read raw in one pass."""
    plan = Plan(store, site, period, filters)
    sql, params = (_rolled_up_query(plan, reports) if plan.rolled
                   else _raw_query(site, period, filters, reports))
    rows = store.query(f"{sql} ORDER BY report, n DESC, key LIMIT %(limit)s BY report",
                       dict(params, limit=_limit(limit)))
    found = {r: [] for r in reports}
    for report, key, *numbers in rows:
        found[report].append((key, _row(numbers)))
    return found


def _summary(found):
    return found["summary"][0][1] if found["summary"] else _row([0] + [None, 0, 0, 0, 0] * 4)


def vitals_summary(store, site, period, filters=None):
    """Page loads measured and, per metric, its p75, rating, samples and shares (percent of
    samples) good / needs improvement / poor; p75 and shares are None without a sample."""
    return _summary(_grouped(store, site, period, filters, ["summary"], 1))


def vitals_table(store, site, period, by, filters=None, limit=10):
    """Per page ('pages'), device ('devices') or country ('countries'), most page loads first:
    [{value, page_loads, lcp, inp, cls, ttfb}] with each metric as in vitals_summary."""
    if by not in TABLES:
        raise ValueError(f"unknown web vitals table {by!r}: use one of {', '.join(TABLES)}")
    return [dict(value=key, **row) for key, row in _grouped(store, site, period, filters, [by], limit)[by]]


def _p75_changes(current, previous):
    return {m: metric_change(m, current[m]["p75"], previous[m]["p75"], ()) for m in METRICS}


def vitals_page(store, site, period, filters=None, compare=None, limit=10):
    """What the Web vitals page shows, in one pass (and one of the comparison period's
    summary with `compare`): {summary, previous, changes, pages, devices, countries};
    previous and changes (percent change of each p75) are None without `compare`."""
    found = _grouped(store, site, period, filters, ["summary", *TABLES], limit)
    summary = _summary(found)
    previous = changes = None
    if compare:
        previous = vitals_summary(store, site, comparison_period(period, compare), filters)
        changes = _p75_changes(summary, previous)
    tables = {t: [dict(value=key, **row) for key, row in found[t]] for t in TABLES}
    return dict(summary=summary, previous=previous, changes=changes, **tables)


# A table row flattened for CSV: value, page_loads, then per metric its p75, rating,
# samples and the three shares (lcp_p75, lcp_rating, ..., ttfb_poor).
FLAT_FIELDS = ("p75", "rating", "samples", *RATINGS)
CSV_COLUMNS = ["value", "page_loads"] + [f"{m}_{f}" for m in METRICS for f in FLAT_FIELDS]


def flat_row(row):
    """A row of vitals_table as one flat dict of CSV_COLUMNS."""
    flat = {"value": row["value"], "page_loads": row["page_loads"]}
    for metric in METRICS:
        flat.update((f"{metric}_{f}", row[metric][f]) for f in FLAT_FIELDS)
    return flat
