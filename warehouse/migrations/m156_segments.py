"""Migration 156: saved segments, named filter sets of a site (warehouse/segments.py)."""

NAME = "segments"

STATEMENTS = [
    # A segment is edited in place: each change (rename, new filters, visibility)
    # writes the row again with a higher version, a deletion with deleted = 1.
    # `filters` is the report filter dict (analytics/filters.py) as JSON text.
    # A segment never moves to another site, so the site leads the key and a
    # site's segments are read from one range.
    """
    CREATE TABLE IF NOT EXISTS segments (
        segment_id String,
        site String,
        name String,
        filters String,
        owner String,
        visibility String,
        created_at DateTime('UTC'),
        updated_at DateTime('UTC'),
        version UInt64,
        deleted UInt8
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (site, segment_id)
    """,
]
