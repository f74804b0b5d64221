"""Migration 6: site settings."""

NAME = "site settings"

STATEMENTS = [
    # Hostnames beyond the domain and its subdomains; whether customer ids
    # are accepted; whether Do-Not-Track / Global Privacy Control stop
    # tracking (1, the default) or are ignored (0).
    "ALTER TABLE sites ADD COLUMN extra_hostnames Array(String)",
    "ALTER TABLE sites ADD COLUMN identify_customers UInt8 DEFAULT 0",
    "ALTER TABLE sites ADD COLUMN respect_privacy_signals UInt8 DEFAULT 1",
]
