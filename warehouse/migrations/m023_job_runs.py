"""Migration 23: job runs."""

NAME = "job runs"

STATEMENTS = [
    # One row per run of a batch job over one site and window (analytics.jobs).
    # A run writes its row when it starts (status 'running') and again when
    # it ends, with the same run_id and a higher version.
    """
    CREATE TABLE IF NOT EXISTS job_runs (
        run_id String,
        job String,
        site String,
        since DateTime('UTC'),
        until DateTime('UTC'),
        started DateTime('UTC'),
        finished DateTime('UTC'),
        status String,
        error String,
        rows UInt64,
        version UInt64
    ) ENGINE = ReplacingMergeTree(version)
    PARTITION BY toYYYYMM(started)
    ORDER BY (job, site, run_id)
    """,
    # How far each job has processed each site: the `until` of its last
    # successful run. The next scheduled run starts from here minus a lookback.
    """
    CREATE TABLE IF NOT EXISTS job_watermarks (
        job String,
        site String,
        until DateTime('UTC'),
        updated_at DateTime('UTC'),
        version UInt64
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (job, site)
    """,
]
