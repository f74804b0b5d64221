"""Migration 20: sessions."""

NAME = "sessions"

STATEMENTS = [
    # One row per visit, built from events by the sessions job
    # (analytics). Re-running a window writes rows with a higher version;
    # readers use FINAL (or argMax by version) so a visit is never counted
    # twice. Source, channel and UTM tags are those of the visit's first
    # event; goals holds the goal_id of every goal the visit reached.
    """
    CREATE TABLE IF NOT EXISTS sessions (
        site String,
        session_id UInt64,
        visitor_id UInt64,
        customer_id String,
        start DateTime('UTC'),
        end DateTime('UTC'),
        duration UInt32,
        pageviews UInt32,
        events UInt32,
        engaged_ms UInt64,
        entry_page String,
        exit_page String,
        bounce UInt8,
        hostname String,
        referrer String,
        referrer_host String,
        source String,
        search_term String,
        channel String,
        click_id String,
        utm_source String,
        utm_medium String,
        utm_campaign String,
        utm_content String,
        utm_term String,
        device String,
        browser String,
        browser_version String,
        os String,
        os_version String,
        country String,
        region String,
        language String,
        screen_class String,
        goals Array(String),
        revenue Float64,
        currency String,
        version UInt64
    ) ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(start)
    ORDER BY (site, toDate(start), visitor_id, session_id)
    """,
]
