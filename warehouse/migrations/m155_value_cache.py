"""Migration 155: computed customer-value summaries, shared by every server process."""

NAME = "value cache"

STATEMENTS = [
    # One row per (site, kind of summary, its arguments): the JSON of the summary and the
    # generation of the site's data it was computed from (analytics.value_memo). A row is
    # used only while its generation is the current one; a newer computation replaces it.
    """
    CREATE TABLE IF NOT EXISTS value_cache (
        site String,
        kind String,
        args String,
        generation String,
        body String,
        computed_at DateTime('UTC'),
        version UInt64
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (site, kind, args)
    """,
]
