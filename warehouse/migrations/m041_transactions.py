"""Migration 41: transactions."""

NAME = "transactions"

STATEMENTS = [
    # type: purchase, renewal, refund or cancellation; amount is positive
    # for money in and negative for refunds. transaction_id makes a
    # re-import replace instead of adding (derived when a file has none).
    # No monthly partitions: FINAL only merges rows within a partition, and
    # a corrected transaction may move to another month.
    """
    CREATE TABLE IF NOT EXISTS transactions (
        site String,
        customer_id String,
        transaction_id String,
        ts DateTime('UTC'),
        amount Float64,
        currency String,
        type String,
        origin String,
        version UInt64
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY (site, customer_id, transaction_id)
    """,
]
