"""Migration 80: user roles and site access."""

NAME = "user roles and site access"

STATEMENTS = [
    # role: admin (everything), marketer (analytics of their sites) or
    # retention (customers, churn and alerts of their sites). sites lists
    # the domains a non-admin may see. Rows written before this migration
    # have role '' and are read as admin or marketer from is_admin.
    "ALTER TABLE users ADD COLUMN role String",
    "ALTER TABLE users ADD COLUMN sites Array(String)",
]
