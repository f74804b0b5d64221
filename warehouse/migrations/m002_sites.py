"""Migration 2: sites."""

NAME = "sites"

STATEMENTS = [
    # ReplacingMergeTree keyed by domain: an update is a new row with a
    # higher version; readers use FINAL.
    """
    CREATE TABLE IF NOT EXISTS sites (
        domain String,
        timezone String,
        created_at DateTime('UTC'),
        version UInt64,
        deleted UInt8
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY domain
    """,
]
