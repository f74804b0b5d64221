"""Migration 24: daily rollups."""

NAME = "daily rollups"

STATEMENTS = [
    # Per site, local day and dimension value: visits, visitors as a uniq
    # state (so several days merge into distinct visitors with uniqMerge),
    # and sums. Each rebuild of a day writes a new generation (version);
    # rollup_days names the current one, and readers take only that.
    """
    CREATE TABLE IF NOT EXISTS rollup_visits (
        site String,
        day Date,
        version UInt64,
        dimension String,
        value String,
        visitors AggregateFunction(uniq, UInt64),
        visits UInt64,
        pageviews UInt64,
        bounces UInt64,
        duration UInt64,
        engaged_ms UInt64,
        revenue Float64
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(day)
    ORDER BY (site, dimension, day, value, version)
    SETTINGS index_granularity = 1024
    """,
    """
    CREATE TABLE IF NOT EXISTS rollup_pages (
        site String,
        day Date,
        version UInt64,
        pathname String,
        visitors AggregateFunction(uniq, UInt64),
        pageviews UInt64,
        engaged_ms UInt64
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(day)
    ORDER BY (site, day, pathname, version)
    """,
    """
    CREATE TABLE IF NOT EXISTS rollup_days (
        site String,
        day Date,
        version UInt64,
        timezone String,
        built_at DateTime('UTC')
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (site, day)
    """,
]
