"""The daily rollup of web vitals: each distinct value of each metric, with its count.

An exact p75 needs every value of the period, not a summary of each day: the
p75 of thirty days is not found from thirty daily p75s. What can be summed
exactly is how many page loads measured each value. So for one local day the
rollups job writes, per report of the Web vitals page (the whole site, and
per page, device and country) and per metric, one row per distinct value with
its count (rollup_vitals, migration 146), and one 'page_loads' row per key
counting every report, measured or not. A reader adds up the counts of the
period's days (and those of its raw days, from the same SELECT), then reads
the p75 from the cumulative counts (analytics.web_vitals).

Values are copied as stored (Float64: CLS keeps its four decimals, and a
value the collector accepted with a fraction keeps it), so the p75 read from
the counts is the very value quantileExact returns from the raw rows, and
each value is compared with the rating thresholds the same way.
"""
from vigie.analytics.time_ranges import day_bounds
from vigie.warehouse.web_vitals import METRIC_COLUMNS

ROLLUP_TABLE = "rollup_vitals"
# Report -> (report, key) of a web_vitals row, for the reports of the page.
GROUPINGS = {"summary": "('summary', '')", "pages": "('pages', pathname)",
             "devices": "('devices', device)", "countries": "('countries', country)"}
# The row of each key that counts every report, whichever metrics it measured.
PAGE_LOADS = "page_loads"
# (metric, value) pairs of a web_vitals row; NOT_MEASURED (-1) is dropped after the join.
_MEASURES = ", ".join([f"('{PAGE_LOADS}', toFloat64(0))"]
                      + [f"('{metric}', {column})" for metric, column in METRIC_COLUMNS.items()])


def value_counts_sql(reports, time_condition):
    """SQL: (report, key, metric, value, page_loads) of the web_vitals rows of %(site)s that
    meet `time_condition`, one row per distinct measured value of each report in `reports`."""
    pairs = ", ".join(GROUPINGS[r] for r in reports)
    return ("SELECT tupleElement(g, 1) AS report, tupleElement(g, 2) AS key, "
            "tupleElement(m, 1) AS metric, tupleElement(m, 2) AS value, count() AS page_loads "
            f"FROM (SELECT arrayJoin([{pairs}]) AS g, arrayJoin([{_MEASURES}]) AS m FROM web_vitals "
            f"WHERE site = %(site)s AND {time_condition}) "
            "WHERE value >= 0 GROUP BY report, key, metric, value")


def roll_up_vitals(store, site, day, version, params):
    """Write generation `version` of the local day's value counts (params: rollups.rebuild_day's,
    the day's UTC bounds as lo/hi and its utc day bounds)."""
    day_reports = f"ts >= toDateTime(%(lo)s) AND ts < toDateTime(%(hi)s) AND {day_bounds('ts', 'utc')}"
    store.execute(
        f"INSERT INTO {ROLLUP_TABLE} (site, day, version, report, key, metric, value, page_loads) "
        "SELECT %(site)s, toDate(%(day)s), %(version)s, report, key, metric, value, page_loads "
        f"FROM ({value_counts_sql(GROUPINGS, day_reports)})", params)
