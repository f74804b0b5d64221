"""Migration 141: journeys rolled up by day."""

NAME = "journey rollups"

STATEMENTS = [
    # Per site, local day and generation (version, as rollup_visits): the steps of the
    # day's paths as unique-visitor states, so that any set of days merges into the
    # report's numbers (analytics/journeys.py). A node row (link 0, prev '') is a (step,
    # page) with the visitors whose path reached it and those whose path stopped there; a
    # link row (link 1) a (step, page, page before) with its visitors. goal is '' for the
    # paths from an entry page, else the goal id of paths to that goal; entry is '' for
    # the rows of every entry page together, else the entry page the rows are about (the
    # report from one entry page reads those). Sorted by what a report asks for first,
    # so a read touches only the states of its own rows (the top pages read node rows).
    """
    CREATE TABLE IF NOT EXISTS rollup_journeys (
        site String,
        day Date,
        version UInt64,
        goal String,
        entry String,
        link UInt8,
        step UInt8,
        page String,
        prev String,
        visitors AggregateFunction(uniqCombined(17), UInt64),
        ended AggregateFunction(uniqCombined(17), UInt64)
    ) ENGINE = MergeTree
    PARTITION BY toYYYYMM(day)
    ORDER BY (site, goal, entry, link, day, version, step, page, prev)
    SETTINGS index_granularity = 256
    """,
    # The visit timeout (minutes) the day's paths to a goal were cut with: a report asking
    # for another one reads raw events instead. 0 for days rolled up before this column.
    "ALTER TABLE rollup_days ADD COLUMN visit_timeout UInt32 DEFAULT 0",
]
