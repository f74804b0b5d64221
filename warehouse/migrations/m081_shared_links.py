"""Migration 81: shared links."""

NAME = "shared links"

STATEMENTS = [
    # Read-only public links to one site's web analytics. The link reads
    # vs_<link_id>_<secret>; only a SHA-256 of the secret is kept, link_id
    # is what the settings list and revoke. A revoked link keeps its row
    # (revoked = 1) so its visitors get "revoked", not "unknown".
    """
    CREATE TABLE IF NOT EXISTS share_links (
        link_id String,
        site String,
        secret_hash String,
        created_by String,
        created_at DateTime('UTC'),
        version UInt64,
        revoked UInt8
    ) ENGINE = ReplacingMergeTree(version)
    ORDER BY link_id
    """,
]
