"""Migration 100: one run claims table."""

NAME = "one run claims table"

STATEMENTS = [
    # The analytics jobs' claims (job_run_claims, 25) and the alerts run's
    # (alert_run_claims, 63) become one table behind one mechanism
    # (warehouse/run_claims.py). Jobs over every site have site ''; the alerts
    # run is job 'alerts', one claim per site, attempt 0, no lease. Every
    # existing claim is copied, so no slot is run again after the upgrade. An
    # interrupted run copies some rows twice, which changes no answer: the
    # readers take the earliest claim and the latest finish per slot.
    """
    CREATE TABLE IF NOT EXISTS run_claims (
        job String,
        site String,
        slot UInt64,
        attempt UInt32,
        claimant String,
        claimed_us UInt64,
        lease_us UInt64,
        finished_us UInt64
    ) ENGINE = MergeTree
    ORDER BY (job, site, slot, attempt, claimant)
    """,
    "INSERT INTO run_claims (job, site, slot, attempt, claimant, claimed_us, lease_us, finished_us) "
    "SELECT job, '', slot, attempt, claimant, claimed_us, lease_us, finished_us FROM job_run_claims",
    "INSERT INTO run_claims (job, site, slot, attempt, claimant, claimed_us, lease_us, finished_us) "
    "SELECT 'alerts', site, slot, 0, claimant, claimed_us, 0, 0 FROM alert_run_claims",
]
