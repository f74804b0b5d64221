"""Migration 1: events."""

NAME = "events"

STATEMENTS = [
    # One row per accepted event. Enrichment is done at ingest and stored
    # as columns so reports never re-parse user agents or referrers.
    """
    CREATE TABLE IF NOT EXISTS events (
        event_id UUID,
        site String,
        ts DateTime('UTC'),
        name String,
        visitor_id UInt64,
        customer_id String,
        hostname String,
        pathname String,
        referrer String,
        referrer_host String,
        utm_source String,
        utm_medium String,
        utm_campaign String,
        utm_content String,
        utm_term String,
        browser String,
        browser_version String,
        os String,
        os_version String,
        device String,
        country String,
        language String,
        screen_width UInt16,
        prop_keys Array(String),
        prop_values Array(String),
        revenue Float64,
        currency String,
        engaged_ms UInt32,
        scroll_depth UInt8
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(ts)
    ORDER BY (site, toDate(ts), visitor_id, ts)
    """,
]
