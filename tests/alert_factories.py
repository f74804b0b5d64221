"""Hand-built CRM, transaction and score rows for the alert tests.

The import and scoring parts of Vigie write these tables in production; the
alert tests write them directly so every expected number is visible here.
"""
import datetime

from tests.factories import at

SITE = "shop.example.com"

_CUSTOMER_COLUMNS = ["site", "customer_id", "created_at", "plan", "contract_status",
                     "contract_ended_at", "segment", "owner", "attr_keys", "attr_values",
                     "version", "deleted"]
_TRANSACTION_COLUMNS = ["site", "customer_id", "transaction_id", "ts", "amount", "currency",
                        "type", "origin", "version"]
_SCORE_COLUMNS = ["site", "customer_id", "as_of", "scored_at", "model_version", "probability",
                  "risk_band", "reasons", "reason_features"]

_counter = iter(range(1, 10**9))


def add_customers(store, *customers, site=SITE):
    """customers: (customer_id, created 'YYYY-MM-DD', contract_status[, owner])."""
    rows = []
    for spec in customers:
        cid, created, status = spec[:3]
        owner = spec[3] if len(spec) > 3 else ""
        rows.append((site, cid, at(created + " 00:00:00"), "pro", status, None, "", owner,
                     [], [], next(_counter), 0))
    store.insert("customers", _CUSTOMER_COLUMNS, rows)


def add_purchases(store, customer_id, *days, site=SITE, kind="purchase", amount=50.0):
    """One transaction per 'YYYY-MM-DD' day, at noon UTC."""
    rows = [(site, customer_id, f"t{next(_counter)}", at(day + " 12:00:00"), amount, "EUR",
             kind, "test", 1) for day in days]
    store.insert("transactions", _TRANSACTION_COLUMNS, rows)


def add_score(store, customer_id, day, probability, reasons=(), site=SITE):
    """One churn_scores row scored at 03:00 UTC on `day`."""
    as_of = datetime.date.fromisoformat(day)
    store.insert("churn_scores", _SCORE_COLUMNS, [(
        site, customer_id, as_of, at(day + " 03:00:00"), "m1", probability,
        "high" if probability >= 0.7 else "low", list(reasons), ["f"] * len(reasons))])
