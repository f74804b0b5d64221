"""The daily rollup of web vitals: each distinct value of each metric, with its count.

An exact p75 needs every value of the period, not a summary of each day: the
p75 of thirty days is not found from thirty daily p75s. What can be summed
exactly is how many page loads measured each value. So for one local day the
rollups job writes, per report of the Web vitals page (the whole site, and
per page, device and country) and per metric, one row per distinct value with
its count (rollup_vitals, migration 146), and one 'page_loads' row per key
counting every report, measured or not.

Metrics are spread over thousands of values (whole milliseconds), so a month
of those rows is about as long as the month's reports. A reader therefore
does not add up every value: each value has a bucket, an increasing function
of it (below), and the counts per bucket are rolled up too
(rollup_vitals_buckets, a few dozen rows per key and metric a day). Summing
those says which bucket holds the p75's position and how many values come
before it; only that bucket's values are then read and summed. Buckets never
straddle a rating threshold, so the good / needs improvement / poor counts
come from the bucket counts alone.

Values are copied as stored (Float64: CLS keeps its four decimals, and a
value the collector accepted with a fraction keeps it), so the p75 read from
the counts is the very value quantileExact returns from the raw rows, and
each value is compared with the thresholds the same way (docs/web-vitals.md).
"""
from vigie.analytics.time_ranges import day_bounds
from vigie.warehouse.web_vitals import METRIC_COLUMNS

ROLLUP_TABLES = ("rollup_vitals", "rollup_vitals_buckets")
# Metric -> (good up to, poor above); milliseconds but for CLS, which has no unit. The
# buckets of stored rollups follow them: changing one needs a new rollup layout.
THRESHOLDS = {"lcp": (2500, 4000), "inp": (200, 500), "cls": (0.1, 0.25), "ttfb": (800, 1800)}
# Report -> its key in a web_vitals row, for the reports of the page.
GROUPINGS = {"summary": "''", "pages": "pathname", "devices": "device", "countries": "country"}
# The row of each key that counts every report, whichever metrics it measured.
PAGE_LOADS = "page_loads"
# A bucket is metric number x METRIC_STEP + band x BAND_STEP + floor(sqrt(value x scale)):
# increasing with the value within a metric (sqrt is correctly rounded, so it never
# decreases), about sqrt(v) wide for milliseconds (50 ms around 2.5 s, 28 ms around
# 800 ms) and sqrt(v) / 100 for CLS (0.003 around 0.1); the band (0 good, 1 needs
# improvement, 2 poor) first, so no bucket holds values of two bands. The root is
# at most 2,000 for any value the collector accepts (docs/web-vitals.md).
BAND_STEP = 1_000_000
METRIC_STEP = 1_000_000_000
_SCALES = {"lcp": 4, "inp": 4, "cls": 40_000, "ttfb": 4}


def _bucket_sql(number, metric, column):
    good, poor = THRESHOLDS[metric]
    return (f"{number * METRIC_STEP} + {BAND_STEP} * multiIf({column} <= {good}, 0, {column} <= {poor}, 1, 2) "
            f"+ toUInt64(sqrt({column} * {_SCALES[metric]}))")


# Metric -> (value, bucket, condition) over a web_vitals row; NOT_MEASURED (-1) is left out.
_MEASURES = dict(
    [(PAGE_LOADS, ("toFloat64(0)", "toUInt64(0)", "1"))]
    + [(metric, (column, _bucket_sql(number, metric, column), f"{column} >= 0"))
       for number, (metric, column) in enumerate(METRIC_COLUMNS.items(), 1)])


def band_sql(bucket):
    """SQL: the rating band of a bucket, 0 good, 1 needs improvement, 2 poor."""
    return f"modulo(intDiv({bucket}, {BAND_STEP}), {METRIC_STEP // BAND_STEP})"


def value_counts_sql(reports, time_condition, values=True):
    """SQL: (report, key, metric, bucket, value, page_loads) of the web_vitals rows of %(site)s
    that meet `time_condition`, one row per distinct measured value of each report in `reports`;
    with values=False, (report, key, metric, bucket, page_loads), one row per bucket.

    One plain GROUP BY per report and metric: replicating each row into every (report,
    metric) pair with arrays and grouping once took two to three times as long."""
    value, by_value = (", {value} AS value", ", value") if values else ("", "")
    return " UNION ALL ".join(
        f"SELECT '{report}' AS report, {GROUPINGS[report]} AS key, '{metric}' AS metric, "
        f"{bucket} AS bucket{value.format(value=column)}, count() AS page_loads FROM web_vitals "
        f"WHERE site = %(site)s AND {time_condition} AND {measured} GROUP BY key, bucket{by_value}"
        for report in reports for metric, (column, bucket, measured) in _MEASURES.items())


def roll_up_vitals(store, site, day, version, params):
    """Write generation `version` of the local day's value and bucket counts (params:
    rollups.rebuild_day's, with the day's UTC bounds as lo/hi and its utc day bounds)."""
    day_reports = f"ts >= toDateTime(%(lo)s) AND ts < toDateTime(%(hi)s) AND {day_bounds('ts', 'utc')}"
    store.execute(
        "INSERT INTO rollup_vitals (site, day, version, report, key, metric, bucket, value, page_loads) "
        "SELECT %(site)s, toDate(%(day)s), %(version)s, report, key, metric, bucket, value, page_loads "
        f"FROM ({value_counts_sql(GROUPINGS, day_reports)})", params)
    store.execute(
        "INSERT INTO rollup_vitals_buckets (site, day, version, report, key, metric, bucket, page_loads) "
        "SELECT site, day, version, report, key, metric, bucket, sum(page_loads) FROM rollup_vitals "
        "WHERE site = %(site)s AND day = toDate(%(day)s) AND version = %(version)s "
        "GROUP BY site, day, version, report, key, metric, bucket", params)
