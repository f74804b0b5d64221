"""Migration 140: each visit's pages in the order they were viewed, for the journeys report."""

NAME = "visit journeys"

STATEMENTS = [
    # The visit's first pages in time order, a page viewed again right after itself counted
    # once, at most 11 (the journeys report's 10 steps, and whether the visit went on):
    # written by the sessions job; visits sessionized before this migration have none until
    # their days are rebuilt (docs/journeys.md).
    "ALTER TABLE sessions ADD COLUMN journey Array(String)",
]
