"""Migration 101: drop the old claim tables."""

NAME = "drop the old claim tables"

STATEMENTS = [
    # Apart from migration 100, which copied their rows into run_claims and
    # is recorded before this one runs.
    "DROP TABLE IF EXISTS job_run_claims",
    "DROP TABLE IF EXISTS alert_run_claims",
]
