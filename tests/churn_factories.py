"""Hand-built customers and transactions rows for churn tests, inserted directly.

Churn tests never go through the import code: they write the rows the import
would have written, every column filled, only what matters named.
"""
import datetime
import itertools

from tests.factories import at

CUSTOMER_COLUMNS = ["site", "customer_id", "created_at", "plan", "contract_status",
                    "contract_ended_at", "segment", "owner", "attr_keys", "attr_values",
                    "version", "deleted"]
TRANSACTION_COLUMNS = ["site", "customer_id", "transaction_id", "ts", "amount", "currency",
                       "type", "origin", "version"]

_ids = itertools.count(1)


def _when(value):
    if value is None or isinstance(value, datetime.datetime):
        return value
    if isinstance(value, datetime.date):
        return datetime.datetime(value.year, value.month, value.day, tzinfo=datetime.timezone.utc)
    return at(value if " " in value else value + " 00:00:00")


def customer(site, customer_id, created_at="2023-01-01", contract_status="active",
             contract_ended_at=None, plan="standard"):
    return (site, customer_id, _when(created_at), plan, contract_status,
            _when(contract_ended_at), "", "", [], [], 1, 0)


def transaction(site, customer_id, ts, amount=100.0, type="purchase", currency="EUR"):
    return (site, customer_id, f"tx-{next(_ids)}", _when(ts), float(amount), currency, type, "test", 1)


def insert_customers(store, rows):
    return store.insert("customers", CUSTOMER_COLUMNS, rows)


def insert_transactions(store, rows):
    return store.insert("transactions", TRANSACTION_COLUMNS, rows)


def insert_goal(store, site, goal_id, kind, pattern):
    store.insert("goals", ["site", "goal_id", "name", "kind", "pattern", "revenue_goal",
                           "created_at", "version", "deleted"],
                 [(site, goal_id, goal_id, kind, pattern, 0, _when("2023-01-01"), 1, 0)])


def insert_visit(store, site, customer_id, start, end, session_id, pageviews=1, **columns):
    """A sessions row (as the sessions job writes it) for an identified client;
    `columns` overrides any other column (entry_page, source, version...)."""
    strings = ["entry_page", "exit_page", "hostname", "referrer", "referrer_host", "source",
               "search_term", "channel", "click_id", "utm_source", "utm_medium", "utm_campaign",
               "utm_content", "utm_term", "device", "browser", "browser_version", "os",
               "os_version", "country", "region", "language", "screen_class", "currency"]
    start, end = _when(start), _when(end)
    row = {"site": site, "session_id": session_id, "visitor_id": session_id,
           "customer_id": customer_id, "start": start, "end": end,
           "duration": int((end - start).total_seconds()), "pageviews": pageviews,
           "events": pageviews, "engaged_ms": 0, "bounce": 0, "goals": [], "revenue": 0.0,
           "version": 1, **{name: "" for name in strings}}
    row.update(columns)
    store.insert("sessions", list(row), [tuple(row.values())])
