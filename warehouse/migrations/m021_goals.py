"""Migration 21: goals."""

NAME = "goals"

STATEMENTS = [
    # Conversion goals per site. kind 'pageview': pattern is a path
    # pattern (warehouse.path_patterns); kind 'event': pattern is a custom
    # event name. revenue_goal marks goals whose events carry revenue.
    """
    CREATE TABLE IF NOT EXISTS goals (
        site String,
        goal_id String,
        name String,
        kind String,
        pattern String,
        revenue_goal UInt8,
        created_at DateTime('UTC'),
        version UInt64,
        deleted UInt8
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (site, goal_id)
    """,
]
