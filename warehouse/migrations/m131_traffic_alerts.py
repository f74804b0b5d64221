"""Migration 131: traffic alerts."""

NAME = "traffic alerts"

STATEMENTS = [
    # Per site: notify when the current visitors reach spike_visitors (0: off), and when a
    # day's visitors fall below drop_percent % of the usual for that weekday (0: off), the
    # usual being the median of the same weekday over the baseline_weeks before.
    """
    CREATE TABLE IF NOT EXISTS traffic_alert_settings (
        site String,
        spike_visitors UInt32,
        drop_percent UInt8,
        baseline_weeks UInt8,
        channels Array(String),
        updated_at DateTime('UTC'),
        version UInt64
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY site
    """,
    # One row per traffic notification sent (or attempted): what the twice-a-day cap
    # counts, and what keeps a day's drop from being notified twice.
    """
    CREATE TABLE IF NOT EXISTS traffic_notifications (
        site String,
        kind String,
        subject String,
        ts DateTime('UTC'),
        visitors UInt64,
        usual Float64,
        notification_id String
    ) ENGINE = MergeTree
    ORDER BY (site, ts)
    """,
]
