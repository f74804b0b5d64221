"""Migration 150: scheduled email reports (subscriptions and the sends made for them)."""

NAME = "email reports"

STATEMENTS = [
    # A dashboard account's weekly or monthly report of one site, to one address.
    # Removing it (from the dashboard or the email's unsubscribe link) writes the row
    # again with deleted = 1. unsubscribe_token is random: the only key of the link.
    """
    CREATE TABLE IF NOT EXISTS report_subscriptions (
        subscription_id String,
        site String,
        account String,
        recipient String,
        frequency String,
        unsubscribe_token String,
        created_at DateTime('UTC'),
        version UInt64,
        deleted UInt8
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY subscription_id
    """,
    # One row per attempt to send a subscription's report of a period: a period with
    # a `sent` row is never sent again; a `failed` one is tried at the next run.
    """
    CREATE TABLE IF NOT EXISTS report_sends (
        subscription_id String,
        site String,
        period_start Date,
        period_end Date,
        status String,
        error String,
        ts DateTime('UTC')
    ) ENGINE = MergeTree
    ORDER BY (subscription_id, period_start, ts)
    """,
]
