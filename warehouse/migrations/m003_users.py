"""Migration 3: users."""

NAME = "users"

STATEMENTS = [
    """
    CREATE TABLE IF NOT EXISTS users (
        email String,
        password_hash String,
        is_admin UInt8,
        created_at DateTime('UTC'),
        version UInt64,
        deleted UInt8
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY email
    """,
]
