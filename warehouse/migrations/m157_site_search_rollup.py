"""Migration 157: daily rollup of site search (analytics/site_search_rollup.py)."""

NAME = "site search rollup"

STATEMENTS = [
    # One generation (version) of a local day's searches, written by the rollups
    # job. `report` says what a row counts:
    #   'summary'  the day's searches (value '');
    #   'terms'    per search term (value);
    #   'pages'    per page viewed right after a search (value);
    #   'events'   events carrying a term, per term (value), event name and, for
    #              pageviews, pathname: the no-results figures are read from these
    #              with the site's no-results page and event as they are when asked.
    # visits, refinements and exits count within the local day (docs/site-search.md),
    # with the visit timeout rollup_days.visit_timeout records (migration 141).
    """
    CREATE TABLE IF NOT EXISTS rollup_site_search (
        site String,
        day Date,
        version UInt64,
        report String,
        value String,
        name String,
        pathname String,
        searches UInt64,
        visitors AggregateFunction(uniqCombined(17), UInt64),
        visits UInt64,
        refinements UInt64,
        exits UInt64
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(day)
    ORDER BY (site, day, version, report, value)
    """,
]
