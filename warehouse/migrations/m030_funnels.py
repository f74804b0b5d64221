"""Migration 30: funnels."""

NAME = "funnels"

STATEMENTS = [
    # Ordered conversion paths per site. Step i is (step_kinds[i],
    # step_patterns[i]) with the kinds and patterns of goals; window_days
    # 0 means every step within one visit, N within N days of step 1.
    """
    CREATE TABLE IF NOT EXISTS funnels (
        site String,
        funnel_id String,
        name String,
        step_kinds Array(String),
        step_patterns Array(String),
        window_days UInt16,
        created_at DateTime('UTC'),
        version UInt64,
        deleted UInt8
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (site, funnel_id)
    """,
]
