"""Migration 40: customers."""

NAME = "customers"

STATEMENTS = [
    # The CRM side: one row per client of a site. Re-importing a client
    # writes a higher version (ReplacingMergeTree: read with FINAL).
    # contract_status: active, cancelled (notice given), ended, or '' when
    # the business has no contracts.
    """
    CREATE TABLE IF NOT EXISTS customers (
        site String,
        customer_id String,
        created_at DateTime('UTC'),
        plan String,
        contract_status String,
        contract_ended_at Nullable(DateTime('UTC')),
        segment String,
        owner String,
        attr_keys Array(String),
        attr_values Array(String),
        version UInt64,
        deleted UInt8
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (site, customer_id)
    """,
]
