"""Reading client data back for the dashboard and alerts.

Transactions are read with argMax by version grouped on their key rather than
FINAL: FINAL only merges rows within one partition (a month of `ts`), and a
transaction re-imported with a corrected date in another month would
otherwise show twice.
"""
from dataclasses import dataclass

from vigie.alerts.client_data.rows import Customer, Transaction

MAX_PAGE = 500

_CUSTOMER_SELECT = (
    "SELECT customer_id, created_at, plan, contract_status, contract_ended_at, segment, owner, "
    "attr_keys, attr_values FROM customers FINAL WHERE site = %(site)s AND deleted = 0")


@dataclass(frozen=True)
class CustomerPage:
    customers: list
    total: int      # customers matching the search, all pages together
    offset: int
    limit: int


def _customer(row):
    customer_id, created, plan, status, ended, segment, owner, keys, values = row
    return Customer(customer_id, created, plan, status, ended, segment, owner,
                    tuple(zip(keys, values)))


def get_customer(store, site, customer_id):
    """The Customer (attributes included) or None."""
    rows = store.query(_CUSTOMER_SELECT + " AND customer_id = %(id)s",
                       {"site": site, "id": customer_id})
    return _customer(rows[0]) if rows else None


CUSTOMER_SORTS = {"id": "customer_id", "newest": "created_at DESC, customer_id",
                  "oldest": "created_at, customer_id"}


def list_customers(store, site, prefix="", offset=0, limit=50, sort="id"):
    """A CustomerPage of clients whose id starts with `prefix`, in id (or client-since) order."""
    if sort not in CUSTOMER_SORTS:
        raise ValueError(f"sort {sort!r}: use one of {', '.join(CUSTOMER_SORTS)}")
    if not 1 <= limit <= MAX_PAGE:
        raise ValueError(f"limit must be between 1 and {MAX_PAGE}")
    if offset < 0:
        raise ValueError("offset cannot be negative")
    # substring/length compare bytes on both backends, so any prefix matches
    # literally (LIKE would need its wildcards escaped).
    where = " AND substring(customer_id, 1, length(%(prefix)s)) = %(prefix)s"
    params = {"site": site, "prefix": prefix or ""}
    total = store.query_value(
        "SELECT count() FROM (" + _CUSTOMER_SELECT + where + ")", params)
    rows = store.query(_CUSTOMER_SELECT + where + f" ORDER BY {CUSTOMER_SORTS[sort]} "
                       f"LIMIT {int(limit)} OFFSET {int(offset)}", params)
    return CustomerPage([_customer(r) for r in rows], int(total or 0), offset, limit)


def customer_owners(store, site, customer_ids=None):
    """{customer_id: owner} of the clients that have one; all, or only `customer_ids`."""
    if customer_ids is not None and not customer_ids:
        return {}
    only = "" if customer_ids is None else " AND customer_id IN %(ids)s"
    rows = store.query("SELECT customer_id, owner FROM customers FINAL WHERE site = %(site)s "
                       f"AND deleted = 0 AND owner != ''{only}",
                       {"site": site, "ids": tuple(customer_ids or ())})
    return dict(rows)


def customer_transactions(store, site, customer_id, limit=1000):
    """The Transactions of one client (origin filled in), newest first, at most `limit`."""
    rows = store.query(
        "SELECT transaction_id, argMax(ts, version) AS t, argMax(amount, version), "
        "argMax(currency, version), argMax(type, version), argMax(origin, version) "
        "FROM transactions WHERE site = %(site)s AND customer_id = %(id)s "
        f"GROUP BY transaction_id ORDER BY t DESC, transaction_id LIMIT {int(limit)}",
        {"site": site, "id": customer_id})
    return [Transaction(customer_id, tid, ts, amount, currency, kind, origin)
            for tid, ts, amount, currency, kind, origin in rows]
