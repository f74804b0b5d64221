"""Migration 145: web vitals."""

NAME = "web vitals"

STATEMENTS = [
    # Per site: whether the collector stores the web vitals the vitals script
    # sends (off by default: the site's owner opts in, docs/web-vitals.md).
    "ALTER TABLE sites ADD COLUMN web_vitals UInt8",
    # One row per page load measured: the page, the coarse columns the
    # reports group by, and the four metrics. A table of its own rather than
    # rows of `events`: a vitals report is not page activity, so keeping it out
    # of `events` keeps it out of visits, realtime, goals and custom events
    # without one more exclusion in each of them; and the metrics are typed
    # numbers, not props text. A metric the page did not measure is -1.
    """
    CREATE TABLE IF NOT EXISTS web_vitals (
        event_id UUID,
        site String,
        ts DateTime('UTC'),
        visitor_id UInt64,
        hostname String,
        pathname String,
        device String,
        country String,
        browser String,
        os String,
        lcp_ms Float64,
        cls Float64,
        inp_ms Float64,
        ttfb_ms Float64
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(ts)
    ORDER BY (site, toDate(ts), pathname, ts)
    """,
]
