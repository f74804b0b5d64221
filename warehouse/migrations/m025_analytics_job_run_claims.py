"""Migration 25: analytics job run claims."""

NAME = "analytics job run claims"

STATEMENTS = [
    # Every `vigie serve` worker schedules the analytics jobs; a claim row
    # per (job, time slot, attempt) lets one of them run each slot, and a
    # second row with finished_us > 0 says the run completed. A claim
    # whose lease_us passed unfinished is retried (analytics.job_claims).
    # Times are in microseconds: whole seconds could not order two
    # claims made in one second.
    """
    CREATE TABLE IF NOT EXISTS job_run_claims (
        job String,
        slot UInt64,
        attempt UInt32,
        claimant String,
        claimed_us UInt64,
        lease_us UInt64,
        finished_us UInt64
    ) ENGINE = MergeTree
    ORDER BY (job, slot, attempt, claimant)
    """,
]
