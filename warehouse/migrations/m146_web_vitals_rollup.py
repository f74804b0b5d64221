"""Migration 146: the daily rollup of web vitals."""

NAME = "web vitals rollup"

STATEMENTS = [
    # Per site, local day and rollup generation (version, as in rollup_pages), for each
    # report of the Web vitals page (summary, pages, devices, countries) and its key (the
    # path, device or country; '' for the summary): each distinct value of each metric
    # with the number of page loads that measured it, plus one 'page_loads' row counting
    # them all. Keeping every distinct value, rather than a quantile state, is what lets
    # a period's p75 be read exactly from the summed counts (analytics.vitals_rollup).
    # One grouping per row rather than page x device x country: those combinations split
    # a day into groups too small to share values, and the page never asks for them.
    """
    CREATE TABLE IF NOT EXISTS rollup_vitals (
        site String,
        day Date,
        version UInt64,
        report String,
        key String,
        metric String,
        value Float64,
        page_loads UInt64
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(day)
    ORDER BY (site, day, version, report, key, metric, value)
    """,
]
