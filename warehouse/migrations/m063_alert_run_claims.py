"""Migration 63: alert run claims."""

NAME = "alert run claims"

STATEMENTS = [
    # Every `vigie serve` worker (and every host) has a scheduler; a claim
    # row per (site, time slot) lets exactly one of them run that site's
    # alerts in the slot (alerts.claims). claimed_us is in microseconds:
    # a DateTime's whole seconds could not order two claims in one second.
    """
    CREATE TABLE IF NOT EXISTS alert_run_claims (
        site String,
        slot UInt64,
        claimant String,
        claimed_us UInt64
    ) ENGINE = MergeTree
    ORDER BY (site, slot, claimant)
    """,
]
