"""Storing validated customers and transactions.

Both tables are ReplacingMergeTree: writing a client or a transaction again
(same site and customer_id, plus the same transaction_id for transactions)
with a higher version replaces the earlier row, which is what makes every
import idempotent. Readers use FINAL (or argMax by version).
"""
import time

CUSTOMER_COLUMNS = ["site", "customer_id", "created_at", "plan", "contract_status",
                    "contract_ended_at", "segment", "owner", "attr_keys", "attr_values",
                    "version", "deleted"]
TRANSACTION_COLUMNS = ["site", "customer_id", "transaction_id", "ts", "amount", "currency",
                       "type", "origin", "version"]

# Where a transaction came from (the `origin` column).
ORIGIN_CSV, ORIGIN_API, ORIGIN_WEB = "csv", "api", "web"


def new_version():
    """A version above every earlier write: microseconds since the epoch."""
    return time.time_ns() // 1000


def write_customers(store, site, customers, version=None):
    """Insert Customer records in one batch; returns the count."""
    version = version or new_version()
    return store.insert("customers", CUSTOMER_COLUMNS, [
        (site, c.customer_id, c.created_at, c.plan, c.contract_status, c.contract_ended_at,
         c.segment, c.owner, [k for k, _ in c.attributes], [v for _, v in c.attributes],
         version, 0)
        for c in customers])


def write_transactions(store, site, transactions, origin, version=None):
    """Insert Transaction records (ids already assigned) in one batch; returns the count."""
    version = version or new_version()
    return store.insert("transactions", TRANSACTION_COLUMNS, [
        (site, t.customer_id, t.transaction_id, t.ts, t.amount, t.currency, t.type, origin,
         version)
        for t in transactions])
