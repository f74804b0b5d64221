"""Migration 60: alert rules."""

NAME = "alert rules"

STATEMENTS = [
    # Per-site alert rules (alerts.rules). kind picks the condition;
    # threshold and months are its parameters (see docs/alerts.md);
    # channels names the site's delivery channels (empty: all of them).
    # Edits and removals are new rows with a higher version: read FINAL.
    """
    CREATE TABLE IF NOT EXISTS alert_rules (
        site String,
        rule_id String,
        name String,
        kind String,
        threshold Float64,
        months UInt16,
        baseline_months UInt16,
        severity String,
        owner String,
        channels Array(String),
        created_at DateTime('UTC'),
        version UInt64,
        deleted UInt8
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (site, rule_id)
    """,
]
