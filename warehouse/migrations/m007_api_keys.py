"""Migration 7: api keys."""

NAME = "api keys"

STATEMENTS = [
    # Server-side API keys, one site each. Only a hash of the secret is
    # kept; key_id is the public prefix shown in listings.
    """
    CREATE TABLE IF NOT EXISTS api_keys (
        key_id String,
        site String,
        name String,
        secret_hash String,
        created_at DateTime('UTC'),
        version UInt64,
        revoked UInt8
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY key_id
    """,
]
