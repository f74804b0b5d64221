"""Migration 61: alerts."""

NAME = "alerts"

STATEMENTS = [
    # The current state of each alert: ClickHouse has no row updates, so
    # every change writes the whole row again with a higher version and
    # readers use FINAL. The history lives in alert_transitions.
    # Times with no value (never snoozed, never resolved, no purchase)
    # hold 1970-01-01 00:00:00 rather than NULL.
    """
    CREATE TABLE IF NOT EXISTS alerts (
        site String,
        alert_id String,
        customer_id String,
        rule_id String,
        rule_kind String,
        rule_name String,
        severity String,
        owner String,
        state String,
        detail String,
        value Float64,
        probability Float64,
        reasons Array(String),
        last_purchase DateTime('UTC'),
        opened_at DateTime('UTC'),
        updated_at DateTime('UTC'),
        snoozed_until DateTime('UTC'),
        resolved_at DateTime('UTC'),
        outcome String,
        note String,
        version UInt64
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (site, alert_id)
    """,
    # Append-only: one row per transition (opened, acknowledged, snoozed,
    # woken, resolved, assigned), who made it and when. This is what the
    # team measures alerts with; it is never rewritten.
    """
    CREATE TABLE IF NOT EXISTS alert_transitions (
        site String,
        alert_id String,
        ts DateTime('UTC'),
        actor String,
        action String,
        from_state String,
        to_state String,
        outcome String,
        note String
    ) ENGINE = MergeTree
    ORDER BY (site, alert_id, ts)
    """,
]
