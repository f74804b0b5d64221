"""Migration 8: dropped events."""

NAME = "dropped events"

STATEMENTS = [
    # Events refused or dropped on purpose (bots, spam, privacy signals,
    # rate limits...), counted per site, day and reason; read with sum().
    """
    CREATE TABLE IF NOT EXISTS dropped_events (
        site String,
        day Date,
        reason String,
        events UInt64
    ) ENGINE = SummingMergeTree(events)
    ORDER BY (site, day, reason)
    """,
]
