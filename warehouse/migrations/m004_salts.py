"""Migration 4: salts."""

NAME = "salts"

STATEMENTS = [
    # The daily secret that keys visitor ids. Shared through the store so
    # every collector process agrees on it; old days are deleted.
    """
    CREATE TABLE IF NOT EXISTS salts (
        day Date,
        salt String,
        created_at DateTime('UTC')
    ) ENGINE = MergeTree
    ORDER BY (day, salt)
    """,
]
