"""Migration 146: the daily rollup of web vitals."""

NAME = "web vitals rollup"

# What both tables count page loads of: a site's day (a rollup generation), one report
# of the page and its key, one metric and one bucket of its values.
_COUNTED = """
        site String,
        day Date,
        version UInt64,
        report String,
        key String,
        metric String,
        bucket UInt64,"""

STATEMENTS = [
    # Per site, local day and rollup generation (version, as in rollup_pages), for each
    # report of the Web vitals page (summary, pages, devices, countries) and its key (the
    # path, device or country; '' for the summary): each distinct value of each metric
    # with the number of page loads that measured it, and the value's bucket (a coarse,
    # increasing function of it: analytics.vitals_rollup); a 'page_loads' row per key
    # counts all its reports. Every distinct value is kept, not a quantile state, so a
    # period's p75 is exact. One grouping per row rather than page x device x country:
    # those combinations split a day into groups too small to share values, and the page
    # never asks for them.
    f"""
    CREATE TABLE IF NOT EXISTS rollup_vitals ({_COUNTED}
        value Float64,
        page_loads UInt64
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(day)
    ORDER BY (site, day, version, report, key, metric, value)
    """,
    # The same counts per bucket: what a reader sums first, to find the one bucket of
    # each key and metric that holds its p75, before reading values of that bucket only.
    f"""
    CREATE TABLE IF NOT EXISTS rollup_vitals_buckets ({_COUNTED}
        page_loads UInt64
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(day)
    ORDER BY (site, day, version, report, key, metric, bucket)
    """,
]
