"""Migration 12: access log imports."""

NAME = "access log imports"

STATEMENTS = [
    # One row per access-log file imported (vigie import access-log),
    # keyed by a SHA-256 of its bytes, so the same file is not counted twice.
    """
    CREATE TABLE IF NOT EXISTS access_log_imports (
        site String,
        digest String,
        file_name String,
        lines UInt64,
        accepted UInt64,
        imported_at DateTime('UTC')
    ) ENGINE = MergeTree
    ORDER BY (site, digest)
    """,
]
