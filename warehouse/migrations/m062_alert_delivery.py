"""Migration 62: alert delivery."""

NAME = "alert delivery"

STATEMENTS = [
    # Where a site's alerts go: an apprise URL per named channel; mode
    # 'each' sends one message per new alert, 'digest' one a day.
    """
    CREATE TABLE IF NOT EXISTS alert_channels (
        site String,
        name String,
        url String,
        mode String,
        created_at DateTime('UTC'),
        version UInt64,
        deleted UInt8
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (site, name)
    """,
    # One row per delivery attempt. target is the channel URL with its
    # secrets masked; the raw URL is never written here or to logs.
    # alert_id is 'digest:YYYY-MM-DD' for a daily digest and 'test' for
    # `vigie alerts notify-test`.
    """
    CREATE TABLE IF NOT EXISTS alert_deliveries (
        site String,
        alert_id String,
        channel String,
        target String,
        attempt UInt8,
        status String,
        error String,
        ts DateTime('UTC')
    ) ENGINE = MergeTree
    ORDER BY (site, ts, alert_id)
    """,
]
